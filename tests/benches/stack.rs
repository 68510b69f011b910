//! The measurements `cargo xtask bench` takes against the running stack (simulator + edge under
//! `wrangler dev` + demo shop + chromedriver, from the BILLPAY_* variables): time to control number
//! and wasm start-up in headless Chromium, payment to screen pushed and polling, status-poll
//! traffic per open checkout, open live-update sockets while payments land, the edge under load
//! and how its cost grows with the number of pending checkouts. Writes its tables as JSON to `BILLPAY_BENCH_OUT`;
//! xtask adds the sizes and the criterion figures and renders BENCHMARKS.md.
//!
//! `harness = false`: run as `cargo bench -p tests --features stack --bench stack --profile dev`
//! (the load comes from `wrk`; this driver only prepares it and times the browser).
//! `BILLPAY_BENCH_QUICK=1` takes a few samples of everything, to try the driver out.
#[allow(dead_code)]
#[path = "../tests/e2e/browser.rs"]
mod browser;
#[allow(dead_code)]
#[path = "../tests/edge/support.rs"]
mod support;

mod stack {
    pub mod load;
    pub mod page;
    pub mod payment;
    pub mod polls;
    pub mod pool;
    pub mod report;
    pub mod sockets;
    pub mod traffic;
}

use std::time::Duration;

use stack::pool::Pool;
use stack::{load, page, payment, polls, sockets};

/// How much one run measures.
struct Counts {
    /// Page loads per figure in the browser on loopback, and on each emulated mobile network.
    page_loads: usize,
    network_loads: usize,
    /// Paid checkouts, spread over this many browsers at once.
    payments: usize,
    payment_pages: usize,
    /// Widgets left open on an unpaid checkout, each way (pushed, polling), and for how long.
    open_pages: usize,
    open_for: Duration,
    /// Live-update sockets held open at once while a payment lands on each.
    sockets: usize,
    /// Pending checkouts at which the status poll is measured; the mixed load runs at the second.
    scale: [usize; 3],
    /// The length of each load run.
    load_run: Duration,
}

/// Issue 6's counts: at least 20 page loads and 50 payments; issue 14's: at least 10 loads per
/// mobile network, 100 → 1,000 → 5,000 pending checkouts; issue 15's: 1,000 sockets, and checkouts
/// open for the 5 minutes of docs/design.md's cost note.
const FULL: Counts = Counts {
    page_loads: 20,
    network_loads: 12,
    payments: 52,
    payment_pages: 4,
    open_pages: 3,
    open_for: Duration::from_secs(300),
    sockets: 1_000,
    scale: [100, 1_000, 5_000],
    load_run: Duration::from_secs(10),
};
const QUICK: Counts = Counts {
    page_loads: 3,
    network_loads: 3,
    payments: 6,
    payment_pages: 2,
    open_pages: 2,
    open_for: Duration::from_secs(40),
    sockets: 100,
    scale: [20, 50, 100],
    load_run: Duration::from_secs(5),
};

#[tokio::main]
async fn main() {
    let out =
        std::env::var("BILLPAY_BENCH_OUT").expect("BILLPAY_BENCH_OUT (run `cargo xtask bench`)");
    let counts = match std::env::var("BILLPAY_BENCH_QUICK").as_deref() {
        Ok("1") => QUICK,
        _ => FULL,
    };
    let mut tables =
        Vec::from(page::time_to_control_number(counts.page_loads, counts.network_loads).await);
    tables.push(page::requests_to_control_number().await);
    tables.push(page::wasm_start(counts.page_loads).await);
    tables.push(payment::payment_to_screen(counts.payments, counts.payment_pages).await);
    tables.push(polls::poll_traffic(counts.open_pages, counts.open_for).await);
    tables.push(sockets::sockets_while_paying(counts.sockets).await);
    let mut pool = Pool::default();
    let mut scale = Vec::new();
    for (i, &pending) in counts.scale.iter().enumerate() {
        pool.grow_to(pending).await;
        scale.push(load::poll_at_scale(&pool, pending, counts.load_run).await);
        if i == 1 {
            tables.push(load::under_load(&pool, counts.load_run).await);
        }
    }
    tables.push(load::scale_table(&scale, &pool, counts.load_run));
    std::fs::write(
        &out,
        serde_json::to_string_pretty(&tables).expect("tables as JSON"),
    )
    .expect("write BILLPAY_BENCH_OUT");
}
