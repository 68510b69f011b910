//! The shop's HTTP handlers.
//!
//! | route | what |
//! |---|---|
//! | `GET /` | the cart, with a Checkout button |
//! | `GET /checkout?lang=en\|sw[&ref=R&amount=A&ttl=S]` | mints an order token, embeds the widget |
//! | `GET /orders`, `GET /orders/{ref}` | orders and the notifications received for them |
//! | `POST /notifications` | the edge's Standard Webhooks notifications (401 on a bad signature) |
//! | `GET /api/notifications[?ref=R]` | `[{id, reference, deliveries, body, firstReceivedAt, lastReceivedAt, lastDelivery}]` |
//! | `POST /api/simulate` `{reference, scenario: full\|short\|fail\|dropped}` | pays via the simulator |
//! | `GET /shop.css`, `GET /shop.js` | the shop's own assets |
//!
//! ```no_run
//! # async fn demo(shop: &str) -> Result<(), reqwest::Error> {
//! let page = reqwest::get(format!("{shop}/checkout?ref=WS1001&amount=25000&lang=sw")).await?.text().await?;
//! assert!(page.contains("data-order=\"v1."));
//! # Ok(()) }
//! ```
use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse};
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use shared::api::ShopNotification;

use crate::sim::clock::now_ms;
use crate::sim::control::PayResponse;
use crate::sim::pay::{PayChannel, PayOutcome, PayRequest};

use super::error::ShopError;
use super::notifications::Received;
use super::orders::{cart_total, Order};
use super::pages::{self, Lang};
use super::ShopState;

pub async fn home() -> Html<String> {
    Html(pages::home())
}

pub async fn checkout(
    State(shop): State<ShopState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Html<String>, ShopError> {
    let lang = Lang::parse(q.get("lang").map(String::as_str))
        .ok_or_else(|| ShopError::Invalid("lang must be en or sw".to_owned()))?;
    let number = |name: &str| {
        q.get(name).map(|v| {
            v.parse::<u64>()
                .map_err(|_| ShopError::Invalid(format!("{name} must be a whole number")))
        })
    };
    let now_ms = now_ms();
    let reference = q
        .get("ref")
        .cloned()
        .unwrap_or_else(|| shop.orders.fresh_reference(now_ms));
    let amount = number("amount").transpose()?.unwrap_or_else(cart_total);
    let ttl = number("ttl")
        .transpose()?
        .unwrap_or(shop.config.checkout_ttl);
    let order = Order {
        description: format!("Duka la Mfano order {reference}"),
        reference,
        amount,
        expires_at: now_ms / 1000 + ttl,
    };
    let token = shop
        .orders
        .checkout(order.clone(), shop.config.order_signing_secret.as_bytes())?;
    let embed = pages::Embed {
        redirect: q.get("redirect").map(String::as_str) != Some("no"),
        load_widget: q.get("nowidget").map(String::as_str) != Some("1"),
    };
    Ok(Html(pages::checkout(
        shop.config.edge_origin(),
        &order,
        &token,
        lang,
        embed,
    )))
}

pub async fn orders(State(shop): State<ShopState>) -> Html<String> {
    let all = shop.orders.all().into_iter().map(|o| {
        let received = shop.inbox.for_reference(Some(&o.reference));
        (o, received)
    });
    Html(pages::orders(&all.collect::<Vec<_>>()))
}

pub async fn order(
    State(shop): State<ShopState>,
    Path(reference): Path<String>,
) -> Result<Html<String>, ShopError> {
    let order = shop
        .orders
        .get(&reference)
        .ok_or_else(|| ShopError::UnknownOrder(reference.clone()))?;
    let received = shop.inbox.for_reference(Some(&reference));
    Ok(Html(pages::orders(&[(order, received)])))
}

/// See [`receive_notification`].
pub const GONE_PREFIX: &str = "GONE";

pub async fn receive_notification(
    State(shop): State<ShopState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ShopError> {
    // Verified over the raw bytes, before anything parses them.
    let delivery = shop
        .verifier
        .verify(&headers, &body)
        .ok_or(ShopError::BadSignature)?;
    if shop.fail_this_notification() {
        return Err(ShopError::InjectedFailure);
    }
    let event: ShopNotification = serde_json::from_str(&delivery.body)
        .map_err(|e| ShopError::Invalid(format!("not a shop notification: {e}")))?;
    if event.id != delivery.id {
        return Err(ShopError::Invalid(
            "webhook-id differs from the body's id".to_owned(),
        ));
    }
    let raw: Value =
        serde_json::from_str(&delivery.body).map_err(|e| ShopError::Invalid(e.to_string()))?;
    // Orders whose reference starts with GONE play a shop that never answers 2xx again, so the
    // edge suite can watch a notification run out of attempts.
    if event.data.reference.starts_with(GONE_PREFIX) {
        return Err(ShopError::InjectedFailure);
    }
    shop.inbox
        .record(&event.data.reference, raw, delivery, now_ms() / 1000);
    Ok(Json(serde_json::json!({"received": event.id})))
}

pub async fn list_notifications(
    State(shop): State<ShopState>,
    Query(q): Query<HashMap<String, String>>,
) -> Json<Vec<Received>> {
    Json(shop.inbox.for_reference(q.get("ref").map(String::as_str)))
}

/// The checkout panel's buttons.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    Full,
    /// Half the amount: an EXACT bill makes the MNO refuse it.
    Short,
    Fail,
    /// Paid in full, but the webhook never reaches the edge, which must find the payment by polling.
    Dropped,
}

#[derive(Debug, Deserialize)]
pub struct SimulateRequest {
    pub reference: String,
    pub scenario: Scenario,
}

pub async fn simulate(
    State(shop): State<ShopState>,
    body: Bytes,
) -> Result<Json<PayResponse>, ShopError> {
    let req: SimulateRequest =
        serde_json::from_slice(&body).map_err(|e| ShopError::Invalid(e.to_string()))?;
    let order = shop
        .orders
        .get(&req.reference)
        .ok_or_else(|| ShopError::UnknownOrder(req.reference.clone()))?;
    let (amount, outcome) = match req.scenario {
        Scenario::Full | Scenario::Dropped => (order.amount, PayOutcome::Success),
        Scenario::Short => (order.amount / 2, PayOutcome::Success),
        Scenario::Fail => (order.amount, PayOutcome::InsufficientFunds),
    };
    let mut pay = PayRequest::new(order.reference, amount, PayChannel::Mpesa, outcome);
    pay.faults.drop = matches!(req.scenario, Scenario::Dropped);
    Ok(Json(shop.sim.pay(&pay).await?))
}

/// The shop's assets are cached briefly, as any shop's are: shop.js is parser-blocking in `<head>`,
/// so without it every visit would wait one more round trip before the widget's script tag runs.
const ASSET_CACHE: (header::HeaderName, &str) = (header::CACHE_CONTROL, "public, max-age=300");

pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            ASSET_CACHE,
        ],
        include_str!("assets/shop.css"),
    )
}

pub async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            ASSET_CACHE,
        ],
        include_str!("assets/shop.js"),
    )
}
