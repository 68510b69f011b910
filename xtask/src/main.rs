//! `cargo xtask <command>`: the project's dev, test and build orchestration.
//!
//! - `demo`: install what is missing, build, start simulator + edge (wrangler dev) + demo shop, print
//!   the URL, run until Ctrl-C.
//! - `test`: install what is missing, build once, run every suite (native, browser, and the ones
//!   against the running stack), stop everything it started.
//! - `build`: the release artefacts a shop deploys (`edge/build`, `widget/dist`).
//! - `chaos [--checkouts N]`: N (default 1000) checkouts under every fault at once, the edge
//!   restarted half way, every bill checked against the simulator.
//! - `bench`: release artefacts, the stack once, every figure measured into BENCHMARKS.md.
//! - `size-profile`: the widget's wasm bytes by crate (twiggy), as a Markdown table.
//! - `setup`: only the installs.
mod bench;
mod chaos;
mod checks;
mod edge;
mod size_profile;
mod stack;
mod tools;
mod widget;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Instant;

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const USAGE: &str =
    "usage: cargo xtask <demo|test|build|bench|size-profile|setup|chaos [--checkouts N]>";

fn main() {
    let root = workspace_root();
    let command = std::env::args().nth(1).unwrap_or_default();
    let outcome = match command.as_str() {
        "demo" => demo(&root),
        "test" => test(&root),
        "build" => tools::ensure(&root, tools::Needs::Stack).and_then(|()| build(&root)),
        "setup" => tools::ensure(&root, tools::Needs::StackAndBrowser),
        "bench" => bench::bench(&root),
        "size-profile" => size_profile::size_profile(&root),
        "chaos" => chaos_command(&root),
        _ => Err(USAGE.into()),
    };
    if let Err(e) = outcome {
        eprintln!("xtask {command}: {e}");
        std::process::exit(1);
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Runs a command to completion; a non-zero exit is an error naming the command.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed with {status}").into())
    }
}

fn cargo(root: &Path) -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root);
    cmd
}

/// The edge worker and the widget in release mode, plus the native simulator and demo shop.
fn build(root: &Path) -> Result<()> {
    let started = Instant::now();
    run(cargo(root).args(["build", "-p", "tests", "--bins"]))?;
    widget::build(root)?;
    edge::build(root)?;
    eprintln!("xtask: built in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn demo(root: &Path) -> Result<()> {
    tools::ensure(root, tools::Needs::Stack)?;
    build(root)?;
    let state_dir = root.join(".state/demo");
    let mut stack = stack::Stack::start(
        root,
        stack::Options {
            ports: [8789, 8787, 8788],
            fast_timers: false,
            log_to_files: false,
            rotation: stack::Rotation::None,
            ..stack::Options::tests(state_dir)
        },
    )?;
    println!();
    println!("  BillPay demo shop:  {}/", stack.shop_url);
    println!(
        "  (edge {}, ClickPesa simulator {}) — Ctrl-C stops everything",
        stack.edge_url, stack.sim_url
    );
    println!();
    let (stop_tx, stop_rx) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })?;
    loop {
        if stop_rx
            .recv_timeout(std::time::Duration::from_secs(1))
            .is_ok()
        {
            break;
        }
        if let Some(name) = stack.exited() {
            return Err(format!("{name} exited; stopping the demo").into());
        }
    }
    eprintln!("xtask: stopping");
    Ok(())
}

fn test(root: &Path) -> Result<()> {
    let started = Instant::now();
    tools::ensure(root, tools::Needs::StackAndBrowser)?;
    step("style: rustfmt, clippy (native and wasm32)", || {
        checks::style(root)
    })?;
    step("native unit, property and simulator suites", || {
        run(cargo(root).args(checks::NATIVE_SUITE))
    })?;
    step(
        "the native suite again in a clone of HEAD with nothing beside it",
        || checks::standalone(root),
    )?;
    step("widget in headless Chromium", || {
        run(cargo(root)
            .args(["test", "-p", "widget", "--target", "wasm32-unknown-unknown"])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                tools::cargo_bin("wasm-bindgen-test-runner"),
            )
            .env("CHROMEDRIVER", "/usr/bin/chromedriver"))
    })?;
    step("release build of worker and widget", || build(root))?;
    step(
        "wrangler deploy --dry-run (bundle and wrangler.toml)",
        || checks::deploy_dry_run(root),
    )?;
    let state_dir = root.join(".state/test");
    let _ = std::fs::remove_dir_all(&state_dir);
    let stack = stack::Stack::start(
        root,
        stack::Options {
            webdriver: true,
            ..stack::Options::tests(state_dir.clone())
        },
    )?;
    let secrets = stack.secrets.values().map(str::to_owned).to_vec();
    let outcome = step(
        "edge and end-to-end suites against simulator + wrangler + demo shop",
        || {
            run(cargo(root)
                .args([
                    "test",
                    "-p",
                    "tests",
                    "--features",
                    "stack",
                    "--no-fail-fast",
                    "--test",
                    "edge",
                    "--test",
                    "e2e",
                ])
                .envs(stack.env()))
        },
    );
    drop(stack);
    if outcome.is_err() {
        eprintln!("xtask: service logs are in {}", state_dir.display());
    }
    outcome?;
    no_secrets_in_logs(&state_dir, &secrets)?;
    step(
        "chaos: 40 checkouts under every fault, the edge restarted half way",
        || {
            let chaos_dir = root.join(".state/chaos-small");
            no_secrets_in_logs(&chaos_dir, &chaos::run(root, 40, &chaos_dir)?)
        },
    )?;
    eprintln!(
        "xtask: all suites passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn chaos_command(root: &Path) -> Result<()> {
    let args: Vec<String> = std::env::args().skip(2).collect();
    let checkouts = match args.as_slice() {
        [] => 1000,
        [flag, n] if flag == "--checkouts" => n.parse().map_err(|_| USAGE)?,
        _ => return Err(USAGE.into()),
    };
    let started = Instant::now();
    tools::ensure(root, tools::Needs::Stack)?;
    build(root)?;
    let state_dir = root.join(".state/chaos");
    let secrets = chaos::run(root, checkouts, &state_dir)?;
    no_secrets_in_logs(&state_dir, &secrets)?;
    eprintln!(
        "xtask chaos: {checkouts} checkouts passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// No secret value may appear in anything the services wrote (request logs, errors, warnings).
fn no_secrets_in_logs(state_dir: &Path, secrets: &[String]) -> Result<()> {
    let mut leaks = Vec::new();
    for entry in std::fs::read_dir(state_dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "log") {
            let text = String::from_utf8_lossy(&std::fs::read(&path)?).into_owned();
            // Report which file and which secret (by position), never the value itself.
            leaks.extend(
                secrets
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| text.contains(s.as_str()))
                    .map(|(i, _)| format!("{} holds secret #{i}", path.display())),
            );
        }
    }
    if !leaks.is_empty() {
        return Err(format!("secrets leaked into logs: {}", leaks.join(", ")).into());
    }
    eprintln!("xtask: no secret in the logs of {}", state_dir.display());
    Ok(())
}

fn step(what: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
    eprintln!("\n=== {what}");
    let started = Instant::now();
    let outcome = f();
    eprintln!(
        "=== {what}: {} in {:.0} s",
        if outcome.is_ok() { "ok" } else { "FAILED" },
        started.elapsed().as_secs_f64()
    );
    outcome
}
