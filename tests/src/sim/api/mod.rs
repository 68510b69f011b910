//! The simulated ClickPesa API (docs/clickpesa.md §1-3), mounted under `--base-path`.
//!
//! Every call passes [`guard`] (rate limit, injected 500s and slowness, per-endpoint counts);
//! everything but `/generate-token` needs a live token, and with `--require-checksum` a valid body
//! checksum.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = billpay_tests::sim::start(billpay_tests::sim::SimConfig::for_tests()).await?;
//! let token = reqwest::Client::new()
//!     .post(format!("{}/generate-token", sim.base_url()))
//!     .header("client-id", "sim-client-id")
//!     .header("api-key", "sim-api-key")
//!     .send().await?;
//! assert_eq!(token.status(), 200);
//! # Ok(()) }
//! ```
pub mod auth;
pub mod billpay;
pub mod payments;
pub mod rules;

use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use serde::de::DeserializeOwned;
use shared::clickpesa::paths;

use super::error::ApiError;
use super::AppState;

pub fn router(app: &AppState) -> Router<AppState> {
    let billpay_n = format!("{}{{number}}", paths::BILLPAY_PREFIX);
    let payments_ref = format!("{}{{order_reference}}", paths::PAYMENTS_PREFIX);
    let mut authed = Router::new()
        .route(
            paths::CREATE_ORDER_CONTROL_NUMBER,
            post(billpay::create_order),
        )
        .route(
            paths::CREATE_CUSTOMER_CONTROL_NUMBER,
            post(billpay::create_customer),
        )
        .route(
            paths::BULK_CREATE_ORDER_CONTROL_NUMBERS,
            post(billpay::bulk_create_order),
        )
        .route(
            paths::BULK_CREATE_CUSTOMER_CONTROL_NUMBERS,
            post(billpay::bulk_create_customer),
        )
        .route(billpay::UPDATE_STATUS_PATH, put(billpay::update_status))
        .route(&billpay_n, get(billpay::details).patch(billpay::update))
        .route(paths::PAYMENTS_ALL, get(payments::all))
        .route(&payments_ref, get(payments::by_reference));
    if app.config.require_checksum {
        authed = authed.route_layer(from_fn_with_state(app.clone(), auth::require_checksum));
    }
    // Added last so it runs first: a missing token is a 401 before any checksum complaint.
    let authed = authed.route_layer(from_fn_with_state(app.clone(), auth::require_token));
    Router::new()
        .route(paths::GENERATE_TOKEN, post(auth::generate_token))
        .merge(authed)
        .route_layer(from_fn_with_state(app.clone(), guard))
}

/// Counts the call, then applies the rate limit and the API faults of `POST /_sim/faults`.
async fn guard(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let base = app.config.normalised_base_path();
    let endpoint = req
        .extensions()
        .get::<MatchedPath>()
        .map_or(req.uri().path(), MatchedPath::as_str);
    app.count_request(format!(
        "{} {}",
        req.method(),
        endpoint.strip_prefix(base.as_str()).unwrap_or(endpoint)
    ));
    if app.throttle.as_ref().is_some_and(|t| !t.admit()) {
        return ApiError::RateLimited.into_response();
    }
    let plan = app.faults.api_plan();
    if let Some(ms) = plan.slow_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if plan.fail {
        return ApiError::Injected.into_response();
    }
    next.run(req).await
}

/// Parses a JSON body into a wire type; ClickPesa treats a missing optional body as `{}`.
pub(crate) fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        &b"{}"[..]
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| ApiError::bad(format!("Invalid request body: {e}")))
}
