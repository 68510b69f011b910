//! The bill state machine: pure, no clock (callers pass `now`); the Bill Durable Object persists
//! [`Bill`] as JSON and sends the [`BillEvent`]s each transition returns.
//!
//! Rules, chosen so that webhooks and polls may arrive late, twice or in any order:
//! - A payment is keyed by ClickPesa's payment id and applied once. Its status only moves forward
//!   (PENDING < PROCESSING < ON-HOLD < FAILED < SUCCESS < SETTLED < REFUNDED < REVERSED); a record
//!   that is not ahead of what is stored changes nothing.
//! - `paid_total` is the sum of payments whose money arrived (SUCCESS, SETTLED, and the later
//!   REFUNDED/REVERSED, which imply it arrived; refunds are the shop's business, not a state).
//!   A payment's amount is fixed when it is first received.
//! - The state is derived, never stored independently: money decides (`partially_paid`, `paid`,
//!   `overpaid`); with no money, an expiry or cancellation decides; otherwise `pending`. Money only
//!   accumulates, so the state never moves backwards, and a genuine payment that lands after expiry
//!   or cancellation is still recorded and reported. The payment mode is ClickPesa's to enforce: an
//!   EXACT bill that still receives another amount reports it rather than hiding it.
//! - Every event fires once, when a condition that only ever becomes true first holds (payment X
//!   received, total ≥ amount, …), so any delivery order yields the same set of event ids.
//!
//! ```
//! use shared::ledger::{Bill, BillState};
//! # use shared::{clickpesa::*, token::OrderClaims, validate::*};
//! # let claims = OrderClaims { reference: BillReference::parse("WS1001").unwrap(),
//! #     amount: Amount::parse(25_000).unwrap(), description: Description::default(),
//! #     mode: PaymentMode::Exact, exp: 0 };
//! let mut bill = Bill::new(&claims, "WS1001".into(), 100, 1_000);
//! let record: PaymentRecord = serde_json::from_str(r#"{"id":"P1","status":"SUCCESS",
//!     "orderReference":"WS1001","collectedAmount":"25000","collectedCurrency":"TZS"}"#).unwrap();
//! let events = bill.apply(&record, 200).unwrap();
//! assert_eq!(bill.state, BillState::Paid);
//! let ids: Vec<_> = events.iter().map(|e| e.id.as_str()).collect();
//! assert_eq!(ids, ["WS1001.payment.received.P1", "WS1001.bill.paid"]);
//! assert!(bill.apply(&record, 300).unwrap().is_empty()); // a duplicate changes nothing
//! ```
use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clickpesa::{PaymentMode, PaymentRecord, PaymentStatus};
use crate::token::OrderClaims;
use crate::validate::{BillReference, Description};

/// The only currency BillPay collects.
pub const CURRENCY: &str = "TZS";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BillState {
    Pending,
    PartiallyPaid,
    Paid,
    Overpaid,
    Expired,
    Cancelled,
}

impl BillState {
    pub const ALL: [BillState; 6] = [
        Self::Pending,
        Self::PartiallyPaid,
        Self::Paid,
        Self::Overpaid,
        Self::Expired,
        Self::Cancelled,
    ];

    /// The wire name (serde's), for readers that do without serde such as the widget.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::PartiallyPaid => "partially_paid",
            Self::Paid => "paid",
            Self::Overpaid => "overpaid",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }

    /// The state with wire name `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == name)
    }

    /// The customer can no longer act: everything but `pending`. A partial payment ends the
    /// checkout too, since ClickPesa closes an Order number after its first payment (docs/clickpesa.md §2.6).
    pub fn is_terminal(self) -> bool {
        self != Self::Pending
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureKind {
    Expired,
    Cancelled,
}

/// Why and when the edge stopped accepting payment for a bill (kept even if money arrives later).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub kind: ClosureKind,
    pub at: u64,
}

/// A payment whose money arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// ClickPesa's payment id.
    pub id: String,
    pub amount: u64,
    pub channel: Option<String>,
    /// The MNO's or bank's reference, for the customer's receipt.
    pub payment_reference: Option<String>,
    pub status: PaymentStatus,
    /// ClickPesa's timestamp (ISO 8601) as reported; empty if it sent none.
    pub paid_at: String,
}

/// A failed attempt: recorded and reported, but the bill stays open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedAttempt {
    pub id: String,
    pub channel: Option<String>,
    pub message: Option<String>,
    /// ClickPesa's timestamp (ISO 8601) as reported; empty if it sent none.
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bill {
    pub reference: BillReference,
    /// ClickPesa's `billPayNumber` (equal to the reference when ClickPesa honours `billReference`).
    pub control_number: String,
    pub amount: u64,
    pub description: Description,
    pub mode: PaymentMode,
    pub created_at: u64,
    pub expires_at: u64,
    pub state: BillState,
    pub payments: BTreeMap<String, Payment>,
    pub failed_attempts: BTreeMap<String, FailedAttempt>,
    pub paid_total: u64,
    pub closed: Option<Closure>,
    /// Starts at 1 and grows with every change (the status ETag); no-ops leave it alone.
    pub version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    #[serde(rename = "payment.received")]
    PaymentReceived,
    #[serde(rename = "payment.failed")]
    PaymentFailed,
    #[serde(rename = "bill.partially_paid")]
    PartiallyPaid,
    #[serde(rename = "bill.paid")]
    Paid,
    #[serde(rename = "bill.overpaid")]
    Overpaid,
    #[serde(rename = "bill.expired")]
    Expired,
    #[serde(rename = "bill.cancelled")]
    Cancelled,
}

impl EventKind {
    /// The wire name, also the middle of event ids.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PaymentReceived => "payment.received",
            Self::PaymentFailed => "payment.failed",
            Self::PartiallyPaid => "bill.partially_paid",
            Self::Paid => "bill.paid",
            Self::Overpaid => "bill.overpaid",
            Self::Expired => "bill.expired",
            Self::Cancelled => "bill.cancelled",
        }
    }
}

/// Something the shop should hear about. `id` is stable, `<ref>.<kind>[.<payment id>]`, so
/// redeliveries and reorderings of the same fact carry the same id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillEvent {
    pub id: String,
    pub kind: EventKind,
    pub reference: String,
    /// The bill's state right after the transition.
    pub state: BillState,
    pub amount: u64,
    pub paid_total: u64,
    /// The payment that caused the event, if one did.
    pub payment: Option<Payment>,
    pub at: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("payment {payment_id} is for order {got}, not this bill")]
    WrongBill { payment_id: String, got: String },
    #[error("payment {payment_id} is in {currency}, not TZS")]
    WrongCurrency {
        payment_id: String,
        currency: String,
    },
    #[error("payment {payment_id} has no readable whole-TZS amount")]
    UnreadableAmount { payment_id: String },
    #[error("a bill that is {state:?} cannot be cancelled")]
    NotCancellable { state: BillState },
}

/// Position in a payment's life; a record only applies if it is further along than what is stored.
fn progress(status: &PaymentStatus) -> u8 {
    match status {
        PaymentStatus::Pending | PaymentStatus::Other(_) => 0,
        PaymentStatus::Processing => 1,
        PaymentStatus::OnHold => 2,
        PaymentStatus::Failed => 3,
        PaymentStatus::Success => 4,
        PaymentStatus::Settled => 5,
        PaymentStatus::Refunded => 6,
        PaymentStatus::Reversed => 7,
    }
}

impl LedgerError {
    /// Stable machine-readable code for API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongBill { .. } => "wrong_bill",
            Self::WrongCurrency { .. } => "wrong_currency",
            Self::UnreadableAmount { .. } => "unreadable_amount",
            Self::NotCancellable { .. } => "not_cancellable",
        }
    }
}

impl Bill {
    /// A pending bill for a verified order, at version 1.
    pub fn new(claims: &OrderClaims, control_number: String, now: u64, expires_at: u64) -> Bill {
        Bill {
            reference: claims.reference.clone(),
            control_number,
            amount: claims.amount.get(),
            description: claims.description.clone(),
            mode: claims.mode,
            created_at: now,
            expires_at,
            state: BillState::Pending,
            payments: BTreeMap::new(),
            failed_attempts: BTreeMap::new(),
            paid_total: 0,
            closed: None,
            version: 1,
        }
    }

    /// Applies one payment record (webhook or poll). Duplicates, stale and still-in-flight
    /// (PENDING/PROCESSING/ON-HOLD) records return no events and leave the bill untouched.
    pub fn apply(
        &mut self,
        record: &PaymentRecord,
        now: u64,
    ) -> Result<Vec<BillEvent>, LedgerError> {
        let id = &record.id;
        if record.order_reference != self.reference.as_str()
            && record.order_reference != self.control_number
        {
            return Err(LedgerError::WrongBill {
                payment_id: id.clone(),
                got: record.order_reference.clone(),
            });
        }
        if let Some(currency) = record
            .collected_currency
            .as_deref()
            .filter(|c| !c.eq_ignore_ascii_case(CURRENCY))
        {
            return Err(LedgerError::WrongCurrency {
                payment_id: id.clone(),
                currency: currency.to_owned(),
            });
        }
        let incoming = progress(&record.status);
        let stored = match (self.payments.get(id), self.failed_attempts.contains_key(id)) {
            (Some(p), _) => progress(&p.status),
            (None, true) => progress(&PaymentStatus::Failed),
            (None, false) => 0,
        };
        // In-flight statuses record nothing: only a failure or arrived money is a fact worth keeping.
        if incoming <= stored || incoming < progress(&PaymentStatus::Failed) {
            return Ok(Vec::new());
        }
        if record.status == PaymentStatus::Failed {
            self.failed_attempts.insert(
                id.clone(),
                FailedAttempt {
                    id: id.clone(),
                    channel: record.channel.clone(),
                    message: record.message.clone(),
                    at: timestamp(record),
                },
            );
            self.version += 1;
            return Ok(vec![self.event(
                EventKind::PaymentFailed,
                Some(id),
                None,
                now,
            )]);
        }
        let previous = self.payments.get(id);
        let amount = match previous {
            Some(p) => p.amount,
            None => record
                .collected_amount
                .as_ref()
                .and_then(|a| a.whole_tzs())
                .ok_or_else(|| LedgerError::UnreadableAmount {
                    payment_id: id.clone(),
                })?,
        };
        let payment = Payment {
            id: id.clone(),
            amount,
            channel: record
                .channel
                .clone()
                .or_else(|| previous.and_then(|p| p.channel.clone())),
            payment_reference: record
                .payment_reference
                .clone()
                .or_else(|| previous.and_then(|p| p.payment_reference.clone())),
            status: record.status.clone(),
            paid_at: timestamp(record),
        };
        let newly_received = previous.is_none();
        let short_before = self.payments.values().any(|p| p.amount < self.amount);
        let total_before = self.paid_total;

        self.failed_attempts.remove(id);
        self.payments.insert(id.clone(), payment.clone());
        // Saturating: a (signed) record may carry any u64; a wrapped total would understate money received.
        self.paid_total = self
            .payments
            .values()
            .fold(0, |total: u64, p| total.saturating_add(p.amount));
        self.state = self.derived_state();
        self.version += 1;

        let mut events = Vec::new();
        if newly_received {
            events.push(self.event(EventKind::PaymentReceived, Some(id), Some(&payment), now));
            // "A payment short of the amount was received": fires once, whatever the order.
            if payment.amount < self.amount && !short_before {
                events.push(self.event(EventKind::PartiallyPaid, None, Some(&payment), now));
            }
        }
        if total_before < self.amount && self.paid_total >= self.amount {
            events.push(self.event(EventKind::Paid, None, Some(&payment), now));
        }
        if total_before <= self.amount && self.paid_total > self.amount {
            events.push(self.event(EventKind::Overpaid, None, Some(&payment), now));
        }
        Ok(events)
    }

    /// Expires a pending bill once `now` reaches `expires_at`; otherwise a no-op.
    pub fn expire(&mut self, now: u64) -> Vec<BillEvent> {
        if !self.is_open() || now < self.expires_at {
            return Vec::new();
        }
        vec![self.close(ClosureKind::Expired, now)]
    }

    /// Cancels a pending bill. Cancelling a cancelled bill is a no-op; a bill with money or an
    /// expired one cannot be cancelled.
    pub fn cancel(&mut self, now: u64) -> Result<Vec<BillEvent>, LedgerError> {
        match self.state {
            BillState::Pending => Ok(vec![self.close(ClosureKind::Cancelled, now)]),
            BillState::Cancelled => Ok(Vec::new()),
            state => Err(LedgerError::NotCancellable { state }),
        }
    }

    /// Still waiting for the customer's payment.
    pub fn is_open(&self) -> bool {
        self.state == BillState::Pending
    }

    /// When the edge should call [`Bill::expire`], while the bill is open.
    pub fn next_expiry_check(&self) -> Option<u64> {
        self.is_open().then_some(self.expires_at)
    }

    fn close(&mut self, kind: ClosureKind, now: u64) -> BillEvent {
        self.closed = Some(Closure { kind, at: now });
        self.state = self.derived_state();
        self.version += 1;
        let event = match kind {
            ClosureKind::Expired => EventKind::Expired,
            ClosureKind::Cancelled => EventKind::Cancelled,
        };
        self.event(event, None, None, now)
    }

    fn derived_state(&self) -> BillState {
        match self.paid_total.cmp(&self.amount) {
            Ordering::Greater => BillState::Overpaid,
            Ordering::Equal => BillState::Paid,
            Ordering::Less if self.paid_total > 0 => BillState::PartiallyPaid,
            Ordering::Less => match self.closed {
                Some(Closure {
                    kind: ClosureKind::Expired,
                    ..
                }) => BillState::Expired,
                Some(Closure {
                    kind: ClosureKind::Cancelled,
                    ..
                }) => BillState::Cancelled,
                None => BillState::Pending,
            },
        }
    }

    fn event(
        &self,
        kind: EventKind,
        payment_id: Option<&str>,
        payment: Option<&Payment>,
        now: u64,
    ) -> BillEvent {
        let id = match payment_id {
            Some(pid) => format!("{}.{}.{pid}", self.reference, kind.as_str()),
            None => format!("{}.{}", self.reference, kind.as_str()),
        };
        BillEvent {
            id,
            kind,
            reference: self.reference.to_string(),
            state: self.state,
            amount: self.amount,
            paid_total: self.paid_total,
            payment: payment.cloned(),
            at: now,
        }
    }
}

/// ClickPesa's own time for the record: `updatedAt`, else `createdAt`.
fn timestamp(record: &PaymentRecord) -> String {
    record
        .updated_at
        .clone()
        .or_else(|| record.created_at.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clickpesa::FlexAmount;
    use crate::validate::Amount;

    const NOW: u64 = 1_000;

    #[test]
    fn state_names_are_serdes() {
        for state in BillState::ALL {
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
            assert_eq!(BillState::parse(state.as_str()), Some(state));
        }
        assert_eq!(BillState::parse("Paid"), None);
    }

    fn bill(amount: u64, mode: PaymentMode) -> Bill {
        let claims = OrderClaims {
            reference: BillReference::parse("WS1001").unwrap(),
            amount: Amount::parse(amount).unwrap(),
            description: Description::parse("Order WS1001").unwrap(),
            mode,
            exp: NOW + 900,
        };
        Bill::new(&claims, "WS1001".to_owned(), NOW, NOW + 900)
    }

    fn record(id: &str, status: PaymentStatus, amount: u64) -> PaymentRecord {
        PaymentRecord {
            id: id.to_owned(),
            status,
            payment_reference: Some(format!("MP.{id}")),
            payment_phone_number: None,
            order_reference: "WS1001".to_owned(),
            collected_amount: Some(FlexAmount::Text(amount.to_string())),
            collected_currency: Some("TZS".to_owned()),
            message: None,
            channel: Some("M-PESA".to_owned()),
            created_at: Some("2026-05-21T10:57:03.884Z".to_owned()),
            updated_at: None,
            customer: None,
            client_id: None,
        }
    }

    fn ids(events: &[BillEvent]) -> Vec<&str> {
        events.iter().map(|e| e.id.as_str()).collect()
    }

    #[test]
    fn new_bill_is_pending_at_version_1() {
        let b = bill(25_000, PaymentMode::Exact);
        assert_eq!(
            (b.state, b.version, b.paid_total),
            (BillState::Pending, 1, 0)
        );
        assert!(b.is_open());
        assert_eq!(b.next_expiry_check(), Some(NOW + 900));
    }

    #[test]
    fn exact_payment_pays_the_bill() {
        let mut b = bill(25_000, PaymentMode::Exact);
        let events = b
            .apply(&record("P1", PaymentStatus::Success, 25_000), NOW + 5)
            .unwrap();
        assert_eq!(
            ids(&events),
            ["WS1001.payment.received.P1", "WS1001.bill.paid"]
        );
        assert!(events
            .iter()
            .all(|e| e.state == BillState::Paid && e.at == NOW + 5));
        assert_eq!(
            (b.state, b.paid_total, b.version),
            (BillState::Paid, 25_000, 2)
        );
        assert!(!b.is_open());
        assert_eq!(b.next_expiry_check(), None);
    }

    #[test]
    fn duplicate_and_stale_records_are_no_ops() {
        let mut b = bill(25_000, PaymentMode::Exact);
        b.apply(&record("P1", PaymentStatus::Settled, 25_000), NOW)
            .unwrap();
        let snapshot = b.clone();
        for stale in [
            PaymentStatus::Settled,
            PaymentStatus::Success,
            PaymentStatus::Pending,
            PaymentStatus::Failed,
        ] {
            assert!(b
                .apply(&record("P1", stale, 25_000), NOW + 1)
                .unwrap()
                .is_empty());
        }
        assert_eq!(b, snapshot);
    }

    #[test]
    fn settlement_upgrades_status_without_new_events() {
        let mut b = bill(25_000, PaymentMode::Exact);
        b.apply(&record("P1", PaymentStatus::Success, 25_000), NOW)
            .unwrap();
        let events = b
            .apply(&record("P1", PaymentStatus::Settled, 25_000), NOW + 1)
            .unwrap();
        assert!(events.is_empty());
        assert_eq!(b.payments["P1"].status, PaymentStatus::Settled);
        assert_eq!((b.paid_total, b.version), (25_000, 3));
    }

    #[test]
    fn in_flight_records_change_nothing() {
        let mut b = bill(25_000, PaymentMode::Exact);
        for s in [
            PaymentStatus::Pending,
            PaymentStatus::Processing,
            PaymentStatus::OnHold,
            PaymentStatus::Other("NEW".into()),
        ] {
            assert!(b.apply(&record("P1", s, 25_000), NOW).unwrap().is_empty());
        }
        assert_eq!(b, bill(25_000, PaymentMode::Exact));
    }

    #[test]
    fn failed_attempt_is_recorded_and_bill_stays_open() {
        let mut b = bill(25_000, PaymentMode::Exact);
        let mut failed = record("P1", PaymentStatus::Failed, 0);
        failed.collected_amount = None;
        failed.message = Some("Insufficient balance".into());
        let events = b.apply(&failed, NOW).unwrap();
        assert_eq!(ids(&events), ["WS1001.payment.failed.P1"]);
        assert_eq!(events[0].state, BillState::Pending);
        assert!(b.is_open());
        assert_eq!(
            b.failed_attempts["P1"].message.as_deref(),
            Some("Insufficient balance")
        );
        // A later attempt succeeds.
        let events = b
            .apply(&record("P2", PaymentStatus::Success, 25_000), NOW + 60)
            .unwrap();
        assert_eq!(
            ids(&events),
            ["WS1001.payment.received.P2", "WS1001.bill.paid"]
        );
        assert_eq!(b.failed_attempts.len(), 1);
    }

    #[test]
    fn success_supersedes_an_earlier_failure_of_the_same_payment() {
        let mut b = bill(25_000, PaymentMode::Exact);
        b.apply(&record("P1", PaymentStatus::Failed, 25_000), NOW)
            .unwrap();
        b.apply(&record("P1", PaymentStatus::Success, 25_000), NOW + 1)
            .unwrap();
        assert!(b.failed_attempts.is_empty());
        assert_eq!(b.state, BillState::Paid);
    }

    #[test]
    fn partial_then_rest_with_allow_partial() {
        let mut b = bill(25_000, PaymentMode::AllowPartialAndOverPayment);
        let events = b
            .apply(&record("P1", PaymentStatus::Success, 10_000), NOW)
            .unwrap();
        assert_eq!(
            ids(&events),
            ["WS1001.payment.received.P1", "WS1001.bill.partially_paid"]
        );
        assert_eq!(b.state, BillState::PartiallyPaid);
        assert!(b.state.is_terminal());
        let events = b
            .apply(&record("P2", PaymentStatus::Success, 15_000), NOW + 1)
            .unwrap();
        assert_eq!(
            ids(&events),
            ["WS1001.payment.received.P2", "WS1001.bill.paid"]
        );
        assert_eq!((b.state, b.paid_total), (BillState::Paid, 25_000));
    }

    #[test]
    fn overpayment_reports_paid_and_overpaid() {
        let mut b = bill(25_000, PaymentMode::AllowPartialAndOverPayment);
        let events = b
            .apply(&record("P1", PaymentStatus::Success, 30_000), NOW)
            .unwrap();
        assert_eq!(
            ids(&events),
            [
                "WS1001.payment.received.P1",
                "WS1001.bill.paid",
                "WS1001.bill.overpaid"
            ]
        );
        assert_eq!(b.state, BillState::Overpaid);
    }

    #[test]
    fn exact_bill_still_reports_a_wrong_amount_that_moved() {
        let mut b = bill(25_000, PaymentMode::Exact);
        let events = b
            .apply(&record("P1", PaymentStatus::Success, 20_000), NOW)
            .unwrap();
        assert_eq!(b.state, BillState::PartiallyPaid);
        assert_eq!(events.last().unwrap().kind, EventKind::PartiallyPaid);
    }

    #[test]
    fn expiry_applies_only_to_pending_bills_at_their_time() {
        let mut b = bill(25_000, PaymentMode::Exact);
        assert!(b.expire(NOW + 899).is_empty());
        let events = b.expire(NOW + 900);
        assert_eq!(ids(&events), ["WS1001.bill.expired"]);
        assert_eq!((b.state, b.version), (BillState::Expired, 2));
        assert_eq!(
            b.closed,
            Some(Closure {
                kind: ClosureKind::Expired,
                at: NOW + 900
            })
        );
        assert!(b.expire(NOW + 1_000).is_empty());

        let mut paid = bill(25_000, PaymentMode::Exact);
        paid.apply(&record("P1", PaymentStatus::Success, 25_000), NOW)
            .unwrap();
        assert!(paid.expire(NOW + 900).is_empty());
        assert_eq!(paid.state, BillState::Paid);
    }

    #[test]
    fn late_payment_after_expiry_is_recorded_and_reported() {
        let mut b = bill(25_000, PaymentMode::Exact);
        b.expire(NOW + 900);
        let events = b
            .apply(&record("P1", PaymentStatus::Success, 25_000), NOW + 950)
            .unwrap();
        assert_eq!(
            ids(&events),
            ["WS1001.payment.received.P1", "WS1001.bill.paid"]
        );
        assert_eq!(b.state, BillState::Paid);
        assert_eq!(
            b.closed.as_ref().map(|c| c.kind),
            Some(ClosureKind::Expired)
        );
    }

    #[test]
    fn cancel_rules() {
        let mut b = bill(25_000, PaymentMode::Exact);
        assert_eq!(ids(&b.cancel(NOW).unwrap()), ["WS1001.bill.cancelled"]);
        assert_eq!(b.state, BillState::Cancelled);
        let version = b.version;
        assert_eq!(b.cancel(NOW + 1), Ok(Vec::new()));
        assert_eq!(b.version, version);
        // Money after cancellation still counts.
        b.apply(&record("P1", PaymentStatus::Success, 25_000), NOW + 2)
            .unwrap();
        assert_eq!(b.state, BillState::Paid);
        assert_eq!(
            b.cancel(NOW + 3),
            Err(LedgerError::NotCancellable {
                state: BillState::Paid
            })
        );

        let mut expired = bill(25_000, PaymentMode::Exact);
        expired.expire(NOW + 900);
        assert_eq!(
            expired.cancel(NOW + 901),
            Err(LedgerError::NotCancellable {
                state: BillState::Expired
            })
        );
    }

    #[test]
    fn foreign_records_are_rejected() {
        let mut b = bill(25_000, PaymentMode::Exact);
        let mut other = record("P1", PaymentStatus::Success, 25_000);
        other.order_reference = "WS9999".into();
        assert!(matches!(
            b.apply(&other, NOW),
            Err(LedgerError::WrongBill { .. })
        ));
        let mut usd = record("P1", PaymentStatus::Success, 25_000);
        usd.collected_currency = Some("USD".into());
        assert!(matches!(
            b.apply(&usd, NOW),
            Err(LedgerError::WrongCurrency { .. })
        ));
        let mut no_amount = record("P1", PaymentStatus::Success, 0);
        no_amount.collected_amount = Some(FlexAmount::Text("12.5".into()));
        assert!(matches!(
            b.apply(&no_amount, NOW),
            Err(LedgerError::UnreadableAmount { .. })
        ));
        assert_eq!(b, bill(25_000, PaymentMode::Exact));
    }

    #[test]
    fn control_number_is_accepted_as_order_reference() {
        let claims = OrderClaims {
            reference: BillReference::parse("WS1001").unwrap(),
            amount: Amount::parse(1_000).unwrap(),
            description: Description::default(),
            mode: PaymentMode::Exact,
            exp: 0,
        };
        let mut b = Bill::new(&claims, "55042914871931".into(), NOW, NOW + 1);
        let mut r = record("P1", PaymentStatus::Success, 1_000);
        r.order_reference = "55042914871931".into();
        assert_eq!(b.apply(&r, NOW).unwrap().len(), 2);
    }

    #[test]
    fn bill_round_trips_as_json() {
        let mut b = bill(25_000, PaymentMode::Exact);
        b.apply(&record("P1", PaymentStatus::Success, 25_000), NOW)
            .unwrap();
        let json = serde_json::to_string(&b).unwrap();
        assert!(json.contains(r#""state":"paid""#));
        assert_eq!(serde_json::from_str::<Bill>(&json).unwrap(), b);
        let event = serde_json::to_value(
            &b.apply(&record("P2", PaymentStatus::Success, 1), NOW)
                .unwrap()[0],
        )
        .unwrap();
        assert_eq!(event["kind"], "payment.received");
    }
}
