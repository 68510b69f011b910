//! The measurements `cargo xtask bench` takes against the running stack (simulator + edge under
//! `wrangler dev` + demo shop + chromedriver, from the BILLPAY_* variables): time to control number
//! and wasm start-up in headless Chromium, payment to screen, the edge under load and how its cost
//! grows with the number of pending checkouts. Writes its tables as JSON to `BILLPAY_BENCH_OUT`;
//! xtask adds the sizes and the criterion figures and renders BENCHMARKS.md.
//!
//! `harness = false`: run as `cargo bench -p tests --features stack --bench stack --profile dev`
//! (the load comes from `wrk`; this driver only prepares it and times the browser).
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
    pub mod report;
}

use stack::load::{self, Pool};
use stack::{page, payment};

/// Page loads per figure in the browser (issue 6 asks for at least 20).
const PAGE_LOADS: usize = 20;
/// Paid checkouts (at least 50), spread over this many browser pages at once.
const PAYMENTS: usize = 52;
const PAYMENT_PAGES: usize = 4;
/// Pending checkouts at which the status poll is measured.
const SCALE: [usize; 3] = [100, 1_000, 5_000];

#[tokio::main]
async fn main() {
    let out = std::env::var("BILLPAY_BENCH_OUT").expect("BILLPAY_BENCH_OUT (run `cargo xtask bench`)");
    let mut tables = vec![
        page::time_to_control_number(PAGE_LOADS).await,
        page::wasm_start(PAGE_LOADS).await,
        payment::payment_to_screen(PAYMENTS, PAYMENT_PAGES).await,
    ];
    // Pending checkouts grow 100 → 1,000 → 5,000; the mixed load runs at 1,000.
    let mut pool = Pool::default();
    let mut scale = Vec::new();
    for (i, &pending) in SCALE.iter().enumerate() {
        pool.grow_to(pending).await;
        scale.push(load::poll_at_scale(&pool, pending).await);
        if i == 1 {
            tables.push(load::under_load(&pool).await);
        }
    }
    tables.push(load::scale_table(scale, &pool));
    std::fs::write(&out, serde_json::to_string_pretty(&tables).expect("tables as JSON")).expect("write BILLPAY_BENCH_OUT");
}
