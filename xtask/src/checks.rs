//! Checks on the repository itself, run by `cargo xtask test` before any suite: the code style
//! cannot drift, the repository passes its native suite with nothing beside it, and the deploy
//! bundle that `wrangler deploy` would upload is built from `wrangler.toml` as it stands.
use std::path::Path;
use std::process::Command;

use crate::{cargo, run, tools, Result};

/// The native suite: every crate whose tests run on the host. The edge is a wasm32 worker, but its
/// pure helpers' unit tests run natively too (nothing there calls into the Workers runtime).
pub const NATIVE_SUITE: &[&str] = &[
    "test", "-p", "shared", "-p", "edge", "-p", "tests", "-p", "xtask",
];

/// `cargo fmt --check`, then clippy with warnings as errors: natively over the workspace, and for
/// wasm32 over the crates that only run there, where `cfg(target_arch = "wasm32")` code lives; then
/// `shared`'s rustdoc (the API reference) with warnings as errors, so a missing doc or a broken
/// link fails.
pub fn style(root: &Path) -> Result<()> {
    run(cargo(root).args(["fmt", "--all", "--check"]))?;
    let deny = ["--", "-D", "warnings"];
    run(cargo(root)
        .args(["clippy", "--workspace", "--all-targets", "--all-features"])
        .args(deny))?;
    run(cargo(root)
        .args([
            "clippy",
            "-p",
            "edge",
            "-p",
            "widget",
            "-p",
            "leptos-floor",
            "--all-targets",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .args(deny))?;
    run(cargo(root)
        .args(["doc", "-p", "shared", "--no-deps", "--features", "testing"])
        .env("RUSTDOCFLAGS", "-D warnings"))
}

/// Clones the committed HEAD into an empty folder and runs the native suite there, so a file read
/// from outside the repository (or one that is not committed) fails here rather than for the next
/// person who clones it. The clone gets a target folder of its own, kept between runs.
pub fn standalone(root: &Path) -> Result<()> {
    // Outside the repository, so nothing of it is beside (or above) the clone either.
    let empty = std::env::temp_dir().join(format!("billpay-standalone-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&empty);
    std::fs::create_dir_all(&empty)?;
    let clone = empty.join("repository");
    run(Command::new("git")
        .args(["clone", "--quiet", "--no-hardlinks"])
        .arg(root)
        .arg(&clone))?;
    // What a new user's `cargo xtask test` would install into the clone first (npm's tools).
    tools::ensure(&clone, tools::Needs::Stack)?;
    let outcome = run(cargo(&clone)
        .args(NATIVE_SUITE)
        .env("CARGO_TARGET_DIR", root.join("target/standalone")));
    std::fs::remove_dir_all(&empty)?;
    outcome
}

/// `wrangler deploy --dry-run`: bundles the built worker with `wrangler.toml`'s bindings,
/// migrations and assets exactly as a deploy would, offline, and uploads nothing.
pub fn deploy_dry_run(root: &Path) -> Result<()> {
    let outdir = root.join(".state/deploy-dry-run");
    let _ = std::fs::remove_dir_all(&outdir);
    run(Command::new(root.join("node_modules/.bin/wrangler"))
        .current_dir(root.join("edge"))
        .env("WRANGLER_SEND_METRICS", "false")
        .args(["deploy", "--dry-run", "--outdir"])
        .arg(&outdir))?;
    // wrangler names the module after its content hash: look for the extension.
    let files: Vec<String> = std::fs::read_dir(&outdir)?
        .map(|entry| Ok(entry?.file_name().to_string_lossy().into_owned()))
        .collect::<std::io::Result<_>>()?;
    for (wanted, present) in [
        ("index.js", files.iter().any(|f| f == "index.js")),
        (
            "the worker's .wasm",
            files.iter().any(|f| f.ends_with(".wasm")),
        ),
    ] {
        if !present {
            return Err(format!("wrangler deploy --dry-run wrote no {wanted}").into());
        }
    }
    Ok(())
}
