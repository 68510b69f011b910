//! ClickPesa's payload checksum (docs/clickpesa.md §5), modelled on Svix's verifier: one entry point that
//! parses, finds the checksum, picks the method and compares in constant time, with a precise error.
//!
//! Canonical method (default): drop `checksum`/`checksumMethod`, sort object keys at every level,
//! serialise compactly, HMAC-SHA256 with the checksum key, lowercase hex. Legacy method: concatenate
//! the top-level values in key order.
//!
//! ```
//! use serde_json::json;
//! let key = b"secret-key";
//! let mut body = json!({"billReference": "WS1001", "billAmount": 25000});
//! shared::checksum::attach(key, &mut body);
//! assert_eq!(body["checksum"], "12f3808cc5652380c6a8f371007705d2e331c08b2ae701198a6863eae8494099");
//! let wire = serde_json::to_vec(&body).unwrap();
//! let payload = shared::checksum::verify(key, &wire, None).unwrap();
//! assert!(payload.get("checksum").is_none());
//! ```
use serde_json::Value;

use crate::hmac_hex::{constant_time_eq, hmac_sha256_hex};

/// Body field carrying the hex digest.
pub const CHECKSUM_FIELD: &str = "checksum";
/// Body field naming the method: `canonical` (default) or `legacy`.
pub const METHOD_FIELD: &str = "checksumMethod";
/// Headers some SDKs read the checksum from when the body has none (docs/clickpesa.md §4.4); lowercase.
pub const CHECKSUM_HEADERS: [&str; 3] =
    ["x-clickpesa-checksum", "checksum", "x-clickpesa-signature"];

/// Why [`verify`] refused a body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChecksumError {
    /// The body is not JSON, or not a JSON object.
    #[error("body is not a JSON object")]
    Malformed,
    /// Neither the body field nor a header carries a checksum (ClickPesa probably sends one only
    /// when checksums are enabled for the account).
    #[error("no checksum in the body or headers")]
    Missing,
    /// The checksum is not a string of 64 lowercase hex digits.
    #[error("checksum is not 64 lowercase hex characters")]
    BadFormat,
    /// `checksumMethod` is neither `canonical` nor `legacy` (the value as sent).
    #[error("unknown checksumMethod {0:?}")]
    UnknownMethod(String),
    /// The digest is not the payload's under our key: the body was altered, signed with another
    /// key, or signed over something else.
    #[error("checksum does not match the payload")]
    Mismatch,
    /// The legacy method turns nested objects into `[object Object]`, so its digest would not cover
    /// `data` at all: anyone holding one legacy-signed webhook could forge any payment.
    #[error("the legacy checksum method cannot cover nested data")]
    LegacyOverNestedData,
}

/// Canonical JSON: keys sorted at every level, compact, non-ASCII as raw UTF-8 (JS, Go, Rust).
/// Sorts itself rather than trusting serde_json's map order, which `preserve_order` would change.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out, false);
    out
}

/// Canonical JSON with non-ASCII escaped as `\uXXXX` (Python `json.dumps` and PHP `json_encode`
/// defaults), the other form a ClickPesa server might sign (vector V5).
pub fn canonical_json_ascii(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out, true);
    out
}

fn write_canonical(value: &Value, out: &mut String, ascii: bool) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            // Code-point order (= UTF-8 byte order), as Python's sort_keys and PHP's ksort do.
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out, ascii);
                out.push(':');
                write_canonical(v, out, ascii);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out, ascii);
            }
            out.push(']');
        }
        Value::String(s) => write_string(s, out, ascii),
        // Numbers re-serialise as parsed: integers as integers, floats like Python (25000.0, V6).
        scalar => out.push_str(&scalar.to_string()),
    }
}

fn write_string(s: &str, out: &mut String, ascii: bool) {
    let quoted = Value::from(s).to_string();
    if !ascii || s.is_ascii() {
        out.push_str(&quoted);
        return;
    }
    for c in quoted.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
}

/// The payload without the checksum fields, which never take part in the digest.
fn strip_checksum_fields(payload: &Value) -> Value {
    match payload {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| *k != CHECKSUM_FIELD && *k != METHOD_FIELD)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Canonical checksum of `payload` (raw UTF-8 form), lowercase hex.
pub fn sign(key: &[u8], payload: &Value) -> String {
    hmac_sha256_hex(
        key,
        canonical_json(&strip_checksum_fields(payload)).as_bytes(),
    )
}

/// Legacy checksum (docs/clickpesa.md §5.2): top-level values in key order, concatenated as JavaScript's
/// `String(v)` would (the method's reference code), so nested objects become `[object Object]`.
pub fn sign_legacy(key: &[u8], payload: &Value) -> String {
    hmac_sha256_hex(
        key,
        legacy_string(&strip_checksum_fields(payload)).as_bytes(),
    )
}

fn legacy_string(payload: &Value) -> String {
    let Value::Object(map) = payload else {
        return js_string(payload);
    };
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    entries.into_iter().map(|(_, v)| js_string(v)).collect()
}

fn js_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(_) => "[object Object]".to_owned(),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                if i.is_null() {
                    String::new()
                } else {
                    js_string(i)
                }
            })
            .collect::<Vec<_>>()
            .join(","),
        scalar => scalar.to_string(),
    }
}

/// Adds the top-level `checksum` field to an outgoing request body. Non-object payloads (never sent
/// to ClickPesa) are left unchanged.
pub fn attach(key: &[u8], payload: &mut Value) {
    let digest = sign(key, payload);
    if let Value::Object(map) = payload {
        map.insert(CHECKSUM_FIELD.to_owned(), Value::String(digest));
    }
}

enum Method {
    Canonical,
    Legacy,
}

/// Verifies an incoming body (a webhook) and returns it without `checksum`/`checksumMethod`.
///
/// The checksum comes from the body field, else from `header_checksum` (see [`CHECKSUM_HEADERS`]).
/// The digest covers the whole top-level object; a digest over `data` alone is rejected. Both the
/// raw-UTF-8 and the `\u`-escaped canonical forms are accepted, since ClickPesa's server language
/// is unknown (V5).
pub fn verify(
    key: &[u8],
    body: &[u8],
    header_checksum: Option<&str>,
) -> Result<Value, ChecksumError> {
    let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(body) else {
        return Err(ChecksumError::Malformed);
    };
    let given = match map.remove(CHECKSUM_FIELD) {
        Some(Value::String(s)) => s,
        Some(_) => return Err(ChecksumError::BadFormat),
        None => header_checksum
            .map(str::to_owned)
            .ok_or(ChecksumError::Missing)?,
    };
    if given.len() != 64
        || !given
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(ChecksumError::BadFormat);
    }
    let method = match map.remove(METHOD_FIELD) {
        None => Method::Canonical,
        Some(Value::String(m)) if m == "canonical" => Method::Canonical,
        Some(Value::String(m)) if m == "legacy" => Method::Legacy,
        Some(Value::String(m)) => return Err(ChecksumError::UnknownMethod(m)),
        Some(other) => return Err(ChecksumError::UnknownMethod(other.to_string())),
    };
    if matches!(method, Method::Legacy) && map.values().any(|v| v.is_object() || v.is_array()) {
        return Err(ChecksumError::LegacyOverNestedData);
    }
    let payload = Value::Object(map);
    let matches = |message: String| {
        constant_time_eq(
            hmac_sha256_hex(key, message.as_bytes()).as_bytes(),
            given.as_bytes(),
        )
    };
    let ok = match method {
        Method::Legacy => matches(legacy_string(&payload)),
        Method::Canonical => {
            let raw = canonical_json(&payload);
            let escaped_differs = !raw.is_ascii();
            // Both digests are always computed when they differ, so timing shows nothing about which matched.
            let raw_ok = matches(raw);
            let ascii_ok = escaped_differs && matches(canonical_json_ascii(&payload));
            raw_ok | ascii_ok
        }
    };
    if ok {
        Ok(payload)
    } else {
        Err(ChecksumError::Mismatch)
    }
}
