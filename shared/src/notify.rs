//! Signatures on the edge's notifications to the shop, per the Standard Webhooks specification
//! (<https://www.standardwebhooks.com/>), so a shop verifies them with the maintained
//! `standardwebhooks` package of its language instead of hand-written crypto:
//!
//! - `webhook-id`: the event id (the shop deduplicates on it), the same on every retry;
//! - `webhook-timestamp`: unix seconds of this delivery attempt;
//! - `webhook-signature`: `v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>`, one
//!   per secret, space-separated, so a secret is rotated without downtime.
//!
//! Secrets are `whsec_` + standard base64 of the key bytes (24 to 64 of them).
//!
//! ```
//! use shared::notify::{sign_all, WebhookSecret};
//! let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
//! let header = sign_all(&[secret], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, r#"{"test": 2432232314}"#);
//! assert_eq!(header, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
//! ```
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::hmac_hex::hmac_sha256;

/// Header carrying the event id.
pub const ID_HEADER: &str = "webhook-id";
/// Header carrying the unix time of the delivery attempt.
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// Header carrying the space-separated `v1,<base64>` signatures.
pub const SIGNATURE_HEADER: &str = "webhook-signature";

const SECRET_PREFIX: &str = "whsec_";
/// The specification's bounds on the key length.
const KEY_BYTES: std::ops::RangeInclusive<usize> = 24..=64;

/// Why a configured secret cannot sign. Never carries the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// Not in the `whsec_…` form.
    #[error("a webhook secret must start with whsec_")]
    MissingPrefix,
    /// What follows `whsec_` is not standard base64.
    #[error("a webhook secret must be whsec_ followed by standard base64")]
    NotBase64,
    /// The key has this many bytes, outside 24..=64.
    #[error("a webhook secret must hold 24 to 64 bytes, this one holds {0}")]
    BadLength(usize),
}

/// A shop's signing key, parsed from its `whsec_…` form.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

impl WebhookSecret {
    /// Reads `whsec_<standard base64>` (surrounding whitespace ignored).
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let encoded = text
            .trim()
            .strip_prefix(SECRET_PREFIX)
            .ok_or(SecretError::MissingPrefix)?;
        let key = STANDARD
            .decode(encoded)
            .map_err(|_| SecretError::NotBase64)?;
        if !KEY_BYTES.contains(&key.len()) {
            return Err(SecretError::BadLength(key.len()));
        }
        Ok(Self(key))
    }
}

/// One `v1,<base64>` signature of `body` sent as event `id` at unix time `timestamp`.
pub fn sign(secret: &WebhookSecret, id: &str, timestamp: u64, body: &str) -> String {
    let mac = hmac_sha256(&secret.0, format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac))
}

/// The `webhook-signature` value: one signature per secret, space-separated. While a rotation is
/// under way the edge holds the new and the old secret, and a shop holding either verifies.
pub fn sign_all(secrets: &[WebhookSecret], id: &str, timestamp: u64, body: &str) -> String {
    secrets
        .iter()
        .map(|secret| sign(secret, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The three headers of one delivery attempt, by name.
pub fn headers(
    secrets: &[WebhookSecret],
    id: &str,
    timestamp: u64,
    body: &str,
) -> [(&'static str, String); 3] {
    [
        (ID_HEADER, id.to_owned()),
        (TIMESTAMP_HEADER, timestamp.to_string()),
        (SIGNATURE_HEADER, sign_all(secrets, id, timestamp, body)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example the Standard Webhooks reference libraries test against.
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TIMESTAMP: u64 = 1_614_265_330;
    const SPEC_BODY: &str = r#"{"test": 2432232314}"#;
    const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn secret(text: &str) -> WebhookSecret {
        WebhookSecret::parse(text).unwrap()
    }

    #[test]
    fn signs_the_specification_example() {
        assert_eq!(
            sign(&secret(SPEC_SECRET), SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY),
            SPEC_SIGNATURE
        );
    }

    #[test]
    fn one_signature_per_secret_in_order() {
        let other = secret("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
        let both = sign_all(
            &[secret(SPEC_SECRET), other.clone()],
            SPEC_ID,
            SPEC_TIMESTAMP,
            SPEC_BODY,
        );
        assert_eq!(
            both,
            format!(
                "{SPEC_SIGNATURE} {}",
                sign(&other, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
            )
        );
        assert_eq!(sign_all(&[], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY), "");
    }

    #[test]
    fn headers_name_id_timestamp_and_signatures() {
        let [id, timestamp, signature] =
            headers(&[secret(SPEC_SECRET)], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY);
        assert_eq!(id, (ID_HEADER, SPEC_ID.to_owned()));
        assert_eq!(timestamp, (TIMESTAMP_HEADER, "1614265330".to_owned()));
        assert_eq!(signature, (SIGNATURE_HEADER, SPEC_SIGNATURE.to_owned()));
    }

    #[test]
    fn every_input_changes_the_signature() {
        let key = secret(SPEC_SECRET);
        let cases = [
            (
                "other id",
                sign(&key, "msg_other", SPEC_TIMESTAMP, SPEC_BODY),
            ),
            (
                "other timestamp",
                sign(&key, SPEC_ID, SPEC_TIMESTAMP + 1, SPEC_BODY),
            ),
            (
                "other body",
                sign(&key, SPEC_ID, SPEC_TIMESTAMP, r#"{"test": 2432232315}"#),
            ),
            (
                "other secret",
                sign(
                    &secret("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
                    SPEC_ID,
                    SPEC_TIMESTAMP,
                    SPEC_BODY,
                ),
            ),
        ];
        for (name, signature) in cases {
            assert_ne!(signature, SPEC_SIGNATURE, "{name}");
        }
    }

    #[test]
    fn secrets() {
        let cases = [
            ("the spec's secret", SPEC_SECRET, Ok(24)),
            ("spaces around", " whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n", Ok(24)),
            (
                "64 bytes",
                "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
                Ok(64),
            ),
            ("no prefix", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Err(SecretError::MissingPrefix)),
            ("other prefix", "sk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Err(SecretError::MissingPrefix)),
            ("base64url", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-_", Err(SecretError::NotBase64)),
            ("not base64", "whsec_not base64!", Err(SecretError::NotBase64)),
            ("too short", "whsec_c2hvcnQ=", Err(SecretError::BadLength(5))),
            (
                "too long",
                "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                Err(SecretError::BadLength(65)),
            ),
            ("empty", "whsec_", Err(SecretError::BadLength(0))),
        ];
        for (name, text, expected) in cases {
            assert_eq!(
                WebhookSecret::parse(text).map(|s| s.0.len()),
                expected,
                "{name}"
            );
        }
    }

    /// What a Rust shop runs: the `standardwebhooks` crate accepts a two-secret header with
    /// either secret, and nothing after a byte of the body changed.
    #[test]
    fn the_standardwebhooks_crate_verifies_with_either_secret() {
        let other = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let body = r#"{"id":"WS1001.bill.paid","type":"bill.paid"}"#;
        let mut map = http::HeaderMap::new();
        for (name, value) in headers(
            &[secret(SPEC_SECRET), secret(other)],
            "WS1001.bill.paid",
            now,
            body,
        ) {
            map.insert(name, value.parse().unwrap());
        }
        for (name, key, body, accepted) in [
            ("current secret", SPEC_SECRET, body, true),
            ("retiring secret", other, body, true),
            (
                "unknown secret",
                "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                body,
                false,
            ),
            (
                "tampered body",
                SPEC_SECRET,
                &body.replace("paid", "overpaid"),
                false,
            ),
        ] {
            let verifier = standardwebhooks::Webhook::new(key).unwrap();
            assert_eq!(
                verifier.verify(body.as_bytes(), &map).is_ok(),
                accepted,
                "{name}"
            );
        }
    }

    #[test]
    fn debug_hides_the_key() {
        assert_eq!(format!("{:?}", secret(SPEC_SECRET)), "WebhookSecret(..)");
    }
}
