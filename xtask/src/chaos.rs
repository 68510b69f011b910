//! `cargo xtask chaos [--checkouts N]`: N checkouts through the real stack (simulator, `wrangler
//! dev`, demo shop) with every fault at once, the edge killed and restarted half way, then every
//! bill checked against the simulator's truth. The driver and the checks are the `chaos` test in
//! `tests/`; this module starts the stack for it and performs the restart when the driver asks.
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::stack::{self, Options, Rotation, Stack};
use crate::{cargo, Result};

/// The driver creates the first file in the state directory half way through; the second one,
/// written once the edge answers again, holds how long the restart took (ms).
const RESTART_REQUEST: &str = "chaos-restart-requested";
const RESTART_DONE: &str = "chaos-restart-done";

/// Starts a chaos stack in `state_dir`, runs the driver against it, and returns the secrets the
/// stack used so the caller can check the logs for them.
pub fn run(root: &Path, checkouts: usize, state_dir: &Path) -> Result<Vec<String>> {
    let _ = std::fs::remove_dir_all(state_dir);
    let mut stack = Stack::start(root, options(state_dir))?;
    let secrets = stack.secrets.values().map(str::to_owned).to_vec();
    let mut driver = cargo(root);
    driver
        .args([
            "test",
            "-p",
            "tests",
            "--features",
            "stack",
            "--test",
            "chaos",
            "--",
            "--nocapture",
        ])
        .envs(stack.env())
        .env("BILLPAY_CHAOS_CHECKOUTS", checkouts.to_string())
        .process_group(0);
    let mut driver = driver.spawn()?;
    let outcome = loop {
        if let Some(status) = driver.try_wait()? {
            break if status.success() {
                Ok(())
            } else {
                Err(format!("chaos driver failed: {status}").into())
            };
        }
        let request = state_dir.join(RESTART_REQUEST);
        if request.exists() {
            std::fs::remove_file(&request)?;
            let started = Instant::now();
            if let Err(error) = stack.restart_edge() {
                stack::kill_group(driver.id());
                let _ = driver.wait();
                break Err(error);
            }
            let took = started.elapsed().as_millis();
            eprintln!("xtask chaos: wrangler dev killed (SIGKILL) and back in {took} ms");
            std::fs::write(state_dir.join(RESTART_DONE), took.to_string())?;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    drop(stack);
    if outcome.is_err() {
        eprintln!("xtask chaos: service logs are in {}", state_dir.display());
    }
    outcome.map(|()| secrets)
}

/// Every fault needs a way back: reconciliation polls long enough to cover a bill's whole
/// customer script, expiry soon after it, notification retries capped low so the outbox drains
/// within the run, and a gateway pace the simulator (no rate limit here) can take.
fn options(state_dir: &Path) -> Options {
    let vars = [
        ("RECONCILE_SCHEDULE", "2,3,5,8,13,20,30,45"),
        ("CHECKOUT_TTL", "60"),
        ("NOTIFY_RETRY_BASE_SECS", "1"),
        ("NOTIFY_RETRY_MAX_SECS", "4"),
        // Half the deliveries fail on purpose: none may run out of attempts within the run.
        ("NOTIFY_MAX_ATTEMPTS", "100"),
        ("CLICKPESA_REQUESTS_PER_MINUTE", "6000"),
        ("BILL_RETENTION_SECS", "86400"),
    ];
    Options {
        rotation: Rotation::ShopOnCurrent,
        notify_fail_rate: 0.5,
        vars: vars.into_iter().map(|(k, v)| (k, v.to_owned())).collect(),
        ..Options::tests(state_dir.to_path_buf())
    }
}
