//! Installs what the build and the tests need, once: each step checks first and is quick when done.
//!
//! Versions are pinned: `wasm-bindgen-cli` must equal the `wasm-bindgen` in Cargo.lock, `worker-build`
//! the `worker` in Cargo.lock; the npm tools come from package-lock.json; Chromium and PHP from
//! Debian; the PyPI verifier at [`PYPI_STANDARDWEBHOOKS`] into a virtual environment under `.state/`.
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{run, Result};

/// What a command needs installed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Build and run the stack (demo).
    Stack,
    /// Everything the stack needs plus what the tests drive: a browser, and the shop-side
    /// languages that run docs/shop-integration.md's snippets (Node, Python, PHP).
    StackAndBrowser,
}

/// The PyPI `standardwebhooks` the edge suite verifies notifications with.
const PYPI_STANDARDWEBHOOKS: &str = "1.1.0";

pub fn ensure(root: &Path, needs: Needs) -> Result<()> {
    ensure_wasm_target()?;
    ensure_widget_nightly()?;
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))?;
    ensure_cargo_tool(
        "wasm-bindgen",
        "wasm-bindgen-cli",
        &locked_version(&lock, "wasm-bindgen")?,
        false,
    )?;
    // `--locked` fails for wasm-bindgen-cli here (a locked transitive version is not on the registry);
    // worker-build installs fine with it.
    ensure_cargo_tool(
        "worker-build",
        "worker-build",
        &locked_version(&lock, "worker")?,
        true,
    )?;
    ensure_npm(root)?;
    if needs == Needs::StackAndBrowser {
        ensure_chromium()?;
        ensure_debian(&[("/usr/bin/php", "php-cli")])?;
        ensure_python_verifier(root)?;
    }
    Ok(())
}

/// The Python the tests run shop snippets with: a virtual environment holding the PyPI
/// `standardwebhooks` package.
pub fn venv_python(root: &Path) -> PathBuf {
    root.join(".state/venv/bin/python")
}

fn ensure_python_verifier(root: &Path) -> Result<()> {
    let python = venv_python(root);
    let installed = Command::new(&python)
        .args([
            "-c",
            "import importlib.metadata as m; print(m.version('standardwebhooks'))",
        ])
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == PYPI_STANDARDWEBHOOKS);
    if installed {
        return Ok(());
    }
    eprintln!("xtask: Python venv with standardwebhooks {PYPI_STANDARDWEBHOOKS} in .state/venv");
    if Command::new("python3")
        .args(["-m", "venv", "--help"])
        .output()
        .map_or(true, |out| !out.status.success())
    {
        ensure_debian(&[("/usr/share/doc/python3-venv", "python3-venv")])?;
    }
    run(Command::new("python3").args(["-m", "venv", &root.join(".state/venv").to_string_lossy()]))?;
    run(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("standardwebhooks=={PYPI_STANDARDWEBHOOKS}"),
    ]))
}

pub fn cargo_bin(name: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo")
        });
    home.join("bin").join(name)
}

fn ensure_wasm_target() -> Result<()> {
    let out = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()?;
    if String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// twiggy, the wasm size profiler behind `cargo xtask size-profile`, at its pinned version.
pub fn ensure_twiggy() -> Result<()> {
    ensure_cargo_tool(
        "twiggy",
        "twiggy",
        crate::size_profile::TWIGGY_VERSION,
        true,
    )
}

/// The widget's pinned nightly ([`crate::widget::NIGHTLY`]) with `rust-src` (for `-Zbuild-std`) and
/// the wasm32 target; rustup downloads it from the Rust project's own servers, like stable.
fn ensure_widget_nightly() -> Result<()> {
    let toolchain = crate::widget::NIGHTLY;
    let installed = Command::new("rustup")
        .args(["component", "list", "--installed", "--toolchain", toolchain])
        .output()?;
    let components = String::from_utf8_lossy(&installed.stdout);
    let has = |name: &str| components.lines().any(|l| l.trim().starts_with(name));
    if installed.status.success() && has("rust-src") && has("rust-std-wasm32-unknown-unknown") {
        return Ok(());
    }
    eprintln!("xtask: installing {toolchain} for the widget build (once)");
    run(Command::new("rustup").args([
        "toolchain",
        "install",
        toolchain,
        "--profile",
        "minimal",
        "--component",
        "rust-src",
        "--target",
        "wasm32-unknown-unknown",
    ]))
}

/// The version of `package` recorded in Cargo.lock (the first one, as there is one of each here).
fn locked_version(lock: &str, package: &str) -> Result<String> {
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .ok_or_else(|| format!("{package} is not in Cargo.lock"))?
        + needle.len();
    let end = lock[start..].find('"').ok_or("Cargo.lock is malformed")? + start;
    Ok(lock[start..end].to_string())
}

fn ensure_cargo_tool(bin: &str, krate: &str, version: &str, locked: bool) -> Result<()> {
    let path = cargo_bin(bin);
    if let Ok(out) = Command::new(&path).arg("--version").output() {
        let text = String::from_utf8_lossy(&out.stdout);
        if text
            .split_whitespace()
            .any(|w| w.trim_start_matches('v') == version)
        {
            return Ok(());
        }
    }
    eprintln!("xtask: installing {krate} {version} (a few minutes, once)");
    let mut cmd = Command::new("cargo");
    cmd.args(["install", krate, "--version", version, "--force"]);
    if locked {
        cmd.arg("--locked");
    }
    // Installing into the workspace target dir would contend with our own build lock.
    cmd.env_remove("CARGO_TARGET_DIR");
    run(&mut cmd)
}

fn ensure_npm(root: &Path) -> Result<()> {
    let stamp = root.join("node_modules/.package-lock.json");
    let fresh = match (
        std::fs::metadata(&stamp),
        std::fs::metadata(root.join("package-lock.json")),
    ) {
        (Ok(installed), Ok(lock)) => installed.modified()? >= lock.modified()?,
        _ => false,
    };
    if fresh && root.join("node_modules/.bin/wrangler").exists() {
        return Ok(());
    }
    eprintln!("xtask: npm ci (wrangler, binaryen, axe-core, standardwebhooks)");
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(root))
}

fn ensure_chromium() -> Result<()> {
    ensure_debian(&[
        ("/usr/bin/chromium", "chromium"),
        ("/usr/bin/chromedriver", "chromium-driver"),
        ("/usr/bin/brotli", "brotli"),
    ])
}

/// What `cargo xtask bench` runs besides the stack and the browser: `wrk` drives the edge under
/// load (Debian's, so nothing is compiled or downloaded from elsewhere), `brotli` measures the
/// widget's transfer size.
pub fn ensure_bench_tools() -> Result<()> {
    ensure_debian(&[("/usr/bin/wrk", "wrk"), ("/usr/bin/brotli", "brotli")])
}

/// Installs the Debian packages whose file is missing, in one `apt-get` call.
fn ensure_debian(files: &[(&str, &str)]) -> Result<()> {
    let missing: Vec<&str> = files
        .iter()
        .filter(|(file, _)| !Path::new(file).exists())
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("xtask: installing Debian {}", missing.join(" "));
    let sudo = if is_root() { None } else { Some("sudo") };
    let apt = |args: &[&str]| -> Result<()> {
        let mut cmd = match sudo {
            Some(s) => {
                let mut c = Command::new(s);
                c.arg("apt-get");
                c
            }
            None => Command::new("apt-get"),
        };
        run(cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive"))
    };
    apt(&["update", "-qq"])?;
    apt(&[&["install", "-y", "-qq"][..], &missing].concat())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::locked_version;

    #[test]
    fn reads_a_locked_version() {
        let lock = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(locked_version(lock, "wasm-bindgen").unwrap(), "0.2.130");
        assert!(locked_version(lock, "worker").is_err());
    }
}
