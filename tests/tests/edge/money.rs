//! Money is never mis-stated (issue 13): refunds and reversals are net of the money held, records
//! the edge cannot read are kept and reported rather than dropped, a cancellation looks once more
//! for a payment in flight, notifications end after their attempts in a state the shop can read,
//! and an old order's number is never adopted by a new checkout.
use std::time::Duration;

use billpay_tests::shop::routes::GONE_PREFIX;
use billpay_tests::sim::faults::PayFaults;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::*;

const NOTIFIED: Duration = Duration::from_secs(20);

async fn order_view(reference: &str) -> Value {
    let reply = merchant(Method::GET, &format!("/v1/orders/{reference}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

/// The notification types the shop received for `reference`, sorted.
async fn kinds(reference: &str) -> Vec<String> {
    let mut kinds: Vec<String> = notifications(reference)
        .await
        .iter()
        .map(|n| n.body["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    kinds.sort();
    kinds
}

/// Waits until the settled bill's storage is deleted (BILL_RETENTION_SECS after it settled).
async fn wait_until_forgotten(reference: &str) {
    let retention: u64 = std::env::var("BILLPAY_BILL_RETENTION_SECS")
        .expect("BILLPAY_BILL_RETENTION_SECS")
        .parse()
        .expect("a number");
    eventually(
        &format!("{reference} to be forgotten"),
        Duration::from_secs(retention + 30),
        || async {
            let reply = merchant(Method::GET, &format!("/v1/orders/{reference}")).await;
            (reply.status == StatusCode::NOT_FOUND).then_some(())
        },
    )
    .await;
}

async fn deliver(body: Value) {
    let reply = post_webhook(body, true).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["outcome"], "recorded", "{}", reply.body);
}

#[tokio::test]
async fn a_payment_first_seen_as_refunded_is_not_money_received() {
    let _stack = shared().await;
    let reference = unique_ref("RF");
    let (order, _) = new_checkout(&reference, 7000).await;
    deliver(payment_webhook(
        &reference,
        &format!("{reference}P1"),
        "REFUNDED",
        7000,
    ))
    .await;
    let view = get_checkout(&reference, &order).await.body;
    assert_eq!(
        (view["state"].as_str(), view["paid_total"].as_u64()),
        (Some("refunded"), Some(0)),
        "{view}"
    );
    let order_view = order_view(&reference).await;
    assert_eq!(order_view["returned_total"], 7000);
    assert_eq!(order_view["recorded_payments"][0]["status"], "REFUNDED");
    let refunded = wait_for_notification(&reference, "payment.refunded", NOTIFIED).await;
    assert_eq!(
        (
            refunded.body["data"]["paid_total"].as_u64(),
            refunded.body["data"]["returned_total"].as_u64()
        ),
        (Some(0), Some(7000))
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(kinds(&reference).await, ["payment.refunded"]);
}

#[tokio::test]
async fn a_reversal_after_payment_is_reported_with_net_totals() {
    let _stack = shared().await;
    let reference = unique_ref("RV");
    let (order, _) = new_checkout(&reference, 8000).await;
    let payment = format!("{reference}P1");
    deliver(payment_webhook(&reference, &payment, "SUCCESS", 8000)).await;
    wait_for_state(&reference, &order, "paid", NOTIFIED).await;
    deliver(payment_webhook(&reference, &payment, "REVERSED", 8000)).await;
    let view = get_checkout(&reference, &order).await.body;
    assert_eq!(
        (view["state"].as_str(), view["paid_total"].as_u64()),
        (Some("refunded"), Some(0))
    );
    assert_eq!(
        view["payments"].as_array().map(Vec::len),
        Some(0),
        "no receipt"
    );
    let reversed = wait_for_notification(&reference, "payment.reversed", NOTIFIED).await;
    let data = &reversed.body["data"];
    assert_eq!(
        (
            data["state"].as_str(),
            data["paid_total"].as_u64(),
            data["returned_total"].as_u64()
        ),
        (Some("refunded"), Some(0), Some(8000))
    );
    assert_eq!(
        kinds(&reference).await,
        ["bill.paid", "payment.received", "payment.reversed"]
    );
}

#[tokio::test]
async fn a_payment_failed_event_that_says_success_moves_no_money() {
    let _stack = shared().await;
    let reference = unique_ref("CT");
    let (order, _) = new_checkout(&reference, 5000).await;
    let mut body = payment_webhook(&reference, &format!("{reference}P1"), "SUCCESS", 5000);
    body["event"] = json!("PAYMENT FAILED");
    deliver(body).await;
    let view = get_checkout(&reference, &order).await.body;
    assert_eq!(
        (view["state"].as_str(), view["paid_total"].as_u64()),
        (Some("pending"), Some(0))
    );
    let review = &order_view(&reference).await["needs_review"][0];
    assert_eq!(
        (review["reason"].as_str(), review["event"].as_str()),
        (Some("contradictory_event"), Some("PAYMENT FAILED"))
    );
    let note = wait_for_notification(&reference, "payment.needs_review", NOTIFIED).await;
    assert_eq!(note.body["data"]["review"]["status"], "SUCCESS");
}

#[tokio::test]
async fn payments_the_edge_cannot_read_are_kept_and_reported() {
    let _stack = shared().await;
    // (name, field, value as sent, reason)
    let cases = [
        (
            "lower-case status",
            "status",
            json!("success"),
            "unknown_status",
        ),
        (
            "thousands separator",
            "collectedAmount",
            json!("5,000"),
            "unreadable_amount",
        ),
        (
            "amount above u64",
            "collectedAmount",
            json!("99999999999999999999999"),
            "unreadable_amount",
        ),
        (
            "amount as a huge JSON number",
            "collectedAmount",
            json!(1e25),
            "unreadable_amount",
        ),
        ("zero amount", "collectedAmount", json!("0"), "zero_amount"),
        (
            "another currency",
            "collectedCurrency",
            json!("USD"),
            "wrong_currency",
        ),
    ];
    for (name, field, value, reason) in cases {
        let reference = unique_ref("NR");
        let (order, _) = new_checkout(&reference, 5000).await;
        let mut body = payment_webhook(&reference, &format!("{reference}P1"), "SUCCESS", 5000);
        body["data"][field] = value.clone();
        let reply = post_webhook(body, true).await;
        assert_eq!(
            (reply.status, reply.body["outcome"].as_str()),
            (StatusCode::OK, Some("recorded")),
            "{name}: acknowledged and kept: {}",
            reply.body
        );
        let view = get_checkout(&reference, &order).await.body;
        assert_eq!(
            (view["state"].as_str(), view["paid_total"].as_u64()),
            (Some("pending"), Some(0)),
            "{name}"
        );
        let kept = order_view(&reference).await["needs_review"].clone();
        assert_eq!(kept.as_array().map(Vec::len), Some(1), "{name}: {kept}");
        assert_eq!(kept[0]["reason"], reason, "{name}");
        let note = wait_for_notification(&reference, "payment.needs_review", NOTIFIED).await;
        assert_eq!(note.body["data"]["review"]["reason"], reason, "{name}");
    }
}

#[tokio::test]
async fn a_zero_amount_success_does_not_hide_the_partial_payment() {
    let _stack = shared().await;
    let reference = unique_ref("ZA");
    let (order, _) = new_checkout(&reference, 6000).await;
    deliver(payment_webhook(
        &reference,
        &format!("{reference}Z0"),
        "SUCCESS",
        0,
    ))
    .await;
    assert_eq!(
        get_checkout(&reference, &order).await.body["state"],
        "pending"
    );
    let partial = format!("{reference}P1");
    deliver(payment_webhook(&reference, &partial, "SUCCESS", 2000)).await;
    wait_for_state(&reference, &order, "partially_paid", NOTIFIED).await;
    let note = wait_for_notification(&reference, "bill.partially_paid", NOTIFIED).await;
    assert_eq!(
        (
            note.body["data"]["state"].as_str(),
            note.body["data"]["payment"]["id"].as_str()
        ),
        (Some("partially_paid"), Some(partial.as_str())),
        "the partial payment is the one announced"
    );
}

#[tokio::test]
async fn cancelling_finds_a_payment_whose_webhook_was_lost() {
    let _stack = shared().await;
    let reference = unique_ref("CL");
    let (order, view) = new_checkout(&reference, 4400).await;
    let number = view["control_number"].as_str().expect("control number");
    pay(
        number,
        4400,
        PayFaults {
            drop: true,
            ..Default::default()
        },
    )
    .await;
    // Before the first reconciliation poll: only the cancellation's own last look can find it.
    let cancelled = merchant(Method::POST, &format!("/v1/orders/{reference}/cancel")).await;
    assert_eq!(cancelled.status, StatusCode::CONFLICT, "{}", cancelled.body);
    assert_eq!(cancelled.error_code(), "not_cancellable");
    let view = get_checkout(&reference, &order).await.body;
    assert_eq!(
        (view["state"].as_str(), view["paid_total"].as_u64()),
        (Some("paid"), Some(4400))
    );
    wait_for_notification(&reference, "bill.paid", NOTIFIED).await;
    assert!(!kinds(&reference)
        .await
        .contains(&"bill.cancelled".to_owned()));
}

#[tokio::test]
async fn a_notification_the_shop_never_takes_is_given_up_and_shown() {
    let _stack = shared().await;
    let reference = unique_ref(GONE_PREFIX);
    let (_, _) = new_checkout(&reference, 3000).await;
    deliver(payment_webhook(
        &reference,
        &format!("{reference}P1"),
        "SUCCESS",
        3000,
    ))
    .await;
    let undelivered = eventually(
        "both notifications to be given up",
        Duration::from_secs(60),
        || async {
            let view = order_view(&reference).await;
            let undelivered = view["undelivered_notifications"].as_array()?.clone();
            (undelivered.len() == 2).then_some(undelivered)
        },
    )
    .await;
    for note in &undelivered {
        assert_eq!(note["attempts"], 4, "NOTIFY_MAX_ATTEMPTS of the test stack");
        assert!(
            note["last_error"]
                .as_str()
                .is_some_and(|e| e.contains("500")),
            "{note}"
        );
    }
    let mut ids: Vec<&str> = undelivered
        .iter()
        .filter_map(|n| n["id"].as_str())
        .collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        [
            format!("{reference}.bill.paid"),
            format!("{reference}.payment.received.{reference}P1")
        ]
    );
    // Nothing is owed any more, so the retention purge is no longer held up.
    wait_until_forgotten(&reference).await;
}

#[tokio::test]
async fn a_token_reused_after_its_bill_was_forgotten_does_not_adopt_the_old_number() {
    let _stack = shared().await;
    let reference = unique_ref("AD");
    let (order, view) = new_checkout(&reference, 900).await;
    let number = view["control_number"].as_str().expect("control number");
    pay(number, 900, PayFaults::default()).await;
    wait_for_notification(&reference, "bill.paid", NOTIFIED).await;
    wait_until_forgotten(&reference).await;
    // The same token, still within its lifetime: ClickPesa knows the reference (409), and its
    // number has already been paid.
    let again = create_checkout(&order).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.error_code(), "reference_settled");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        kinds(&reference)
            .await
            .iter()
            .filter(|k| *k == "bill.paid")
            .count(),
        1,
        "the old order is not announced as paid again"
    );
}

#[tokio::test]
async fn a_second_create_for_another_order_with_the_same_reference_is_refused() {
    let _stack = shared().await;
    let reference = unique_ref("OM");
    new_checkout(&reference, 2500).await;
    let mut other_mode = claims(&reference, 2500, now() + 3600);
    other_mode.mode = shared::clickpesa::PaymentMode::AllowPartialAndOverPayment;
    let mut other_text = claims(&reference, 2500, now() + 3600);
    other_text.description = shared::validate::Description::parse("Another order").unwrap();
    for (name, claims, code) in [
        ("another mode", other_mode, "order_mismatch"),
        ("another description", other_text, "order_mismatch"),
        (
            "another amount",
            claims(&reference, 2600, now() + 3600),
            "amount_mismatch",
        ),
    ] {
        let reply = create_checkout(&mint_with(&stack().order_secret, &claims)).await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "{name}: {}", reply.body);
        assert_eq!(reply.error_code(), code, "{name}");
    }
}

#[tokio::test]
async fn a_token_inside_the_skew_allowance_does_not_create_a_bill_born_expired() {
    let _stack = shared().await;
    let reference = unique_ref("SK");
    let order = mint_with(&stack().order_secret, &claims(&reference, 1000, now() - 30));
    let reply = create_checkout(&order).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    assert_eq!(reply.error_code(), "token_expired");
    assert!(sim().bill(&reference).await.is_err(), "no control number");
}

/// A chunked body declares no length, so the size check cannot rely on `Content-Length`: the edge
/// counts what it reads, keeps at most 16 KiB of it, and answers 413.
#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let _stack = shared().await;
    let host = stack().edge.trim_start_matches("http://").to_owned();
    let mut conn = tokio::net::TcpStream::connect(&host)
        .await
        .expect("edge reachable");
    let head = format!(
        "POST /v1/checkouts HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nCF-Connecting-IP: 198.51.100.78\r\nConnection: close\r\n\r\n"
    );
    conn.write_all(head.as_bytes()).await.expect("head sent");
    let chunk = format!("1000\r\n{}\r\n", " ".repeat(0x1000));
    for _ in 0..16 {
        conn.write_all(chunk.as_bytes()).await.expect("chunk sent");
    }
    conn.write_all(b"0\r\n\r\n").await.expect("last chunk sent");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), conn.read_to_end(&mut answer))
        .await
        .expect("an answer")
        .expect("read");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");
}
