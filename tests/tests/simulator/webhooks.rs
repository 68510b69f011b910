//! Webhooks as ClickPesa sends them (docs/clickpesa.md §4), and the faults the simulator injects
//! into them and into the API.
use std::time::Duration;

use billpay_tests::sim::faults::{FaultSettings, PayFaults};
use billpay_tests::sim::pay::{PayChannel, PayOutcome, PayRequest};
use billpay_tests::sim::webhook::DeliveryStatus;
use serde_json::{json, Value};

use crate::support::*;

#[tokio::test]
async fn webhook_arrives_with_a_verifiable_checksum_and_matches_the_query_api() {
    let (sim, receiver) = sim_with_receiver().await;
    let api = Api::login(&sim).await;
    api.create_order("WS4001", 25_000, "EXACT").await;
    let mut req = PayRequest::new("WS4001", 25_000, PayChannel::MixxByYas, PayOutcome::Success);
    req.phone = Some("255755000111".to_owned());
    let paid = sim.client().pay(&req).await.unwrap();
    assert_eq!(paid.webhooks.len(), 1);
    assert_eq!(
        (paid.webhooks[0].status, paid.webhooks[0].http_status),
        (DeliveryStatus::Delivered, Some(200))
    );

    let raw = receiver.raw();
    assert_eq!(raw.len(), 1);
    let verified = shared::checksum::verify(CHECKSUM_KEY.as_bytes(), &raw[0], None).unwrap();
    assert_eq!(verified["event"], "PAYMENT RECEIVED");
    let body = &receiver.bodies()[0];
    assert_eq!(body["checksumMethod"], "canonical");
    assert_eq!(body["data"]["collectedAmount"], "25000");
    assert_eq!(body["data"]["channel"], "MIXX BY YAS");

    let hook: shared::clickpesa::Webhook = serde_json::from_value(verified).unwrap();
    let from_hook = hook.payment().unwrap();
    let (_, listed) = api.get("/payments/WS4001").await;
    let from_api: shared::clickpesa::PaymentRecord =
        serde_json::from_value(listed[0].clone()).unwrap();
    assert_eq!(listed[0]["collectedAmount"], 25_000);
    assert_eq!(from_hook.id, from_api.id);
    assert_eq!(from_api, paid.payment.unwrap());
    assert_eq!(
        from_api.payment_phone_number.as_deref(),
        Some("255755000111")
    );

    // A failed attempt is announced as PAYMENT FAILED.
    api.create_order("WS4002", 1_000, "EXACT").await;
    let failed = PayRequest::new("WS4002", 1_000, PayChannel::Crdb, PayOutcome::Failure);
    sim.client().pay(&failed).await.unwrap();
    assert_eq!(receiver.bodies()[1]["event"], "PAYMENT FAILED");
}

#[tokio::test]
async fn per_payment_faults_drop_duplicate_and_corrupt_webhooks() {
    let (sim, receiver) = sim_with_receiver().await;
    let api = Api::login(&sim).await;
    let client = sim.client();
    for (i, faults) in [
        PayFaults {
            drop: true,
            ..Default::default()
        },
        PayFaults {
            duplicate: true,
            ..Default::default()
        },
        PayFaults {
            bad_checksum: true,
            ..Default::default()
        },
    ]
    .into_iter()
    .enumerate()
    {
        let number = format!("WS500{i}");
        api.create_order(&number, 100, "EXACT").await;
        let mut req = pay(&number, 100);
        req.faults = faults;
        client.pay(&req).await.unwrap();
    }
    let raw = receiver.raw();
    assert_eq!(
        raw.len(),
        3,
        "dropped: none; duplicated: two; corrupted: one"
    );
    let orders: Vec<String> = receiver
        .bodies()
        .iter()
        .map(|b| b["data"]["orderReference"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(orders, ["WS5001", "WS5001", "WS5002"]);
    assert_eq!(raw[0], raw[1], "a duplicate is byte-identical");
    assert!(shared::checksum::verify(CHECKSUM_KEY.as_bytes(), &raw[0], None).is_ok());
    assert_eq!(
        shared::checksum::verify(CHECKSUM_KEY.as_bytes(), &raw[2], None),
        Err(shared::checksum::ChecksumError::Mismatch)
    );

    let log = client.webhooks().await.unwrap();
    assert_eq!(log[0].status, DeliveryStatus::Dropped);
    // A dropped webhook can still be delivered on demand.
    let redelivered = client.redeliver(log[0].id).await.unwrap();
    assert_eq!(
        (redelivered.status, redelivered.redelivery_of),
        (DeliveryStatus::Delivered, Some(log[0].id))
    );
    assert_eq!(receiver.bodies()[3]["data"]["orderReference"], "WS5000");
    let stats = client.stats().await.unwrap();
    assert_eq!((stats.webhooks.delivered, stats.webhooks.dropped), (4, 1));
}

#[tokio::test]
async fn global_faults_drop_delay_and_reorder() {
    let (sim, receiver) = sim_with_receiver().await;
    let api = Api::login(&sim).await;
    let client = sim.client();
    assert!(client
        .set_faults(&FaultSettings {
            webhook_drop_rate: 2.0,
            ..Default::default()
        })
        .await
        .is_err());

    client
        .set_faults(&FaultSettings {
            webhook_drop_rate: 1.0,
            ..Default::default()
        })
        .await
        .unwrap();
    api.create_order("WS6001", 100, "EXACT").await;
    client.pay(&pay("WS6001", 100)).await.unwrap();
    assert!(receiver.raw().is_empty());

    client
        .set_faults(&FaultSettings {
            webhook_delay_ms: 300,
            ..Default::default()
        })
        .await
        .unwrap();
    api.create_order("WS6002", 100, "EXACT").await;
    let delayed = client.pay(&pay("WS6002", 100)).await.unwrap();
    assert_eq!(delayed.webhooks[0].status, DeliveryStatus::Scheduled);
    assert!(receiver.raw().is_empty());
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(receiver.raw().len(), 1);

    client
        .set_faults(&FaultSettings {
            webhook_reorder: true,
            ..Default::default()
        })
        .await
        .unwrap();
    for number in ["WS6003", "WS6004", "WS6005"] {
        api.create_order(number, 100, "EXACT").await;
        assert_eq!(
            client.pay(&pay(number, 100)).await.unwrap().webhooks[0].status,
            DeliveryStatus::Held
        );
    }
    let flushed = client.flush().await.unwrap();
    assert_eq!(flushed.len(), 3);
    let arrived: Vec<Value> = receiver
        .bodies()
        .iter()
        .skip(1)
        .map(|b| b["data"]["orderReference"].clone())
        .collect();
    assert_eq!(arrived, ["WS6005", "WS6004", "WS6003"]);
}

#[tokio::test]
async fn api_faults_answer_500() {
    let sim = sim_with(|_| {}).await;
    let api = Api::login(&sim).await;
    sim.client()
        .set_faults(&FaultSettings {
            api_error_rate: 1.0,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        api.get("/billpay/X").await,
        (500, json!({"message": "Internal server error"}))
    );
}
