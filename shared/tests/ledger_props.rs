//! Property: any order and any duplication of the same ClickPesa deliveries gives the same bill
//! (state, net totals, payments, attempts, records kept for review). While no money goes back it
//! also gives the same set of event ids; once a payment is refunded or reversed the bill-level
//! events may differ by order (a bill paid and then refunded was paid in the meantime, one whose
//! refund arrives first never was), and `announced`, which remembers them, is left out.
use std::collections::BTreeSet;

use proptest::prelude::*;
use shared::clickpesa::{FlexAmount, PaymentMode, PaymentRecord, PaymentStatus};
use shared::ledger::{Bill, BillEvent, BillState};
use shared::testing::props::version_counts_changes;
use shared::token::OrderClaims;
use shared::validate::{Amount, BillReference, Description};

const NOW: u64 = 10_000;

/// One payment's fate; its deliveries are every status it passed through.
#[derive(Debug, Clone)]
enum Fate {
    Received {
        amount: u64,
        settled: bool,
        via_pending: bool,
        /// REFUNDED or REVERSED at the end.
        returned: Option<PaymentStatus>,
    },
    Failed {
        via_processing: bool,
    },
    StillPending,
    /// A record the ledger cannot read: kept for review, never counted.
    Malformed {
        amount_text: &'static str,
        status: &'static str,
    },
}

fn fate() -> impl Strategy<Value = Fate> {
    let returned = prop_oneof![
        4 => Just(None),
        1 => Just(Some(PaymentStatus::Refunded)),
        1 => Just(Some(PaymentStatus::Reversed)),
    ];
    prop_oneof![
        4 => (1u64..40_000, any::<bool>(), any::<bool>(), returned)
            .prop_map(|(amount, settled, via_pending, returned)| Fate::Received { amount, settled, via_pending, returned }),
        1 => any::<bool>().prop_map(|via_processing| Fate::Failed { via_processing }),
        1 => Just(Fate::StillPending),
        1 => prop_oneof![
            Just(Fate::Malformed { amount_text: "5000", status: "success" }),
            Just(Fate::Malformed { amount_text: "5,000", status: "SUCCESS" }),
            Just(Fate::Malformed { amount_text: "0", status: "SUCCESS" }),
            Just(Fate::Malformed { amount_text: "99999999999999999999999", status: "SETTLED" }),
        ],
    ]
}

fn record(id: &str, status: PaymentStatus, amount: Option<u64>) -> PaymentRecord {
    PaymentRecord {
        id: id.to_owned(),
        payment_reference: amount.map(|_| format!("MP.{id}")),
        payment_phone_number: None,
        order_reference: "WS1001".to_owned(),
        collected_amount: amount.map(|a| FlexAmount::Text(a.to_string())),
        collected_currency: Some("TZS".to_owned()),
        message: Some(status.to_string()),
        channel: Some("M-PESA".to_owned()),
        created_at: Some("2026-05-21T10:57:03.884Z".to_owned()),
        updated_at: Some(format!(
            "2026-05-21T10:57:{:02}.000Z",
            status.as_str().len()
        )),
        customer: None,
        client_id: None,
        status,
    }
}

fn deliveries(fates: &[Fate]) -> Vec<PaymentRecord> {
    let mut out = Vec::new();
    for (i, fate) in fates.iter().enumerate() {
        let id = format!("P{i}");
        match *fate {
            Fate::Received {
                amount,
                settled,
                via_pending,
                ref returned,
            } => {
                if via_pending {
                    out.push(record(&id, PaymentStatus::Pending, None));
                    out.push(record(&id, PaymentStatus::Processing, None));
                }
                out.push(record(&id, PaymentStatus::Success, Some(amount)));
                if settled {
                    out.push(record(&id, PaymentStatus::Settled, Some(amount)));
                }
                if let Some(status) = returned {
                    out.push(record(&id, status.clone(), Some(amount)));
                }
            }
            Fate::Malformed {
                amount_text,
                status,
            } => {
                let mut bad = record(&id, PaymentStatus::from(status.to_owned()), Some(1));
                bad.collected_amount = Some(FlexAmount::Text(amount_text.to_owned()));
                out.push(bad);
            }
            Fate::Failed { via_processing } => {
                if via_processing {
                    out.push(record(&id, PaymentStatus::Processing, None));
                }
                out.push(record(&id, PaymentStatus::Failed, None));
            }
            Fate::StillPending => out.push(record(&id, PaymentStatus::Pending, None)),
        }
    }
    out
}

fn new_bill(amount: u64, mode: PaymentMode) -> Bill {
    let claims = OrderClaims {
        reference: BillReference::parse("WS1001").unwrap(),
        amount: Amount::parse(amount).unwrap(),
        description: Description::default(),
        mode,
        exp: NOW + 900,
    };
    Bill::new(&claims, "WS1001".to_owned(), NOW, NOW + 900)
}

/// Applies the deliveries in order; returns the bill (version masked: it counts changes, which
/// legitimately depends on order) and the event ids, checking ids never repeat.
fn run(mut bill: Bill, deliveries: &[PaymentRecord]) -> (Bill, BTreeSet<String>) {
    let mut ids = BTreeSet::new();
    for d in deliveries {
        let before = bill.clone();
        let events: Vec<BillEvent> = bill.apply(d, NOW + 1).unwrap();
        let changed = version_counts_changes(&before, &bill, d);
        assert!(
            events.is_empty() || changed,
            "events only come with a change"
        );
        for e in events {
            assert!(ids.insert(e.id.clone()), "event {} emitted twice", e.id);
        }
    }
    bill.version = 0;
    (bill, ids)
}

fn arrangement() -> impl Strategy<Value = (u64, PaymentMode, Vec<Fate>, Vec<usize>, Vec<u32>)> {
    (
        1u64..50_000,
        prop_oneof![
            Just(PaymentMode::Exact),
            Just(PaymentMode::AllowPartialAndOverPayment)
        ],
        prop::collection::vec(fate(), 0..5),
    )
        .prop_flat_map(|(amount, mode, fates)| {
            let n = deliveries(&fates).len();
            // Each delivery may repeat (0..3 extra copies); then everything is shuffled.
            (
                Just(amount),
                Just(mode),
                Just(fates),
                prop::collection::vec(0usize..3, n),
                prop::collection::vec(any::<u32>(), n * 3),
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn order_and_duplication_do_not_matter((amount, mode, fates, copies, keys) in arrangement()) {
        let canonical = deliveries(&fates);
        let mut shuffled: Vec<PaymentRecord> = canonical
            .iter()
            .zip(&copies)
            .flat_map(|(d, extra)| std::iter::repeat_n(d.clone(), 1 + extra))
            .collect();
        // Sort by random keys: a uniform-enough shuffle driven by proptest (so it shrinks).
        let mut keyed: Vec<_> = shuffled.drain(..).zip(keys.iter().copied().chain(std::iter::repeat(0))).collect();
        keyed.sort_by_key(|(_, k)| *k);
        let shuffled: Vec<PaymentRecord> = keyed.into_iter().map(|(d, _)| d).collect();

        let (mut expected, expected_ids) = run(new_bill(amount, mode), &canonical);
        let (mut actual, actual_ids) = run(new_bill(amount, mode), &shuffled);
        let money_went_back = fates.iter().any(|f| matches!(f, Fate::Received { returned: Some(_), .. }));
        if money_went_back {
            expected.announced.clear();
            actual.announced.clear();
        } else {
            prop_assert_eq!(&actual_ids, &expected_ids);
        }
        prop_assert_eq!(&actual, &expected);

        // Net totals agree with the fates.
        let sum = |went_back: bool| -> u64 {
            fates.iter().map(|f| match f {
                Fate::Received { amount, returned, .. } if returned.is_some() == went_back => *amount,
                _ => 0,
            }).sum()
        };
        prop_assert_eq!(actual.paid_total, sum(false));
        prop_assert_eq!(actual.returned_total, sum(true));
        let failed = fates.iter().filter(|f| matches!(f, Fate::Failed { .. })).count();
        prop_assert_eq!(actual.failed_attempts.len(), failed);
        let malformed = fates.iter().filter(|f| matches!(f, Fate::Malformed { .. })).count();
        prop_assert_eq!(actual.needs_review.len(), malformed);
        // A bill never says `paid` unless the money it holds covers the amount.
        prop_assert_eq!(
            matches!(actual.state, BillState::Paid | BillState::Overpaid),
            actual.paid_total >= actual.amount
        );

        // Replaying everything again changes nothing.
        let mut again = actual.clone();
        for d in &shuffled {
            prop_assert!(again.apply(d, NOW + 2).unwrap().is_empty());
        }
        prop_assert_eq!(&again, &actual);
    }
}
