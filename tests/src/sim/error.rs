//! The two error shapes the simulator answers with.
//!
//! The ClickPesa API answers `{"message": "..."}` exactly as docs/clickpesa.md documents; the `/_sim` control
//! API answers `{"error": {"code": "...", "message": "..."}}`, the project's one JSON error shape.
//!
//! ```
//! use axum::response::IntoResponse;
//! use billpay_tests::sim::error::ApiError;
//! assert_eq!(ApiError::ReferenceUsed.into_response().status(), 409);
//! ```
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use shared::api::{ApiError as ErrorDetail, ErrorBody};

/// An error from the simulated ClickPesa API, rendered as `{"message": ...}`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("Unauthorized")]
    Unauthorized,
    #[error("Invalid client details")]
    InvalidClient,
    #[error("Invalid or Expired API-Key")]
    InvalidApiKey,
    #[error("{0}")]
    BadRequest(String),
    #[error("BillPay Number does not exist")]
    BillNotFound,
    #[error("Invalid or missing payment: {0}")]
    PaymentNotFound(String),
    #[error("Bill reference already used: Use a different reference")]
    ReferenceUsed,
    #[error("Too many requests")]
    RateLimited,
    #[error("Internal server error")]
    Injected,
}

impl ApiError {
    pub fn bad(message: impl Into<String>) -> Self {
        Self::BadRequest(message.into())
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::InvalidClient | Self::InvalidApiKey => StatusCode::FORBIDDEN,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::BillNotFound | Self::PaymentNotFound(_) => StatusCode::NOT_FOUND,
            Self::ReferenceUsed => StatusCode::CONFLICT,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::Injected => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = shared::clickpesa::ErrorMessage {
            message: self.to_string(),
        };
        (self.status(), Json(body)).into_response()
    }
}

/// An error from the `/_sim` control API.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ControlError {
    #[error("no bill with number {0}")]
    UnknownBill(String),
    #[error("no webhook delivery with id {0}")]
    UnknownDelivery(u64),
    #[error("{0}")]
    Invalid(String),
}

impl ControlError {
    fn code(&self) -> &'static str {
        match self {
            Self::UnknownBill(_) => "unknown_bill",
            Self::UnknownDelivery(_) => "unknown_delivery",
            Self::Invalid(_) => "invalid_request",
        }
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let status = match self {
            Self::UnknownBill(_) | Self::UnknownDelivery(_) => StatusCode::NOT_FOUND,
            Self::Invalid(_) => StatusCode::BAD_REQUEST,
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message: self.to_string(),
            },
        };
        (status, Json(body)).into_response()
    }
}
