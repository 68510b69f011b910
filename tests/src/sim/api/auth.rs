//! `POST /generate-token` and the checks every other call passes (docs/clickpesa.md §1.2, §5).
//!
//! ```no_run
//! # async fn demo(base_url: &str) -> Result<(), reqwest::Error> {
//! // A token is sent back verbatim: it already starts with "Bearer ".
//! let http = reqwest::Client::new();
//! let token: shared::clickpesa::TokenResponse = http.post(format!("{base_url}/generate-token"))
//!     .header("client-id", "sim-client-id").header("api-key", "sim-api-key")
//!     .send().await?.json().await?;
//! http.get(format!("{base_url}/billpay/WS1")).header("authorization", token.token).send().await?;
//! # Ok(()) }
//! ```
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use shared::clickpesa::TokenResponse;

use super::super::clock::now_ms;
use super::super::error::ApiError;
use super::super::AppState;

/// Largest request body read for checksum verification (a 50-item bulk body is far smaller).
const MAX_BODY: usize = 1 << 20;

pub async fn generate_token(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<TokenResponse>, ApiError> {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(client_id), Some(api_key)) = (header("client-id"), header("api-key")) else {
        return Err(ApiError::Unauthorized);
    };
    if client_id != app.config.client_id {
        return Err(ApiError::InvalidClient);
    }
    if api_key != app.config.api_key {
        return Err(ApiError::InvalidApiKey);
    }
    let ttl_ms = app.config.token_ttl_secs * 1000;
    let token = app.mutate(|s| s.issue_token(now_ms(), ttl_ms)).await;
    Ok(Json(TokenResponse {
        success: true,
        token,
    }))
}

/// 401 unless `Authorization` is a live token exactly as `/generate-token` returned it.
pub async fn require_token(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let presented = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !app.state().token_is_live(presented, now_ms()) {
        return ApiError::Unauthorized.into_response();
    }
    next.run(req).await
}

/// With `--require-checksum`: 400 unless a body's `checksum` verifies (docs/clickpesa.md §5).
pub async fn require_checksum(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let Some(key) = app
        .config
        .checksum_key
        .as_deref()
        .filter(|_| req.method() != "GET")
    else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return ApiError::bad("Request body too large").into_response();
    };
    if let Err(e) = shared::checksum::verify(key.as_bytes(), &bytes, None) {
        return ApiError::bad(format!("Invalid checksum: {e}")).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
