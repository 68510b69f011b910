//! ClickPesa checksum: all vectors of shared/tests/data/checksum-vectors.json, then a table of
//! bodies that must be rejected, each with its precise error.
use serde_json::{json, Value};
use shared::checksum::{
    attach, canonical_json, canonical_json_ascii, sign, sign_legacy, verify, ChecksumError,
};

use shared::testing::{checksum_vector as vector, checksum_vectors as vectors};

fn s<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{} has no {field}", v["name"]))
}

#[test]
fn all_seven_vectors_are_covered() {
    let names: Vec<String> = vectors()
        .iter()
        .map(|v| s(v, "name")[..2].to_owned())
        .collect();
    assert_eq!(names, ["V1", "V2", "V3", "V4", "V5", "V6", "V7"]);
}

#[test]
fn canonical_vectors_v1_to_v4_sign_and_verify() {
    for prefix in ["V1", "V2", "V3", "V4"] {
        let v = vector(prefix);
        let key = s(&v, "key").as_bytes();
        assert_eq!(
            canonical_json(&v["payload"]),
            s(&v, "canonical"),
            "{prefix}"
        );
        assert_eq!(sign(key, &v["payload"]), s(&v, "checksum"), "{prefix}");

        let mut body = v["payload"].clone();
        attach(key, &mut body);
        body["checksumMethod"] = json!("canonical");
        let verified = verify(key, body.to_string().as_bytes(), None).unwrap();
        assert_eq!(
            verified, v["payload"],
            "{prefix}: verify returns the payload without checksum fields"
        );
    }
}

#[test]
fn v5_non_ascii_both_encodings_verify() {
    let v = vector("V5");
    let key = s(&v, "key").as_bytes();
    assert_eq!(canonical_json(&v["payload"]), s(&v, "canonical_raw_utf8"));
    assert_eq!(
        canonical_json_ascii(&v["payload"]),
        s(&v, "canonical_python_default")
    );
    assert_eq!(sign(key, &v["payload"]), s(&v, "checksum_raw_utf8"));
    for field in ["checksum_raw_utf8", "checksum_python_default"] {
        let mut body = v["payload"].clone();
        body["checksum"] = json!(s(&v, field));
        assert!(
            verify(key, body.to_string().as_bytes(), None).is_ok(),
            "{field}"
        );
    }
}

#[test]
fn v6_integer_and_float_stay_distinct() {
    let v = vector("V6");
    let key = s(&v, "key").as_bytes();
    for (canonical, checksum) in [
        ("int_canonical", "int_checksum"),
        ("float_canonical_python", "float_checksum_python"),
    ] {
        let payload: Value = serde_json::from_str(s(&v, canonical)).unwrap();
        // Numbers re-serialise as they arrived: 25000 stays 25000, 25000.0 stays 25000.0.
        assert_eq!(canonical_json(&payload), s(&v, canonical));
        assert_eq!(sign(key, &payload), s(&v, checksum));
        let mut body = payload.as_object().unwrap().clone();
        body.insert("checksum".into(), json!(s(&v, checksum)));
        assert!(
            verify(key, Value::Object(body).to_string().as_bytes(), None).is_ok(),
            "{canonical}"
        );
    }
    // The float body does not verify with the integer digest (and vice versa).
    let float_body = format!(
        r#"{{"billAmount":25000.0,"billReference":"WS1001","checksum":"{}"}}"#,
        s(&v, "int_checksum")
    );
    assert_eq!(
        verify(key, float_body.as_bytes(), None),
        Err(ChecksumError::Mismatch)
    );
}

#[test]
fn v7_legacy_concatenation() {
    let v = vector("V7");
    let key = s(&v, "key").as_bytes();
    assert_eq!(sign_legacy(key, &v["payload"]), s(&v, "checksum"));
    let mut body = v["payload"].clone();
    body["checksum"] = json!(s(&v, "checksum"));
    body["checksumMethod"] = json!("legacy");
    assert_eq!(
        verify(key, body.to_string().as_bytes(), None).unwrap(),
        v["payload"]
    );
    // The same digest is not a canonical one.
    body.as_object_mut().unwrap().remove("checksumMethod");
    assert_eq!(
        verify(key, body.to_string().as_bytes(), None),
        Err(ChecksumError::Mismatch)
    );
}

#[test]
fn canonical_form_does_not_depend_on_key_order_or_whitespace() {
    let a: Value = serde_json::from_str(r#"{"b":[{"y":1,"x":2}],"a":"\"q\"\n"}"#).unwrap();
    assert_eq!(canonical_json(&a), r#"{"a":"\"q\"\n","b":[{"x":2,"y":1}]}"#);
    let emoji = json!({"d": "😀"});
    assert_eq!(canonical_json_ascii(&emoji), r#"{"d":"\ud83d\ude00"}"#);
}

#[test]
fn checksum_from_header_when_body_has_none() {
    let v = vector("V3");
    let body = v["payload"].to_string();
    let key = s(&v, "key").as_bytes();
    assert!(verify(key, body.as_bytes(), Some(s(&v, "checksum"))).is_ok());
    // The body field wins over the header.
    let mut with_field = v["payload"].clone();
    with_field["checksum"] = json!("0".repeat(64));
    assert_eq!(
        verify(
            key,
            with_field.to_string().as_bytes(),
            Some(s(&v, "checksum"))
        ),
        Err(ChecksumError::Mismatch)
    );
}

/// Svix-style table: each forged or broken body and the error it must produce.
#[test]
fn rejections() {
    let v = vector("V3");
    let key = s(&v, "key").as_bytes();
    let good = s(&v, "checksum").to_owned();
    let signed = |f: &dyn Fn(&mut Value)| {
        let mut body = v["payload"].clone();
        body["checksum"] = json!(good);
        f(&mut body);
        body.to_string()
    };
    let data_only = sign(key, &v["payload"]["data"]);
    let cases: Vec<(&str, String, &[u8], ChecksumError)> = vec![
        (
            "tampered amount",
            signed(&|b| b["data"]["collectedAmount"] = json!("250000")),
            key,
            ChecksumError::Mismatch,
        ),
        (
            "tampered event",
            signed(&|b| b["event"] = json!("PAYMENT FAILED")),
            key,
            ChecksumError::Mismatch,
        ),
        (
            "extra top-level field",
            signed(&|b| b["replayed"] = json!(true)),
            key,
            ChecksumError::Mismatch,
        ),
        (
            "extra nested field",
            signed(&|b| b["data"]["x"] = json!(1)),
            key,
            ChecksumError::Mismatch,
        ),
        (
            "amount as number instead of string",
            signed(&|b| b["data"]["collectedAmount"] = json!(25000)),
            key,
            ChecksumError::Mismatch,
        ),
        (
            "wrong key",
            signed(&|_| {}),
            b"cpk_test_other",
            ChecksumError::Mismatch,
        ),
        ("empty key", signed(&|_| {}), b"", ChecksumError::Mismatch),
        (
            "checksum over data only",
            signed(&|b| b["checksum"] = json!(data_only)),
            key,
            ChecksumError::Mismatch,
        ),
        (
            "missing checksum",
            v["payload"].to_string(),
            key,
            ChecksumError::Missing,
        ),
        (
            "uppercase hex",
            signed(&|b| b["checksum"] = json!(good.to_uppercase())),
            key,
            ChecksumError::BadFormat,
        ),
        (
            "short hex",
            signed(&|b| b["checksum"] = json!(&good[..63])),
            key,
            ChecksumError::BadFormat,
        ),
        (
            "long hex",
            signed(&|b| b["checksum"] = json!(format!("{good}0"))),
            key,
            ChecksumError::BadFormat,
        ),
        (
            "base64 digest",
            signed(&|b| b["checksum"] = json!("DkNQGPS3frJmUZ0arEw/qYqjpuNJLh6sqSkWsA6FZ7c=")),
            key,
            ChecksumError::BadFormat,
        ),
        (
            "checksum not a string",
            signed(&|b| b["checksum"] = json!(1)),
            key,
            ChecksumError::BadFormat,
        ),
        (
            "empty checksum",
            signed(&|b| b["checksum"] = json!("")),
            key,
            ChecksumError::BadFormat,
        ),
        (
            "unknown method",
            signed(&|b| b["checksumMethod"] = json!("sha1")),
            key,
            ChecksumError::UnknownMethod("sha1".into()),
        ),
        (
            "method not a string",
            signed(&|b| b["checksumMethod"] = json!(2)),
            key,
            ChecksumError::UnknownMethod("2".into()),
        ),
        (
            "not JSON",
            "event=PAYMENT RECEIVED".into(),
            key,
            ChecksumError::Malformed,
        ),
        (
            "JSON array",
            format!(r#"[{{"checksum":"{good}"}}]"#),
            key,
            ChecksumError::Malformed,
        ),
        ("empty body", String::new(), key, ChecksumError::Malformed),
    ];
    for (name, body, key, expected) in cases {
        assert_eq!(verify(key, body.as_bytes(), None), Err(expected), "{name}");
    }
}
