//! `cargo xtask bench`: builds the release artefacts, measures them, starts the stack once and
//! measures it, then prints every figure and writes it to BENCHMARKS.md with the date and the
//! machine. Nothing in the output is typed in: each number comes from this run.
//!
//! - here: transfer sizes (widget, `@paystack/inline-js` as the peer, worker), the worker's cold
//!   start under `wrangler dev`, and `shared`'s criterion benches;
//! - `tests/benches/stack.rs` (Rust, async, WebDriver): time to control number, wasm start-up,
//!   payment to screen (pushed and polling), status polls per open checkout, open live-update
//!   sockets while payments land, the edge under load (`wrk`) and how its cost grows.
//!
//! `BILLPAY_BENCH_QUICK=1` takes a few samples of everything to try the driver out: its tables are
//! printed, and BENCHMARKS.md is left as it was.
mod criterion;
mod report;
mod sizes;

use std::path::Path;
use std::time::{Duration, Instant};

use crate::stack::{Options, Stack};
use crate::{cargo, run, tools, Result};

/// Cold starts of a second edge, one after another: the median is reported.
const COLD_STARTS: usize = 3;

/// `wrangler dev` proxies the worker's DevTools inspector and forwards every inspector event (one
/// per subrequest: each Durable Object call, each fetch to ClickPesa) to its node process as an HTTP
/// request, only to drop it below debug log level. On two cores that is a large share of the local
/// edge's throughput and has no counterpart on Cloudflare. wrangler leaves the inspector off inside
/// VS Code's JavaScript debug terminal, which it recognises by this variable; the worker's logs still
/// reach wrangler.log.
const INSPECTOR_OFF: (&str, &str) = ("VSCODE_INSPECTOR_OPTIONS", "{}");

pub fn bench(root: &Path) -> Result<()> {
    let started = Instant::now();
    tools::ensure(root, tools::Needs::StackAndBrowser)?;
    tools::ensure_bench_tools()?;
    crate::build(root)?;
    let mut tables = vec![sizes::widget(root)?];
    // Before the stack starts, so that nothing else competes for the cores.
    let hot_paths = criterion::hot_paths(root)?;

    let state_dir = root.join(".state/bench");
    let _ = std::fs::remove_dir_all(&state_dir);
    // Inherited by every wrangler this run starts, the cold-start ones included.
    std::env::set_var(INSPECTOR_OFF.0, INSPECTOR_OFF.1);
    let stack = Stack::start(
        root,
        Options {
            webdriver: true,
            // Production schedules: the pending checkouts reconcile as they would in a shop.
            fast_timers: false,
            vars: vec![
                // The simulator has no rate limit; the 5,000 pending checkouts are made in a minute or two.
                ("CLICKPESA_REQUESTS_PER_MINUTE", "600000".into()),
                // Every request comes from one loopback client.
                ("CHECKOUT_LIMIT_PER_CLIENT", "1000000".into()),
                // ... which is charged each checkout's ClickPesa calls (about 9) up front: the
                // stack's 300 a minute would hold the pending checkouts to 33 a minute.
                ("CLICKPESA_CALLS_PER_CLIENT", "600000".into()),
            ],
            ..Options::tests(state_dir.clone())
        },
    )?;
    let cold_starts = (0..COLD_STARTS)
        .map(|run| stack.edge_cold_start(run))
        .collect::<Result<Vec<Duration>>>()?;
    tables.push(sizes::worker(root, &cold_starts)?);
    tables.push(hot_paths);

    let out = state_dir.join("stack-tables.json");
    let measured = run(cargo(root)
        .args([
            "bench",
            "-p",
            "tests",
            "--features",
            "stack",
            "--bench",
            "stack",
            "--profile",
            "dev",
        ])
        .envs(stack.env())
        .env("BILLPAY_BENCH_OUT", &out));
    drop(stack);
    if measured.is_err() {
        eprintln!("xtask: service logs are in {}", state_dir.display());
    }
    measured?;
    edge_kept_running(&state_dir)?;
    tables.extend(report::read_tables(&out)?);

    let document = report::document(&tables, started.elapsed());
    println!("{document}");
    if std::env::var("BILLPAY_BENCH_QUICK").as_deref() == Ok("1") {
        eprintln!(
            "xtask: a quick run in {:.0} s; BENCHMARKS.md left as it was",
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    std::fs::write(root.join("BENCHMARKS.md"), &document)?;
    eprintln!(
        "xtask: wrote BENCHMARKS.md in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `wrangler dev` reloads the worker when edge/build or widget/dist changes (another `cargo xtask
/// build` or `test` in this tree): requests in flight then fail and the figures are not this
/// build's. Such a run is refused rather than written down.
fn edge_kept_running(state_dir: &Path) -> Result<()> {
    let log = std::fs::read_to_string(state_dir.join("wrangler.log"))?;
    match log.contains("Reloading local server") {
        true => Err("the edge reloaded during the run (edge/build or widget/dist was rebuilt meanwhile); run `cargo xtask bench` again".into()),
        false => Ok(()),
    }
}
