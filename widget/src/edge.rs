//! What the widget needs from the edge, as a trait: the browser implementation is
//! [`crate::fetch::EdgeClient`], tests inject scripted ones, so views never touch the network.
//!
//! ```
//! use widget::edge::EdgeError;
//!
//! let busy = EdgeError::Refused { status: 503, code: "unavailable".into(), message: "try later".into() };
//! assert!(busy.is_retryable());
//! let bad_token = EdgeError::Refused { status: 401, code: "bad_signature".into(), message: "no".into() };
//! assert!(!bad_token.is_retryable());
//! assert_eq!(bad_token.code(), "bad_signature");
//! ```
use std::future::Future;
use std::pin::Pin;

use shared::api::CheckoutView;

use crate::timers::Waker;

/// A request in flight; not `Send`, like everything on the browser's main thread.
pub type EdgeFuture<T> = Pin<Box<dyn Future<Output = Result<T, EdgeError>>>>;

/// The calls the widget makes.
pub trait Edge {
    /// `POST /v1/checkouts {order}`: creates the control number, or returns the existing one
    /// for this order (the edge makes it idempotent, so a reload resumes the same number).
    fn create(&self, order: &str) -> EdgeFuture<CheckoutView>;

    /// `GET /v1/checkouts/{reference}` with the order token as Bearer and `If-None-Match: etag`.
    fn status(&self, reference: &str, order: &str, etag: Option<&str>) -> EdgeFuture<Status>;

    /// Opens the live-update socket `GET /v1/checkouts/{reference}/live`; `wake` is called when a
    /// view arrives or the socket ends. `None`: this edge has no sockets, the widget only polls.
    fn live(&self, _reference: &str, _order: &str, _wake: Waker) -> Option<Box<dyn Feed>> {
        None
    }
}

/// Views the edge pushes over a live-update socket (see [`crate::push`]).
pub trait Feed {
    /// The newest view pushed since the last call.
    fn take(&self) -> Option<CheckoutView>;
    /// Connecting or connected: pushes may still come.
    fn alive(&self) -> bool;
    /// Whether the socket ever connected.
    fn opened(&self) -> bool;
}

/// The answer to a status poll.
// Lives for one poll and is matched at once; a Box would only add an allocation per poll.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// A new snapshot, with the ETag to send next time.
    Changed {
        view: CheckoutView,
        etag: Option<String>,
    },
    /// `304 Not Modified`: nothing happened since the last snapshot.
    Unchanged,
}

/// Why a call to the edge failed. Shown to the customer and the host page by
/// [`EdgeError::message`] (`Display` says the same).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub enum EdgeError {
    /// No HTTP answer at all: offline, DNS, CORS, timeout.
    Network(String),
    /// The edge answered with an error status and its JSON error body.
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    /// A success status whose body is not a checkout snapshot.
    Malformed(String),
}

impl EdgeError {
    /// Worth asking again later: the network, a busy edge (429) or a server error (5xx).
    /// A 4xx answer (bad token, unknown order) stays wrong however often we ask.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Network(_) => true,
            Self::Refused { status, .. } => *status == 429 || *status >= 500,
            Self::Malformed(_) => false,
        }
    }

    /// What went wrong, for people. Built without `format!` (its machinery costs the wasm a
    /// kilobyte).
    pub fn message(&self) -> String {
        match self {
            Self::Network(detail) => ["network error: ", detail].concat(),
            Self::Refused { message, .. } => message.clone(),
            Self::Malformed(detail) => {
                ["unexpected answer from the payment service: ", detail].concat()
            }
        }
    }

    /// The machine-readable code given to the host page in `billpay:error`.
    pub fn code(&self) -> &str {
        match self {
            Self::Network(_) => "network",
            Self::Refused { code, .. } => code,
            Self::Malformed(_) => "malformed_response",
        }
    }
}
