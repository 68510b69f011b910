//! The edge under load on loopback: `wrk` (Debian) holds 1,000 connections polling the status route
//! or `/healthz`; webhooks and creates come at a steady rate from here (webhooks must be signed with
//! the stack's ClickPesa checksum key, tokens minted with its order secret). Every run is bounded in
//! time; `wrk` shares the machine's cores with the edge, as any local load generator would.
use std::future::Future;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use tokio::task::JoinSet;

use super::report::{median, ms, percentile, ratio, Table};
use crate::support::{create_checkout, edge, payment_webhook, post_webhook, send, stack, token, unique_ref};

/// Concurrent pollers (connections held by wrk).
const POLLERS: u32 = 1_000;
const WRK_SECONDS: u32 = 10;
/// Steady rates beside the pollers: a busy shop's payments and new checkouts.
const WEBHOOKS_PER_SEC: u32 = 50;
const CREATES_PER_SEC: u32 = 10;
/// Creates in flight while the pool of pending checkouts grows.
const GROW_IN_FLIGHT: usize = 16;
const AMOUNT: u64 = 12_000;

/// A pending checkout as a poller sees it.
pub struct Checkout {
    reference: String,
    token: String,
    etag: String,
}

/// The pending checkouts made so far, and what making them cost.
#[derive(Default)]
pub struct Pool {
    checkouts: Vec<Checkout>,
    create_seconds: f64,
}

async fn create_one() -> Option<Checkout> {
    let reference = unique_ref("LOAD");
    let token = token(&reference, AMOUNT);
    let reply = create_checkout(&token).await;
    if reply.status != StatusCode::CREATED {
        return None;
    }
    let etag = reply.header("etag")?.to_owned();
    Some(Checkout { reference, token, etag })
}

impl Pool {
    /// Creates checkouts, [`GROW_IN_FLIGHT`] at a time, until there are `pending`.
    pub async fn grow_to(&mut self, pending: usize) {
        let started = Instant::now();
        let mut tasks = JoinSet::new();
        let mut failures = 0;
        while self.checkouts.len() + tasks.len() < pending || !tasks.is_empty() {
            if self.checkouts.len() + tasks.len() < pending && tasks.len() < GROW_IN_FLIGHT {
                tasks.spawn(create_one());
                continue;
            }
            match tasks.join_next().await.expect("a task").expect("create task") {
                Some(checkout) => self.checkouts.push(checkout),
                None => failures += 1,
            }
            assert!(failures < 10, "creating pending checkouts keeps failing");
        }
        self.create_seconds += started.elapsed().as_secs_f64();
        eprintln!("bench: {} pending checkouts", self.checkouts.len());
    }
}

#[derive(Debug, Deserialize)]
struct WrkReport {
    requests: u64,
    duration_us: u64,
    errors: u64,
    p50_us: u64,
    p99_us: u64,
}

/// Throughput, latency and errors of one route under one load.
struct Figures {
    per_sec: f64,
    p50: f64,
    p99: f64,
    errors: u64,
    requests: u64,
}

impl From<WrkReport> for Figures {
    fn from(r: WrkReport) -> Figures {
        Figures {
            per_sec: r.requests as f64 / (r.duration_us as f64 / 1e6),
            p50: r.p50_us as f64 / 1000.0,
            p99: r.p99_us as f64 / 1000.0,
            errors: r.errors,
            requests: r.requests,
        }
    }
}

/// `wrk` with [`POLLERS`] connections on `path`, polling `targets` when given.
async fn wrk(path: &str, targets: Option<&[Checkout]>) -> Figures {
    let dir = std::env::temp_dir().join(format!("billpay-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let script = dir.join("poll.lua");
    std::fs::write(&script, include_str!("poll.lua")).expect("write the wrk script");
    let mut cmd = tokio::process::Command::new("wrk");
    cmd.args(["-t2", &format!("-c{POLLERS}"), &format!("-d{WRK_SECONDS}s"), "--timeout", "10s", "-s"])
        .arg(&script)
        .arg(format!("{}{path}", stack().edge));
    if let Some(targets) = targets {
        let lines: String = targets.iter().map(|c| format!("/v1/checkouts/{} {} {}\n", c.reference, c.token, c.etag)).collect();
        let file = dir.join("targets.txt");
        std::fs::write(&file, lines).expect("write the targets");
        cmd.arg("--").arg(file);
    }
    let out = cmd.output().await.expect("wrk (cargo xtask bench installs it)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = stdout.lines().find_map(|l| l.strip_prefix("BENCH_JSON ")).unwrap_or_else(|| {
        panic!("wrk gave no figures: {stdout}\n{}", String::from_utf8_lossy(&out.stderr))
    });
    serde_json::from_str::<WrkReport>(json).expect("wrk's JSON line").into()
}

/// Sends `per_sec` requests a second for [`WRK_SECONDS`], each on schedule whether or not earlier
/// ones have answered (open loop); `request(i)` says whether the answer was the expected one.
async fn steady<F, Fut>(per_sec: u32, request: F) -> Figures
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = bool> + Send + 'static,
{
    let mut ticks = tokio::time::interval(Duration::from_secs(1) / per_sec);
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for i in 0..(per_sec * WRK_SECONDS) as usize {
        ticks.tick().await;
        let call = request(i);
        tasks.spawn(async move {
            let sent = Instant::now();
            let ok = call.await;
            (ok, sent.elapsed().as_secs_f64() * 1000.0)
        });
    }
    let results = tasks.join_all().await;
    let latencies: Vec<f64> = results.iter().map(|(_, l)| *l).collect();
    Figures {
        per_sec: results.len() as f64 / started.elapsed().as_secs_f64(),
        p50: median(&latencies),
        p99: percentile(&latencies, 99.0),
        errors: results.iter().filter(|(ok, _)| !ok).count() as u64,
        requests: results.len() as u64,
    }
}

async fn healthz() -> bool {
    send(edge(Method::GET, "/healthz")).await.status.is_success()
}

/// A failed mobile-money attempt on one of the pending checkouts, signed as ClickPesa signs: it is
/// recorded (and notified to the shop) while the bill stays pending, so the pollers keep polling.
async fn webhook(reference: String, i: usize) -> bool {
    let body = payment_webhook(&reference, &format!("{reference}F{i}"), "FAILED", AMOUNT);
    post_webhook(body, true).await.status.is_success()
}

fn row(table: &mut Table, route: &str, load: &str, f: &Figures, base: &Figures) {
    table.row(vec![
        route.into(),
        load.into(),
        format!("{:.0}", f.per_sec),
        ms(f.p50),
        ms(f.p99),
        format!("{} / {}", f.errors, f.requests),
        ratio(f.per_sec, base.per_sec),
        ratio(f.p50, base.p50),
        ratio(f.p99, base.p99),
    ]);
}

/// Two runs of the same shape: first `/healthz` on every channel (the baseline: the worker's floor
/// with no storage behind it), then the real routes — 1,000 pollers on `GET /v1/checkouts/{ref}`
/// over the pool, webhooks and creates at a steady rate.
pub async fn under_load(pool: &Pool) -> Table {
    let steady_rate = WEBHOOKS_PER_SEC + CREATES_PER_SEC;
    let (base_pollers, base_steady) = tokio::join!(wrk("/healthz", None), steady(steady_rate, |_| healthz()));
    let refs: Vec<String> = pool.checkouts.iter().map(|c| c.reference.clone()).collect();
    let (polls, webhooks, creates) = tokio::join!(
        wrk("/v1/checkouts", Some(&pool.checkouts)),
        steady(WEBHOOKS_PER_SEC, |i| webhook(refs[i % refs.len()].clone(), i)),
        steady(CREATES_PER_SEC, |_| async { create_one().await.is_some() }),
    );
    let mut table = Table::new(
        &format!("Edge under load (wrangler dev on loopback, {} pending checkouts)", pool.checkouts.len()),
        &format!(
            "Each run {WRK_SECONDS} s. Pollers: wrk, {POLLERS} connections, closed loop, over every \
             pending checkout, half the requests with If-None-Match. Webhooks (signed, a failed attempt \
             on a pending bill) and creates (a new order token each): open loop at a fixed rate from \
             the Rust driver, alongside the pollers. Ratios are to GET /healthz measured the same way \
             in the same run (wrk at {POLLERS} connections, or {steady_rate}/s beside it). Errors: \
             non-2xx/3xx, timeouts, socket errors."
        ),
        &["route", "load", "req/s", "p50 ms", "p99 ms", "errors", "req/s ÷ healthz", "p50 ÷ healthz", "p99 ÷ healthz"],
    );
    let pollers = format!("{POLLERS} pollers");
    row(&mut table, "GET /healthz", &pollers, &base_pollers, &base_pollers);
    row(&mut table, "GET /v1/checkouts/{ref}", &pollers, &polls, &base_pollers);
    row(&mut table, "GET /healthz", &format!("{steady_rate}/s"), &base_steady, &base_steady);
    row(&mut table, "POST /v1/webhooks/clickpesa", &format!("{WEBHOOKS_PER_SEC}/s"), &webhooks, &base_steady);
    row(&mut table, "POST /v1/checkouts", &format!("{CREATES_PER_SEC}/s"), &creates, &base_steady);
    table
}

/// The status poll with [`POLLERS`] connections over the first `pending` checkouts of the pool.
pub async fn poll_at_scale(pool: &Pool, pending: usize) -> Vec<String> {
    let f = wrk("/v1/checkouts", Some(&pool.checkouts[..pending])).await;
    vec![pending.to_string(), format!("{:.0}", f.per_sec), ms(f.p50), ms(f.p99), format!("{} / {}", f.errors, f.requests)]
}

pub fn scale_table(rows: Vec<Vec<String>>, pool: &Pool) -> Table {
    let mut table = Table::new(
        "How cost grows with pending checkouts",
        &format!(
            "GET /v1/checkouts/{{ref}}, wrk with {POLLERS} connections for {WRK_SECONDS} s over N pending \
             checkouts (one Durable Object each). The pending bills are live: their reconciliation \
             polls run in the background on the production schedule. Making the {} checkouts took \
             {:.0} s ({:.0}/s, {GROW_IN_FLIGHT} in flight).",
            pool.checkouts.len(),
            pool.create_seconds,
            pool.checkouts.len() as f64 / pool.create_seconds
        ),
        &["pending checkouts", "req/s", "p50 ms", "p99 ms", "errors"],
    );
    rows.into_iter().for_each(|r| table.row(r));
    table
}
