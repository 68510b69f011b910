//! The BillPay routes (docs/clickpesa.md §2): create (single and bulk, Order and Customer), details, update.
//!
//! ```no_run
//! # async fn demo(base_url: &str, token: &str) -> Result<(), reqwest::Error> {
//! let created = reqwest::Client::new()
//!     .post(format!("{base_url}/billpay/create-order-control-number"))
//!     .header("authorization", token)
//!     .json(&serde_json::json!({"billReference": "WS1001", "billAmount": 25000, "billPaymentMode": "EXACT"}))
//!     .send().await?;
//! assert_eq!(created.status(), 200); // a second identical call answers 409
//! # Ok(()) }
//! ```
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::clickpesa::{
    BillPayDetails, BillStatus, BulkCreate, BulkCreateResponse, BulkItemError,
    CreateControlNumberResponse, CreateCustomerControlNumber, CreateOrderControlNumber,
    UpdateBillPay, UpdateBillPayResponse, MAX_BULK_ITEMS,
};

use super::super::clock::{iso8601, now_ms};
use super::super::error::ApiError;
use super::super::state::{Bill, BillKind, SimState};
use super::super::AppState;
use super::parse_body;
use super::rules::{apply_update, customer_bill, order_bill, reject_customer_fields};

/// The deprecated status endpoint (docs/clickpesa.md §2.5), still served.
pub const UPDATE_STATUS_PATH: &str = "/billpay/update-status";

/// Body and response of the deprecated `PUT /billpay/update-status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateStatus {
    pub bill_pay_number: String,
    pub status: BillStatus,
}

pub async fn create_order(
    State(app): State<AppState>,
    body: Bytes,
) -> Result<Json<CreateControlNumberResponse>, ApiError> {
    create(&app, BillKind::Order, &parse_body(&body)?).await
}

pub async fn create_customer(
    State(app): State<AppState>,
    body: Bytes,
) -> Result<Json<CreateControlNumberResponse>, ApiError> {
    create(&app, BillKind::Customer, &parse_body(&body)?).await
}

pub async fn bulk_create_order(
    State(app): State<AppState>,
    body: Bytes,
) -> Result<Json<BulkCreateResponse>, ApiError> {
    bulk_create(&app, BillKind::Order, parse_body(&body)?).await
}

pub async fn bulk_create_customer(
    State(app): State<AppState>,
    body: Bytes,
) -> Result<Json<BulkCreateResponse>, ApiError> {
    bulk_create(&app, BillKind::Customer, parse_body(&body)?).await
}

pub async fn details(
    State(app): State<AppState>,
    Path(number): Path<String>,
) -> Result<Json<BillPayDetails>, ApiError> {
    app.state()
        .bills
        .get(&number)
        .map(|b| Json(b.details()))
        .ok_or(ApiError::BillNotFound)
}

pub async fn update(
    State(app): State<AppState>,
    Path(number): Path<String>,
    body: Bytes,
) -> Result<Json<UpdateBillPayResponse>, ApiError> {
    let update: UpdateBillPay = parse_body(&body)?;
    app.mutate(|s| {
        let bill = s.bills.get_mut(&number).ok_or(ApiError::BillNotFound)?;
        apply_update(bill, &update)?;
        Ok(Json(bill.details()))
    })
    .await
}

pub async fn update_status(
    State(app): State<AppState>,
    body: Bytes,
) -> Result<Json<UpdateStatus>, ApiError> {
    let req: UpdateStatus = parse_body(&body)?;
    app.mutate(|s| {
        let bill = s
            .bills
            .get_mut(&req.bill_pay_number)
            .ok_or(ApiError::BillNotFound)?;
        bill.status = req.status;
        Ok(Json(req))
    })
    .await
}

async fn create(
    app: &AppState,
    kind: BillKind,
    body: &Value,
) -> Result<Json<CreateControlNumberResponse>, ApiError> {
    if let Some(reference) = body.get("billReference").and_then(Value::as_str) {
        app.count_create(reference.to_owned());
    }
    let now = iso8601(now_ms());
    app.mutate(|s| insert(s, kind, body, now).map(Json)).await
}

/// Creates what it can: each invalid item is reported by index and the rest still created.
async fn bulk_create(
    app: &AppState,
    kind: BillKind,
    body: BulkCreate<Value>,
) -> Result<Json<BulkCreateResponse>, ApiError> {
    let items = body.control_numbers;
    if !(1..=MAX_BULK_ITEMS).contains(&items.len()) {
        return Err(ApiError::bad(format!(
            "controlNumbers must contain 1 to {MAX_BULK_ITEMS} items"
        )));
    }
    let now = iso8601(now_ms());
    let mut response = BulkCreateResponse {
        bill_pay_numbers: vec![],
        created: 0,
        failed: 0,
        errors: vec![],
    };
    app.mutate(|s| {
        for (index, item) in items.iter().enumerate() {
            match insert(s, kind, item, now.clone()) {
                Ok(created) => response.bill_pay_numbers.push(created.bill_pay_number),
                Err(e) => response.errors.push(BulkItemError {
                    index: index as u32,
                    reason: e.to_string(),
                }),
            }
        }
    })
    .await;
    response.created = response.bill_pay_numbers.len() as u32;
    response.failed = response.errors.len() as u32;
    Ok(Json(response))
}

/// Validates one create body (single or bulk item) and stores the bill.
fn insert(
    s: &mut SimState,
    kind: BillKind,
    body: &Value,
    now: String,
) -> Result<BillPayDetails, ApiError> {
    let parse_err = |e: serde_json::Error| ApiError::bad(format!("Invalid request body: {e}"));
    let bill: Bill = match kind {
        BillKind::Order => {
            reject_customer_fields(body)?;
            let body: CreateOrderControlNumber =
                serde_json::from_value(body.clone()).map_err(parse_err)?;
            order_bill(&body, s, now)?
        }
        BillKind::Customer => {
            let body: CreateCustomerControlNumber =
                serde_json::from_value(body.clone()).map_err(parse_err)?;
            customer_bill(&body, s, now)?
        }
    };
    let details = bill.details();
    s.insert_bill(bill)?;
    Ok(details)
}
