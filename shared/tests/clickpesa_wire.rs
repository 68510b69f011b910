//! ClickPesa wire types against the samples in docs/clickpesa.md: parse, check, and
//! re-serialise to the same JSON.
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{json, Value};
use shared::clickpesa::*;

/// Parses `sample`, and checks it serialises back to the same JSON value.
fn round_trip<T: DeserializeOwned + Serialize>(sample: Value) -> T {
    let parsed: T = serde_json::from_value(sample.clone()).unwrap();
    assert_eq!(serde_json::to_value(&parsed).unwrap(), sample);
    parsed
}

#[test]
fn token_and_errors() {
    let t: TokenResponse = round_trip(json!({"success": true, "token": "Bearer eyJhbGciOi"}));
    assert!(t.token.starts_with("Bearer "));
    let e: ErrorMessage =
        round_trip(json!({"message": "Bill reference already used: Use a different reference"}));
    assert!(e.message.starts_with("Bill reference"));
}

#[test]
fn create_order_control_number() {
    let body: CreateOrderControlNumber = round_trip(json!({
        "billDescription": "Water Bill - July 2024", "billPaymentMode": "EXACT",
        "billAmount": 90900, "billReference": "CUSTOMJH121"
    }));
    assert_eq!(body.bill_payment_mode, Some(PaymentMode::Exact));
    assert_eq!(
        serde_json::to_value(CreateOrderControlNumber::default()).unwrap(),
        json!({}),
        "absent fields are omitted"
    );
    let customer: CreateCustomerControlNumber = round_trip(json!({
        "billReference": "WS1", "billAmount": 1000, "billPaymentMode": "ALLOW_PARTIAL_AND_OVER_PAYMENT",
        "customerName": "Asha Juma", "customerPhone": "255712345678"
    }));
    assert_eq!(
        customer.bill.bill_payment_mode,
        Some(PaymentMode::AllowPartialAndOverPayment)
    );
}

#[test]
fn create_responses_new_and_old() {
    let new: CreateControlNumberResponse = round_trip(json!({"billPayNumber": "55042914871931"}));
    assert_eq!(new.bill_amount, None);
    let old: CreateControlNumberResponse = round_trip(json!({
        "billPayNumber": "CUSTOMJH121", "billDescription": "Water Bill - July 2024",
        "billCustomerName": "John", "billAmount": 90900, "billPaymentMode": "EXACT"
    }));
    assert_eq!(old.bill_amount.and_then(|a| a.whole_tzs()), Some(90_900));
}

#[test]
fn bulk() {
    let body: BulkCreateOrder = round_trip(json!({"controlNumbers": [
        {"billReference": "WS1002", "billAmount": 1000, "billPaymentMode": "EXACT"},
        {"billDescription": "Order 3", "billAmount": 2500}
    ]}));
    assert_eq!(body.control_numbers.len(), 2);
    let resp: BulkCreateResponse = round_trip(json!({
        "billPayNumbers": ["WS1002", "WS1003"], "created": 2, "failed": 1,
        "errors": [{"index": 1, "reason": "billReference already used"}]
    }));
    assert_eq!(resp.errors[0].index, 1);
    let ok: BulkCreateResponse =
        round_trip(json!({"billPayNumbers": ["A"], "created": 1, "failed": 0}));
    assert!(ok.errors.is_empty());
}

#[test]
fn details_and_update() {
    let d: BillPayDetails = round_trip(json!({
        "billPayNumber": "WS1001", "billStatus": "INACTIVE", "billAmount": 25000.5,
        "billDescription": "Order", "billPaymentMode": "EXACT", "billMaxCollectionAmount": 30000
    }));
    assert_eq!(d.bill_status, Some(BillStatus::Inactive));
    assert_eq!(
        d.bill_amount.unwrap().whole_tzs(),
        None,
        "fractional amounts are not whole TZS"
    );
    let patch = UpdateBillPay {
        bill_status: Some(BillStatus::Inactive),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&patch).unwrap(),
        json!({"billStatus": "INACTIVE"})
    );
}

#[test]
fn payment_received_webhook_sample() {
    let sample = json!({
        "event": "PAYMENT RECEIVED",
        "data": {
            "id": "ORD123456LCP7890", "status": "SUCCESS", "paymentReference": "abc123def456ghi789",
            "orderReference": "ORD123456", "collectedAmount": "10000", "collectedCurrency": "TZS",
            "message": "success", "channel": "CRDB DIRECT DEBIT MANDATE",
            "updatedAt": "2024-04-10T18:22:56.153Z", "createdAt": "2024-04-10T18:22:16.949Z",
            "customer": {"customerName": "John Doe", "customerEmail": "john@example.com", "customerPhoneNumber": "255700000000"}
        }
    });
    let hook: Webhook = round_trip(sample.clone());
    assert_eq!(hook.event, WebhookEvent::PaymentReceived);
    let p = hook.payment().unwrap();
    assert_eq!(
        (
            p.status.clone(),
            p.collected_amount.as_ref().unwrap().whole_tzs()
        ),
        (PaymentStatus::Success, Some(10_000))
    );
    assert!(p.status.is_paid());
    assert_eq!(
        p.customer.unwrap().customer_name.as_deref(),
        Some("John Doe")
    );
    assert_eq!(
        serde_json::to_value(hook.payment().unwrap()).unwrap(),
        sample["data"],
        "the record round-trips too"
    );
}

#[test]
fn payment_failed_webhook_sample() {
    let hook: Webhook = round_trip(
        json!({"event":"PAYMENT FAILED","data":{"id":"ORD123456LCP7890","status":"FAILED","channel":"CRDB DIRECT DEBIT MANDATE","orderReference":"ORD123456","message":"Insufficient balance","updatedAt":"2024-04-11T04:58:31.036Z","createdAt":"2024-04-11T04:58:31.036Z","clientId":"ID1234XHYAJK"}}),
    );
    let p = hook.payment().unwrap();
    assert_eq!(p.status, PaymentStatus::Failed);
    assert_eq!(p.collected_amount, None);
    assert_eq!(p.client_id.as_deref(), Some("ID1234XHYAJK"));
}

#[test]
fn old_payloads_are_understood() {
    // Early samples: `eventType`, `paymentId`, `amount`, `currency`, customer{name,email,phone}, no status.
    let hook: Webhook = serde_json::from_value(json!({
        "eventType": "PAYMENT RECEIVED",
        "data": {"paymentId": "P9", "orderReference": "WS1", "amount": 5000, "currency": "TZS",
                 "customer": {"name": "Asha", "email": "", "phone": "255712345678"}}
    }))
    .unwrap();
    let p = hook.payment().unwrap();
    assert_eq!(
        (
            p.id.as_str(),
            p.status,
            p.collected_amount.unwrap().whole_tzs()
        ),
        ("P9", PaymentStatus::Success, Some(5000))
    );
    assert_eq!(
        p.customer.unwrap().customer_phone_number.as_deref(),
        Some("255712345678")
    );
    // Re-serialised in today's names.
    assert_eq!(
        serde_json::to_value(&hook).unwrap()["event"],
        "PAYMENT RECEIVED"
    );
}

#[test]
fn deposit_and_unknown_events() {
    let deposit: Webhook = round_trip(
        json!({"event": "DEPOSIT RECEIVED", "data": {"id": "D1", "depositAmount": "500"}}),
    );
    assert_eq!(deposit.event, WebhookEvent::DepositReceived);
    assert!(
        matches!(deposit.payment(), Err(WireError::NotAPaymentEvent(e)) if e == "DEPOSIT RECEIVED")
    );
    let new: Webhook = round_trip(json!({"event": "REFUND ISSUED", "data": {}}));
    assert_eq!(new.event, WebhookEvent::Other("REFUND ISSUED".into()));
    for name in ["PAYOUT INITIATED", "PAYOUT REFUNDED", "PAYOUT REVERSED"] {
        let e = WebhookEvent::from(name.to_owned());
        assert!(!matches!(e, WebhookEvent::Other(_)));
        assert_eq!(e.as_str(), name);
    }
}

#[test]
fn malformed_payment_data() {
    let hook: Webhook =
        serde_json::from_value(json!({"event": "PAYMENT RECEIVED", "data": {"status": "SUCCESS"}}))
            .unwrap();
    assert!(matches!(
        hook.payment(),
        Err(WireError::MalformedPayment(_))
    ));
    assert!(
        serde_json::from_value::<Webhook>(json!({"data": {}})).is_err(),
        "an event name is required"
    );
}

#[test]
fn payments_query_responses() {
    let items: Vec<PaymentRecord> = round_trip(json!([
        {"id": "P1", "status": "SETTLED", "paymentReference": "R1", "paymentPhoneNumber": "255712345678",
         "orderReference": "WS1", "collectedAmount": 10000, "collectedCurrency": "TZS", "message": "ok",
         "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:09Z",
         "customer": {"customerName": "A", "customerPhoneNumber": "255712345678", "customerEmail": ""}, "clientId": "C1"},
        {"id": "P2", "status": "ON-HOLD", "orderReference": "WS1"},
        {"id": "P3", "status": "SOMETHING NEW", "orderReference": "WS1"}
    ]));
    assert_eq!(
        items[0].collected_amount.as_ref().unwrap().whole_tzs(),
        Some(10_000)
    );
    assert_eq!(items[1].status, PaymentStatus::OnHold);
    assert_eq!(
        items[2].status,
        PaymentStatus::Other("SOMETHING NEW".into())
    );
    let page: PaymentsPage = round_trip(json!({"data": [], "totalCount": 0}));
    assert_eq!(page.total_count, 0);
}

#[test]
fn flexible_amounts() {
    let cases = [
        (json!("10000"), Some(10_000)),
        (json!(10000), Some(10_000)),
        (json!(10000.0), Some(10_000)),
        (json!("10000.00"), Some(10_000)),
        (json!(" 0 "), Some(0)),
        (json!("10000.50"), None),
        (json!("-5"), None),
        (json!(-5), None),
        (json!("1e4"), None),
        (json!(""), None),
        (json!("."), None),
        (json!("99999999999999999999"), None),
    ];
    for (value, expected) in cases {
        let amount: FlexAmount = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(amount.whole_tzs(), expected, "{value}");
        assert_eq!(
            serde_json::to_value(&amount).unwrap(),
            value,
            "kept as it arrived"
        );
    }
}
