//! CORS for the widget: only origins listed in ALLOWED_ORIGINS may call the API from a browser.
//! Requests without an `Origin` (the shop's server, ClickPesa) are not affected.
use worker::{Request, Response};

use super::errors::EdgeError;

const ALLOW_HEADERS: &str = "Authorization, Content-Type, If-None-Match";
const EXPOSE_HEADERS: &str = "ETag, Retry-After";
/// Chromium's cap (Firefox allows a day): one preflight covers a poll URL for longer than a checkout
/// lives, so polling costs one preflight per checkout, and the create none (it is safelisted).
const MAX_AGE_SECS: &str = "7200";

/// The request's `Origin` if it is one of `allowed` (exact match; `*` allows any).
pub fn allowed_origin(req: &Request, allowed: &[String]) -> Option<String> {
    let origin = req.headers().get("Origin").ok().flatten()?;
    allowed
        .iter()
        .any(|a| a == "*" || a.eq_ignore_ascii_case(&origin))
        .then_some(origin)
}

/// Answers an `OPTIONS` preflight for a resource that supports `methods`.
pub fn preflight(origin: Option<&str>, methods: &str) -> Result<Response, EdgeError> {
    let Some(origin) = origin else {
        return Err(EdgeError::Forbidden);
    };
    let mut response = Response::empty()?.with_status(204);
    let headers = response.headers_mut();
    headers.set("Access-Control-Allow-Origin", origin)?;
    headers.set("Access-Control-Allow-Methods", methods)?;
    headers.set("Access-Control-Allow-Headers", ALLOW_HEADERS)?;
    headers.set("Access-Control-Max-Age", MAX_AGE_SECS)?;
    headers.set("Vary", "Origin")?;
    Ok(response)
}

/// Adds the CORS headers to an actual response for an allowed origin.
pub fn decorate(response: &mut Response, origin: Option<&str>) {
    let headers = response.headers_mut();
    let _ = headers.set("Vary", "Origin");
    if let Some(origin) = origin {
        let _ = headers.set("Access-Control-Allow-Origin", origin);
        let _ = headers.set("Access-Control-Expose-Headers", EXPOSE_HEADERS);
    }
}
