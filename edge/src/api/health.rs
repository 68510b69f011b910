//! `GET /healthz`: the worker is up (it does not call ClickPesa: health checks must be free).
use worker::Response;

use crate::http::errors::EdgeError;

pub fn get() -> Result<Response, EdgeError> {
    super::json(&serde_json::json!({ "status": "ok" }), 200)
}
