//! The two ways load reaches the edge, and what each measures. `wrk` (Debian) holds 1,000
//! connections, each sending its next request as soon as the last is answered (closed loop): as
//! much as the edge takes. [`steady`] sends from here at a fixed rate, each request on schedule
//! whether or not earlier ones have answered (open loop): what a stream of webhooks or new
//! checkouts meets. Both share the machine's two cores with the edge, as any local load would.
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use tokio::task::JoinSet;

use super::pool::Checkout;
use super::report::{median, ms, percentile, reasons};
use crate::support::{edge, stack};

/// Concurrent pollers (connections held by wrk).
pub const POLLERS: usize = 1_000;
/// A request unanswered after this long counts as an error (wrk's `--timeout` too).
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Before each run the edge must answer `/healthz` this fast, this many times in a row: the
/// requests the run before left queued have been answered (wrangler dev serves them even after
/// wrk has hung up).
const SETTLED: Duration = Duration::from_millis(100);
const SETTLED_TIMES: u32 = 3;
const SETTLE_LIMIT: Duration = Duration::from_secs(60);
/// Then a pause longer than the 5 s for which wrangler's proxy keeps idle connections to the
/// worker: a POST sent on one just as it closes fails (cloudflare/workers-sdk#14641), and after
/// 1,000 pollers there are hundreds.
const QUIET: Duration = Duration::from_secs(6);

/// Why a request did not get the answer it should have.
#[derive(Debug, Clone, Copy)]
pub enum Failure {
    /// wrangler dev's own 503 when its proxy loses the connection to the worker mid-request
    /// (cloudflare/workers-sdk#14641); it retries GETs itself, so only other methods see it.
    ProxyLost,
    Status(u16),
    Timeout,
    /// Refused or reset.
    Connection,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Failure::ProxyLost => write!(f, "wrangler proxy 503"),
            Failure::Status(status) => write!(f, "HTTP {status}"),
            Failure::Timeout => write!(f, "no answer in {} s", TIMEOUT.as_secs()),
            Failure::Connection => write!(f, "connection failed"),
        }
    }
}

/// Sends `request` with [`TIMEOUT`]; the response if its status is `expected`.
pub async fn call(request: RequestBuilder, expected: StatusCode) -> Result<Response, Failure> {
    let response = request
        .timeout(TIMEOUT)
        .send()
        .await
        .map_err(|e| match e.is_timeout() {
            true => Failure::Timeout,
            false => Failure::Connection,
        })?;
    match response.status() {
        status if status == expected => Ok(response),
        StatusCode::SERVICE_UNAVAILABLE
            if response
                .text()
                .await
                .is_ok_and(|body| body.starts_with("Your worker restarted mid-request")) =>
        {
            Err(Failure::ProxyLost)
        }
        status => Err(Failure::Status(status.as_u16())),
    }
}

pub async fn healthz() -> Result<(), Failure> {
    call(edge(Method::GET, "/healthz"), StatusCode::OK)
        .await
        .map(drop)
}

/// Waits until the edge is idle again (see [`SETTLED`]; says so if it never is), then [`QUIET`].
async fn settle() {
    let started = Instant::now();
    let mut in_a_row = 0;
    while in_a_row < SETTLED_TIMES {
        if started.elapsed() > SETTLE_LIMIT {
            eprintln!("bench: the edge is still busy after {SETTLE_LIMIT:?}; measuring anyway");
            return;
        }
        let sent = Instant::now();
        in_a_row = if healthz().await.is_ok() && sent.elapsed() < SETTLED {
            in_a_row + 1
        } else {
            0
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(QUIET).await;
}

/// Runs `load` once the edge is idle.
pub async fn measured<F: Future>(load: F) -> F::Output {
    settle().await;
    load.await
}

/// Throughput, latency and errors of one route under one load.
pub struct Figures {
    /// Requests answered as they should be, per second of the run.
    pub per_sec: f64,
    /// Latency of the answered requests, in ms (wrk's include answers ≥ 400).
    pub p50: f64,
    pub p99: f64,
    pub requests: u64,
    /// How many failed, by why.
    pub errors: BTreeMap<String, u64>,
}

impl Figures {
    /// The cells every load table shows: req/s, p50 ms, p99 ms, errors / requests.
    pub fn cells(&self) -> [String; 4] {
        [
            format!("{:.0}", self.per_sec),
            ms(self.p50),
            ms(self.p99),
            self.errors_cell(),
        ]
    }

    /// "failed / sent", with the reasons when there are any.
    fn errors_cell(&self) -> String {
        match self.errors.values().sum::<u64>() {
            0 => format!("0 / {}", self.requests),
            failed => format!("{failed} / {} ({})", self.requests, reasons(&self.errors)),
        }
    }
}

/// What poll.lua's `done()` prints: counts, and times in µs.
#[derive(Debug, Deserialize)]
struct WrkReport {
    requests: u64,
    duration_us: u64,
    connect: u64,
    read: u64,
    write: u64,
    status: u64,
    timeout: u64,
    p50_us: u64,
    p99_us: u64,
}

impl From<WrkReport> for Figures {
    fn from(r: WrkReport) -> Figures {
        let kinds = [
            ("connect failed", r.connect),
            ("read failed", r.read),
            ("write failed", r.write),
            ("HTTP ≥ 400", r.status),
        ];
        let mut errors: BTreeMap<String, u64> =
            kinds.iter().map(|&(why, n)| (why.to_owned(), n)).collect();
        errors.insert(Failure::Timeout.to_string(), r.timeout);
        errors.retain(|_, n| *n > 0);
        Figures {
            per_sec: (r.requests - r.status) as f64 / (r.duration_us as f64 / 1e6),
            p50: r.p50_us as f64 / 1000.0,
            p99: r.p99_us as f64 / 1000.0,
            requests: r.requests + r.connect + r.read + r.write + r.timeout,
            errors,
        }
    }
}

/// Where wrk's script and targets go: the stack's state directory, beside the service logs.
fn wrk_dir() -> PathBuf {
    let dir =
        PathBuf::from(std::env::var("BILLPAY_STATE_DIR").expect("BILLPAY_STATE_DIR")).join("wrk");
    std::fs::create_dir_all(&dir).expect("a directory for wrk's files");
    dir
}

/// `wrk` with [`POLLERS`] connections for `run`: `GET /healthz`, or with `targets` the status route
/// over each of them in turn.
pub async fn wrk(targets: Option<&[Checkout]>, run: Duration) -> Figures {
    let dir = wrk_dir();
    let script = dir.join("poll.lua");
    std::fs::write(&script, include_str!("poll.lua")).expect("write the wrk script");
    let mut cmd = tokio::process::Command::new("/usr/bin/wrk");
    cmd.args([
        "-t2",
        &format!("-c{POLLERS}"),
        &format!("-d{}s", run.as_secs()),
    ])
    .args(["--timeout", &format!("{}s", TIMEOUT.as_secs()), "-s"])
    .arg(&script)
    .arg(format!("{}/healthz", stack().edge));
    if let Some(targets) = targets {
        let file = dir.join(format!("targets-{}.txt", targets.len()));
        std::fs::write(
            &file,
            targets.iter().map(Checkout::wrk_line).collect::<String>(),
        )
        .expect("write wrk's targets");
        cmd.arg("--").arg(file);
    }
    let out = cmd
        .output()
        .await
        .expect("wrk (cargo xtask bench installs it)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = stdout
        .lines()
        .find_map(|l| l.strip_prefix("BENCH_JSON "))
        .unwrap_or_else(|| {
            panic!(
                "wrk gave no figures: {stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    serde_json::from_str::<WrkReport>(json)
        .expect("poll.lua's JSON line")
        .into()
}

/// Sends `per_sec` requests a second for `run`, each on schedule whether or not earlier ones have
/// answered (open loop); `request(i)` is the i-th.
pub async fn steady<F, Fut>(per_sec: u32, run: Duration, request: F) -> Figures
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<(), Failure>> + Send + 'static,
{
    let mut ticks = tokio::time::interval(Duration::from_secs(1) / per_sec);
    let mut tasks = JoinSet::new();
    for i in 0..(per_sec as usize * run.as_secs() as usize) {
        ticks.tick().await;
        let call = request(i);
        tasks.spawn(async move {
            let sent = Instant::now();
            let outcome = call.await;
            (outcome, sent.elapsed().as_secs_f64() * 1000.0)
        });
    }
    let results = tasks.join_all().await;
    let answered: Vec<f64> = results
        .iter()
        .filter(|(o, _)| o.is_ok())
        .map(|(_, ms)| *ms)
        .collect();
    let mut errors = BTreeMap::new();
    for failure in results.iter().filter_map(|(o, _)| o.err()) {
        *errors.entry(failure.to_string()).or_default() += 1;
    }
    Figures {
        per_sec: answered.len() as f64 / run.as_secs_f64(),
        p50: median(&answered),
        p99: percentile(&answered, 99.0),
        requests: results.len() as u64,
        errors,
    }
}
