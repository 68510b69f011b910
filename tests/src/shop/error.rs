//! The shop's JSON errors, in the project's one shape: `{"error": {"code": "...", "message": "..."}}`.
//!
//! ```
//! use axum::response::IntoResponse;
//! use billpay_tests::shop::error::ShopError;
//! assert_eq!(ShopError::BadSignature.into_response().status(), 401);
//! ```
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use shared::api::{ApiError, ErrorBody};

#[derive(Debug, thiserror::Error)]
pub enum ShopError {
    #[error("{0}")]
    Invalid(String),
    #[error("no order with reference {0}")]
    UnknownOrder(String),
    #[error("the webhook-signature is missing or does not verify")]
    BadSignature,
    #[error("notification dropped on purpose (--notify-fail-rate)")]
    InjectedFailure,
    #[error("the ClickPesa simulator failed: {0}")]
    Simulator(#[from] crate::sim::client::ClientError),
}

impl ShopError {
    fn code_and_status(&self) -> (&'static str, StatusCode) {
        match self {
            Self::Invalid(_) => ("invalid_request", StatusCode::BAD_REQUEST),
            Self::UnknownOrder(_) => ("unknown_order", StatusCode::NOT_FOUND),
            Self::BadSignature => ("bad_signature", StatusCode::UNAUTHORIZED),
            Self::InjectedFailure => ("injected_failure", StatusCode::INTERNAL_SERVER_ERROR),
            Self::Simulator(_) => ("simulator_failed", StatusCode::BAD_GATEWAY),
        }
    }
}

impl IntoResponse for ShopError {
    fn into_response(self) -> Response {
        let (code, status) = self.code_and_status();
        let body = ErrorBody {
            error: ApiError {
                code: code.to_owned(),
                message: self.to_string(),
            },
        };
        (status, Json(body)).into_response()
    }
}
