//! Building the edge worker and starting it under `wrangler dev` (docs/toolchain.md, "Building the worker"
//! and "Running it in workerd").
use std::io;
use std::path::Path;
use std::process::Command;

/// `worker-build --release` in `edge/` → `edge/build/index.js` + `index_bg.wasm`.
///
/// worker-build downloads wasm-bindgen, wasm-opt and esbuild from GitHub unless pointed at local
/// binaries, and this machine cannot reach GitHub: so all three come from `cargo install` and npm.
pub fn build(root: &Path) -> io::Result<()> {
    // wrangler refuses to start when `[assets] directory` is missing, and the widget build may not
    // have run (e.g. an edge-only build): an empty directory is a valid, empty asset set.
    std::fs::create_dir_all(root.join("widget/dist"))?;
    let home = std::env::var_os("HOME").ok_or_else(|| io::Error::other("HOME is not set"))?;
    let bin = root.join("node_modules/.bin");
    let status = Command::new("worker-build")
        .arg("--release")
        .current_dir(root.join("edge"))
        .env(
            "WASM_BINDGEN_BIN",
            Path::new(&home).join(".cargo/bin/wasm-bindgen"),
        )
        .env("WASM_OPT_BIN", bin.join("wasm-opt"))
        .env("ESBUILD_BIN", bin.join("esbuild"))
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "worker-build --release failed: {status}"
        )))
    }
}

/// `wrangler dev` serving the already built worker on 127.0.0.1:`port`, with Durable Object storage
/// under `persist_dir` and every config var / secret passed as `--var KEY:VALUE` (no `.dev.vars`
/// file, so parallel stacks never share one). Start it in its own process group: wrangler's node
/// process spawns workerd, which outlives a plain kill of the parent (docs/toolchain.md, "Stopping").
pub fn wrangler_dev_command(
    root: &Path,
    port: u16,
    persist_dir: &Path,
    vars: &[(&str, &str)],
) -> Command {
    let mut cmd = Command::new(root.join("node_modules/.bin/wrangler"));
    cmd.current_dir(root.join("edge"))
        .env("WRANGLER_SEND_METRICS", "false")
        .args([
            "dev",
            "--local",
            "--ip",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--persist-to",
        ])
        .arg(persist_dir);
    for (key, value) in vars {
        cmd.arg("--var").arg(format!("{key}:{value}"));
    }
    cmd
}
