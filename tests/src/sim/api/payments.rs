//! The payments query API (docs/clickpesa.md §3): by order reference, and the filtered, sorted, paged list.
//!
//! ```no_run
//! # async fn demo(base_url: &str, token: &str) -> Result<(), reqwest::Error> {
//! let page: shared::clickpesa::PaymentsPage = reqwest::Client::new()
//!     .get(format!("{base_url}/payments/all?status=SUCCESS&orderBy=ASC&limit=5"))
//!     .header("authorization", token)
//!     .send().await?.json().await?;
//! assert!(page.data.len() <= 5);
//! # Ok(()) }
//! ```
use std::cmp::Ordering;
use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::Json;
use serde_json::Value;
use shared::clickpesa::{PaymentRecord, PaymentStatus, PaymentsPage};

use super::super::clock::normalise_date;
use super::super::error::ApiError;
use super::super::AppState;

/// `sortBy` accepts any field of a payment (docs/clickpesa.md §3.3).
const SORTABLE: [&str; 12] = [
    "id",
    "status",
    "paymentReference",
    "paymentPhoneNumber",
    "orderReference",
    "collectedAmount",
    "collectedCurrency",
    "message",
    "channel",
    "createdAt",
    "updatedAt",
    "clientId",
];
/// Filters that match a field exactly.
const EXACT_FILTERS: [&str; 5] = [
    "status",
    "collectedCurrency",
    "channel",
    "orderReference",
    "clientId",
];

pub async fn by_reference(
    State(app): State<AppState>,
    Path(order_reference): Path<String>,
) -> Result<Json<Vec<PaymentRecord>>, ApiError> {
    app.count_payment_query(order_reference.clone());
    let found: Vec<PaymentRecord> = app
        .state()
        .payments_for(&order_reference)
        .cloned()
        .collect();
    if found.is_empty() {
        return Err(ApiError::PaymentNotFound(order_reference));
    }
    Ok(Json(found))
}

pub async fn all(
    State(app): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<PaymentsPage>, ApiError> {
    let query = ListQuery::parse(&params)?;
    let records: Vec<Value> = app
        .state()
        .payments
        .iter()
        .filter_map(|p| serde_json::to_value(p).ok())
        .collect();
    let mut matching: Vec<Value> = records.into_iter().filter(|r| query.matches(r)).collect();
    matching.sort_by(|a, b| {
        let ord = compare(&a[query.sort_by], &b[query.sort_by]);
        if query.descending {
            ord.reverse()
        } else {
            ord
        }
    });
    let total_count = matching.len() as u64;
    let data = matching
        .into_iter()
        .skip(query.skip)
        .take(query.limit)
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect();
    Ok(Json(PaymentsPage { data, total_count }))
}

/// The validated query string of `GET /payments/all`.
struct ListQuery<'a> {
    start: Option<String>,
    end: Option<String>,
    exact: Vec<(&'static str, &'a str)>,
    sort_by: &'static str,
    descending: bool,
    skip: usize,
    limit: usize,
}

impl<'a> ListQuery<'a> {
    fn parse(params: &'a HashMap<String, String>) -> Result<Self, ApiError> {
        let date = |name: &str| {
            params
                .get(name)
                .map(|d| {
                    normalise_date(d)
                        .ok_or_else(|| ApiError::bad(format!("{name} must be YYYY-MM-DD")))
                })
                .transpose()
        };
        if let Some(status) = params.get("status") {
            if matches!(PaymentStatus::from(status.clone()), PaymentStatus::Other(_)) {
                return Err(ApiError::bad(format!(
                    "status must be a payment status, got {status}"
                )));
            }
        }
        let sort_by = match params.get("sortBy") {
            None => "createdAt",
            Some(field) => SORTABLE
                .into_iter()
                .find(|f| f == field)
                .ok_or_else(|| ApiError::bad(format!("sortBy cannot sort by {field}")))?,
        };
        let descending = match params.get("orderBy").map(String::as_str) {
            None | Some("DESC") => true,
            Some("ASC") => false,
            Some(other) => {
                return Err(ApiError::bad(format!(
                    "orderBy must be ASC or DESC, got {other}"
                )))
            }
        };
        let number = |name: &str, default: usize| {
            params.get(name).map_or(Ok(default), |v| {
                v.parse()
                    .map_err(|_| ApiError::bad(format!("{name} must be a non-negative integer")))
            })
        };
        let limit = number("limit", 20)?;
        if limit == 0 {
            return Err(ApiError::bad("limit must be at least 1"));
        }
        Ok(Self {
            start: date("startDate")?,
            end: date("endDate")?,
            exact: EXACT_FILTERS
                .into_iter()
                .filter_map(|f| params.get(f).map(|v| (f, v.as_str())))
                .collect(),
            sort_by,
            descending,
            skip: number("skip", 0)?,
            limit,
        })
    }

    fn matches(&self, record: &Value) -> bool {
        // ISO timestamps sort as text, so the date prefix compares directly with YYYY-MM-DD.
        let day = record["createdAt"]
            .as_str()
            .and_then(|t| t.get(..10))
            .unwrap_or_default();
        self.start.as_deref().is_none_or(|s| day >= s)
            && self.end.as_deref().is_none_or(|e| day <= e)
            && self
                .exact
                .iter()
                .all(|(field, want)| record[*field].as_str() == Some(*want))
    }
}

/// Numbers numerically, strings as text, missing values last.
fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        _ => a.to_string().cmp(&b.to_string()),
    }
}
