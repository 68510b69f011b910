//! Signatures on the edge's notifications to the shop, in the Stripe / Standard Webhooks shape:
//! header `BillPay-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.
//!
//! ```
//! use shared::notify::{sign, verify};
//! let header = sign(b"whsec", r#"{"id":"WS1.bill.paid"}"#, 1_700_000_000);
//! assert!(header.starts_with("t=1700000000,v1="));
//! assert_eq!(verify(&[b"whsec"], &header, r#"{"id":"WS1.bill.paid"}"#, 1_700_000_100, 300), Ok(()));
//! ```
use crate::hmac_hex::{ct_eq, hmac_sha256_hex};

/// HTTP header carrying the signature.
pub const SIGNATURE_HEADER: &str = "BillPay-Signature";
/// A sensible default for `verify`'s tolerance: five minutes, as Stripe uses.
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    #[error("signature header is malformed")]
    MalformedHeader,
    #[error("signature header has no timestamp")]
    MissingTimestamp,
    #[error("signature header has no v1 signature")]
    MissingSignature,
    #[error("signature timestamp {t} is outside the tolerance window")]
    OutsideTolerance { t: u64 },
    #[error("no signature matches the body")]
    Mismatch,
}

fn digest(secret: &[u8], body: &str, t: u64) -> String {
    hmac_sha256_hex(secret, format!("{t}.{body}").as_bytes())
}

/// The header value for `body` sent at unix time `t`.
pub fn sign(secret: &[u8], body: &str, t: u64) -> String {
    format!("t={t},v1={}", digest(secret, body, t))
}

/// Checks a header against `body`: the timestamp must be within `tolerance` seconds of `now` (either
/// side) and some `v1` must match some secret (several of each, for rotation). Unknown keys are
/// ignored so the scheme can grow.
pub fn verify(secrets: &[&[u8]], header: &str, body: &str, now: u64, tolerance: u64) -> Result<(), NotifyError> {
    let mut t = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        let (key, value) = part.trim().split_once('=').ok_or(NotifyError::MalformedHeader)?;
        match key {
            "t" if t.is_some() => return Err(NotifyError::MalformedHeader),
            "t" => t = Some(value.parse::<u64>().map_err(|_| NotifyError::MalformedHeader)?),
            "v1" => candidates.push(value),
            _ => {}
        }
    }
    let t = t.ok_or(NotifyError::MissingTimestamp)?;
    if candidates.is_empty() {
        return Err(NotifyError::MissingSignature);
    }
    if t.abs_diff(now) > tolerance {
        return Err(NotifyError::OutsideTolerance { t });
    }
    let matched = secrets.iter().fold(false, |ok, secret| {
        let expected = digest(secret, body, t);
        candidates.iter().fold(ok, |ok, c| ct_eq(expected.as_bytes(), c.as_bytes()) | ok)
    });
    if matched {
        Ok(())
    } else {
        Err(NotifyError::Mismatch)
    }
}
