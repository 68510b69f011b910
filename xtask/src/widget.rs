//! Building the widget into `widget/dist`, the edge's static assets (docs/toolchain.md, "Building the
//! widget": no trunk, no cargo-leptos, both would download binaries).
//!
//! The widget alone is compiled with a nightly pinned by date ([`NIGHTLY`]): it rebuilds `std` for
//! size and aborts on panic without unwinding or formatting machinery, which stable cannot do. The
//! edge, the tests (the widget's browser tests included) and everything else stay on stable.
//!
//! ```text
//! widget/dist/
//!   widget.js                         the bootstrap, short-cached: it names the current hash
//!   assets/billpay-<hash>.js          wasm-bindgen glue      } immutable, cached for a year
//!   assets/billpay-<hash>_bg.wasm     the widget             }
//!   _headers                          Cache-Control + CORS for Workers static assets
//! ```
use std::fs;
use std::io;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

mod short_imports;
mod unused_exports;

/// The name wasm-bindgen gives the glue's default wasm URL (`new URL('widget_bg.wasm', import.meta.url)`).
const BINDGEN_WASM: &str = "widget_bg.wasm";
/// Hex digits of SHA-256 in the file names: plenty to never collide between releases.
const HASH_LEN: usize = 16;
/// The features rustc's wasm32 target emits by default. The release profile strips the
/// `target_features` section wasm-opt would read them from, so they are named here.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-mutable-globals",
    "--enable-multivalue",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-sign-ext",
];
/// The nightly the widget is built with, pinned by date so that a fresh install gives the same
/// bytes; `xtask setup` installs it with `rust-src` and the wasm32 target.
pub const NIGHTLY: &str = "nightly-2026-05-20";
/// For the widget build only (the worker is wasm32 too, and stays on stable): abort on panic
/// without the unwinding and message machinery, no file/line strings, no `Debug` bodies (the
/// widget shows none; an error's message comes from `Display`).
const NIGHTLY_RUSTFLAGS: &str =
    "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none";
/// `std` rebuilt with the wasm32 release: only what is used, its size-optimised variants.
const BUILD_STD: [&str; 2] = [
    "-Zbuild-std=std,panic_abort",
    "-Zbuild-std-features=optimize_for_size",
];
/// Beyond `-Oz`: the widget never touches the low 1 KB of memory, and passes are repeated until
/// they no longer shrink the module.
const WASM_OPT_SIZE: [&str; 3] = ["-Oz", "--low-memory-unused", "--converge"];
/// What `bootstrap/widget.js` says where the hash goes.
const HASH_PLACEHOLDER: &str = "BILLPAY_HASH";

/// Hashed files never change, so browsers and the CDN keep them for a year; `widget.js` names the
/// current hash, so it is cached briefly. Both are loaded from shops' pages: module scripts and
/// `fetch` of the wasm are CORS requests.
const HEADERS: &str = "\
/assets/*
  Cache-Control: public, max-age=31536000, immutable
  Access-Control-Allow-Origin: *

/widget.js
  Cache-Control: public, max-age=300
  Access-Control-Allow-Origin: *
";

/// A crate's wasm as the browser gets it: released, through wasm-bindgen and wasm-opt, glue minified.
pub struct Packed {
    pub wasm: Vec<u8>,
    /// The wasm-bindgen glue, still naming its wasm `<crate>_bg.wasm`.
    pub glue: String,
}

/// Whether the packed wasm keeps its function names (for a size profile; the shipped one does not).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Names {
    Stripped,
    Kept,
}

/// Release build of `package` (a cdylib of this workspace) with [`NIGHTLY`] → without the exports
/// nothing calls ([`unused_exports`]) → wasm-bindgen → wasm-opt → esbuild → short import names in
/// both files ([`short_imports`]). The widget and the size benchmark's Leptos floor (`widget/floor`) go through
/// the same steps.
pub fn pack(root: &Path, package: &str, names: Names) -> io::Result<Packed> {
    // A folder of its own: another compiler and other flags would otherwise evict the stable
    // builds' artefacts (and theirs these); with names, another again.
    let target_dir = target_dir(root).join(match names {
        Names::Stripped => "nightly",
        Names::Kept => "nightly-names",
    });
    run(Command::new("cargo")
        .arg(format!("+{NIGHTLY}"))
        .args([
            "build",
            "-p",
            package,
            "--release",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .args(BUILD_STD)
        .current_dir(root)
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("RUSTFLAGS", NIGHTLY_RUSTFLAGS)
        .envs((names == Names::Kept).then_some(("CARGO_PROFILE_RELEASE_STRIP", "false")))
        // Set for xtask by the stable cargo that runs it; the nightly must pick its own.
        .env_remove("RUSTC")
        .env_remove("RUSTDOC")
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO_ENCODED_RUSTFLAGS"))?;

    let artefact = package.replace('-', "_");
    // Beside rustc's output, under the same file name: wasm-bindgen names its files after it.
    let module = target_dir.join(format!("{package}-used-exports/{artefact}.wasm"));
    unused_exports::drop_unused(
        root,
        &target_dir.join(format!("wasm32-unknown-unknown/release/{artefact}.wasm")),
        &module,
        names,
    )?;
    let wasm_bindgen = crate::tools::cargo_bin("wasm-bindgen");
    check_wasm_bindgen_version(root, &wasm_bindgen)?;
    let bindgen_dir = target_dir.join(format!("{package}-bindgen"));
    let _ = fs::remove_dir_all(&bindgen_dir);
    run(Command::new(&wasm_bindgen)
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&bindgen_dir)
        .arg(&module))?;

    let wasm_path = bindgen_dir.join(format!("{artefact}_bg.wasm"));
    let wasm_opt = root.join("node_modules/.bin/wasm-opt");
    if !wasm_opt.exists() {
        return Err(io::Error::other(format!(
            "{} is missing: run `npm ci` (binaryen@132)",
            wasm_opt.display()
        )));
    }
    let mut optimise = Command::new(&wasm_opt);
    if names == Names::Kept {
        optimise.arg("--debuginfo");
    }
    run(optimise
        .args(WASM_OPT_SIZE)
        .args(WASM_FEATURES)
        .arg(&wasm_path)
        .arg("-o")
        .arg(&wasm_path))?;

    // Minified here, so the caller's content hash covers the served bytes (a new esbuild included).
    let glue = minify(
        root,
        &fs::read_to_string(bindgen_dir.join(format!("{artefact}.js")))?,
        Some("esm"),
    )?;
    let (wasm, glue) = short_imports::shorten(&fs::read(&wasm_path)?, &glue)?;
    Ok(Packed { wasm, glue })
}

/// [`pack`]s the widget into the content-hashed `widget/dist`.
pub fn build(root: &Path) -> io::Result<()> {
    let Packed { wasm, glue } = pack(root, "widget", Names::Stripped)?;
    let hash = content_hash(&[&wasm, glue.as_bytes()]);
    let name = format!("billpay-{hash}");
    if !glue.contains(BINDGEN_WASM) {
        return Err(io::Error::other(format!(
            "wasm-bindgen glue no longer names {BINDGEN_WASM}: update xtask/src/widget.rs"
        )));
    }
    // widget.js passes the wasm URL to init explicitly; renaming the default keeps the glue usable alone.
    let glue = glue.replace(BINDGEN_WASM, &format!("{name}_bg.wasm"));
    let bootstrap = fs::read_to_string(root.join("widget/bootstrap/widget.js"))?;

    let dist = root.join("widget/dist");
    let _ = fs::remove_dir_all(&dist);
    fs::create_dir_all(dist.join("assets"))?;
    fs::write(dist.join(format!("assets/{name}.js")), glue)?;
    fs::write(dist.join(format!("assets/{name}_bg.wasm")), &wasm)?;
    fs::write(
        dist.join("widget.js"),
        minify(root, &bootstrap.replace(HASH_PLACEHOLDER, &hash), None)?,
    )?;
    fs::write(dist.join("_headers"), HEADERS)?;
    eprintln!(
        "xtask: widget → {} (assets/{name}.js, assets/{name}_bg.wasm: {} bytes)",
        dist.display(),
        wasm.len()
    );
    Ok(())
}

/// `CARGO_TARGET_DIR` when set (relative to the workspace, like cargo), else `<root>/target`.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |dir| root.join(dir))
}

fn run(cmd: &mut Command) -> io::Result<()> {
    crate::run(cmd).map_err(|e| io::Error::other(e.to_string()))
}

/// The CLI must be the exact version of the `wasm-bindgen` crate in Cargo.lock, or the glue and
/// the wasm disagree on their ABI.
fn check_wasm_bindgen_version(root: &Path, cli: &Path) -> io::Result<()> {
    let lock = fs::read_to_string(root.join("Cargo.lock"))?;
    let locked = locked_version(&lock, "wasm-bindgen")
        .ok_or_else(|| io::Error::other("Cargo.lock has no wasm-bindgen package"))?;
    let output = Command::new(cli).arg("--version").output().map_err(|e| {
        io::Error::other(format!(
            "cannot run {}: {e} (cargo xtask setup installs it)",
            cli.display()
        ))
    })?;
    let installed = String::from_utf8_lossy(&output.stdout);
    if installed.split_whitespace().nth(1) == Some(locked) {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "{} is `{}`, Cargo.lock wants {locked}",
            cli.display(),
            installed.trim()
        )))
    }
}

/// The version of package `name` in a Cargo.lock.
fn locked_version<'a>(lock: &'a str, name: &str) -> Option<&'a str> {
    let entry = format!("name = \"{name}\"\nversion = \"");
    let start = lock.find(&entry)? + entry.len();
    lock[start..].split('"').next()
}

/// The first [`HASH_LEN`] hex digits of SHA-256 over `parts`.
fn content_hash(parts: &[&[u8]]) -> String {
    let mut sha = Sha256::new();
    parts.iter().for_each(|part| sha.update(part));
    hex::encode(sha.finalize())[..HASH_LEN].to_owned()
}

/// `esbuild --minify` (wrangler's own, pinned in package-lock.json) over `js`: the glue and the
/// bootstrap are read by people in the repo, downloaded by every customer. The glue's import
/// names are keys the wasm looks up, so minifying cannot break the link.
fn minify(root: &Path, js: &str, format: Option<&str>) -> io::Result<String> {
    let mut esbuild = Command::new(root.join("node_modules/.bin/esbuild"));
    esbuild.args(["--minify", "--loader=js", "--log-level=warning"]);
    if let Some(format) = format {
        esbuild.arg(format!("--format={format}"));
    }
    let mut child = esbuild
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(js.as_bytes())?;
    let output = child.wait_with_output()?;
    if !output.status.success() {
        return Err(io::Error::other("esbuild --minify failed (run `npm ci`)"));
    }
    String::from_utf8(output.stdout).map_err(io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_locked_version() {
        let lock = "[[package]]\nname = \"wasm-bindgen-futures\"\nversion = \"0.4.80\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(locked_version(lock, "wasm-bindgen"), Some("0.2.130"));
        assert_eq!(locked_version(lock, "leptos"), None);
    }

    #[test]
    fn the_hash_changes_with_any_part() {
        let a = content_hash(&[b"wasm", b"glue"]);
        assert_eq!(a.len(), HASH_LEN);
        assert_ne!(a, content_hash(&[b"wasm", b"glue2"]));
        assert_ne!(a, content_hash(&[b"wasm2", b"glue"]));
    }

    #[test]
    fn minify_keeps_strings_and_exports() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let js = "// comment\nexport function   start(u) { return new URL('x_bg.wasm', u); }\n";
        let out = minify(&root, js, Some("esm")).expect("esbuild from npm ci");
        assert!(
            out.contains("'x_bg.wasm'") || out.contains("\"x_bg.wasm\""),
            "{out}"
        );
        assert!(
            out.contains("export") && out.contains("start") && !out.contains("comment"),
            "{out}"
        );
    }

    #[test]
    fn the_bootstrap_names_the_hashed_files() {
        let bootstrap = include_str!("../../widget/bootstrap/widget.js");
        assert!(bootstrap.contains(&format!("assets/billpay-{HASH_PLACEHOLDER}.js")));
        assert!(bootstrap.contains(&format!("assets/billpay-{HASH_PLACEHOLDER}_bg.wasm")));
    }
}
