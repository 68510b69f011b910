//! The `/_sim` control API: play the customer, inject faults, look behind the ClickPesa API.
//!
//! | route | body / answer |
//! |---|---|
//! | `POST /_sim/pay` | [`PayRequest`] → [`PayResponse`] |
//! | `POST /_sim/payments/{id}/return` | [`ReturnRequest`] → [`ReturnResponse`]: a refund or reversal, with its webhook |
//! | `GET`/`POST /_sim/faults` | [`FaultSettings`] (POST replaces; `{}` clears) |
//! | `GET /_sim/bills/{n}` | [`BillView`]: the bill, its status and payments |
//! | `GET /_sim/stats` | [`Stats`] |
//! | `GET /_sim/webhooks[?orderReference=R]` | [`Delivery`] log |
//! | `POST /_sim/webhooks/{id}/redeliver` | the new [`Delivery`] |
//! | `POST /_sim/webhooks/flush` | held deliveries, sent newest first |
//! | `GET /_sim/health` | `{"ok": true}` |
//!
//! ```no_run
//! # async fn demo(sim: &billpay_tests::sim::SimClient) -> Result<(), billpay_tests::sim::client::ClientError> {
//! use billpay_tests::sim::pay::{PayChannel, PayOutcome, PayRequest};
//! let paid = sim.pay(&PayRequest::new("WS1001", 25_000, PayChannel::Mpesa, PayOutcome::Success)).await?;
//! println!("{:?}", paid.webhooks);
//! # Ok(()) }
//! ```
use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use shared::clickpesa::{PaymentRecord, PaymentStatus};

use super::clock::now_ms;
use super::error::ControlError;
use super::faults::{FaultSettings, PayFaults};
use super::pay::{Paid, PayRequest, Refusal};
use super::state::Bill;
use super::webhook::{Delivery, DeliveryStatus};
use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pay", post(pay))
        .route("/payments/{id}/return", post(return_payment))
        .route("/faults", get(faults).post(set_faults))
        .route("/bills/{number}", get(bill))
        .route("/stats", get(stats))
        .route("/webhooks", get(webhooks))
        .route("/webhooks/flush", post(flush))
        .route("/webhooks/{id}/redeliver", post(redeliver))
        .route("/health", get(|| async { Json(json!({"ok": true})) }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayResult {
    /// SUCCESS recorded.
    Paid,
    /// FAILED recorded; the bill stays open.
    Failed,
    /// Refused by the MNO: nothing recorded, no webhook.
    Refused,
}

/// `POST /_sim/payments/{id}/return` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    /// `REFUNDED` or `REVERSED`.
    pub status: PaymentStatus,
    #[serde(default)]
    pub faults: PayFaults,
}

/// `POST /_sim/payments/{id}/return` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReturnResponse {
    /// The record as `GET /payments/{ref}` now returns it.
    pub payment: PaymentRecord,
    /// Deliveries of its webhook as they stand when the call returns.
    pub webhooks: Vec<Delivery>,
}

async fn return_payment(
    State(app): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ReturnResponse>, ControlError> {
    let req: ReturnRequest =
        serde_json::from_slice(&body).map_err(|e| ControlError::Invalid(e.to_string()))?;
    let record = app
        .mutate(|s| s.return_payment(&id, req.status.clone(), now_ms()))
        .await?;
    let plan = app.faults.webhook_plan(&req.faults);
    let webhooks = app.dispatcher.dispatch(&record, plan).await;
    Ok(Json(ReturnResponse {
        payment: record,
        webhooks,
    }))
}

/// A refusal as JSON: `{"code": "amount_mismatch", "expected": …, "entered": …, "message": "…"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefusalView {
    pub code: String,
    pub message: String,
    #[serde(flatten)]
    pub detail: HashMap<String, Value>,
}

/// `POST /_sim/pay` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayResponse {
    pub result: PayResult,
    pub refusal: Option<RefusalView>,
    /// The record exactly as `GET /payments/{ref}` returns it.
    pub payment: Option<PaymentRecord>,
    /// Deliveries of this payment's webhook as they stand when the call returns.
    pub webhooks: Vec<Delivery>,
}

/// `GET /_sim/bills/{n}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillView {
    #[serde(flatten)]
    pub bill: Bill,
    pub payments: Vec<PaymentRecord>,
}

/// `GET /_sim/stats`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// API calls per endpoint, e.g. `"POST /generate-token": 1`.
    pub requests: BTreeMap<String, u64>,
    /// Single creates per `billReference`, accepted or refused.
    #[serde(default)]
    pub creates_by_reference: BTreeMap<String, u64>,
    /// `GET /payments/{orderReference}` calls per reference.
    #[serde(default)]
    pub payment_queries_by_reference: BTreeMap<String, u64>,
    pub tokens_issued: u64,
    pub bills: u64,
    pub payments: u64,
    pub webhooks: WebhookStats,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookStats {
    /// POSTs that reached the receiver or failed trying.
    pub sent: u64,
    pub delivered: u64,
    /// The receiver answered non-2xx.
    pub rejected: u64,
    /// No answer from the receiver.
    pub failed: u64,
    pub dropped: u64,
    /// Scheduled, held or in flight.
    pub pending: u64,
    pub skipped: u64,
}

async fn pay(State(app): State<AppState>, body: Bytes) -> Result<Json<PayResponse>, ControlError> {
    let req: PayRequest =
        serde_json::from_slice(&body).map_err(|e| ControlError::Invalid(e.to_string()))?;
    let client_id = app.config.client_id.clone();
    let paid = app.mutate(|s| s.pay(&req, &client_id, now_ms())).await?;
    let response = match paid {
        Paid::Refused(refusal) => PayResponse {
            result: PayResult::Refused,
            refusal: Some(refusal_view(&refusal)),
            payment: None,
            webhooks: vec![],
        },
        Paid::Recorded(record) => {
            let plan = app.faults.webhook_plan(&req.faults);
            let webhooks = app.dispatcher.dispatch(&record, plan).await;
            let result = if record.status.is_paid() {
                PayResult::Paid
            } else {
                PayResult::Failed
            };
            PayResponse {
                result,
                refusal: None,
                payment: Some(*record),
                webhooks,
            }
        }
    };
    Ok(Json(response))
}

fn refusal_view(refusal: &Refusal) -> RefusalView {
    let mut detail: HashMap<String, Value> =
        serde_json::from_value(json!(refusal)).unwrap_or_default();
    let code = detail
        .remove("code")
        .and_then(|c| c.as_str().map(str::to_owned))
        .unwrap_or_default();
    RefusalView {
        code,
        message: refusal.to_string(),
        detail,
    }
}

async fn faults(State(app): State<AppState>) -> Json<FaultSettings> {
    Json(app.faults.settings())
}

async fn set_faults(
    State(app): State<AppState>,
    body: Bytes,
) -> Result<Json<FaultSettings>, ControlError> {
    let settings: FaultSettings =
        serde_json::from_slice(&body).map_err(|e| ControlError::Invalid(e.to_string()))?;
    app.faults
        .set(settings)
        .map_err(|e| ControlError::Invalid(e.to_string()))?;
    Ok(Json(app.faults.settings()))
}

async fn bill(
    State(app): State<AppState>,
    Path(number): Path<String>,
) -> Result<Json<BillView>, ControlError> {
    let state = app.state();
    let bill = state
        .bills
        .get(&number)
        .cloned()
        .ok_or_else(|| ControlError::UnknownBill(number.clone()))?;
    let payments = state.payments_for(&number).cloned().collect();
    Ok(Json(BillView { bill, payments }))
}

async fn stats(State(app): State<AppState>) -> Json<Stats> {
    let mut webhooks = WebhookStats::default();
    for delivery in app.dispatcher.log() {
        let counter = match delivery.status {
            DeliveryStatus::Delivered => &mut webhooks.delivered,
            DeliveryStatus::Rejected => &mut webhooks.rejected,
            DeliveryStatus::Failed => &mut webhooks.failed,
            DeliveryStatus::Dropped => &mut webhooks.dropped,
            DeliveryStatus::Skipped => &mut webhooks.skipped,
            DeliveryStatus::Scheduled | DeliveryStatus::Held | DeliveryStatus::Sending => {
                &mut webhooks.pending
            }
        };
        *counter += 1;
    }
    webhooks.sent = webhooks.delivered + webhooks.rejected + webhooks.failed;
    let state = app.state();
    Json(Stats {
        requests: app.request_counts(),
        creates_by_reference: app.create_counts(),
        payment_queries_by_reference: app.payment_query_counts(),
        tokens_issued: state.tokens_issued,
        bills: state.bills.len() as u64,
        payments: state.payments.len() as u64,
        webhooks,
    })
}

async fn webhooks(
    State(app): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Json<Vec<Delivery>> {
    let wanted = q.get("orderReference");
    Json(
        app.dispatcher
            .log()
            .into_iter()
            .filter(|d| wanted.is_none_or(|r| *r == d.order_reference))
            .collect(),
    )
}

async fn flush(State(app): State<AppState>) -> Json<Vec<Delivery>> {
    Json(app.dispatcher.flush().await)
}

async fn redeliver(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Delivery>, ControlError> {
    let id = id
        .parse()
        .map_err(|_| ControlError::Invalid(format!("delivery id must be a number, got {id}")))?;
    app.dispatcher
        .redeliver(id)
        .await
        .map(Json)
        .ok_or(ControlError::UnknownDelivery(id))
}
