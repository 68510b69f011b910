//! Signatures on the edge's notifications to the shop, in the Stripe / Standard Webhooks shape:
//! header `BillPay-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.
//!
//! ```
//! use shared::notify::{sign, verify};
//! let header = sign(b"whsec", r#"{"id":"WS1.bill.paid"}"#, 1_700_000_000);
//! assert!(header.starts_with("t=1700000000,v1="));
//! assert_eq!(verify(&[b"whsec"], &header, r#"{"id":"WS1.bill.paid"}"#, 1_700_000_100, 300), Ok(()));
//! ```
use crate::hmac_hex::{constant_time_eq, hmac_sha256_hex};

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
pub fn verify(
    secrets: &[&[u8]],
    header: &str,
    body: &str,
    now: u64,
    tolerance: u64,
) -> Result<(), NotifyError> {
    let mut t = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or(NotifyError::MalformedHeader)?;
        match key {
            "t" if t.is_some() => return Err(NotifyError::MalformedHeader),
            "t" => {
                t = Some(
                    value
                        .parse::<u64>()
                        .map_err(|_| NotifyError::MalformedHeader)?,
                )
            }
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
        candidates.iter().fold(ok, |ok, c| {
            constant_time_eq(expected.as_bytes(), c.as_bytes()) | ok
        })
    });
    if matched {
        Ok(())
    } else {
        Err(NotifyError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = r#"{"id":"WS1001.bill.paid","type":"bill.paid"}"#;
    const T: u64 = 1_700_000_000;

    fn hex_of(header: &str) -> &str {
        header.split_once(",v1=").unwrap().1
    }

    #[test]
    fn known_digest() {
        // Computed independently: Python hmac.new(b"whsec", b"1700000000." + BODY, sha256).hexdigest()
        assert_eq!(
            sign(b"whsec", BODY, T),
            "t=1700000000,v1=219f78c83fea22f233a952f8ca635c69e1d0f800ab85e5ffc39fd74136bf8047"
        );
    }

    #[test]
    fn accepts_rotation_on_both_sides() {
        let header = sign(b"old", BODY, T);
        assert_eq!(verify(&[b"new", b"old"], &header, BODY, T, 300), Ok(()));
        let two = format!("{header},v1={}", hex_of(&sign(b"new", BODY, T)));
        assert_eq!(verify(&[b"new"], &two, BODY, T, 300), Ok(()));
        // Unknown schemes and spaces after commas are tolerated.
        let extended = format!("t={T}, v0=abc, v1={}", hex_of(&header));
        assert_eq!(verify(&[b"old"], &extended, BODY, T, 300), Ok(()));
    }

    #[test]
    fn rejections() {
        let good = sign(b"whsec", BODY, T);
        let sig = hex_of(&good);
        let cases: Vec<(&str, String, &str, u64, NotifyError)> = vec![
            (
                "tampered body",
                good.clone(),
                r#"{"id":"WS1001.bill.paid","type":"bill.overpaid"}"#,
                T,
                NotifyError::Mismatch,
            ),
            (
                "other timestamp",
                format!("t={},v1={sig}", T + 1),
                BODY,
                T,
                NotifyError::Mismatch,
            ),
            (
                "too old",
                good.clone(),
                BODY,
                T + 301,
                NotifyError::OutsideTolerance { t: T },
            ),
            (
                "from the future",
                good.clone(),
                BODY,
                T - 301,
                NotifyError::OutsideTolerance { t: T },
            ),
            (
                "uppercase hex",
                format!("t={T},v1={}", sig.to_uppercase()),
                BODY,
                T,
                NotifyError::Mismatch,
            ),
            (
                "short hex",
                format!("t={T},v1={}", &sig[..63]),
                BODY,
                T,
                NotifyError::Mismatch,
            ),
            (
                "no timestamp",
                format!("v1={sig}"),
                BODY,
                T,
                NotifyError::MissingTimestamp,
            ),
            (
                "no signature",
                format!("t={T}"),
                BODY,
                T,
                NotifyError::MissingSignature,
            ),
            (
                "only v0",
                format!("t={T},v0={sig}"),
                BODY,
                T,
                NotifyError::MissingSignature,
            ),
            (
                "two timestamps",
                format!("t={T},t={T},v1={sig}"),
                BODY,
                T,
                NotifyError::MalformedHeader,
            ),
            (
                "timestamp not a number",
                format!("t=soon,v1={sig}"),
                BODY,
                T,
                NotifyError::MalformedHeader,
            ),
            (
                "negative timestamp",
                format!("t=-1,v1={sig}"),
                BODY,
                T,
                NotifyError::MalformedHeader,
            ),
            (
                "no key=value",
                "garbage".to_owned(),
                BODY,
                T,
                NotifyError::MalformedHeader,
            ),
            (
                "empty header",
                String::new(),
                BODY,
                T,
                NotifyError::MalformedHeader,
            ),
        ];
        for (name, header, body, now, expected) in cases {
            assert_eq!(
                verify(&[b"whsec"], &header, body, now, 300),
                Err(expected),
                "{name}"
            );
        }
        assert_eq!(
            verify(&[b"other"], &good, BODY, T, 300),
            Err(NotifyError::Mismatch),
            "wrong secret"
        );
        assert_eq!(
            verify(&[], &good, BODY, T, 300),
            Err(NotifyError::Mismatch),
            "no secrets"
        );
    }
}
