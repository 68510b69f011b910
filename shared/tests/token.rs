//! Order tokens: the published vectors (docs/order-tokens.md), rotation, expiry and one test per
//! rejection.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use shared::clickpesa::PaymentMode;
use shared::token::{
    check_lifetime, mint, verify, verify_signature_only, OrderClaims, TokenError, CLOCK_SKEW_SECS,
};
use shared::validate::{Amount, BillReference, Description, InvalidInput};

const SECRET: &[u8] = b"test-order-signing-secret";
const EXP: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

/// Vector 1 of docs/order-tokens.md.
const TOKEN_1: &str = "v1.eyJyZWYiOiJXUzEwMDEiLCJhbW91bnQiOjI1MDAwLCJkZXNjcmlwdGlvbiI6Ik9yZGVyIFdTMTAwMSIsIm1vZGUiOiJFWEFDVCIsImV4cCI6MTc2NzIyNTYwMH0.5-J_QyQ5b-tAGQSWV2SV615CTZdypn2t3vaAbGJKHzA";
/// Vector 2: non-ASCII description (raw UTF-8 in the JSON) and the partial-payment mode.
const TOKEN_2: &str = "v1.eyJyZWYiOiJXUzEwMDIiLCJhbW91bnQiOjkwOTAwLCJkZXNjcmlwdGlvbiI6IlNhYnVuaSDigJMgNTAwZyBjYWbDqSIsIm1vZGUiOiJBTExPV19QQVJUSUFMX0FORF9PVkVSX1BBWU1FTlQiLCJleHAiOjE3NjcyMjU2MDB9.6my4A1jviZcQeK-tkRwecrJP2tcibTgD_iHt3pUa2nc";

fn claims(reference: &str, amount: u64, description: &str, mode: PaymentMode) -> OrderClaims {
    OrderClaims {
        reference: BillReference::parse(reference).unwrap(),
        amount: Amount::parse(amount).unwrap(),
        description: Description::parse(description).unwrap(),
        mode,
        exp: EXP,
    }
}

fn vector_1() -> OrderClaims {
    claims("WS1001", 25_000, "Order WS1001", PaymentMode::Exact)
}

/// A token signed with SECRET over arbitrary payload JSON, as a careless shop might mint it.
fn forge(payload_json: &str) -> String {
    let payload = URL_SAFE_NO_PAD.encode(payload_json);
    let mac = {
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET).unwrap();
        mac.update(format!("v1.{payload}").as_bytes());
        mac.finalize().into_bytes()
    };
    format!("v1.{payload}.{}", URL_SAFE_NO_PAD.encode(mac))
}

#[test]
fn published_vectors() {
    assert_eq!(mint(SECRET, &vector_1()), TOKEN_1);
    let second = claims(
        "WS1002",
        90_900,
        "Sabuni – 500g café",
        PaymentMode::AllowPartialAndOverPayment,
    );
    assert_eq!(mint(SECRET, &second), TOKEN_2);
    assert_eq!(verify(&[SECRET], TOKEN_1, EXP), Ok(vector_1()));
    assert_eq!(verify(&[SECRET], TOKEN_2, EXP), Ok(second));
}

#[test]
fn rotation_accepts_any_configured_secret() {
    let token = mint(b"old-secret", &vector_1());
    assert_eq!(
        verify(&[b"new-secret", b"old-secret"], &token, EXP),
        Ok(vector_1())
    );
    assert_eq!(
        verify(&[b"new-secret"], &token, EXP),
        Err(TokenError::BadSignature)
    );
    assert_eq!(verify(&[], &token, EXP), Err(TokenError::BadSignature));
}

#[test]
fn expiry_allows_clock_skew() {
    assert!(verify(&[SECRET], TOKEN_1, EXP + CLOCK_SKEW_SECS).is_ok());
    assert_eq!(
        verify(&[SECRET], TOKEN_1, EXP + CLOCK_SKEW_SECS + 1),
        Err(TokenError::Expired { exp: EXP })
    );
    assert_eq!(
        verify_signature_only(&[SECRET], TOKEN_1),
        Ok(vector_1()),
        "status reads ignore expiry"
    );
    assert_eq!(TokenError::Expired { exp: EXP }.code(), "token_expired");
}

/// Issue 13 item 6: a token valid for longer than the deployment allows is refused.
#[test]
fn lifetime_is_bounded() {
    let claims = vector_1();
    let max = 7 * 24 * 3600;
    assert_eq!(check_lifetime(&claims, EXP - max, max), Ok(()));
    assert_eq!(
        check_lifetime(&claims, EXP - max - 1, max),
        Err(TokenError::LifetimeTooLong { max_secs: max })
    );
    assert_eq!(
        TokenError::LifetimeTooLong { max_secs: max }.code(),
        "token_lifetime_too_long"
    );
}

#[test]
fn optional_fields_default() {
    let token = forge(r#"{"ref":"WS7","amount":100,"exp":1767225600}"#);
    let c = verify(&[SECRET], &token, EXP).unwrap();
    assert_eq!((c.mode, c.description.as_str()), (PaymentMode::Exact, ""));
    // Whole floats are whole amounts (PHP may encode 100.0).
    assert_eq!(
        verify(
            &[SECRET],
            &forge(r#"{"ref":"WS7","amount":100.0,"exp":1767225600}"#),
            EXP
        )
        .unwrap()
        .amount
        .get(),
        100
    );
}

#[test]
fn rejections() {
    let (head, rest) = TOKEN_1.split_once('.').unwrap();
    let (payload, sig) = rest.split_once('.').unwrap();
    let flipped_sig = format!(
        "{head}.{payload}.{}{}",
        if sig.starts_with('A') { 'B' } else { 'A' },
        &sig[1..]
    );
    let other_payload = mint(
        SECRET,
        &claims("WS1001", 1, "Order WS1001", PaymentMode::Exact),
    );
    let swapped = format!("v1.{}.{sig}", other_payload.split('.').nth(1).unwrap());
    let cases: Vec<(&str, String, TokenError)> = vec![
        ("empty", String::new(), TokenError::Malformed),
        (
            "two parts",
            format!("{head}.{payload}"),
            TokenError::Malformed,
        ),
        ("four parts", format!("{TOKEN_1}.x"), TokenError::Malformed),
        (
            "padded signature",
            format!("{TOKEN_1}="),
            TokenError::Malformed,
        ),
        (
            "signature not base64url",
            format!("{head}.{payload}.***"),
            TokenError::Malformed,
        ),
        (
            "too long",
            format!("v1.{}.{sig}", "A".repeat(5000)),
            TokenError::Malformed,
        ),
        (
            "version v2",
            format!("v2.{payload}.{sig}"),
            TokenError::UnsupportedVersion,
        ),
        (
            "version V1",
            format!("V1.{payload}.{sig}"),
            TokenError::UnsupportedVersion,
        ),
        ("flipped signature", flipped_sig, TokenError::BadSignature),
        (
            "payload swapped for a cheaper one",
            swapped,
            TokenError::BadSignature,
        ),
        (
            "truncated signature",
            TOKEN_1[..TOKEN_1.len() - 3].to_owned(),
            TokenError::BadSignature,
        ),
        ("signed garbage", forge("not json"), TokenError::Malformed),
        (
            "signed, missing exp",
            forge(r#"{"ref":"WS1","amount":100}"#),
            TokenError::Malformed,
        ),
        (
            "signed, amount as string",
            forge(r#"{"ref":"WS1","amount":"100","exp":1767225600}"#),
            TokenError::Malformed,
        ),
        (
            "signed, bad reference",
            forge(r#"{"ref":"WS-1","amount":100,"exp":1767225600}"#),
            TokenError::InvalidField(InvalidInput::ReferenceNotAlphanumeric),
        ),
        (
            "signed, zero amount",
            forge(r#"{"ref":"WS1","amount":0,"exp":1767225600}"#),
            TokenError::InvalidField(InvalidInput::AmountNotPositive),
        ),
        (
            "signed, fractional amount",
            forge(r#"{"ref":"WS1","amount":10.5,"exp":1767225600}"#),
            TokenError::InvalidField(InvalidInput::AmountFractional),
        ),
        (
            "signed, markup in description",
            forge(r#"{"ref":"WS1","amount":10,"description":"<b>","exp":1767225600}"#),
            TokenError::InvalidField(InvalidInput::DescriptionUnsafe),
        ),
        (
            "signed, unknown mode",
            forge(r#"{"ref":"WS1","amount":10,"mode":"ANY","exp":1767225600}"#),
            TokenError::Malformed,
        ),
    ];
    for (name, token, expected) in cases {
        assert_eq!(
            verify_signature_only(&[SECRET], &token),
            Err(expected),
            "{name}"
        );
    }
}

#[test]
fn codes_are_distinct() {
    let codes = [
        TokenError::Malformed.code(),
        TokenError::UnsupportedVersion.code(),
        TokenError::BadSignature.code(),
        TokenError::Expired { exp: 0 }.code(),
        TokenError::InvalidField(InvalidInput::AmountTooLarge).code(),
    ];
    let unique: std::collections::BTreeSet<_> = codes.iter().collect();
    assert_eq!(unique.len(), codes.len());
    assert_eq!(codes[4], "invalid_amount");
}
