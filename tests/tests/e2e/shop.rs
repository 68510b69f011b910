//! What the end-to-end scenarios ask of the stack beyond the edge suite's support module: the demo
//! shop's checkout page, and the simulator as the customer and as ClickPesa's record.
use serde_json::Value;

use super::super::support::{merchant, sim, stack};
use billpay_tests::sim::pay::PayRequest;

/// The demo shop's checkout page for a chosen order; `query` adds `lang`, `ttl`, `redirect=no`
/// (no data-success-url) or `nowidget=1` (the token in the page, the widget not loaded).
pub fn checkout_url(reference: &str, amount: u64, query: &str) -> String {
    format!(
        "{}/checkout?ref={reference}&amount={amount}&{query}",
        stack().shop
    )
}

/// The simulated customer pays; the simulator's whole answer (result, refusal, payment, webhooks).
pub async fn customer_pays(request: PayRequest) -> Value {
    let reply = sim().pay(&request).await.expect("the simulator answers");
    serde_json::to_value(reply).expect("a JSON answer")
}

/// Sends every webhook of an earlier payment again, newest first (a late, reordered redelivery).
pub async fn redeliver_all(paid: &Value) {
    let mut ids: Vec<u64> = paid["webhooks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["id"].as_u64())
        .collect();
    ids.reverse();
    for id in ids {
        sim().redeliver(id).await.expect("the simulator redelivers");
    }
}

/// The simulator's record of a control number, or `Null` when ClickPesa never created it.
pub async fn sim_bill(number: &str) -> Value {
    match sim().bill(number).await {
        Ok(view) => serde_json::to_value(view).expect("a JSON view"),
        Err(billpay_tests::sim::client::ClientError::Status { status: 404, .. }) => Value::Null,
        Err(e) => panic!("simulator: {e}"),
    }
}

/// How many control numbers the simulator has been asked to create so far.
/// Creates the simulator saw for `reference` (other scenarios create theirs at the same time).
pub async fn create_calls(reference: &str) -> u64 {
    let stats = sim().stats().await.expect("simulator stats");
    stats
        .creates_by_reference
        .get(reference)
        .copied()
        .unwrap_or(0)
}

/// The shop's view of an order, through the edge's merchant API.
pub async fn order(reference: &str) -> Value {
    let reply = merchant(reqwest::Method::GET, &format!("/v1/orders/{reference}")).await;
    assert!(
        reply.status.is_success(),
        "GET /v1/orders/{reference}: {:?}",
        reply.body
    );
    reply.body
}
