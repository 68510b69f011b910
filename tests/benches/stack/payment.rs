//! Payment to screen: the simulator takes a customer's payment; how long until the edge's state says
//! paid (the webhook's share) and until the widget shows the receipt (the polling interval's share).
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use billpay_tests::sim::pay::{PayChannel, PayOutcome, PayRequest};
use reqwest::Method;
use tokio::task::JoinSet;

use super::report::{median, ms, percentile, Table};
use crate::browser::{Browser, SHADOW};
use crate::support::{merchant, sim, stack, unique_ref};

const AMOUNT: u64 = 5_000;
/// The widget polls every 2 s (± 20 %) in a checkout's first minute: paying at a random point of
/// that cycle, not right after the first render, gives the edge → widget share its true spread.
const POLL_CYCLE_MS: u64 = 2_000;
/// How often the edge's state is read while waiting for the webhook's effect.
const EDGE_POLL: Duration = Duration::from_millis(10);

/// Stamps `Date.now()` into `window.billpayPaidAt` when the receipt screen appears.
const WATCH_PAID: &str = "
window.billpayPaidAt = null;
const observer = new MutationObserver(() => {
  const s = root.querySelector('[data-stage]');
  if (s && s.dataset.stage === 'paid') { window.billpayPaidAt = Date.now(); observer.disconnect(); }
});
observer.observe(root, {subtree: true, childList: true, attributes: true});
return true;";

/// Milliseconds since the epoch, comparable with the page's `Date.now()` (same machine).
fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64() * 1000.0
}

struct Sample {
    to_edge: f64,
    to_widget: f64,
}

async fn one_payment(browser: &Browser, n: usize) -> Sample {
    let reference = unique_ref("PAY");
    browser.goto(&format!("{}/checkout?ref={reference}&amount={AMOUNT}&lang=en&redirect=no", stack().shop)).await;
    let awaiting = "const s = root.querySelector('[data-stage]'); return s && s.dataset.stage === 'awaiting';";
    browser.wait_widget("the control number", awaiting, Duration::from_secs(20)).await;
    browser.eval(&format!("{SHADOW}\n{WATCH_PAID}"), vec![]).await;
    // Spread the payments over the polling cycle (a fixed stride, so runs are comparable).
    tokio::time::sleep(Duration::from_millis((n as u64 * 7_919) % POLL_CYCLE_MS)).await;

    let paid_at = now_ms();
    let request = PayRequest::new(&reference, AMOUNT, PayChannel::Mpesa, PayOutcome::Success);
    let simulator = sim();
    let (paid, edge_at) = tokio::join!(simulator.pay(&request), edge_says_paid(&reference));
    paid.expect("the simulator takes the payment");
    let shown = browser
        .wait("the receipt", "return window.billpayPaidAt;", Duration::from_secs(20))
        .await
        .as_f64()
        .expect("a timestamp");
    Sample { to_edge: edge_at - paid_at, to_widget: shown - edge_at }
}

/// When `GET /v1/orders/{ref}` (merchant key) first says paid.
async fn edge_says_paid(reference: &str) -> f64 {
    let path = format!("/v1/orders/{reference}");
    for _ in 0..2_000 {
        if merchant(Method::GET, &path).await.body["state"] == "paid" {
            return now_ms();
        }
        tokio::time::sleep(EDGE_POLL).await;
    }
    panic!("{reference} never became paid at the edge");
}

pub async fn payment_to_screen(checkouts: usize, pages: usize) -> Table {
    let mut tasks = JoinSet::new();
    for page in 0..pages {
        let share = (page..checkouts).step_by(pages).collect::<Vec<_>>();
        tasks.spawn(async move {
            let browser = Browser::open(&format!("bench-payment-{page}")).await;
            let mut samples = Vec::new();
            for n in share {
                samples.push(one_payment(&browser, n).await);
            }
            browser.close().await;
            samples
        });
    }
    let samples: Vec<Sample> = tasks.join_all().await.into_iter().flatten().collect();
    let mut table = Table::new(
        &format!("Payment to screen ({} checkouts, {pages} pages at once)", samples.len()),
        "From asking the simulator to pay to the widget's receipt (MutationObserver, Date.now()). \
         Simulator → webhook → edge: until GET /v1/orders/{ref} first says paid (read every 10 ms). \
         Edge → widget: the rest, i.e. the wait for the widget's next poll (2 s ± 20 % in a \
         checkout's first minute; payments are spread over that cycle) plus one poll.",
        &["part", "median ms", "p95 ms"],
    );
    let parts: [(&str, fn(&Sample) -> f64); 3] = [
        ("payment → widget shows paid", |s| s.to_edge + s.to_widget),
        ("payment → edge state paid (webhook)", |s| s.to_edge),
        ("edge state paid → widget (polling)", |s| s.to_widget),
    ];
    for (part, f) in parts {
        let values: Vec<f64> = samples.iter().map(f).collect();
        table.row(vec![part.into(), ms(median(&values)), ms(percentile(&values, 95.0))]);
    }
    table
}
