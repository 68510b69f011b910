//! One structured JSON line per request. Only the route pattern, the bill reference, the status and
//! the duration: never headers, bodies or tokens.
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct RequestLog {
    pub method: String,
    /// The route pattern (`/v1/checkouts/{ref}`), not the raw path, so logs group by endpoint.
    pub route: &'static str,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub status: u16,
    pub duration_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl RequestLog {
    pub fn emit(&self) {
        if let Ok(line) = serde_json::to_string(self) {
            worker::console_log!("{line}");
        }
    }
}
