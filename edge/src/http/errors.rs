//! The one error type of the edge. Every failure a client can see is a variant here with a fixed
//! status and code; anything unexpected becomes `Internal`, whose detail goes to the log only.
use serde::{Deserialize, Serialize};
use shared::api::ApiError;
use worker::Response;

/// Errors travel between the worker and its Durable Objects as JSON, so they are plain data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EdgeError {
    #[error("the request body is not valid JSON of the expected shape")]
    BadJson,
    /// A field failed validation; `code` comes from `shared` (e.g. `invalid_amount`).
    #[error("{message}")]
    Invalid { code: String, message: String },
    /// Missing or bad credentials; `code` names which (e.g. `token_expired`).
    #[error("{message}")]
    Unauthorized { code: String, message: String },
    #[error("this order token does not grant access to that checkout")]
    Forbidden,
    /// The bill or the client holds as many live-update sockets as `shared::live` allows.
    #[error("too many open sockets for this checkout; poll its status instead")]
    TooManySockets,
    #[error("no such resource")]
    NotFound,
    #[error("this method is not allowed on this resource")]
    MethodNotAllowed { allow: String },
    #[error("{message}")]
    Conflict { code: String, message: String },
    #[error("the request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the request body must be {accepted}")]
    UnsupportedMediaType { accepted: String },
    /// Too many checkouts from one client or for one order, or too many payment-link misses from
    /// one client (see `service::limiter`).
    #[error("too many requests; retry after {retry_after} s")]
    RateLimited { retry_after: u32 },
    #[error("the payment provider refused the request")]
    UpstreamRejected,
    #[error("the payment provider is unavailable; retry later")]
    Unavailable { retry_after: u32 },
    /// CLICKPESA_DAILY_CALL_LIMIT: the account's calls for today are all spoken for.
    #[error("this shop's daily budget of payment-provider requests is used up; new checkouts and reports resume after midnight UTC")]
    DailyLimit { retry_after: u32 },
    /// `Accept` names neither of the formats a resource can answer in.
    #[error("this resource answers application/json or text/csv")]
    NotAcceptable,
    #[error("this endpoint is not configured on this deployment")]
    NotConfigured,
    #[error("internal error")]
    Internal,
}

impl EdgeError {
    pub fn unauthorized(code: &str, message: impl Into<String>) -> Self {
        Self::Unauthorized {
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn invalid(code: &str, message: impl ToString) -> Self {
        Self::Invalid {
            code: code.into(),
            message: message.to_string(),
        }
    }

    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::BadJson => 400,
            Self::Unauthorized { .. } => 401,
            Self::Forbidden => 403,
            Self::TooManySockets => 429,
            Self::NotFound => 404,
            Self::MethodNotAllowed { .. } => 405,
            Self::NotAcceptable => 406,
            Self::Conflict { .. } => 409,
            Self::TooLarge { .. } => 413,
            Self::UnsupportedMediaType { .. } => 415,
            Self::Invalid { .. } => 422,
            Self::RateLimited { .. } => 429,
            Self::Internal => 500,
            Self::UpstreamRejected => 502,
            Self::Unavailable { .. } | Self::DailyLimit { .. } | Self::NotConfigured => 503,
        }
    }

    pub fn code(&self) -> &str {
        match self {
            Self::Invalid { code, .. }
            | Self::Unauthorized { code, .. }
            | Self::Conflict { code, .. } => code,
            Self::BadJson => "invalid_json",
            Self::Forbidden => "forbidden",
            Self::TooManySockets => "too_many_sockets",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::NotAcceptable => "not_acceptable",
            Self::TooLarge { .. } => "payload_too_large",
            Self::UnsupportedMediaType { .. } => "unsupported_media_type",
            Self::RateLimited { .. } => "rate_limited",
            Self::UpstreamRejected => "provider_rejected",
            Self::Unavailable { .. } => "provider_unavailable",
            Self::DailyLimit { .. } => "daily_call_limit",
            Self::NotConfigured => "not_configured",
            Self::Internal => "internal_error",
        }
    }

    /// The `{"error":{"code","message"}}` response, with `Allow` / `Retry-After` where they apply.
    pub fn to_response(&self) -> Response {
        let body = ApiError::new(self.code(), self.to_string()).to_json();
        let mut response = Response::ok(body)
            .expect("a string body")
            .with_status(self.status());
        let headers = response.headers_mut();
        let _ = headers.set("Content-Type", "application/json");
        let _ = match self {
            Self::MethodNotAllowed { allow } => headers.set("Allow", allow),
            Self::Unavailable { retry_after }
            | Self::RateLimited { retry_after }
            | Self::DailyLimit { retry_after } => {
                headers.set("Retry-After", &retry_after.to_string())
            }
            _ => Ok(()),
        };
        response
    }
}

/// Runtime failures (storage, bindings, fetch plumbing) are ours, not the client's: log the detail
/// and answer 500 without it.
impl From<worker::Error> for EdgeError {
    fn from(error: worker::Error) -> Self {
        worker::console_error!("internal error: {error}");
        Self::Internal
    }
}

impl From<serde_json::Error> for EdgeError {
    fn from(error: serde_json::Error) -> Self {
        worker::console_error!("internal serialisation error: {error}");
        Self::Internal
    }
}

/// A socket the live-update route does not open: unauthenticated, or beyond the bounds.
impl From<shared::live::Refusal> for EdgeError {
    fn from(refusal: shared::live::Refusal) -> Self {
        use shared::live::Refusal;
        match refusal {
            Refusal::NoProtocol | Refusal::NoToken => {
                Self::unauthorized(refusal.code(), refusal.message())
            }
            Refusal::BillFull | Refusal::ClientFull => Self::TooManySockets,
        }
    }
}
