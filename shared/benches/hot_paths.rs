//! CPU per request on the edge's hot paths, to hold against Workers' 10 ms CPU limit (free plan).
//! `cargo bench -p shared --bench hot_paths`; figures in docs/fuzzing.md. Native x86-64 numbers:
//! the worker runs the same code as wasm, typically 1.5-3x slower, which the margin must absorb.
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use serde_json::Value;
use shared::api::{CheckoutView, ShopNotification};
use shared::checksum;
use shared::clickpesa::{CreateOrderControlNumber, PaymentMode, PaymentRecord, Webhook};
use shared::ledger::Bill;
use shared::notify;
use shared::token::{self, OrderClaims};
use shared::validate::{Amount, BillReference, Description};

const ORDER_SECRET: &[u8] = b"order-signing-secret";
const NOTIFY_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW: u64 = 1_779_360_000;

/// The V3 vector (a BillPay `PAYMENT RECEIVED` webhook) and its key.
fn v3() -> (Vec<u8>, Value) {
    let v3 = shared::testing::checksum_vector("V3");
    (
        v3["key"].as_str().unwrap().as_bytes().to_vec(),
        v3["payload"].clone(),
    )
}

fn claims() -> OrderClaims {
    OrderClaims {
        reference: BillReference::parse("WS1001").unwrap(),
        amount: Amount::parse(25_000).unwrap(),
        description: Description::parse("Order WS1001: 2 x Sabuni 500g, 1 x Chai").unwrap(),
        mode: PaymentMode::Exact,
        exp: NOW + 900,
    }
}

fn pending_bill() -> Bill {
    Bill::new(&claims(), "WS1001".to_owned(), NOW, NOW + 900)
}

fn benches(c: &mut Criterion) {
    let (key, payload) = v3();
    let mut signed = payload.clone();
    checksum::attach(&key, &mut signed);
    let webhook_body = serde_json::to_vec(&signed).unwrap();
    let record: PaymentRecord = serde_json::from_value::<Webhook>(payload)
        .unwrap()
        .payment()
        .unwrap();

    c.bench_function("checksum::verify V3 PAYMENT RECEIVED webhook", |b| {
        b.iter(|| checksum::verify(&key, black_box(&webhook_body), None).unwrap())
    });
    // The webhook handler's whole pure part: verify, parse, apply to the pending bill.
    c.bench_function("webhook end to end (verify + parse + apply)", |b| {
        b.iter_batched(
            pending_bill,
            |mut bill| {
                let payload = checksum::verify(&key, black_box(&webhook_body), None).unwrap();
                let record = serde_json::from_value::<Webhook>(payload)
                    .unwrap()
                    .payment()
                    .unwrap();
                bill.apply(&record, NOW + 60).unwrap()
            },
            BatchSize::SmallInput,
        )
    });

    let create = CreateOrderControlNumber {
        bill_reference: Some("WS1001".into()),
        bill_amount: Some(25_000),
        bill_description: Some("Order WS1001".into()),
        bill_payment_mode: Some(PaymentMode::Exact),
        bill_max_collection_amount: None,
    };
    c.bench_function(
        "checksum::attach create-order request (to_value + sign + to_vec)",
        |b| {
            b.iter(|| {
                let mut body = serde_json::to_value(black_box(&create)).unwrap();
                checksum::attach(&key, &mut body);
                serde_json::to_vec(&body).unwrap()
            })
        },
    );

    let claims = claims();
    let token = token::mint(ORDER_SECRET, &claims);
    c.bench_function("token::mint", |b| {
        b.iter(|| token::mint(ORDER_SECRET, black_box(&claims)))
    });
    // Two secrets: the edge verifies against current and previous during a rotation.
    c.bench_function("token::verify (2 secrets)", |b| {
        b.iter(|| {
            token::verify(&[ORDER_SECRET, b"previous-secret"], black_box(&token), NOW).unwrap()
        })
    });

    c.bench_function("Bill::apply new payment", |b| {
        b.iter_batched(
            pending_bill,
            |mut bill| bill.apply(black_box(&record), NOW + 60).unwrap(),
            BatchSize::SmallInput,
        )
    });
    let mut paid = pending_bill();
    let events = paid.apply(&record, NOW + 60).unwrap();
    c.bench_function("Bill::apply duplicate", |b| {
        b.iter(|| paid.apply(black_box(&record), NOW + 61).unwrap())
    });

    let notification =
        serde_json::to_string(&ShopNotification::from(events.last().unwrap().clone())).unwrap();
    let secrets = [notify::WebhookSecret::parse(NOTIFY_SECRET).unwrap()];
    c.bench_function("notify::sign_all bill.paid notification", |b| {
        b.iter(|| {
            notify::sign_all(
                &secrets,
                "WS1001.bill.paid",
                NOW + 61,
                black_box(&notification),
            )
        })
    });

    c.bench_function("CheckoutView::from_bill + serde_json::to_string", |b| {
        b.iter(|| {
            serde_json::to_string(&CheckoutView::from_bill(
                black_box(&paid),
                Some("123456"),
                NOW + 62,
            ))
            .unwrap()
        })
    });
}

criterion_group! {
    name = hot_paths;
    // Short runs: the figures bound CPU per request, they do not track 1% regressions.
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = benches
}
criterion_main!(hot_paths);
