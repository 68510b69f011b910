//! Status-poll traffic per open checkout, with the live-update socket and with it refused: real
//! widgets in headless Chromium left open on an unpaid checkout, their polls counted from the
//! browser's network log.
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use super::page::{heard, open_checkout};
use super::payment::Delivery;
use super::report::{median, percentile, Table};
use crate::browser::{Browser, Sent};
use crate::support::stack;

const AMOUNT: u64 = 7_000;
/// How often the network log is read off (and emptied), so chromedriver never holds much of it.
const DRAIN_EVERY: Duration = Duration::from_secs(15);

/// Whether `sent` is a status poll of `reference`: `GET /v1/checkouts/{ref}` (not its CORS
/// preflight, which the worker answers without the object).
fn is_poll_of(sent: &Sent, reference: &str) -> bool {
    let path = format!("{}/v1/checkouts/{reference}", stack().edge);
    sent.method == "GET" && !sent.preflight && sent.url.split('?').next() == Some(path.as_str())
}

/// Opens one checkout and counts its status polls for `open_for` from the moment it shows the
/// control number.
async fn one_widget(page: usize, delivery: Delivery, open_for: Duration) -> usize {
    let browser =
        Browser::open_recording(&format!("bench-polls-{}-{page}", delivery.prefix())).await;
    let reference = open_checkout(&browser, delivery.prefix(), AMOUNT, "en").await;
    heard(&browser, "billpay:ready").await;
    // What the page fetched up to the control number is another table's.
    browser.requests().await;
    let started = Instant::now();
    let mut sent = Vec::new();
    while started.elapsed() < open_for {
        tokio::time::sleep(DRAIN_EVERY.min(open_for.saturating_sub(started.elapsed()))).await;
        sent.extend(browser.requests().await);
    }
    browser.close().await;
    sent.iter().filter(|s| is_poll_of(s, &reference)).count()
}

/// `pages` widgets with the socket and as many with it refused, all open at the same time for
/// `open_for`.
pub async fn poll_traffic(pages: usize, open_for: Duration) -> Table {
    let deliveries = [Delivery::Push, Delivery::Polling];
    let mut tasks = JoinSet::new();
    for delivery in deliveries {
        for page in 0..pages {
            tasks.spawn(async move { (delivery, one_widget(page, delivery, open_for).await) });
        }
    }
    let measured = tasks.join_all().await;
    let minutes = open_for.as_secs_f64() / 60.0;
    let mut table = Table::new(
        "Status polls per open checkout, pushed and polling",
        &format!(
            "{pages} widgets with the live-update socket and {pages} with it refused (references the \
             edge's LIVE_UPDATES_OFF_FOR names), each in its own headless Chromium on the demo \
             shop's checkout page, all open at once on an unpaid checkout for {secs} s from its \
             control number on screen. Counted from Chromium's network log: GET \
             /v1/checkouts/{{ref}} of the page's own checkout, each a request to its bill's Durable \
             Object (a 304 while nothing changes; CORS preflights, which the worker answers without \
             the object, are left out). With the socket the widget polls only as a guard against a \
             socket that died silently (widget/src/poll.rs).",
            secs = open_for.as_secs(),
        ),
        &[
            "delivery",
            "checkouts",
            "status polls per checkout (median, min–max)",
            "per checkout per minute (median)",
        ],
    );
    for delivery in deliveries {
        let polls: Vec<f64> = measured
            .iter()
            .filter(|(d, _)| *d == delivery)
            .map(|(_, polls)| *polls as f64)
            .collect();
        table.row(vec![
            delivery.name().into(),
            polls.len().to_string(),
            format!(
                "{} ({}–{})",
                median(&polls),
                percentile(&polls, 0.0),
                percentile(&polls, 100.0)
            ),
            format!("{:.1}", median(&polls) / minutes),
        ]);
    }
    table
}
