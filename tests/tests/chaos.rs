//! The chaos run: many checkouts through the real stack with every fault at once, the edge killed
//! and restarted half way, then every bill checked against the simulator's truth.
//!
//! Started by `cargo xtask chaos [--checkouts N]` (and with 40 checkouts by `cargo xtask test`),
//! which runs the stack with the shop failing half its notifications and performs the restart when
//! this driver asks for it (a file in BILLPAY_STATE_DIR). Faults, all at once: 30% of webhooks
//! dropped, 30% duplicated, 5% forged (bad checksum), deliveries reordered or delayed (alternating
//! every few seconds), 10% ClickPesa API 500s and 10% slow answers; plus forged webhooks the driver
//! posts itself. Some customers are paid back afterwards (refund or reversal, whose webhooks meet
//! the same faults), and some payments reach ClickPesa with a record the edge cannot read.
//!
//! At the end, for every bill: the edge's state is the simulator's truth; every genuine payment is
//! recorded once (same ids, `paid_total` = money still held, `returned_total` = money paid back);
//! every unreadable record is kept for review and moves no money; nothing forged is accepted; the
//! shop received every event the bill's history implies, under its stable id, and nothing else.
#[path = "edge/support.rs"]
// The edge suite's helpers; the driver uses only some of them.
#[allow(dead_code)]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use billpay_tests::shop::notifications::Received;
use billpay_tests::sim::control::PayResult;
use billpay_tests::sim::faults::FaultSettings;
use billpay_tests::sim::pay::{Garble, PayChannel, PayOutcome, PayRequest};
use billpay_tests::sim::rng::Xorshift;
use billpay_tests::sim::webhook::DeliveryStatus;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use shared::clickpesa::{BillStatus, PaymentMode, PaymentStatus};
use tokio::sync::Semaphore;

use support::*;

/// Customers at the same time.
const CONCURRENCY: usize = 24;
/// An order token's life: longer than any customer's script (a few seconds, plus the restart), so
/// expiry only ever meets bills nobody is paying.
const TOKEN_LIFETIME_SECS: u64 = 40;
/// Deliveries switch between reordered (held, sent newest first) and delayed this often.
const PHASE: Duration = Duration::from_secs(5);

/// What one customer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Pays the amount.
    Full,
    /// A partial-payment bill, paid short: it ends partially paid (an Order number closes on its
    /// first payment).
    Short,
    /// An EXACT bill: the short amount is refused by the network (nothing recorded), then pays in full.
    ShortRefusedThenFull,
    /// A failed attempt (insufficient funds), then pays.
    FailedThenPaid,
    /// Never pays; the bill expires. Someone posts a forged "payment received" for it.
    NeverWithForgery,
    /// Never pays; the bill expires.
    Never,
    /// Pays the amount; the money goes back before settlement (REFUNDED).
    PaidThenRefunded,
    /// Pays the amount; the money goes back after settlement (REVERSED).
    PaidThenReversed,
    /// Pays the amount, but ClickPesa's record of it is unreadable (a lower-case status or a
    /// grouped amount): the edge keeps it for review and the bill expires without money.
    Garbled,
}

impl Plan {
    fn pick(rng: &mut Xorshift) -> Plan {
        match rng.next_u64() % 100 {
            0..=24 => Plan::Full,
            25..=29 => Plan::PaidThenRefunded,
            30..=34 => Plan::PaidThenReversed,
            35..=49 => Plan::Short,
            50..=59 => Plan::ShortRefusedThenFull,
            60..=74 => Plan::FailedThenPaid,
            75..=84 => Plan::NeverWithForgery,
            85..=89 => Plan::Garbled,
            _ => Plan::Never,
        }
    }
}

struct Checkout {
    reference: String,
    amount: u64,
    plan: Plan,
    created_before_restart: bool,
}

#[derive(Default)]
struct Counters {
    create_retries: AtomicU64,
    forged_posted: AtomicU64,
    forged_refused: AtomicU64,
    refused_by_network: AtomicU64,
}

fn state_dir() -> PathBuf {
    PathBuf::from(std::env::var("BILLPAY_STATE_DIR").expect("BILLPAY_STATE_DIR"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn chaos() {
    let total: usize = std::env::var("BILLPAY_CHAOS_CHECKOUTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40);
    let started = Instant::now();
    let run_id = format!("{:X}", now() % 0xFFFFF);
    let mut rng = Xorshift::new(now());

    let faults = Arc::new(AtomicU64::new(0));
    let phases = tokio::spawn(alternate_phases(Arc::clone(&faults)));

    let counters = Arc::new(Counters::default());
    let restart_at = Arc::new(Mutex::new(None::<u64>));
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let connected = Arc::new(AtomicU64::new(0));
    let watchers = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let mut customers = tokio::task::JoinSet::new();
    let mut checkouts = Vec::with_capacity(total);
    for i in 0..total {
        if i == total / 2 {
            // Some sockets are up when the edge goes down, so the restart drops them.
            sockets_up(&connected, total as u64 / 4).await;
            request_restart(&restart_at).await;
        }
        let checkout = Checkout {
            reference: format!("CH{run_id}X{i}"),
            amount: 1_000 + rng.next_u64() % 99_000,
            plan: Plan::pick(&mut rng),
            created_before_restart: i < total / 2,
        };
        let permit = Arc::clone(&permits)
            .acquire_owned()
            .await
            .expect("semaphore");
        let (reference, amount, plan) =
            (checkout.reference.clone(), checkout.amount, checkout.plan);
        let counters = Arc::clone(&counters);
        let connected = Arc::clone(&connected);
        let watchers = Arc::clone(&watchers);
        let client_ip = format!("10.{}.{}.{}", i / 65_536, (i / 256) % 256, i % 256);
        let delay_ms = rng.next_u64() % 2_000;
        customers.spawn(async move {
            let watcher = customer(
                &reference, amount, plan, &client_ip, delay_ms, &counters, connected,
            )
            .await;
            drop(permit);
            watchers.lock().unwrap().push(watcher);
        });
        checkouts.push(checkout);
    }
    while let Some(joined) = customers.join_next().await {
        joined.expect("a customer panicked");
    }
    let customers_done = started.elapsed();
    phases.abort();
    sim().flush().await.expect("flush held webhooks");
    let restart_ms = restart_outcome().await;

    // Every bill ends: paid ones already are, the others expire (alarm: deactivate, final poll).
    // Then the outbox drains through the shop's failures.
    let deadline = Duration::from_secs(TOKEN_LIFETIME_SECS + 150);
    let drain_started = Instant::now();
    let report = loop {
        let restarted_at = *restart_at.lock().unwrap();
        let report = check(&checkouts, restarted_at).await;
        if report.problems.is_empty() {
            break report;
        }
        if drain_started.elapsed() > deadline {
            break report;
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
    };
    set_faults(&FaultSettings::default()).await;
    let watchers = std::mem::take(&mut *watchers.lock().unwrap());
    let (socket_rows, socket_problems) = sockets_check(watchers).await;
    let table = report.table(
        total,
        &counters,
        restart_ms,
        customers_done,
        started.elapsed(),
    ) + &socket_rows;
    println!("\n{table}");
    let _ = std::fs::write(state_dir().join("chaos-report.md"), &table);
    assert!(
        socket_problems.is_empty(),
        "live-update sockets: {socket_problems:?}"
    );
    assert!(
        report.problems.is_empty(),
        "{} problems, first ones:\n{}",
        report.problems.len(),
        report
            .problems
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Every fault at once; deliveries alternate between reordered and delayed.
async fn alternate_phases(flips: Arc<AtomicU64>) {
    loop {
        let reorder = flips.fetch_add(1, Ordering::Relaxed).is_multiple_of(2);
        set_faults(&FaultSettings {
            webhook_drop_rate: 0.3,
            webhook_duplicate_rate: 0.3,
            webhook_delay_ms: if reorder { 0 } else { 1_500 },
            webhook_reorder: reorder,
            webhook_bad_checksum_rate: 0.05,
            api_error_rate: 0.1,
            api_slow_rate: 0.1,
            api_slow_ms: 1_500,
        })
        .await;
        tokio::time::sleep(PHASE).await;
    }
}

/// Asks xtask (which owns the processes) to kill and restart `wrangler dev` now.
async fn request_restart(at: &Mutex<Option<u64>>) {
    *at.lock().unwrap() = Some(now());
    std::fs::write(state_dir().join("chaos-restart-requested"), b"")
        .expect("restart request written");
}

/// How long the restart took (ms), once xtask reports it done.
async fn restart_outcome() -> u64 {
    let done = state_dir().join("chaos-restart-done");
    eventually("the edge restart", Duration::from_secs(120), || {
        let done = done.clone();
        async move { std::fs::read_to_string(done).ok()?.trim().parse().ok() }
    })
    .await
}

async fn customer(
    reference: &str,
    amount: u64,
    plan: Plan,
    client_ip: &str,
    delay_ms: u64,
    counters: &Counters,
    connected: Arc<AtomicU64>,
) -> tokio::task::JoinHandle<Watched> {
    let mut claims = claims(reference, amount, now() + TOKEN_LIFETIME_SECS);
    if plan == Plan::Short {
        claims.mode = PaymentMode::AllowPartialAndOverPayment;
    }
    let order = mint_with(&stack().order_secret, &claims);
    create(&order, client_ip, counters).await;
    // The widget's socket opens once the control number is there.
    let watcher = tokio::spawn(watch(
        reference.to_owned(),
        order.clone(),
        client_ip.to_owned(),
        connected,
    ));
    tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    let pay_as = |amount: u64, outcome: PayOutcome, garble: Option<Garble>| async move {
        let mut request = PayRequest::new(reference, amount, PayChannel::Mpesa, outcome);
        request.garble = garble;
        sim()
            .pay(&request)
            .await
            .expect("the simulator takes the payment")
    };
    let pay = |amount: u64, outcome: PayOutcome| pay_as(amount, outcome, None);
    let pay_back = |status: PaymentStatus| async move {
        let paid = pay(amount, PayOutcome::Success).await;
        let id = paid.payment.expect("a recorded payment").id;
        tokio::time::sleep(Duration::from_millis(delay_ms / 2)).await;
        sim()
            .return_payment(&id, status)
            .await
            .expect("the simulator pays it back");
    };
    match plan {
        Plan::Full => {
            pay(amount, PayOutcome::Success).await;
        }
        Plan::PaidThenRefunded => pay_back(PaymentStatus::Refunded).await,
        Plan::PaidThenReversed => pay_back(PaymentStatus::Reversed).await,
        Plan::Garbled => {
            let garble = match amount % 2 {
                0 => Garble::LowercaseStatus,
                _ => Garble::GroupedAmount,
            };
            pay_as(amount, PayOutcome::Success, Some(garble)).await;
        }
        Plan::Short => {
            pay(amount / 2, PayOutcome::Success).await;
        }
        Plan::ShortRefusedThenFull => {
            let refused = pay(amount / 2, PayOutcome::Success).await;
            assert_eq!(
                refused.result,
                PayResult::Refused,
                "EXACT refuses a short amount"
            );
            counters.refused_by_network.fetch_add(1, Ordering::Relaxed);
            pay(amount, PayOutcome::Success).await;
        }
        Plan::FailedThenPaid => {
            pay(amount, PayOutcome::InsufficientFunds).await;
            pay(amount, PayOutcome::Success).await;
        }
        Plan::NeverWithForgery => forge(reference, amount, counters).await,
        Plan::Never => {}
    }
    // The widget's poll, with the token.
    let path = format!("/v1/checkouts/{reference}");
    let view = reachable(|| edge(Method::GET, &path).bearer_auth(&order)).await;
    assert!(
        view.status == StatusCode::OK || view.status.is_server_error(),
        "{reference}: poll answered {}",
        view.status
    );
    watcher
}

/// What one customer's live-update socket saw.
struct Watched {
    reference: String,
    /// The last view pushed.
    last: Option<Value>,
    /// Closed by the edge with 1000, once the bill was settled.
    closed_normally: bool,
    /// Sockets opened: more than one when the restart (or anything else) dropped it.
    connects: u32,
}

/// Waits (up to 30 s) until `count` sockets have opened.
async fn sockets_up(connected: &AtomicU64, count: u64) {
    eventually(
        "sockets open before the restart",
        Duration::from_secs(30),
        || async { (connected.load(Ordering::Relaxed) >= count).then_some(()) },
    )
    .await;
}

/// The widget's live-update socket beside the customer: reopened whenever it drops (the edge
/// restart drops them all) until the settled bill closes it.
async fn watch(
    reference: String,
    order: String,
    client_ip: String,
    connected: Arc<AtomicU64>,
) -> Watched {
    let mut watched = Watched {
        reference,
        last: None,
        closed_normally: false,
        connects: 0,
    };
    let deadline = Instant::now() + Duration::from_secs(TOKEN_LIFETIME_SECS + 240);
    while Instant::now() < deadline {
        let Ok(mut socket) = LiveSocket::connect(&watched.reference, &order, &client_ip).await
        else {
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        };
        watched.connects += 1;
        connected.fetch_add(1, Ordering::Relaxed);
        while let Some(frame) = socket.frame().await {
            match frame {
                Frame::Text(view) => watched.last = Some(view),
                Frame::Close(code) => {
                    watched.closed_normally = code == 1000;
                    return watched;
                }
            }
        }
    }
    watched
}

/// Every socket ends closed by its settled bill, its last pushed view the edge's final one.
async fn sockets_check(watchers: Vec<tokio::task::JoinHandle<Watched>>) -> (String, Vec<String>) {
    let (mut settled, mut restored, mut problems) = (0, 0, Vec::new());
    let total = watchers.len();
    for watcher in watchers {
        let Ok(Ok(watched)) = tokio::time::timeout(Duration::from_secs(60), watcher).await else {
            problems.push("a socket never closed".to_owned());
            continue;
        };
        let reference = &watched.reference;
        let edge_view = merchant(Method::GET, &format!("/v1/orders/{reference}")).await;
        let pushed = watched.last.as_ref();
        let same = |field: &str| pushed.map(|v| &v[field]) == Some(&edge_view.body[field]);
        // The socket closes when the checkout ends for the customer (any state but pending), as
        // polling stops there too. Money that goes back afterwards (a refund or reversal of a
        // paid bill) is the shop's news, by notification: then the last push is the paid view.
        let shows_the_final_view = same("state") && same("paid_total");
        let ended_before_money_went_back = edge_view.body["returned_total"].as_u64() > Some(0)
            && pushed.is_some_and(|v| {
                ["paid", "overpaid", "partially_paid"].contains(&v["state"].as_str().unwrap_or(""))
                    && v["version"].as_u64() < edge_view.body["version"].as_u64()
            });
        if !watched.closed_normally {
            problems.push(format!("{reference}: socket not closed with 1000"));
        } else if !(shows_the_final_view || ended_before_money_went_back) {
            problems.push(format!(
                "{reference}: last pushed {pushed:?}, edge says {}",
                edge_view.body
            ));
        } else {
            settled += 1;
        }
        if watched.connects > 1 {
            restored += 1;
        }
    }
    if restored == 0 {
        problems.push("the edge restart dropped no socket (or none was opened again)".to_owned());
    }
    let rows = format!(
        "\n| live-update sockets (one per checkout) | value |\n|---|---|\n\
         | closed by their settled bill, last push = the edge's final view (or its paid view, when money went back later) | {settled} / {total} |\n\
         | dropped (edge restart) and opened again | {restored} |\n"
    );
    (rows, problems)
}

/// Sends until the edge answers at all: while it restarts, connections are refused or cut.
async fn reachable(request: impl Fn() -> reqwest::RequestBuilder) -> Reply {
    for _ in 0..120 {
        if let Ok(response) = request().send().await {
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.json().await.unwrap_or(Value::Null);
            return Reply {
                status,
                headers,
                body,
            };
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("the edge did not answer for a minute");
}

/// `POST /v1/checkouts` as the widget does, retrying what is worth retrying: 503 and 429 (after
/// Retry-After, capped) and a connection refused while the edge restarts.
async fn create(order: &str, client_ip: &str, counters: &Counters) {
    let body = serde_json::json!({ "order": order });
    for _ in 0..60 {
        let sent = http()
            .post(format!("{}/v1/checkouts", stack().edge))
            .header("CF-Connecting-IP", client_ip)
            .json(&body)
            .send()
            .await;
        let wait = match sent {
            Ok(response) if response.status().is_success() => return,
            Ok(response)
                if response.status() == StatusCode::SERVICE_UNAVAILABLE
                    || response.status() == StatusCode::TOO_MANY_REQUESTS =>
            {
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok()?.parse().ok())
                    .unwrap_or(1u64);
                retry_after.min(3)
            }
            Ok(response) => panic!(
                "create answered {}: {}",
                response.status(),
                response.text().await.unwrap_or_default()
            ),
            Err(_) => 1,
        };
        counters.create_retries.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs(wait)).await;
    }
    panic!("a checkout could not be created in a minute of retries");
}

/// Forged "payment received" webhooks for a bill nobody pays: signed with a wrong key, and
/// unsigned. Each must be refused, and the bill must end without money.
async fn forge(reference: &str, amount: u64, counters: &Counters) {
    let mut wrong_key =
        payment_webhook(reference, &format!("{reference}FORGED"), "SUCCESS", amount);
    shared::checksum::attach(b"not-the-checksum-key", &mut wrong_key);
    let unsigned = payment_webhook(reference, &format!("{reference}FORGED2"), "SUCCESS", amount);
    for body in [wrong_key, unsigned] {
        counters.forged_posted.fetch_add(1, Ordering::Relaxed);
        let reply = reachable(|| edge(Method::POST, "/v1/webhooks/clickpesa").json(&body)).await;
        if reply.status == StatusCode::UNAUTHORIZED {
            counters.forged_refused.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// What the end state looks like, and what is wrong with it.
#[derive(Default)]
struct Report {
    problems: Vec<String>,
    states: BTreeMap<String, usize>,
    matching_truth: usize,
    genuine_payments: usize,
    applied_payments: usize,
    failed_at_clickpesa: usize,
    failed_seen_by_edge: usize,
    returned_at_clickpesa: usize,
    returned_seen_by_edge: usize,
    garbled_at_clickpesa: usize,
    garbled_kept_by_edge: usize,
    forged_recorded: usize,
    events_expected: usize,
    events_received: usize,
    deliveries: u64,
    redelivered_events: usize,
    before_restart_settled: usize,
    expired_after_restart: usize,
    restart_at: Option<u64>,
    webhooks: BTreeMap<&'static str, usize>,
}

async fn check(checkouts: &[Checkout], restart_at: Option<u64>) -> Report {
    let mut report = Report {
        restart_at,
        ..Report::default()
    };
    let inbox: Vec<Received> = http()
        .get(format!("{}/api/notifications", stack().shop))
        .send()
        .await
        .expect("shop reachable")
        .json()
        .await
        .expect("notification list");
    let mut by_ref: BTreeMap<&str, Vec<&Received>> = BTreeMap::new();
    for received in &inbox {
        by_ref
            .entry(received.reference.as_str())
            .or_default()
            .push(received);
    }
    for delivery in sim().webhooks().await.expect("webhook log") {
        let outcome = match (delivery.bad_checksum, delivery.status, delivery.http_status) {
            (true, _, Some(401)) => "forged by the simulator, refused (401)",
            (true, DeliveryStatus::Delivered, _) => "forged by the simulator, ACCEPTED",
            (true, ..) => "forged by the simulator, not answered",
            (false, DeliveryStatus::Dropped, _) => "dropped",
            (false, DeliveryStatus::Delivered, _) => "delivered and acknowledged",
            (false, DeliveryStatus::Failed | DeliveryStatus::Rejected, _) => {
                "failed (edge down or refused)"
            }
            (false, ..) => "still pending",
        };
        *report.webhooks.entry(outcome).or_default() += 1;
        if delivery.copy == billpay_tests::sim::webhook::Copy::Duplicate {
            *report.webhooks.entry("of which duplicates").or_default() += 1;
        }
    }
    for checkout in checkouts {
        let events = by_ref
            .get(checkout.reference.as_str())
            .cloned()
            .unwrap_or_default();
        bill_check(checkout, &events, &mut report).await;
    }
    report
}

async fn bill_check(checkout: &Checkout, events: &[&Received], report: &mut Report) {
    let reference = checkout.reference.as_str();
    let truth = sim()
        .bill(reference)
        .await
        .expect("the simulator has the bill");
    let order = merchant(Method::GET, &format!("/v1/orders/{reference}")).await;
    if order.status != StatusCode::OK {
        report.problems.push(format!(
            "{reference}: edge answered {} {}",
            order.status, order.body
        ));
        return;
    }
    let view = &order.body;
    let state = view["state"].as_str().unwrap_or_default().to_owned();
    *report.states.entry(state.clone()).or_default() += 1;

    // Money: the simulator's records are the truth. Readable SUCCESS records are money held,
    // REFUNDED/REVERSED ones money paid back, and garbled ones (an unknown status, an unreadable
    // amount) money nobody can state without a person looking.
    let amount_of = |p: &shared::clickpesa::PaymentRecord| {
        p.collected_amount.as_ref().and_then(|a| a.whole_tzs())
    };
    let garbled: BTreeSet<&str> = truth
        .payments
        .iter()
        .filter(|p| {
            matches!(p.status, PaymentStatus::Other(_))
                || (p.status == PaymentStatus::Success && amount_of(p).is_none())
        })
        .map(|p| p.id.as_str())
        .collect();
    let held: BTreeMap<&str, u64> = truth
        .payments
        .iter()
        .filter(|p| p.status == PaymentStatus::Success && !garbled.contains(p.id.as_str()))
        .map(|p| (p.id.as_str(), amount_of(p).unwrap_or(0)))
        .collect();
    let returned: BTreeMap<&str, u64> = truth
        .payments
        .iter()
        .filter(|p| matches!(p.status, PaymentStatus::Refunded | PaymentStatus::Reversed))
        .map(|p| (p.id.as_str(), amount_of(p).unwrap_or(0)))
        .collect();
    let genuine: BTreeMap<&str, u64> = held
        .iter()
        .chain(&returned)
        .map(|(id, amount)| (*id, *amount))
        .collect();
    let failed: BTreeSet<&str> = truth
        .payments
        .iter()
        .filter(|p| p.status == PaymentStatus::Failed)
        .map(|p| p.id.as_str())
        .collect();
    let collected: u64 = held.values().sum();
    let paid_back: u64 = returned.values().sum();
    report.returned_at_clickpesa += returned.len();
    report.garbled_at_clickpesa += garbled.len();
    let recorded: BTreeMap<String, u64> = view["recorded_payments"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["id"].as_str().unwrap_or_default().to_owned(),
                p["amount"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    report.genuine_payments += genuine.len();
    report.applied_payments += recorded
        .keys()
        .filter(|id| genuine.contains_key(id.as_str()))
        .count();
    report.forged_recorded += recorded
        .keys()
        .filter(|id| !genuine.contains_key(id.as_str()))
        .count();
    report.failed_at_clickpesa += failed.len();
    report.failed_seen_by_edge += view["failed_attempts"].as_array().map_or(0, Vec::len);

    let kept_for_review: BTreeSet<String> = view["needs_review"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["payment_id"].as_str().map(str::to_owned))
        .collect();
    let returned_at_edge: BTreeSet<String> = view["recorded_payments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| matches!(p["status"].as_str(), Some("REFUNDED" | "REVERSED")))
        .filter_map(|p| p["id"].as_str().map(str::to_owned))
        .collect();
    report.returned_seen_by_edge += returned_at_edge.len();
    report.garbled_kept_by_edge += kept_for_review.len();
    let expected_state = match collected.cmp(&checkout.amount) {
        _ if collected == 0 && paid_back > 0 => "refunded",
        _ if collected == 0 => "expired",
        std::cmp::Ordering::Less => "partially_paid",
        std::cmp::Ordering::Equal => "paid",
        std::cmp::Ordering::Greater => "overpaid",
    };
    let mut wrong = Vec::new();
    if state != expected_state {
        wrong.push(format!("state {state}, simulator says {expected_state}"));
    }
    let recorded_as_truth: BTreeMap<&str, u64> =
        recorded.iter().map(|(id, a)| (id.as_str(), *a)).collect();
    if recorded_as_truth != genuine {
        wrong.push(format!("payments {recorded:?}, simulator has {genuine:?}"));
    }
    if view["paid_total"].as_u64() != Some(collected) {
        wrong.push(format!(
            "paid_total {}, simulator collected {collected}",
            view["paid_total"]
        ));
    }
    if view["returned_total"].as_u64() != Some(paid_back) {
        wrong.push(format!(
            "returned_total {}, simulator paid back {paid_back}",
            view["returned_total"]
        ));
    }
    let returned_ids: BTreeSet<String> = returned.keys().map(|id| (*id).to_owned()).collect();
    if returned_at_edge != returned_ids {
        wrong.push(format!(
            "returned payments {returned_at_edge:?}, simulator has {returned_ids:?}"
        ));
    }
    let garbled_ids: BTreeSet<String> = garbled.iter().map(|id| (*id).to_owned()).collect();
    if kept_for_review != garbled_ids {
        wrong.push(format!(
            "kept for review {kept_for_review:?}, simulator garbled {garbled_ids:?}"
        ));
    }
    if expected_state == "expired" && truth.bill.status != BillStatus::Inactive {
        wrong.push("expired at the edge but still ACTIVE at ClickPesa".to_owned());
    }
    if matches!(checkout.plan, Plan::Never | Plan::NeverWithForgery) && collected != 0 {
        wrong.push("money on a bill nobody paid".to_owned());
    }

    // Notifications: every event the history implies, once per id, and nothing else.
    let mut required: BTreeSet<String> = held
        .keys()
        .map(|id| format!("{reference}.payment.received.{id}"))
        .collect();
    let mut optional: BTreeSet<String> = failed
        .iter()
        .map(|id| format!("{reference}.payment.failed.{id}"))
        .collect();
    for payment in truth
        .payments
        .iter()
        .filter(|p| returned.contains_key(p.id.as_str()))
    {
        let kind = match payment.status {
            PaymentStatus::Refunded => "refunded",
            _ => "reversed",
        };
        required.insert(format!("{reference}.payment.{kind}.{}", payment.id));
        // Seen as received first only if its SUCCESS reached the edge before the return: the
        // money was the shop's in the meantime, and the bill was paid.
        optional.insert(format!("{reference}.payment.received.{}", payment.id));
        optional.insert(format!("{reference}.bill.paid"));
    }
    for payment in truth
        .payments
        .iter()
        .filter(|p| garbled.contains(p.id.as_str()))
    {
        let status: String = payment
            .status
            .as_str()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        required.insert(format!(
            "{reference}.payment.needs_review.{}.{status}",
            payment.id
        ));
    }
    let state_event = match expected_state {
        "expired" => Some("bill.expired"),
        "partially_paid" => Some("bill.partially_paid"),
        "paid" => Some("bill.paid"),
        "refunded" => None,
        _ => Some("bill.overpaid"),
    };
    if let Some(state_event) = state_event {
        required.insert(format!("{reference}.{state_event}"));
    }
    let received: BTreeSet<String> = events.iter().map(|r| r.id.clone()).collect();
    let missing: Vec<&String> = required.difference(&received).collect();
    let unexpected: Vec<&String> = received
        .iter()
        .filter(|id| !required.contains(*id) && !optional.contains(*id))
        .collect();
    let failed_notified = received
        .iter()
        .filter(|id| id.starts_with(&format!("{reference}.payment.failed.")))
        .count();
    let failed_at_edge = view["failed_attempts"].as_array().map_or(0, Vec::len);
    if !missing.is_empty() {
        wrong.push(format!("shop never got {missing:?}"));
    }
    if !unexpected.is_empty() {
        wrong.push(format!("shop got unexpected {unexpected:?}"));
    }
    if failed_notified != failed_at_edge {
        wrong.push(format!(
            "{failed_at_edge} failed attempts at the edge, {failed_notified} told to the shop"
        ));
    }
    if let Some(unstable) = events.iter().find(|r| r.body["id"] != r.id.as_str()) {
        wrong.push(format!(
            "event {} carries body id {}",
            unstable.id, unstable.body["id"]
        ));
    }
    report.events_expected += required.len() + failed_at_edge;
    report.events_received += received.len();
    report.deliveries += events.iter().map(|r| u64::from(r.deliveries)).sum::<u64>();
    report.redelivered_events += events.iter().filter(|r| r.deliveries > 1).count();

    if wrong.is_empty() {
        report.matching_truth += 1;
        if checkout.created_before_restart {
            report.before_restart_settled += 1;
        }
        let closed_at = view["closed"]["at"].as_u64();
        if checkout.created_before_restart && closed_at > report.restart_at {
            report.expired_after_restart += 1;
        }
    } else {
        report
            .problems
            .push(format!("{reference}: {}", wrong.join("; ")));
    }
}

impl Report {
    fn table(
        &self,
        total: usize,
        counters: &Counters,
        restart_ms: u64,
        customers: Duration,
        whole: Duration,
    ) -> String {
        let n = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let mut rows: Vec<(String, String)> = vec![
            ("checkouts".into(), total.to_string()),
            ("edge state = simulator truth (money, payments, state, ClickPesa status, shop events)".into(),
                format!("{} / {total}", self.matching_truth)),
        ];
        for (state, count) in &self.states {
            rows.push((format!("  final state {state}"), count.to_string()));
        }
        rows.extend([
            (
                "genuine payments at ClickPesa (SUCCESS, REFUNDED, REVERSED)".into(),
                self.genuine_payments.to_string(),
            ),
            (
                "  recorded by the edge, exactly once each".into(),
                self.applied_payments.to_string(),
            ),
            (
                "  refunded or reversed at ClickPesa / recorded as paid back by the edge".into(),
                format!(
                    "{} / {}",
                    self.returned_at_clickpesa, self.returned_seen_by_edge
                ),
            ),
            (
                "unreadable payment records at ClickPesa / kept for review by the edge".into(),
                format!(
                    "{} / {}",
                    self.garbled_at_clickpesa, self.garbled_kept_by_edge
                ),
            ),
            (
                "short payments refused by the network (EXACT)".into(),
                n(&counters.refused_by_network).to_string(),
            ),
            (
                "failed attempts at ClickPesa / recorded by the edge".into(),
                format!(
                    "{} / {}",
                    self.failed_at_clickpesa, self.failed_seen_by_edge
                ),
            ),
            (
                "forged webhooks posted by the driver / refused 401".into(),
                format!(
                    "{} / {}",
                    n(&counters.forged_posted),
                    n(&counters.forged_refused)
                ),
            ),
            (
                "forged payments recorded by the edge".into(),
                self.forged_recorded.to_string(),
            ),
        ]);
        for (outcome, count) in &self.webhooks {
            rows.push((format!("simulator webhooks: {outcome}"), count.to_string()));
        }
        rows.extend([
            (
                "shop events expected / distinct ids received".into(),
                format!("{} / {}", self.events_expected, self.events_received),
            ),
            (
                "shop deliveries accepted (incl. redeliveries) / events delivered more than once"
                    .into(),
                format!("{} / {}", self.deliveries, self.redelivered_events),
            ),
            (
                "create retries (503, 429, edge down)".into(),
                n(&counters.create_retries).to_string(),
            ),
            (
                "edge killed (SIGKILL) and restarted, back after".into(),
                format!("{restart_ms} ms"),
            ),
            (
                "bills created before the restart, all correct at the end".into(),
                format!("{} / {}", self.before_restart_settled, total / 2),
            ),
            (
                "  of which expired after the restart, by their alarm".into(),
                self.expired_after_restart.to_string(),
            ),
            (
                "customers finished after".into(),
                format!("{:.0} s", customers.as_secs_f64()),
            ),
            (
                "whole run (incl. expiry and outbox drain)".into(),
                format!("{:.0} s", whole.as_secs_f64()),
            ),
        ]);
        let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let mut out = format!(
            "| {:width$} | value |\n|{}|-------|\n",
            "chaos run",
            "-".repeat(width + 2)
        );
        for (key, value) in rows {
            out.push_str(&format!("| {key:width$} | {value} |\n"));
        }
        if let Some(at) = self.restart_at {
            out.push_str(&format!(
                "\n(restart requested at unix {at}, after {} of {total} checkouts had started)\n",
                total / 2
            ));
        }
        out
    }
}
