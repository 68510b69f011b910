//! Credentials on incoming requests: the `Authorization: Bearer …` header, and the merchant API key.
use shared::constant_time_eq;
use worker::Request;

use super::errors::EdgeError;

/// The bearer credential, or 401 when there is none.
pub fn bearer(req: &Request) -> Result<String, EdgeError> {
    let header = req.headers().get("Authorization")?.unwrap_or_default();
    match header.split_once(' ') {
        Some((scheme, value))
            if scheme.eq_ignore_ascii_case("bearer") && !value.trim().is_empty() =>
        {
            Ok(value.trim().to_owned())
        }
        _ => Err(EdgeError::unauthorized(
            "missing_credentials",
            "send Authorization: Bearer <credential>",
        )),
    }
}

/// The shop server's calls carry MERCHANT_API_KEY; compared in constant time.
pub fn require_merchant(req: &Request, api_key: &str) -> Result<(), EdgeError> {
    let presented = bearer(req)?;
    if constant_time_eq(presented.as_bytes(), api_key.as_bytes()) {
        Ok(())
    } else {
        Err(EdgeError::unauthorized(
            "invalid_api_key",
            "the merchant API key is not valid",
        ))
    }
}
