//! Requests to the `ClickPesaGateway` object and its typed outcomes.
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::errors::EdgeError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HttpMethod {
    Get,
    Post,
    Patch,
}

impl From<HttpMethod> for worker::Method {
    fn from(method: HttpMethod) -> Self {
        match method {
            HttpMethod::Get => worker::Method::Get,
            HttpMethod::Post => worker::Method::Post,
            HttpMethod::Patch => worker::Method::Patch,
        }
    }
}

/// Who is waiting for a call. A shopper's create or a shop's cancel may wait briefly for a slot
/// and may use the whole rate budget; background work (reconciliation, expiry) gets a share of it
/// and fails fast, to be retried on its own schedule, so it can never starve checkouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Priority {
    Interactive,
    Background,
}

/// One ClickPesa API call: `path` is relative to CLICKPESA_BASE_URL. The gateway adds the token,
/// the checksum field and the pacing.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GatewayCall {
    pub method: HttpMethod,
    pub path: String,
    pub body: Option<Value>,
    pub priority: Priority,
}

/// What the `ClickPesaGateway` object is asked to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum GatewayRequest {
    /// Make one ClickPesa API call.
    Call(GatewayCall),
    /// Book a new checkout's calls (`shared::budget::checkout_calls`) against
    /// CLICKPESA_DAILY_CALL_LIMIT before anything is asked of ClickPesa.
    ReserveCheckout { calls: u32 },
    /// Book a reconcile report's pages of `GET /payments/all` the same way.
    ReserveReport { calls: u32 },
}

/// How a ClickPesa call ended, other than with a 2xx body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum GatewayError {
    /// 409: the reference is already used.
    #[error("ClickPesa: conflict")]
    Conflict,
    #[error("ClickPesa: not found")]
    NotFound,
    /// Another 4xx: our request is wrong, so retrying it cannot help.
    #[error("ClickPesa refused the request with {status}")]
    Rejected { status: u16 },
    /// 5xx / timeouts after the retries, throttling, or no token: try again later.
    #[error("ClickPesa unavailable (retry after {retry_after} s)")]
    Unavailable { retry_after: u32 },
    /// A 2xx whose body is not what docs/clickpesa.md describes.
    #[error("ClickPesa sent an unexpected response body")]
    UnexpectedBody,
    /// CLICKPESA_DAILY_CALL_LIMIT would be passed: no new checkout or report until midnight UTC.
    #[error("the daily ClickPesa call limit is reached (resets in {retry_after} s)")]
    DailyLimit { retry_after: u32 },
}

/// What the client of the edge sees when a ClickPesa call fails where no specific outcome applies.
impl From<GatewayError> for EdgeError {
    fn from(error: GatewayError) -> Self {
        worker::console_warn!("{error}");
        match error {
            GatewayError::Unavailable { retry_after } => EdgeError::Unavailable { retry_after },
            GatewayError::DailyLimit { retry_after } => EdgeError::DailyLimit { retry_after },
            GatewayError::Conflict
            | GatewayError::NotFound
            | GatewayError::Rejected { .. }
            | GatewayError::UnexpectedBody => EdgeError::UpstreamRejected,
        }
    }
}
