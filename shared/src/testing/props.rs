//! The fuzzing properties, defined once and driven by two engines: proptest on stable in the normal
//! `cargo test -p shared` (`tests/fuzz_props.rs`) and libFuzzer on nightly (`fuzz/`, which enables
//! the `testing` and `arbitrary` features). The input types derive `arbitrary::Arbitrary` only with
//! the `arbitrary` feature, so ordinary builds carry no fuzzing dependency.
//!
//! 1. Webhooks: `checksum::verify` never panics, and accepts only payloads that were signed with the
//!    key (any mutation of a signed body that changes its canonical JSON is rejected); an accepted
//!    body parses as a `Webhook` and `.payment()` returns without panicking.
//! 2. Order tokens: `token::verify` / `verify_signature_only` never panic and accept only claims that
//!    were minted with one of the secrets; `verify` also honours `exp` plus the skew.
//! 3. Ledger: any sequence of deliveries, expiries and cancellations keeps the bill consistent.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use crate::api::CheckoutView;
use crate::checksum::{self, canonical_json, canonical_json_ascii};
use crate::clickpesa::{FlexAmount, PaymentMode, PaymentRecord, PaymentStatus, Webhook};
use crate::ledger::{Bill, BillState, ClosureKind, CURRENCY};
use crate::token::{self, OrderClaims, TokenError, CLOCK_SKEW_SECS};
use crate::validate::{Amount, BillReference, Description};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// The webhook checksum key the harness signs with; the fuzzer never learns it.
pub const CHECKSUM_KEY: &[u8] = b"cpk_fuzz_5e1f0c";
/// Current and previous order-signing secrets (rotation).
pub const TOKEN_SECRETS: [&[u8]; 2] = [b"order-secret-current", b"order-secret-previous"];
/// A secret the edge does not hold: tokens minted with it must never verify.
pub const ATTACKER_SECRET: &[u8] = b"order-secret-guessed";

// ---------------------------------------------------------------------------------------------
// Byte edits: the "arbitrary mutation" applied to a validly signed webhook or token.

/// One byte-level change to a signed webhook body or order token.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone)]
pub enum Edit {
    /// Flips one bit of one byte.
    Flip {
        /// The byte, modulo the length.
        at: u16,
        /// The bit, modulo 8.
        bit: u8,
    },
    /// Overwrites one byte.
    Set {
        /// The byte, modulo the length.
        at: u16,
        /// Its new value.
        byte: u8,
    },
    /// Inserts bytes.
    Insert {
        /// Where, modulo the length plus one (so the end is reachable).
        at: u16,
        /// What to insert.
        bytes: Vec<u8>,
    },
    /// Removes a run of bytes.
    Remove {
        /// Where the run starts, modulo the length plus one.
        at: u16,
        /// How many bytes, cut short at the end.
        len: u8,
    },
    /// Swap two ranges' worth of bytes: moves whole fields around, which byte flips rarely do.
    Swap {
        /// Where the first range starts (wrapped so the range fits).
        a: u16,
        /// Where the second range starts (wrapped likewise); overlapping ranges change nothing.
        b: u16,
        /// The ranges' length, at most half the body.
        len: u8,
    },
}

/// `original` with `edits` applied in order; positions wrap so every edit lands somewhere.
pub fn apply_edits(original: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = original.to_vec();
    let pos = |at: u16, len: usize| usize::from(at) % (len + 1);
    for edit in edits {
        match edit {
            Edit::Flip { at, bit } if !out.is_empty() => {
                let i = usize::from(*at) % out.len();
                out[i] ^= 1 << (bit % 8);
            }
            Edit::Set { at, byte } if !out.is_empty() => {
                let i = usize::from(*at) % out.len();
                out[i] = *byte;
            }
            Edit::Insert { at, bytes } => {
                let i = pos(*at, out.len());
                out.splice(i..i, bytes.iter().copied());
            }
            Edit::Remove { at, len } => {
                let i = pos(*at, out.len());
                let end = (i + usize::from(*len)).min(out.len());
                out.drain(i..end);
            }
            Edit::Swap { a, b, len } if !out.is_empty() => {
                let n = usize::from(*len).min(out.len() / 2);
                let (a, b) = (
                    usize::from(*a) % (out.len() - n + 1),
                    usize::from(*b) % (out.len() - n + 1),
                );
                let (lo, hi) = (a.min(b), a.max(b));
                if lo + n <= hi {
                    let (left, right) = out.split_at_mut(hi);
                    left[lo..lo + n].swap_with_slice(&mut right[..n]);
                }
            }
            // Flip/Set/Swap on an empty buffer: nothing to change.
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// 1. Webhooks

/// A webhook exactly as a ClickPesa server with [`CHECKSUM_KEY`] would send it.
#[derive(Debug)]
pub struct SignedWebhook {
    /// What this seed exercises, for failure messages.
    pub name: &'static str,
    /// The HTTP body as sent.
    pub body: Vec<u8>,
    /// The checksum when it travels in a header instead of the body.
    pub header: Option<String>,
}

/// Asserts that `after.version` is `before.version` plus one exactly when something else
/// changed (no-ops leave it alone), and returns whether something changed.
pub fn version_counts_changes(before: &Bill, after: &Bill, context: &dyn std::fmt::Debug) -> bool {
    let mut unversioned = after.clone();
    unversioned.version = before.version;
    let changed = unversioned != *before;
    assert_eq!(
        after.version,
        before.version + u64::from(changed),
        "version counts changes, not no-ops: {context:?}"
    );
    changed
}

/// The V3 `PAYMENT RECEIVED` payload of the checksum vectors: the realistic shape.
pub fn v3_payment_received() -> Value {
    super::checksum_vector("V3")["payload"].clone()
}

fn hmac_hex(message: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(CHECKSUM_KEY).expect("any key length");
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn with_fields(payload: &Value, fields: &[(&str, String)]) -> Vec<u8> {
    let mut body = payload.clone();
    for (k, v) in fields {
        body[*k] = json!(v);
    }
    serde_json::to_vec(&body).expect("JSON")
}

/// Every way the harness signs a webhook: each checksum placement and canonical form `verify`
/// accepts. Not the legacy method: it signs `data` as "[object Object]", so any change inside `data`
/// verifies (tests/regressions.rs, `legacy_checksum_does_not_cover_data`); fuzzing it would only
/// rediscover that.
pub fn signed_webhooks() -> &'static [SignedWebhook] {
    static SIGNED: OnceLock<Vec<SignedWebhook>> = OnceLock::new();
    SIGNED.get_or_init(|| {
        let received = v3_payment_received();
        let failed = json!({"event": "PAYMENT FAILED", "data": {
            "id": "WS1001LCP7F3B", "status": "FAILED", "orderReference": "WS1001",
            "message": "Insufficient balance", "channel": "TIGO-PESA", "createdAt": "2026-05-21T10:58:00.000Z"}});
        let mut non_ascii = received.clone();
        non_ascii["data"]["customer"]["customerName"] = json!("Asha Jumá – duka");
        let canonical = checksum::sign(CHECKSUM_KEY, &received);
        vec![
            SignedWebhook {
                name: "canonical, checksum in body",
                body: with_fields(&received, &[(checksum::CHECKSUM_FIELD, canonical.clone())]),
                header: None,
            },
            SignedWebhook {
                name: "canonical, checksum in header",
                body: serde_json::to_vec(&received).expect("JSON"),
                header: Some(canonical),
            },
            SignedWebhook {
                name: "PAYMENT FAILED, explicit method",
                body: with_fields(
                    &failed,
                    &[
                        (checksum::CHECKSUM_FIELD, checksum::sign(CHECKSUM_KEY, &failed)),
                        (checksum::METHOD_FIELD, "canonical".into()),
                    ],
                ),
                header: None,
            },
            SignedWebhook {
                // Python/PHP servers sign the \u-escaped form (vector V5).
                name: "non-ASCII, ASCII-escaped canonical",
                body: with_fields(&non_ascii, &[(checksum::CHECKSUM_FIELD, hmac_hex(&canonical_json_ascii(&non_ascii)))]),
                header: None,
            },
        ]
    })
}

/// Canonical JSON of every payload the harness signed: the only payloads `verify` may return.
fn signed_payloads() -> &'static BTreeSet<String> {
    static PAYLOADS: OnceLock<BTreeSet<String>> = OnceLock::new();
    PAYLOADS.get_or_init(|| {
        signed_webhooks()
            .iter()
            .map(|w| {
                let payload = checksum::verify(CHECKSUM_KEY, &w.body, w.header.as_deref())
                    .unwrap_or_else(|e| panic!("seed {:?} does not verify: {e}", w.name));
                canonical_json(&payload)
            })
            .collect()
    })
}

/// Property 1 on any body and header.
pub fn check_webhook(body: &[u8], header: Option<&str>) {
    let Ok(payload) = checksum::verify(CHECKSUM_KEY, body, header) else {
        return;
    };
    let canonical = canonical_json(&payload);
    assert!(
        signed_payloads().contains(&canonical),
        "forgery accepted: {canonical}"
    );
    if let Ok(hook) = serde_json::from_value::<Webhook>(payload) {
        let _ = hook.payment();
    }
}

/// Property 1 on a mutation of the signed webhook number `seed` (modulo the count).
pub fn check_mutated_webhook(seed: usize, edits: &[Edit]) {
    let signed = &signed_webhooks()[seed % signed_webhooks().len()];
    check_webhook(&apply_edits(&signed.body, edits), signed.header.as_deref());
}

// ---------------------------------------------------------------------------------------------
// 2. Order tokens

/// Tokens the shop's server minted: `(token, claims)`, under both rotation secrets.
pub fn minted_tokens() -> &'static [(String, OrderClaims)] {
    static MINTED: OnceLock<Vec<(String, OrderClaims)>> = OnceLock::new();
    MINTED.get_or_init(|| {
        let claims = |reference: &str, amount, description: &str, mode, exp| OrderClaims {
            reference: BillReference::parse(reference).expect("reference"),
            amount: Amount::parse(amount).expect("amount"),
            description: Description::parse(description).expect("description"),
            mode,
            exp,
        };
        let all = [
            (
                TOKEN_SECRETS[0],
                claims(
                    "WS1001",
                    25_000,
                    "Order WS1001",
                    PaymentMode::Exact,
                    1_900_000_000,
                ),
            ),
            (
                TOKEN_SECRETS[1],
                claims(
                    "WS1002",
                    1,
                    "",
                    PaymentMode::AllowPartialAndOverPayment,
                    1_800_000_000,
                ),
            ),
            (
                TOKEN_SECRETS[0],
                claims(
                    "A",
                    50_000_000,
                    "Sabuni – 500g café",
                    PaymentMode::Exact,
                    u64::MAX,
                ),
            ),
        ];
        all.into_iter()
            .map(|(secret, c)| (token::mint(secret, &c), c))
            .collect()
    })
}

/// A token carrying new claims (amount 1) under a secret the edge does not hold.
pub fn attacker_token() -> String {
    let mut claims = minted_tokens()[0].1.clone();
    claims.amount = Amount::parse(1).expect("amount");
    token::mint(ATTACKER_SECRET, &claims)
}

/// Property 2 on any string at any time.
pub fn check_token(token: &str, now: u64) {
    let signature_only = token::verify_signature_only(&TOKEN_SECRETS, token);
    if let Ok(claims) = &signature_only {
        assert!(
            minted_tokens().iter().any(|(_, minted)| minted == claims),
            "token accepted with claims nobody minted: {claims:?}"
        );
    }
    match token::verify(&TOKEN_SECRETS, token, now) {
        Ok(claims) => {
            assert_eq!(
                Ok(&claims),
                signature_only.as_ref(),
                "verify and verify_signature_only disagree"
            );
            assert!(
                now <= claims.exp.saturating_add(CLOCK_SKEW_SECS),
                "expired token accepted at {now}"
            );
        }
        Err(TokenError::Expired { exp }) => {
            assert!(
                signature_only.as_ref().is_ok_and(|c| c.exp == exp),
                "Expired for a token that did not verify"
            );
        }
        Err(e) => assert_eq!(
            Err(&e),
            signature_only.as_ref(),
            "verify failed differently from verify_signature_only"
        ),
    }
}

/// Property 2 on a mutation of minted token number `seed`; the last seed is the attacker's token.
pub fn check_mutated_token(seed: usize, edits: &[Edit], now: u64) {
    let minted = minted_tokens();
    let original = match seed % (minted.len() + 1) {
        i if i < minted.len() => minted[i].0.clone(),
        _ => attacker_token(),
    };
    // Edits may break UTF-8; the edge only ever sees tokens as &str.
    if let Ok(token) = String::from_utf8(apply_edits(original.as_bytes(), edits)) {
        check_token(&token, now);
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Ledger

const REFERENCE: &str = "WS1001";
const CONTROL_NUMBER: &str = "55042914871931";
/// Payment ids come from a small set so that duplicates and status upgrades are common.
const PAYMENT_IDS: [&str; 4] = ["P0", "P1", "P2", "P3"];

/// How the ledger property's payment record carries `collectedAmount`.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone)]
pub enum WireAmount {
    /// No amount, as on FAILED records.
    Missing,
    /// A JSON integer, as the query API sends it.
    Number(u64),
    /// A string of digits, as webhooks send it.
    Text(u64),
    /// `"<n>.50"`: not a whole shilling.
    Fraction(u64),
    /// A JSON float; NaN and infinities, which JSON cannot hold, become no amount.
    Float(f64),
}

/// The record's `collectedCurrency`.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy)]
pub enum Currency {
    /// `TZS`, the only currency BillPay collects.
    Tzs,
    /// `tzs`: the ledger compares case-insensitively.
    LowercaseTzs,
    /// `USD`: the ledger must refuse the record.
    Usd,
    /// No currency: the ledger accepts it as TZS.
    Missing,
}

/// The order reference the record was paid to.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy)]
pub enum OrderReference {
    /// The bill's own reference.
    Reference,
    /// The bill's control number, which ClickPesa may report instead of the reference.
    ControlNumber,
    /// Another order's reference: the ledger must refuse the record.
    Foreign,
}

/// Something that happens to a bill during the ledger property.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone)]
pub enum Op {
    /// A payment record arrives (webhook or poll).
    Apply {
        /// Which of four payment ids (modulo 4), so that repeats are common.
        payment: u8,
        /// Which of the eight ClickPesa statuses or one unknown name (modulo 9).
        status: u8,
        /// The record's `collectedAmount`.
        amount: WireAmount,
        /// The record's `collectedCurrency`.
        currency: Currency,
        /// The record's `orderReference`.
        to: OrderReference,
    },
    /// The expiry alarm fires; a no-op before the bill's `expires_at` or once it is not pending.
    Expire,
    /// The shop cancels the order.
    Cancel,
}

/// One operation, `after` seconds after the previous one.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone)]
pub struct Step {
    /// Seconds since the previous step.
    pub after: u16,
    /// What happens.
    pub op: Op,
}

const STATUSES: [&str; 9] = [
    "PENDING",
    "PROCESSING",
    "ON-HOLD",
    "FAILED",
    "SUCCESS",
    "SETTLED",
    "REFUNDED",
    "REVERSED",
    "NEW",
];

fn record(
    payment: u8,
    status: u8,
    amount: &WireAmount,
    currency: Currency,
    to: OrderReference,
) -> PaymentRecord {
    let id = PAYMENT_IDS[usize::from(payment) % PAYMENT_IDS.len()];
    let status = PaymentStatus::from(STATUSES[usize::from(status) % STATUSES.len()].to_owned());
    PaymentRecord {
        id: id.to_owned(),
        payment_reference: Some(format!("MP.{id}")),
        payment_phone_number: None,
        order_reference: match to {
            OrderReference::Reference => REFERENCE,
            OrderReference::ControlNumber => CONTROL_NUMBER,
            OrderReference::Foreign => "WS9999",
        }
        .to_owned(),
        collected_amount: match *amount {
            WireAmount::Missing => None,
            WireAmount::Number(n) => Some(FlexAmount::from(n)),
            WireAmount::Text(n) => Some(FlexAmount::Text(n.to_string())),
            WireAmount::Fraction(n) => Some(FlexAmount::Text(format!("{n}.50"))),
            WireAmount::Float(f) => serde_json::Number::from_f64(f).map(FlexAmount::Number),
        },
        collected_currency: match currency {
            Currency::Tzs => Some(CURRENCY.to_owned()),
            Currency::LowercaseTzs => Some("tzs".to_owned()),
            Currency::Usd => Some("USD".to_owned()),
            Currency::Missing => None,
        },
        message: None,
        channel: Some("M-PESA".to_owned()),
        created_at: Some("2026-05-21T10:57:03.884Z".to_owned()),
        updated_at: None,
        customer: None,
        client_id: None,
        status,
    }
}

/// SUCCESS and every later status: money arrived (and, for the last two, went back).
fn money_arrived(status: &PaymentStatus) -> bool {
    status.is_paid() || money_returned(status)
}

fn money_returned(status: &PaymentStatus) -> bool {
    matches!(status, PaymentStatus::Refunded | PaymentStatus::Reversed)
}

/// Whether the ledger may apply a money record at all, decided here independently: a known
/// status, a currency that is TZS (any case) or absent, and a readable whole amount above zero.
fn readable_money(record: &PaymentRecord) -> bool {
    let currency_ok = record
        .collected_currency
        .as_deref()
        .is_none_or(|c| c.eq_ignore_ascii_case(CURRENCY));
    let amount = record
        .collected_amount
        .as_ref()
        .and_then(FlexAmount::whole_tzs);
    currency_ok && amount.is_some_and(|a| a > 0)
}

/// A sum that cannot overflow, so the harness itself never panics on huge wire amounts (whether the
/// ledger should saturate or refuse them is its own business; it must not wrap).
fn total(amounts: impl Iterator<Item = u64>) -> u64 {
    amounts.fold(0, u64::saturating_add)
}

/// The state the ledger's rules derive from totals and closure, computed independently here.
fn expected_state(bill: &Bill) -> BillState {
    if bill.paid_total > bill.amount {
        BillState::Overpaid
    } else if bill.paid_total == bill.amount {
        BillState::Paid
    } else if bill.paid_total > 0 {
        BillState::PartiallyPaid
    } else if bill.returned_total > 0 {
        BillState::Refunded
    } else {
        match bill.closed.as_ref().map(|c| c.kind) {
            Some(ClosureKind::Expired) => BillState::Expired,
            Some(ClosureKind::Cancelled) => BillState::Cancelled,
            None => BillState::Pending,
        }
    }
}

/// Property 3: runs `steps` on a bill of `amount` (mapped into 1..=50M TZS) and checks after each:
/// no panic; `paid_total` is the sum of the counted payments and of an independent model (first
/// received amount per id); the state follows from totals and closure; `version` grows by one per
/// change and never otherwise; errors change nothing; event ids are unique over the bill's life and
/// events carry the bill as it now is; the bill survives its JSON round trip (the Durable Object
/// stores it so) and renders as a `CheckoutView`.
pub fn check_ledger(amount: u32, steps: &[Step]) {
    let amount = u64::from(amount) % crate::validate::MAX_AMOUNT_TZS + 1;
    let claims = OrderClaims {
        reference: BillReference::parse(REFERENCE).expect("reference"),
        amount: Amount::parse(amount).expect("amount"),
        description: Description::parse("Order WS1001").expect("description"),
        mode: PaymentMode::Exact,
        exp: 0,
    };
    let mut now = 1_000;
    let mut bill = Bill::new(&claims, CONTROL_NUMBER.to_owned(), now, now + 900);
    // The model: per payment id, its amount (from its first applied money record) and whether
    // the money went back.
    let mut received = std::collections::BTreeMap::<String, (u64, bool)>::new();
    let mut event_ids = BTreeSet::new();
    for step in steps {
        now += u64::from(step.after);
        let before = bill.clone();
        let result = match &step.op {
            Op::Apply {
                payment,
                status,
                amount,
                currency,
                to,
            } => {
                let record = record(*payment, *status, amount, *currency, *to);
                let result = bill.apply(&record, now);
                if result.is_ok() && money_arrived(&record.status) {
                    if readable_money(&record) {
                        let amount = record
                            .collected_amount
                            .as_ref()
                            .and_then(FlexAmount::whole_tzs)
                            .unwrap_or_default();
                        let entry = received.entry(record.id.clone()).or_insert((amount, false));
                        entry.1 |= money_returned(&record.status);
                    } else {
                        assert!(
                            bill.payments.get(&record.id) == before.payments.get(&record.id),
                            "an unreadable record moved money: {step:?}"
                        );
                    }
                }
                result
            }
            Op::Expire => Ok(bill.expire(now)),
            Op::Cancel => bill.cancel(now),
        };

        let changed = version_counts_changes(&before, &bill, step);
        let events = match result {
            Ok(events) => events,
            Err(e) => {
                assert!(!changed, "{e} changed the bill");
                Vec::new()
            }
        };
        assert!(
            events.is_empty() || changed,
            "events without a change: {step:?}"
        );
        for e in &events {
            assert!(
                event_ids.insert(e.id.clone()),
                "event {} emitted twice",
                e.id
            );
            assert!(
                e.id.starts_with(&format!("{REFERENCE}.")),
                "event id {} lacks the reference",
                e.id
            );
            assert_eq!(
                (e.state, e.paid_total, e.at),
                (bill.state, bill.paid_total, now)
            );
        }

        assert_eq!(
            bill.paid_total,
            total(
                bill.payments
                    .values()
                    .filter(|p| p.is_held())
                    .map(|p| p.amount)
            )
        );
        let model = |returned: bool| {
            total(
                received
                    .values()
                    .filter(|(_, r)| *r == returned)
                    .map(|(a, _)| *a),
            )
        };
        assert_eq!(
            bill.paid_total,
            model(false),
            "paid_total differs from the model"
        );
        assert_eq!(
            bill.returned_total,
            model(true),
            "returned_total differs from the model"
        );
        assert!(
            bill.paid_total >= before.paid_total || bill.returned_total > before.returned_total,
            "paid_total went down without money going back"
        );
        assert!(
            bill.payments.values().all(|p| money_arrived(&p.status)),
            "a payment without money is counted"
        );
        assert!(
            bill.payments
                .keys()
                .all(|id| !bill.failed_attempts.contains_key(id)),
            "an id is both paid and failed"
        );
        assert_eq!(bill.state, expected_state(&bill));
        assert_eq!(bill.is_open(), bill.state == BillState::Pending);

        let json = serde_json::to_string(&bill).expect("bill serialises");
        assert_eq!(
            serde_json::from_str::<Bill>(&json).expect("bill deserialises"),
            bill
        );
        let view = CheckoutView::from_bill(&bill, None, now);
        assert_eq!(view.remaining, bill.amount.saturating_sub(bill.paid_total));
    }
}
