//! `POST /v1/webhooks/clickpesa`: checksums, idempotency, order, and what is never created.
use std::time::Duration;

use billpay_tests::sim::faults::{FaultSettings, PayFaults};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_signed_payment_is_applied_once() {
    let _stack = shared().await;
    let reference = unique_ref("WH");
    let (order, _) = new_checkout(&reference, 6000).await;
    let body = payment_webhook(&reference, &format!("{reference}P1"), "SUCCESS", 6000);
    let first = post_webhook(body.clone(), true).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["outcome"], "recorded");
    let second = post_webhook(body, true).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.body["outcome"], "unchanged");
    let view = get_checkout(&reference, &order).await.body;
    assert_eq!(view["state"], "paid");
    assert_eq!(
        view["paid_total"], 6000,
        "the duplicate did not count twice"
    );
}

#[tokio::test]
async fn forged_webhooks_change_nothing() {
    let _stack = shared().await;
    let reference = unique_ref("FW");
    let (order, before) = new_checkout(&reference, 6000).await;
    let body = payment_webhook(&reference, &format!("{reference}P1"), "SUCCESS", 6000);

    let unsigned = post_webhook(body.clone(), false).await;
    assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unsigned.error_code(), "invalid_checksum");

    let mut wrong_key = body.clone();
    shared::checksum::attach(b"not-the-checksum-key", &mut wrong_key);
    assert_eq!(
        post_webhook(wrong_key, false).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Signed correctly, then the amount raised: the checksum no longer matches.
    let mut tampered = body.clone();
    shared::checksum::attach(stack().checksum_key.as_bytes(), &mut tampered);
    tampered["data"]["collectedAmount"] = json!("60000");
    assert_eq!(
        post_webhook(tampered, false).await.status,
        StatusCode::UNAUTHORIZED
    );

    let after = get_checkout(&reference, &order).await.body;
    assert_eq!(after["state"], "pending");
    assert_eq!(after["version"], before["version"]);
}

#[tokio::test]
async fn malformed_webhooks_are_400() {
    let _stack = shared().await;
    let raw = send(
        edge(Method::POST, "/v1/webhooks/clickpesa")
            .header("Content-Type", "application/json")
            .body("{not json"),
    )
    .await;
    assert_eq!(raw.status, StatusCode::BAD_REQUEST);
    assert_eq!(raw.error_code(), "invalid_json");

    let reference = unique_ref("MW");
    let mut wrong_types = payment_webhook(&reference, "P1", "SUCCESS", 100);
    wrong_types["data"]["collectedAmount"] = json!({"value": 100});
    wrong_types["data"]["id"] = json!(42);
    let reply = post_webhook(wrong_types, true).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
}

#[tokio::test]
async fn a_webhook_for_an_unknown_reference_is_acknowledged_and_creates_nothing() {
    let _stack = shared().await;
    let reference = unique_ref("UK");
    let reply = post_webhook(payment_webhook(&reference, "P1", "SUCCESS", 100), true).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["outcome"], "ignored");
    let read = merchant(Method::GET, &format!("/v1/orders/{reference}")).await;
    assert_eq!(read.status, StatusCode::NOT_FOUND);
    // Non-payment events are acknowledged and ignored as well.
    let payout =
        json!({"event": "PAYOUT INITIATED", "data": {"id": "X1", "orderReference": reference}});
    let reply = post_webhook(payout, true).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["outcome"], "ignored");
}

#[tokio::test]
async fn an_older_status_arriving_late_does_not_undo_a_payment() {
    let _stack = shared().await;
    let reference = unique_ref("RO");
    let (order, _) = new_checkout(&reference, 2000).await;
    let payment = format!("{reference}P1");
    let success = post_webhook(payment_webhook(&reference, &payment, "SUCCESS", 2000), true).await;
    assert_eq!(success.body["outcome"], "recorded");
    for status in ["PROCESSING", "PENDING"] {
        let late = post_webhook(payment_webhook(&reference, &payment, status, 2000), true).await;
        assert_eq!(late.status, StatusCode::OK);
    }
    let view = get_checkout(&reference, &order).await.body;
    assert_eq!(view["state"], "paid");
    assert_eq!(view["paid_total"], 2000);
}

#[tokio::test]
async fn a_failed_attempt_keeps_the_bill_open() {
    let _stack = shared().await;
    let reference = unique_ref("FA");
    let (order, _) = new_checkout(&reference, 2000).await;
    let failed = post_webhook(
        payment_webhook(&reference, &format!("{reference}F1"), "FAILED", 2000),
        true,
    )
    .await;
    assert_eq!(failed.body["outcome"], "recorded");
    let view = get_checkout(&reference, &order).await.body;
    assert_eq!(view["state"], "pending");
    assert_eq!(view["failed_attempts"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn simulator_duplicates_reach_the_shop_once() {
    let _stack = shared().await;
    let reference = unique_ref("DU");
    let (order, _) = new_checkout(&reference, 3300).await;
    pay(
        &reference,
        3300,
        PayFaults {
            duplicate: true,
            ..Default::default()
        },
    )
    .await;
    wait_for_state(&reference, &order, "paid", Duration::from_secs(20)).await;
    wait_for_notification(&reference, "bill.paid", Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let received = notifications(&reference).await;
    assert!(received.iter().all(|n| n.deliveries == 1), "{received:?}");
}

#[tokio::test]
async fn webhooks_for_one_bill_at_the_same_moment_apply_each_payment_once() {
    let _stack = shared().await;
    let reference = unique_ref("CC");
    let (order, _) = new_checkout(&reference, 4200).await;
    // A failed attempt and the payment, each delivered four times, all eight in flight together.
    let failed = payment_webhook(&reference, &format!("{reference}F1"), "FAILED", 4200);
    let paid = payment_webhook(&reference, &format!("{reference}P1"), "SUCCESS", 4200);
    let mut deliveries = tokio::task::JoinSet::new();
    for body in [&failed, &paid].into_iter().cycle().take(8).cloned() {
        deliveries.spawn(post_webhook(body, true));
    }
    let mut outcomes = Vec::new();
    while let Some(reply) = deliveries.join_next().await {
        let reply = reply.expect("delivery");
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        outcomes.push(
            reply.body["outcome"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    let recorded = outcomes.iter().filter(|o| *o == "recorded").count();
    assert_eq!(
        recorded, 2,
        "one record per payment id, whatever the interleaving: {outcomes:?}"
    );
    let view = get_checkout(&reference, &order).await.body;
    assert_eq!(
        (view["state"].as_str(), view["paid_total"].as_u64()),
        (Some("paid"), Some(4200))
    );
    assert_eq!(view["payments"].as_array().map(Vec::len), Some(1));
    assert_eq!(view["failed_attempts"].as_array().map(Vec::len), Some(1));
    wait_for_notification(&reference, "bill.paid", Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut kinds: Vec<String> = notifications(&reference)
        .await
        .iter()
        .map(|n| n.body["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["bill.paid", "payment.failed", "payment.received"]);
}

#[tokio::test]
async fn a_webhook_arriving_while_the_bill_is_created_waits_for_it() {
    let _alone = exclusive().await;
    // ClickPesa answers the create 1.5 s late; the payment's webhook lands at the edge meanwhile.
    set_faults(&FaultSettings {
        api_slow_rate: 1.0,
        api_slow_ms: 1_500,
        ..Default::default()
    })
    .await;
    let reference = unique_ref("WB");
    let order = token(&reference, 5100);
    let creating = {
        let order = order.clone();
        tokio::spawn(async move { create_checkout(&order).await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let webhook = post_webhook(
        payment_webhook(&reference, &format!("{reference}P1"), "SUCCESS", 5100),
        true,
    )
    .await;
    let created = creating.await.expect("create");
    set_faults(&FaultSettings::default()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    // The Bill object serialises writers: the webhook waited for the bill instead of finding none.
    assert_eq!(
        (webhook.status, webhook.body["outcome"].as_str()),
        (StatusCode::OK, Some("recorded")),
        "{}",
        webhook.body
    );
    let view = get_checkout(&reference, &order).await.body;
    assert_eq!(
        (view["state"].as_str(), view["paid_total"].as_u64()),
        (Some("paid"), Some(5100))
    );
}
