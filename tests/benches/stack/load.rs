//! The edge under load on loopback: 1,000 pollers on the status route, webhooks and new checkouts
//! at a steady rate, each alone and all at once, against `/healthz` (the worker's floor: no
//! storage behind it); and how the status poll's cost grows with the number of pending checkouts.
use std::time::Duration;

use reqwest::{Method, StatusCode};

use super::pool::{create, Pool, AMOUNT, GROW_IN_FLIGHT};
use super::report::{count, ratio, Table};
use super::traffic::{call, healthz, measured, steady, wrk, Failure, Figures, POLLERS, TIMEOUT};
use crate::support::{edge, payment_webhook, stack};

/// Steady rates beside the pollers: a busy shop's payment notifications and new checkouts.
pub const WEBHOOKS_PER_SEC: u32 = 50;
const CREATES_PER_SEC: u32 = 10;
/// Pending checkouts that receive the webhooks; not polled by wrk, so that the ETags the pollers
/// hold stay current (a webhook changes its bill's version) and the scale runs after this one
/// poll the same way as those before it.
const PAYING: usize = 100;

/// A mobile-money payment of [`AMOUNT`] into a pending checkout, signed as ClickPesa signs, with
/// its `status`: FAILED (recorded and notified to the shop; the bill stays pending) or SUCCESS (the
/// bill is paid).
pub async fn webhook(reference: &str, payment_id: &str, status: &str) -> Result<(), Failure> {
    let mut body = payment_webhook(reference, payment_id, status, AMOUNT);
    shared::checksum::attach(stack().checksum_key.as_bytes(), &mut body);
    call(
        edge(Method::POST, "/v1/webhooks/clickpesa").json(&body),
        StatusCode::OK,
    )
    .await
    .map(drop)
}

/// Webhooks at [`WEBHOOKS_PER_SEC`], each on the next of the paying checkouts.
async fn webhooks(paying: &Pool, run: Duration) -> Figures {
    let refs: Vec<String> = paying
        .checkouts
        .iter()
        .map(|c| c.reference.clone())
        .collect();
    steady(WEBHOOKS_PER_SEC, run, |i| {
        let reference = refs[i % refs.len()].clone();
        async move { webhook(&reference, &format!("{reference}F{i}"), "FAILED").await }
    })
    .await
}

async fn creates(run: Duration) -> Figures {
    steady(CREATES_PER_SEC, run, |_| async { create().await.map(drop) }).await
}

fn row(table: &mut Table, route: &str, load: &str, f: &Figures, base: &Figures) {
    let mut cells = vec![route.into(), load.into()];
    cells.extend(f.cells());
    cells.extend([
        ratio(f.per_sec, base.per_sec),
        ratio(f.p50, base.p50),
        ratio(f.p99, base.p99),
    ]);
    table.row(cells);
}

/// Each route alone, then all three at once, every run `run` long, each against `GET /healthz`
/// under the same kind of load in the same run.
pub async fn under_load(pool: &Pool, run: Duration) -> Table {
    let mut paying = Pool::default();
    paying.grow_to(PAYING).await;
    let base_pollers = measured(wrk(None, run)).await;
    let polls = measured(wrk(Some(&pool.checkouts), run)).await;
    let (base_webhooks, base_creates) = measured(async {
        tokio::join!(
            steady(WEBHOOKS_PER_SEC, run, |_| healthz()),
            steady(CREATES_PER_SEC, run, |_| healthz())
        )
    })
    .await;
    let webhooks_alone = measured(webhooks(&paying, run)).await;
    let creates_alone = measured(creates(run)).await;
    let (mixed_polls, mixed_webhooks, mixed_creates) = measured(async {
        tokio::join!(
            wrk(Some(&pool.checkouts), run),
            webhooks(&paying, run),
            creates(run)
        )
    })
    .await;

    let mut table = Table::new(
        &format!("Edge under load (wrangler dev on loopback, {} pending checkouts polled)", count(pool.checkouts.len())),
        &format!(
            "Each run {secs} s, after the edge has answered what the run before left queued. Pollers: \
             wrk, {pollers} connections, each sending its next request when the last is answered, \
             each request the next pending checkout's status with its order token and If-None-Match \
             on its ETag, as the widget polls (304 while nothing changes). Webhooks: signed, a failed \
             attempt on one of {PAYING} other pending checkouts (recorded, notified to the shop). \
             Creates: a new order token each. Webhooks and creates are sent from the Rust driver at a \
             fixed rate whether or not earlier ones have answered. Mixed: the three at once. req/s: \
             answered as they should be (2xx, or 304 for the polls), per second of the run; latencies \
             of the answered ones. Ratios: to GET /healthz under the same kind of load (wrk at \
             {pollers} connections, or the same fixed rate) in this run. Errors: answers ≥ 400 (a \
             `wrangler proxy 503` is wrangler dev's proxy losing its connection to the worker, \
             cloudflare/workers-sdk#14641), failed connections, and no answer in {timeout} s. The \
             edge is `wrangler dev --local` without its DevTools inspector (see xtask/src/bench.rs): \
             workerd, wrangler's proxy and its node process share the two cores with wrk, the \
             simulator and the driver.",
            secs = run.as_secs(),
            pollers = count(POLLERS),
            timeout = TIMEOUT.as_secs(),
        ),
        &["route", "load", "req/s", "p50 ms", "p99 ms", "errors / requests", "req/s ÷ healthz", "p50 ÷ healthz", "p99 ÷ healthz"],
    );
    let pollers = format!("wrk, {} connections", count(POLLERS));
    let (webhook_rate, create_rate) = (
        format!("{WEBHOOKS_PER_SEC}/s"),
        format!("{CREATES_PER_SEC}/s"),
    );
    let mixed = |load: &str| format!("{load}, mixed");
    row(
        &mut table,
        "GET /healthz",
        &pollers,
        &base_pollers,
        &base_pollers,
    );
    row(
        &mut table,
        "GET /v1/checkouts/{ref}",
        &pollers,
        &polls,
        &base_pollers,
    );
    row(
        &mut table,
        "GET /v1/checkouts/{ref}",
        &mixed(&pollers),
        &mixed_polls,
        &base_pollers,
    );
    row(
        &mut table,
        "GET /healthz",
        &webhook_rate,
        &base_webhooks,
        &base_webhooks,
    );
    row(
        &mut table,
        "POST /v1/webhooks/clickpesa",
        &webhook_rate,
        &webhooks_alone,
        &base_webhooks,
    );
    row(
        &mut table,
        "POST /v1/webhooks/clickpesa",
        &mixed(&webhook_rate),
        &mixed_webhooks,
        &base_webhooks,
    );
    row(
        &mut table,
        "GET /healthz",
        &create_rate,
        &base_creates,
        &base_creates,
    );
    row(
        &mut table,
        "POST /v1/checkouts",
        &create_rate,
        &creates_alone,
        &base_creates,
    );
    row(
        &mut table,
        "POST /v1/checkouts",
        &mixed(&create_rate),
        &mixed_creates,
        &base_creates,
    );
    table
}

/// The status poll with wrk's [`POLLERS`] connections over a number of pending checkouts.
pub struct ScalePoint {
    pending: usize,
    figures: Figures,
}

/// Polls the first `pending` checkouts of the pool.
pub async fn poll_at_scale(pool: &Pool, pending: usize, run: Duration) -> ScalePoint {
    ScalePoint {
        pending,
        figures: measured(wrk(Some(&pool.checkouts[..pending]), run)).await,
    }
}

/// One row per point, with ratios to the first (the fewest pending checkouts).
pub fn scale_table(points: &[ScalePoint], pool: &Pool, run: Duration) -> Table {
    let made = pool.checkouts.len();
    let fewest = count(points[0].pending);
    let mut table = Table::new(
        "How the status poll's cost grows with pending checkouts",
        &format!(
            "GET /v1/checkouts/{{ref}} as in the load table (wrk, {pollers} connections, {secs} s) over N \
             pending checkouts, one Durable Object each; ratios to the run over {fewest}. The bills are \
             live: their reconciliation polls of ClickPesa run in the background on the stack's \
             production schedule, and the edge also holds the checkouts of the runs before. Making the \
             {made} checkouts took {took:.0} s ({rate:.0}/s, {GROW_IN_FLIGHT} in flight; {failed}).",
            secs = run.as_secs(),
            pollers = count(POLLERS),
            made = count(made),
            took = pool.create_seconds,
            rate = made as f64 / pool.create_seconds,
            failed = pool.failed_note(),
        ),
        &["pending checkouts", "req/s", "p50 ms", "p99 ms", "errors / requests", &format!("req/s ÷ {fewest}"), &format!("p99 ÷ {fewest}")],
    );
    let base = &points[0].figures;
    for ScalePoint {
        pending,
        figures: f,
    } in points
    {
        let mut cells = vec![count(*pending)];
        cells.extend(f.cells());
        cells.extend([ratio(f.per_sec, base.per_sec), ratio(f.p99, base.p99)]);
        table.row(cells);
    }
    table
}
