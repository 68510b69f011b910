//! Inputs found by fuzzing (docs/fuzzing.md), kept verbatim. A test marked `#[ignore]` pins a
//! finding that is still open: it states the wanted behaviour and fails until the fix lands.
use serde_json::json;
use shared::checksum::{self, ChecksumError};
use shared::clickpesa::{FlexAmount, PaymentMode, PaymentRecord, PaymentStatus};
use shared::ledger::Bill;
use shared::token::OrderClaims;
use shared::validate::{Amount, BillReference, Description};

/// The V3 vector's key (shared/tests/data/checksum-vectors.json).
const V3_KEY: &[u8] = b"cpk_test_2f9c1e";

/// Found by `webhook_mutations_of_signed_bodies_are_no_forgery` from a legacy-signed V3 webhook
/// (one inserted `{` in `data.channel` still verified). The legacy method concatenates top-level
/// values, and a nested object contributes "[object Object]", so for every webhook the signed
/// string is "[object Object]PAYMENT RECEIVED": one genuine legacy-signed webhook lets anyone post
/// any `data` (another order, any amount) with its checksum, and `checksumMethod` is the sender's
/// choice, so a key that ever signed one legacy webhook stays forgeable.
#[test]
fn legacy_checksum_does_not_cover_data() {
    let genuine = json!({"event": "PAYMENT RECEIVED", "data": {"id": "WS1001LCP7F3A", "orderReference": "WS1001",
        "collectedAmount": "25000", "collectedCurrency": "TZS", "status": "SUCCESS"}});
    let legacy = "9038a34344c00898e906ffa0403a7ac8a82ed3fa46804a3055ddc59f6431ed56";
    assert_eq!(
        checksum::sign_legacy(V3_KEY, &genuine),
        legacy,
        "the checksum of a genuine legacy webhook"
    );

    let forged = br#"{"event":"PAYMENT RECEIVED","data":{"id":"FORGED1","orderReference":"WS2002","collectedAmount":"9000000","collectedCurrency":"TZS","status":"SUCCESS"},"checksumMethod":"legacy","checksum":"9038a34344c00898e906ffa0403a7ac8a82ed3fa46804a3055ddc59f6431ed56"}"#;
    assert_eq!(
        checksum::verify(V3_KEY, forged, None).map(|_| ()),
        Err(ChecksumError::LegacyOverNestedData)
    );
}

fn record(
    id: &str,
    status: PaymentStatus,
    collected_amount: FlexAmount,
    currency: Option<&str>,
) -> PaymentRecord {
    PaymentRecord {
        id: id.to_owned(),
        status,
        payment_reference: None,
        payment_phone_number: None,
        order_reference: "WS1001".to_owned(),
        collected_amount: Some(collected_amount),
        collected_currency: currency.map(str::to_owned),
        message: None,
        channel: None,
        created_at: None,
        updated_at: None,
        customer: None,
        client_id: None,
    }
}

/// Found by the `ledger` fuzz target (all 18 crash inputs of a 120 s run; this is the minimized one):
/// two payments whose amounts add past u64::MAX. `paid_total`'s `sum()` (ledger.rs, `apply`)
/// panics in debug and wraps in release (the worker's profile), where the bill would then report
/// far less than it received. Only a checksummed webhook or ClickPesa's own API can carry such an
/// amount, so this is robustness, not a forgery.
#[test]
fn huge_amounts_do_not_overflow_paid_total() {
    let claims = OrderClaims {
        reference: BillReference::parse("WS1001").unwrap(),
        amount: Amount::parse(25_000).unwrap(),
        description: Description::default(),
        mode: PaymentMode::Exact,
        exp: 0,
    };
    let mut bill = Bill::new(&claims, "WS1001".to_owned(), 1_000, 1_900);
    let huge = record(
        "P0",
        PaymentStatus::Success,
        FlexAmount::from(18_446_744_073_701_162_990),
        None,
    );
    let _ = bill.apply(&huge, 23_336);
    let reversed = record(
        "P3",
        PaymentStatus::Reversed,
        FlexAmount::Text("16777043".into()),
        Some("TZS"),
    );
    let _ = bill.apply(&reversed, 32_807);
    assert!(
        bill.payments.values().all(|p| bill.paid_total >= p.amount),
        "paid_total {} wrapped",
        bill.paid_total
    );
}
