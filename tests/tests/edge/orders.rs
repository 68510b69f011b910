//! The shop server's API: `POST /v1/orders`, `GET /v1/orders/{ref}`, `POST /v1/orders/{ref}/cancel`.
use std::time::Duration;

use billpay_tests::sim::faults::PayFaults;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::clickpesa::BillStatus;

use crate::support::*;

async fn create_order(body: Value) -> Reply {
    send(
        edge(Method::POST, "/v1/orders")
            .bearer_auth(&stack().merchant_key)
            .json(&body),
    )
    .await
}

#[tokio::test]
async fn a_minted_order_starts_a_checkout_the_shop_can_read() {
    let _stack = shared().await;
    let reference = unique_ref("OR");
    let minted = create_order(
        json!({"reference": reference, "amount": 15000, "description": "Sabuni 500g"}),
    )
    .await;
    assert_eq!(minted.status, StatusCode::CREATED, "{}", minted.body);
    let order = minted.body["order"].as_str().expect("a token").to_owned();
    assert!(minted.body["expires_at"].as_u64().unwrap() > now());

    let checkout = create_checkout(&order).await;
    assert_eq!(checkout.status, StatusCode::CREATED);
    let view = merchant(Method::GET, &format!("/v1/orders/{reference}")).await;
    assert_eq!(view.status, StatusCode::OK);
    assert_eq!(view.body["reference"], reference.as_str());
    assert_eq!(view.body["mode"], "EXACT");
    assert_eq!(view.body["amount"], 15000);
}

#[tokio::test]
async fn the_merchant_api_needs_the_merchant_key() {
    let _stack = shared().await;
    let body = json!({"reference": unique_ref("MK"), "amount": 100});
    let none = send(edge(Method::POST, "/v1/orders").json(&body)).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    let wrong = send(
        edge(Method::POST, "/v1/orders")
            .bearer_auth("mk_wrong")
            .json(&body),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.error_code(), "invalid_api_key");
    // An order token is not a merchant key.
    let reference = unique_ref("MK");
    let (order, _) = new_checkout(&reference, 100).await;
    let read = send(edge(Method::GET, &format!("/v1/orders/{reference}")).bearer_auth(order)).await;
    assert_eq!(read.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn invalid_orders_are_422_with_the_field_code() {
    let _stack = shared().await;
    let reference = unique_ref("IV");
    let cases = [
        (
            json!({"reference": reference, "amount": 0}),
            "invalid_amount",
        ),
        (
            json!({"reference": reference, "amount": -5}),
            "invalid_amount",
        ),
        (
            json!({"reference": reference, "amount": 12.5}),
            "invalid_amount",
        ),
        (
            json!({"reference": reference, "amount": 1_000_000_000_000u64}),
            "invalid_amount",
        ),
        (
            json!({"reference": "bad-ref!", "amount": 100}),
            "invalid_reference",
        ),
        (json!({"reference": "", "amount": 100}), "invalid_reference"),
        (
            json!({"reference": "A".repeat(21), "amount": 100}),
            "invalid_reference",
        ),
        (
            json!({"reference": reference, "amount": 100, "description": "<script>"}),
            "invalid_description",
        ),
        (
            json!({"reference": reference, "amount": 100, "expires_in": 0}),
            "invalid_expires_in",
        ),
        (
            json!({"reference": reference, "amount": "100"}),
            "invalid_amount",
        ),
    ];
    for (body, code) in cases {
        let reply = create_order(body.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            reply.body
        );
        // serde reports some type errors generically; the field's own code is preferred.
        let got = reply.error_code();
        assert!(got == code || got == "invalid_input", "{body}: {got}");
    }
}

#[tokio::test]
async fn cancelling_deactivates_the_number() {
    let _stack = shared().await;
    let reference = unique_ref("CN");
    let (order, _) = new_checkout(&reference, 4000).await;
    let cancelled = merchant(Method::POST, &format!("/v1/orders/{reference}/cancel")).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.body["state"], "cancelled");
    let at_sim = sim().bill(&reference).await.expect("sim bill");
    assert_eq!(at_sim.bill.status, BillStatus::Inactive);
    assert_eq!(
        get_checkout(&reference, &order).await.body["state"],
        "cancelled"
    );
    wait_for_notification(&reference, "bill.cancelled", Duration::from_secs(15)).await;

    let again = merchant(Method::POST, &format!("/v1/orders/{reference}/cancel")).await;
    assert_eq!(again.status, StatusCode::OK, "cancelling is idempotent");
    assert_eq!(again.body["state"], "cancelled");
    let unknown = merchant(
        Method::POST,
        &format!("/v1/orders/{}/cancel", unique_ref("UN")),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_paid_order_cannot_be_cancelled() {
    let _stack = shared().await;
    let reference = unique_ref("PC");
    let (order, _) = new_checkout(&reference, 800).await;
    pay(&reference, 800, PayFaults::default()).await;
    wait_for_state(&reference, &order, "paid", Duration::from_secs(20)).await;
    let reply = merchant(Method::POST, &format!("/v1/orders/{reference}/cancel")).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.error_code(), "not_cancellable");
    let at_sim = sim().bill(&reference).await.expect("sim bill");
    assert_ne!(
        at_sim.bill.status,
        BillStatus::Inactive,
        "a paid bill is not touched at ClickPesa"
    );
}
