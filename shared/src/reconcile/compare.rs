//! The comparison rule: one bill's payments as the edge recorded them against ClickPesa's records
//! for its reference, payment by payment (by ClickPesa payment id), then one flag for the bill.
//!
//! Only money is compared: a payment is *held* (SUCCESS, SETTLED) or *returned* (REFUNDED,
//! REVERSED) with an amount; in-flight, failed and unknown statuses moved no money. SUCCESS and
//! SETTLED are the same money, as are REFUNDED and REVERSED.
//!
//! | edge \ ClickPesa | no money | held `b` | returned `b` |
//! |---|---|---|---|
//! | nothing | — | `missing_at_edge` (`not_at_edge`, or `kept_for_review`) | same |
//! | held `a` | `unknown_to_clickpesa` (`not_at_clickpesa`) | `a = b` `matched`; `b > a` `missing_at_edge` (`more_at_clickpesa`); `a > b` or unreadable `unknown_to_clickpesa` (`more_at_edge`) | `missing_at_edge` (`return_not_at_edge`) |
//! | returned `a` | `unknown_to_clickpesa` (`not_at_clickpesa`) | `unknown_to_clickpesa` (`return_not_at_clickpesa`) | as held/held |
//!
//! A bill is `unknown_to_clickpesa` if any payment is (the edge may have told the shop of money
//! that is not there: the worse news), else `missing_at_edge` if any payment is (money the edge's
//! reconciliation has yet to find), else `matched`, which includes a bill with no money at all.
//!
//! ```
//! use shared::reconcile::compare::{compare, Flag};
//! let record: shared::clickpesa::PaymentRecord = serde_json::from_str(r#"{"id":"P1",
//!     "status":"SETTLED","orderReference":"WS1","collectedAmount":25000}"#).unwrap();
//! let lines = compare(&[], &[], &[record]);
//! assert_eq!(Flag::of_bill(&lines), Flag::MissingAtEdge);
//! ```
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::clickpesa::{PaymentRecord, PaymentStatus};
use crate::ledger::{Payment, ReviewRecord};

/// How a bill, or one of its payments, compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// Both sides agree on the money.
    Matched,
    /// ClickPesa has money the edge did not record.
    MissingAtEdge,
    /// The edge recorded money ClickPesa does not list.
    UnknownToClickPesa,
}

impl Flag {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Matched => "matched",
            Self::MissingAtEdge => "missing_at_edge",
            Self::UnknownToClickPesa => "unknown_to_clickpesa",
        }
    }

    /// The bill's flag from its payments' (see the module's table).
    pub fn of_bill(lines: &[PaymentLine]) -> Self {
        let any = |flag| lines.iter().any(|l| l.reason.flag() == flag);
        if any(Self::UnknownToClickPesa) {
            Self::UnknownToClickPesa
        } else if any(Self::MissingAtEdge) {
            Self::MissingAtEdge
        } else {
            Self::Matched
        }
    }
}

/// Why a payment has its flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Same money, same amount.
    Same,
    /// ClickPesa lists money the edge never recorded.
    NotAtEdge,
    /// ClickPesa lists money the edge kept for review (an unreadable or contradictory record).
    KeptForReview,
    /// ClickPesa shows the money returned; the edge still holds it.
    ReturnNotAtEdge,
    /// ClickPesa's amount is larger.
    MoreAtClickPesa,
    /// The edge recorded money ClickPesa does not list (or lists without money).
    NotAtClickPesa,
    /// The edge recorded the money returned; ClickPesa still shows it held.
    ReturnNotAtClickPesa,
    /// The edge's amount is larger, or ClickPesa's cannot be read.
    MoreAtEdge,
}

impl Reason {
    /// The flag this reason gives its payment.
    pub fn flag(self) -> Flag {
        match self {
            Self::Same => Flag::Matched,
            Self::NotAtEdge
            | Self::KeptForReview
            | Self::ReturnNotAtEdge
            | Self::MoreAtClickPesa => Flag::MissingAtEdge,
            Self::NotAtClickPesa | Self::ReturnNotAtClickPesa | Self::MoreAtEdge => {
                Flag::UnknownToClickPesa
            }
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Same => "same",
            Self::NotAtEdge => "not_at_edge",
            Self::KeptForReview => "kept_for_review",
            Self::ReturnNotAtEdge => "return_not_at_edge",
            Self::MoreAtClickPesa => "more_at_clickpesa",
            Self::NotAtClickPesa => "not_at_clickpesa",
            Self::ReturnNotAtClickPesa => "return_not_at_clickpesa",
            Self::MoreAtEdge => "more_at_edge",
        }
    }
}

/// Both serialise as their wire name (`as_str`): serde's `snake_case` would split "ClickPesa".
macro_rules! serialize_as_str {
    ($($name:ty),*) => {$(
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    )*};
}
serialize_as_str!(Flag, Reason);

/// One payment as both sides see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentLine {
    /// ClickPesa's payment id.
    pub id: String,
    /// How it compares.
    pub flag: Flag,
    /// Why.
    pub reason: Reason,
    /// The status the edge recorded, if it recorded the money.
    pub edge_status: Option<String>,
    /// Whole TZS the edge recorded.
    pub edge_amount: Option<u64>,
    /// The status ClickPesa lists, if it lists the payment.
    pub clickpesa_status: Option<String>,
    /// Whole TZS ClickPesa lists, when readable.
    pub clickpesa_amount: Option<u64>,
}

/// Where a payment's money is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Money {
    None,
    Held,
    Returned,
}

fn money(status: &PaymentStatus) -> Money {
    match status {
        PaymentStatus::Success | PaymentStatus::Settled => Money::Held,
        PaymentStatus::Refunded | PaymentStatus::Reversed => Money::Returned,
        _ => Money::None,
    }
}

/// Compares the edge's `payments` and the ids it `kept_for_review` with ClickPesa's `records` for
/// the same reference, one line per payment with money on either side, by id.
pub fn compare(
    payments: &[Payment],
    kept_for_review: &[ReviewRecord],
    records: &[PaymentRecord],
) -> Vec<PaymentLine> {
    // ClickPesa lists a payment once; should it list one twice, the furthest status counts.
    let mut listed: BTreeMap<&str, &PaymentRecord> = BTreeMap::new();
    for record in records {
        let slot = listed.entry(record.id.as_str()).or_insert(record);
        if money(&record.status) > money(&slot.status) {
            *slot = record;
        }
    }
    let edge: BTreeMap<&str, &Payment> = payments.iter().map(|p| (p.id.as_str(), p)).collect();
    let reviewed: BTreeSet<&str> = kept_for_review
        .iter()
        .map(|r| r.payment_id.as_str())
        .collect();
    let ids: BTreeSet<&str> = edge.keys().chain(listed.keys()).copied().collect();
    ids.into_iter()
        .filter_map(|id| {
            let at_edge = edge.get(id).copied();
            let at_clickpesa = listed.get(id).copied();
            let clickpesa_amount = at_clickpesa
                .and_then(|r| r.collected_amount.as_ref())
                .and_then(|a| a.whole_tzs());
            let edge_money = at_edge.map_or(Money::None, |p| money(&p.status));
            let clickpesa_money = at_clickpesa.map_or(Money::None, |r| money(&r.status));
            let reason = match (edge_money, clickpesa_money) {
                (Money::None, Money::None) => return None,
                (Money::None, _) if reviewed.contains(id) => Reason::KeptForReview,
                (Money::None, _) => Reason::NotAtEdge,
                (_, Money::None) => Reason::NotAtClickPesa,
                (Money::Held, Money::Returned) => Reason::ReturnNotAtEdge,
                (Money::Returned, Money::Held) => Reason::ReturnNotAtClickPesa,
                _ => match (at_edge.map(|p| p.amount), clickpesa_amount) {
                    (Some(a), Some(b)) if a == b => Reason::Same,
                    (Some(a), Some(b)) if b > a => Reason::MoreAtClickPesa,
                    _ => Reason::MoreAtEdge,
                },
            };
            Some(PaymentLine {
                id: id.to_owned(),
                flag: reason.flag(),
                reason,
                edge_status: at_edge.map(|p| p.status.as_str().to_owned()),
                edge_amount: at_edge.map(|p| p.amount),
                clickpesa_status: at_clickpesa.map(|r| r.status.as_str().to_owned()),
                clickpesa_amount,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::ReviewReason;

    fn at_edge(id: &str, status: &str, amount: u64) -> Payment {
        Payment {
            id: id.into(),
            amount,
            channel: Some("M-PESA".into()),
            payment_reference: None,
            status: PaymentStatus::from(status.to_owned()),
            paid_at: String::new(),
        }
    }

    fn listed(id: &str, status: &str, amount: serde_json::Value) -> PaymentRecord {
        serde_json::from_value(serde_json::json!({"id": id, "status": status,
            "orderReference": "WS1", "collectedAmount": amount, "collectedCurrency": "TZS"}))
        .unwrap()
    }

    fn reviewed(id: &str) -> ReviewRecord {
        ReviewRecord {
            payment_id: id.into(),
            reason: ReviewReason::ContradictoryEvent,
            event: None,
            status: "SUCCESS".into(),
            amount: Some("1000".into()),
            currency: None,
            channel: None,
            payment_reference: None,
            at: String::new(),
        }
    }

    /// A name, the edge's payments and records kept for review, ClickPesa's records, the reason.
    type Case = (
        &'static str,
        Vec<Payment>,
        Vec<ReviewRecord>,
        Vec<PaymentRecord>,
        Option<Reason>,
    );

    #[test]
    fn every_cell_of_the_table() {
        let j = |n: u64| serde_json::json!(n);
        let cases: Vec<Case> = vec![
            ("nothing anywhere", vec![], vec![], vec![], None),
            (
                "only a failed attempt at ClickPesa",
                vec![],
                vec![],
                vec![listed("P", "FAILED", j(0))],
                None,
            ),
            (
                "pending at ClickPesa",
                vec![],
                vec![],
                vec![listed("P", "PENDING", j(1000))],
                None,
            ),
            (
                "paid on both",
                vec![at_edge("P", "SUCCESS", 1000)],
                vec![],
                vec![listed("P", "SUCCESS", j(1000))],
                Some(Reason::Same),
            ),
            (
                "settled at ClickPesa, success at edge",
                vec![at_edge("P", "SUCCESS", 1000)],
                vec![],
                vec![listed("P", "SETTLED", j(1000))],
                Some(Reason::Same),
            ),
            (
                "amount as text",
                vec![at_edge("P", "SETTLED", 1000)],
                vec![],
                vec![listed("P", "SUCCESS", serde_json::json!("1000"))],
                Some(Reason::Same),
            ),
            (
                "refunded on both",
                vec![at_edge("P", "REFUNDED", 1000)],
                vec![],
                vec![listed("P", "REFUNDED", j(1000))],
                Some(Reason::Same),
            ),
            (
                "refunded at edge, reversed at ClickPesa",
                vec![at_edge("P", "REFUNDED", 1000)],
                vec![],
                vec![listed("P", "REVERSED", j(1000))],
                Some(Reason::Same),
            ),
            (
                "dropped webhook",
                vec![],
                vec![],
                vec![listed("P", "SUCCESS", j(1000))],
                Some(Reason::NotAtEdge),
            ),
            (
                "refund only ClickPesa knows of a payment the edge never saw",
                vec![],
                vec![],
                vec![listed("P", "REFUNDED", j(1000))],
                Some(Reason::NotAtEdge),
            ),
            (
                "kept for review at the edge",
                vec![],
                vec![reviewed("P")],
                vec![listed("P", "SUCCESS", j(1000))],
                Some(Reason::KeptForReview),
            ),
            (
                "refund the edge did not record",
                vec![at_edge("P", "SUCCESS", 1000)],
                vec![],
                vec![listed("P", "REFUNDED", j(1000))],
                Some(Reason::ReturnNotAtEdge),
            ),
            (
                "more at ClickPesa",
                vec![at_edge("P", "SUCCESS", 1000)],
                vec![],
                vec![listed("P", "SUCCESS", j(1500))],
                Some(Reason::MoreAtClickPesa),
            ),
            (
                "payment ClickPesa does not list",
                vec![at_edge("P", "SUCCESS", 1000)],
                vec![],
                vec![],
                Some(Reason::NotAtClickPesa),
            ),
            (
                "payment ClickPesa lists as failed",
                vec![at_edge("P", "SUCCESS", 1000)],
                vec![],
                vec![listed("P", "FAILED", j(0))],
                Some(Reason::NotAtClickPesa),
            ),
            (
                "refund ClickPesa does not list",
                vec![at_edge("P", "REFUNDED", 1000)],
                vec![],
                vec![listed("P", "SETTLED", j(1000))],
                Some(Reason::ReturnNotAtClickPesa),
            ),
            (
                "more at the edge",
                vec![at_edge("P", "SUCCESS", 1000)],
                vec![],
                vec![listed("P", "SUCCESS", j(900))],
                Some(Reason::MoreAtEdge),
            ),
            (
                "unreadable amount at ClickPesa",
                vec![at_edge("P", "SUCCESS", 1000)],
                vec![],
                vec![listed("P", "SUCCESS", serde_json::json!("1,000"))],
                Some(Reason::MoreAtEdge),
            ),
        ];
        for (name, payments, review, records, want) in cases {
            let lines = compare(&payments, &review, &records);
            assert_eq!(lines.first().map(|l| l.reason), want, "{name}");
            assert!(lines.len() <= 1, "{name}: one line per payment id");
            if let Some(line) = lines.first() {
                assert_eq!(line.flag, line.reason.flag(), "{name}");
            }
        }
    }

    #[test]
    fn wire_names_are_the_documented_ones() {
        let json = serde_json::to_value([Flag::UnknownToClickPesa, Flag::MissingAtEdge]).unwrap();
        assert_eq!(
            json,
            serde_json::json!(["unknown_to_clickpesa", "missing_at_edge"])
        );
        let json =
            serde_json::to_value([Reason::MoreAtClickPesa, Reason::ReturnNotAtClickPesa]).unwrap();
        assert_eq!(
            json,
            serde_json::json!(["more_at_clickpesa", "return_not_at_clickpesa"])
        );
    }

    #[test]
    fn a_listed_payment_twice_counts_its_furthest_status() {
        let records = [
            listed("P", "REFUNDED", serde_json::json!(1000)),
            listed("P", "SUCCESS", serde_json::json!(1000)),
        ];
        let lines = compare(&[at_edge("P", "REFUNDED", 1000)], &[], &records);
        assert_eq!(lines[0].reason, Reason::Same);
    }

    #[test]
    fn the_bill_takes_the_worst_flag_of_its_payments() {
        let j = serde_json::json!(1000);
        let edge = [at_edge("A", "SUCCESS", 1000), at_edge("B", "SUCCESS", 1000)];
        for (name, records, flag) in [
            (
                "both listed",
                vec![
                    listed("A", "SUCCESS", j.clone()),
                    listed("B", "SUCCESS", j.clone()),
                ],
                Flag::Matched,
            ),
            (
                "one more listed",
                vec![
                    listed("A", "SUCCESS", j.clone()),
                    listed("B", "SUCCESS", j.clone()),
                    listed("C", "SUCCESS", j.clone()),
                ],
                Flag::MissingAtEdge,
            ),
            (
                "one missing and one extra",
                vec![
                    listed("A", "SUCCESS", j.clone()),
                    listed("C", "SUCCESS", j.clone()),
                ],
                Flag::UnknownToClickPesa,
            ),
        ] {
            assert_eq!(
                Flag::of_bill(&compare(&edge, &[], &records)),
                flag,
                "{name}"
            );
        }
        assert_eq!(Flag::of_bill(&[]), Flag::Matched, "no money on either side");
    }
}
