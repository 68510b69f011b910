//! The bill state machine: pure, no clock (callers pass `now`); the Bill Durable Object persists
//! [`Bill`] as JSON and sends the [`BillEvent`]s each transition returns.
//!
//! Rules, chosen so that webhooks and polls may arrive late, twice or in any order, and so that the
//! bill never states more money than the shop holds:
//! - A payment is keyed by ClickPesa's payment id and applied once. Its status only moves forward
//!   (PENDING < PROCESSING < ON-HOLD < FAILED < SUCCESS < SETTLED < REFUNDED = REVERSED); a record
//!   that is not ahead of what is stored changes nothing. REFUNDED and REVERSED are both final:
//!   whichever ClickPesa reports first stands.
//! - `paid_total` is the money the shop holds: payments that are SUCCESS or SETTLED. Money that
//!   arrived and went back (REFUNDED, REVERSED) is counted in `returned_total` instead, whether the
//!   payment was first seen as received or only as returned. A payment's amount is fixed when it
//!   is first recorded.
//! - A record the ledger cannot read as money (an unknown status spelling, no readable whole-TZS
//!   amount, a zero amount, another currency) or whose webhook event contradicts its status is
//!   never applied and never dropped: it is kept in `needs_review` and reported once as
//!   `payment.needs_review`, with what ClickPesa sent.
//! - The state is derived, never stored independently: money held decides (`partially_paid`,
//!   `paid`, `overpaid`); with none held, money that went back makes it `refunded`; otherwise an
//!   expiry or cancellation decides; otherwise `pending`. A genuine payment that lands after expiry
//!   or cancellation is still recorded and reported. The payment mode is ClickPesa's to enforce:
//!   an EXACT bill that still receives another amount reports it rather than hiding it.
//! - Every event fires at most once per bill (`announced` remembers the bill-level ones). Payment
//!   events fire when their payment first reaches a status; `bill.paid` / `bill.overpaid` when the
//!   money held first reaches the amount / exceeds it; `bill.partially_paid` when a payment short
//!   of the amount is first received. While no money goes back, any delivery order therefore
//!   yields the same set of event ids; once money goes back the set may differ by order (a bill
//!   that was paid and then refunded was paid in the meantime), but the bill itself never does.
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
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::clickpesa::{
    BillPayDetails, BillStatus, PaymentMode, PaymentRecord, PaymentStatus, WebhookEvent,
};
use crate::token::OrderClaims;
use crate::validate::{BillReference, Description};

/// The only currency BillPay collects.
pub const CURRENCY: &str = "TZS";

/// Where a bill stands, derived from the money held and whether the edge closed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BillState {
    /// Open: no money held yet; the control number can be paid.
    Pending,
    /// Less than the amount is held (the Order number closed with that payment).
    PartiallyPaid,
    /// Exactly the amount is held.
    Paid,
    /// More than the amount is held (a partial/over-payment mode, or several payments).
    Overpaid,
    /// Money arrived and all of it went back to the payer (refunded or reversed).
    Refunded,
    /// Closed unpaid at its expiry.
    Expired,
    /// Closed unpaid by the shop.
    Cancelled,
}

impl BillState {
    /// Every state, in the order of the enum.
    pub const ALL: [BillState; 7] = [
        Self::Pending,
        Self::PartiallyPaid,
        Self::Paid,
        Self::Overpaid,
        Self::Refunded,
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
            Self::Refunded => "refunded",
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

/// Why the edge closed a bill to payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureKind {
    /// Its expiry passed unpaid.
    Expired,
    /// The shop cancelled it while unpaid.
    Cancelled,
}

/// Why and when the edge stopped accepting payment for a bill (kept even if money arrives later).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    /// Expiry or cancellation.
    pub kind: ClosureKind,
    /// Unix seconds of the closure.
    pub at: u64,
}

/// A payment whose money arrived (and, if its status is REFUNDED or REVERSED, went back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// ClickPesa's payment id.
    pub id: String,
    /// Whole TZS collected.
    pub amount: u64,
    /// ClickPesa's channel name as sent (`M-PESA`, `AIRTEL-MONEY`, …).
    pub channel: Option<String>,
    /// The MNO's or bank's reference, for the customer's receipt.
    pub payment_reference: Option<String>,
    /// The furthest status seen for this payment (SUCCESS, SETTLED, REFUNDED or REVERSED).
    pub status: PaymentStatus,
    /// ClickPesa's timestamp (ISO 8601) as reported; empty if it sent none.
    pub paid_at: String,
}

impl Payment {
    /// The shop holds this payment's money (it has not gone back).
    pub fn is_held(&self) -> bool {
        self.status.is_paid()
    }
}

/// A failed attempt: recorded and reported, but the bill stays open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedAttempt {
    /// ClickPesa's payment id of the attempt.
    pub id: String,
    /// ClickPesa's channel name as sent.
    pub channel: Option<String>,
    /// ClickPesa's reason (e.g. insufficient balance), shown to the customer.
    pub message: Option<String>,
    /// ClickPesa's timestamp (ISO 8601) as reported; empty if it sent none.
    pub at: String,
}

/// Why a payment record was kept for a person to look at instead of being applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewReason {
    /// A status name this ledger does not know (`"success"` in lower case, a new ClickPesa status).
    UnknownStatus,
    /// Money moved but the amount is missing, fractional, negative, beyond u64 or not a number.
    UnreadableAmount,
    /// Money is said to have moved, for 0 TZS.
    ZeroAmount,
    /// Not TZS.
    WrongCurrency,
    /// The webhook's event name says the opposite of its status (PAYMENT FAILED with SUCCESS).
    ContradictoryEvent,
}

impl ReviewReason {
    /// The wire name (serde's), for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnknownStatus => "unknown_status",
            Self::UnreadableAmount => "unreadable_amount",
            Self::ZeroAmount => "zero_amount",
            Self::WrongCurrency => "wrong_currency",
            Self::ContradictoryEvent => "contradictory_event",
        }
    }
}

/// A payment record that was not applied, as ClickPesa sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRecord {
    /// ClickPesa's payment id.
    pub payment_id: String,
    /// Why it was not applied.
    pub reason: ReviewReason,
    /// The webhook event name, when a webhook carried the record.
    pub event: Option<String>,
    /// The status exactly as sent.
    pub status: String,
    /// The amount exactly as sent (a JSON number is written as its digits).
    pub amount: Option<String>,
    /// The currency exactly as sent.
    pub currency: Option<String>,
    /// The channel (M-PESA, …) as sent.
    pub channel: Option<String>,
    /// The MNO's or bank's reference as sent.
    pub payment_reference: Option<String>,
    /// ClickPesa's timestamp (ISO 8601) as reported; empty if it sent none.
    pub at: String,
}

/// One order's bill: what was asked, every payment and attempt seen, and the state they add up
/// to. Pure: every change goes through [`Bill::apply`], [`Bill::expire`] or [`Bill::cancel`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bill {
    /// The shop's order reference (also the ClickPesa `billReference`).
    pub reference: BillReference,
    /// ClickPesa's `billPayNumber` (equal to the reference when ClickPesa honours `billReference`).
    pub control_number: String,
    /// Whole TZS asked for, from the order token.
    pub amount: u64,
    /// The order's description, from the order token.
    pub description: Description,
    /// Exact, or partial and over-payment allowed.
    pub mode: PaymentMode,
    /// Unix seconds when the control number was created.
    pub created_at: u64,
    /// Unix seconds after which an unpaid bill is expired.
    pub expires_at: u64,
    /// Derived from the totals and the closure; stored so readers need not derive it.
    pub state: BillState,
    /// Payments whose money arrived, by ClickPesa payment id.
    pub payments: BTreeMap<String, Payment>,
    /// Failed attempts, by ClickPesa payment id.
    pub failed_attempts: BTreeMap<String, FailedAttempt>,
    /// Money the shop holds: SUCCESS and SETTLED payments.
    pub paid_total: u64,
    /// Money that arrived and went back to the payer: REFUNDED and REVERSED payments.
    #[serde(default)]
    pub returned_total: u64,
    /// Records kept unapplied for a person to check, by payment id and status as sent.
    #[serde(default)]
    pub needs_review: BTreeMap<String, ReviewRecord>,
    /// The bill-level events already sent, so none is sent twice when money goes back and comes again.
    #[serde(default)]
    pub announced: BTreeSet<EventKind>,
    /// Set when the edge stopped accepting payment; money that arrives later still counts.
    pub closed: Option<Closure>,
    /// Starts at 1 and grows with every change (the status ETag); no-ops leave it alone.
    pub version: u64,
}

/// What happened, as the shop's notification `type` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventKind {
    /// A payment's money arrived.
    #[serde(rename = "payment.received")]
    PaymentReceived,
    /// An attempt failed; the bill stays open.
    #[serde(rename = "payment.failed")]
    PaymentFailed,
    /// Money that arrived went back to the payer before settlement.
    #[serde(rename = "payment.refunded")]
    PaymentRefunded,
    /// Money that arrived and settled went back to the payer.
    #[serde(rename = "payment.reversed")]
    PaymentReversed,
    /// A record that could not be applied, kept for a person to check.
    #[serde(rename = "payment.needs_review")]
    PaymentNeedsReview,
    /// Less than the amount arrived (and the Order number is closed).
    #[serde(rename = "bill.partially_paid")]
    PartiallyPaid,
    /// The amount is held: the order may be fulfilled.
    #[serde(rename = "bill.paid")]
    Paid,
    /// More than the amount is held.
    #[serde(rename = "bill.overpaid")]
    Overpaid,
    /// The bill expired unpaid.
    #[serde(rename = "bill.expired")]
    Expired,
    /// The shop cancelled the unpaid bill.
    #[serde(rename = "bill.cancelled")]
    Cancelled,
}

impl EventKind {
    /// The wire name, also the middle of event ids.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PaymentReceived => "payment.received",
            Self::PaymentFailed => "payment.failed",
            Self::PaymentRefunded => "payment.refunded",
            Self::PaymentReversed => "payment.reversed",
            Self::PaymentNeedsReview => "payment.needs_review",
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
    /// Stable event id: the shop deduplicates on it (`webhook-id`).
    pub id: String,
    /// What happened.
    pub kind: EventKind,
    /// The order reference.
    pub reference: String,
    /// The bill's state right after the transition.
    pub state: BillState,
    /// Whole TZS the bill asks for.
    pub amount: u64,
    /// Money the shop holds right after the transition (net of refunds and reversals).
    pub paid_total: u64,
    /// Money that went back to the payer, right after the transition.
    #[serde(default)]
    pub returned_total: u64,
    /// The payment that caused the event, if one did.
    pub payment: Option<Payment>,
    /// For `payment.needs_review`: the record as ClickPesa sent it and why it was not applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewRecord>,
    /// Unix seconds when the edge recorded it.
    pub at: u64,
}

/// A change the ledger refuses; the bill is left as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// The record's `orderReference` is neither this bill's reference nor its control number.
    #[error("payment {payment_id} is for order {got}, not this bill")]
    WrongBill {
        /// ClickPesa's payment id.
        payment_id: String,
        /// The reference the record names.
        got: String,
    },
    /// Only an unpaid, open bill can be cancelled.
    #[error("a bill that is {state:?} cannot be cancelled")]
    NotCancellable {
        /// The bill's state when the cancel came.
        state: BillState,
    },
}

impl LedgerError {
    /// Stable machine-readable code for API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongBill { .. } => "wrong_bill",
            Self::NotCancellable { .. } => "not_cancellable",
        }
    }
}

/// Position in a payment's life; a record only applies if it is further along than what is stored.
/// `None` for a status the ledger does not know.
fn progress(status: &PaymentStatus) -> Option<u8> {
    Some(match status {
        PaymentStatus::Pending => 0,
        PaymentStatus::Processing => 1,
        PaymentStatus::OnHold => 2,
        PaymentStatus::Failed => 3,
        PaymentStatus::Success => 4,
        PaymentStatus::Settled => 5,
        // Alternatives, not steps: money either came back before settlement or after it.
        PaymentStatus::Refunded | PaymentStatus::Reversed => 6,
        PaymentStatus::Other(_) => return None,
    })
}

/// The status says money arrived (and maybe went back): such a record needs a readable amount.
fn moves_money(status: &PaymentStatus) -> bool {
    status.is_paid() || matches!(status, PaymentStatus::Refunded | PaymentStatus::Reversed)
}

/// A webhook whose event name and status disagree about whether the shop has the money: a
/// PAYMENT FAILED that says it arrived (SUCCESS, SETTLED), or a PAYMENT RECEIVED that says the
/// attempt failed. Neither half can be trusted to move money. A refund or reversal may come under
/// either name (docs/clickpesa.md documents no event for it): both say the shop does not keep the money.
pub fn contradicts(event: &WebhookEvent, status: &PaymentStatus) -> bool {
    match event {
        WebhookEvent::PaymentReceived => *status == PaymentStatus::Failed,
        WebhookEvent::PaymentFailed => status.is_paid(),
        _ => false,
    }
}

/// Why `record` cannot be applied as it stands, if it cannot. Depends on the record alone, so the
/// same record is judged the same way whatever arrived before it.
fn review_reason(record: &PaymentRecord) -> Option<ReviewReason> {
    if progress(&record.status).is_none() {
        return Some(ReviewReason::UnknownStatus);
    }
    // In-flight records are ignored whatever they carry: no money has moved yet.
    if progress(&record.status) < progress(&PaymentStatus::Failed) {
        return None;
    }
    if record
        .collected_currency
        .as_deref()
        .is_some_and(|c| !c.eq_ignore_ascii_case(CURRENCY))
    {
        return Some(ReviewReason::WrongCurrency);
    }
    if !moves_money(&record.status) {
        return None;
    }
    match record.collected_amount.as_ref().and_then(|a| a.whole_tzs()) {
        None => Some(ReviewReason::UnreadableAmount),
        Some(0) => Some(ReviewReason::ZeroAmount),
        Some(_) => None,
    }
}

/// What a 409 on create found at ClickPesa for the reference, and whether this order may adopt it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adoption {
    /// The number is ours (same amount), still active and unpaid: use it.
    Adopt,
    /// Another amount: some other order uses the reference.
    AmountMismatch,
    /// The number is inactive or has already taken money: an old order, settled long ago. Adopting
    /// it would apply its old payments to a new checkout.
    Settled,
}

impl Adoption {
    /// Judges ClickPesa's `details` of the reference and the `payments` it lists for it.
    pub fn judge(details: &BillPayDetails, payments: &[PaymentRecord], amount: u64) -> Self {
        if details.bill_amount.as_ref().and_then(|a| a.whole_tzs()) != Some(amount) {
            return Self::AmountMismatch;
        }
        let active = details.bill_status == Some(BillStatus::Active);
        // A failed attempt moved no money; anything else (or a status we cannot read) may have.
        let unpaid = payments.iter().all(|p| {
            progress(&p.status) <= progress(&PaymentStatus::Failed) && progress(&p.status).is_some()
        });
        match active && unpaid {
            true => Self::Adopt,
            false => Self::Settled,
        }
    }
}

/// When a new checkout for a token expiring at `token_exp` closes: the token's expiry or the
/// deployment's checkout lifetime, whichever comes first; `None` if that is not in the future (a
/// token accepted within the clock-skew allowance must not create a bill born expired).
pub fn checkout_expiry(token_exp: u64, now: u64, ttl_secs: u64) -> Option<u64> {
    let expires_at = token_exp.min(now.saturating_add(ttl_secs));
    (expires_at > now).then_some(expires_at)
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
            returned_total: 0,
            needs_review: BTreeMap::new(),
            announced: BTreeSet::new(),
            closed: None,
            version: 1,
        }
    }

    /// Whether `claims` describe the order this bill was created for; `Err` names what differs
    /// (`amount_mismatch` or `order_mismatch`), so a second create with the same reference but
    /// another order is refused instead of silently returning the first one.
    pub fn matches_order(&self, claims: &OrderClaims) -> Result<(), &'static str> {
        if self.amount != claims.amount.get() {
            return Err("amount_mismatch");
        }
        if self.mode != claims.mode || self.description != claims.description {
            return Err("order_mismatch");
        }
        Ok(())
    }

    /// Applies the payment a webhook carried: like [`Bill::apply`], except that a record whose
    /// event name contradicts its status is kept for review instead.
    pub fn apply_webhook(
        &mut self,
        event: &WebhookEvent,
        record: &PaymentRecord,
        now: u64,
    ) -> Result<Vec<BillEvent>, LedgerError> {
        self.check_bill(record)?;
        if contradicts(event, &record.status) {
            return Ok(self.keep_for_review(
                record,
                ReviewReason::ContradictoryEvent,
                Some(event),
                now,
            ));
        }
        self.apply(record, now)
    }

    /// Applies one payment record (webhook or poll). Duplicates, stale and still-in-flight
    /// (PENDING/PROCESSING/ON-HOLD) records return no events and leave the bill untouched; records
    /// that cannot be read as money are kept in `needs_review`.
    pub fn apply(
        &mut self,
        record: &PaymentRecord,
        now: u64,
    ) -> Result<Vec<BillEvent>, LedgerError> {
        self.check_bill(record)?;
        if let Some(reason) = review_reason(record) {
            return Ok(self.keep_for_review(record, reason, None, now));
        }
        let id = &record.id;
        let incoming = progress(&record.status);
        let stored = match (self.payments.get(id), self.failed_attempts.contains_key(id)) {
            (Some(p), _) => progress(&p.status),
            (None, true) => progress(&PaymentStatus::Failed),
            (None, false) => progress(&PaymentStatus::Pending),
        };
        // In-flight statuses record nothing: only a failure or moved money is a fact worth keeping.
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
            // `review_reason` let the record through, so its amount is readable and positive.
            None => record
                .collected_amount
                .as_ref()
                .and_then(|a| a.whole_tzs())
                .unwrap_or_default(),
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
        let newly_recorded = previous.is_none();

        self.failed_attempts.remove(id);
        self.payments.insert(id.clone(), payment.clone());
        self.recount();
        self.version += 1;

        let mut events = Vec::new();
        let returned = match payment.status {
            PaymentStatus::Refunded => Some(EventKind::PaymentRefunded),
            PaymentStatus::Reversed => Some(EventKind::PaymentReversed),
            _ => None,
        };
        match returned {
            Some(kind) => events.push(self.event(kind, Some(id), Some(&payment), now)),
            None if newly_recorded => {
                events.push(self.event(EventKind::PaymentReceived, Some(id), Some(&payment), now));
                // "A payment short of the amount was received": fires once, whatever the order.
                if payment.amount < self.amount {
                    events.extend(self.announce(EventKind::PartiallyPaid, &payment, now));
                }
            }
            None => {}
        }
        if self.paid_total >= self.amount {
            events.extend(self.announce(EventKind::Paid, &payment, now));
        }
        if self.paid_total > self.amount {
            events.extend(self.announce(EventKind::Overpaid, &payment, now));
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

    /// Worth asking ClickPesa about: open, or holding money that may still be refunded or
    /// reversed (whose webhook may be lost like any other).
    pub fn is_watched(&self) -> bool {
        self.is_open() || self.paid_total > 0
    }

    /// When the edge should call [`Bill::expire`], while the bill is open.
    pub fn next_expiry_check(&self) -> Option<u64> {
        self.is_open().then_some(self.expires_at)
    }

    fn check_bill(&self, record: &PaymentRecord) -> Result<(), LedgerError> {
        if record.order_reference != self.reference.as_str()
            && record.order_reference != self.control_number
        {
            return Err(LedgerError::WrongBill {
                payment_id: record.id.clone(),
                got: record.order_reference.clone(),
            });
        }
        Ok(())
    }

    /// Stores `record` unapplied and reports it once. Keyed by payment id and status as sent, so
    /// a redelivery is a no-op while each distinct unreadable fact about a payment is kept.
    fn keep_for_review(
        &mut self,
        record: &PaymentRecord,
        reason: ReviewReason,
        event: Option<&WebhookEvent>,
        now: u64,
    ) -> Vec<BillEvent> {
        let key = review_key(record);
        if self.needs_review.contains_key(&key) {
            return Vec::new();
        }
        let review = ReviewRecord {
            payment_id: record.id.clone(),
            reason,
            event: event.map(ToString::to_string),
            status: record.status.to_string(),
            amount: record.collected_amount.as_ref().map(ToString::to_string),
            currency: record.collected_currency.clone(),
            channel: record.channel.clone(),
            payment_reference: record.payment_reference.clone(),
            at: timestamp(record),
        };
        self.needs_review.insert(key.clone(), review.clone());
        self.version += 1;
        let mut event = self.event(EventKind::PaymentNeedsReview, Some(&key), None, now);
        event.review = Some(review);
        vec![event]
    }

    /// The bill-level event `kind`, unless it was already sent.
    fn announce(&mut self, kind: EventKind, payment: &Payment, now: u64) -> Option<BillEvent> {
        self.announced
            .insert(kind)
            .then(|| self.event(kind, None, Some(payment), now))
    }

    fn recount(&mut self) {
        // Saturating: a (signed) record may carry any u64; a wrapped total would understate money.
        let sum = |held: bool| {
            self.payments
                .values()
                .filter(|p| p.is_held() == held)
                .fold(0, |total: u64, p| total.saturating_add(p.amount))
        };
        self.paid_total = sum(true);
        self.returned_total = sum(false);
        self.state = self.derived_state();
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
            Ordering::Less if self.returned_total > 0 => BillState::Refunded,
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
            returned_total: self.returned_total,
            payment: payment.cloned(),
            review: None,
            at: now,
        }
    }
}

/// `<payment id>.<status>`, the status reduced to `[A-Za-z0-9-]` so the key can sit in an event id
/// (and a header) whatever ClickPesa sent.
fn review_key(record: &PaymentRecord) -> String {
    let status: String = record
        .status
        .as_str()
        .chars()
        .map(|c| match c.is_ascii_alphanumeric() || c == '-' {
            true => c,
            false => '_',
        })
        .collect();
    format!("{}.{status}", record.id)
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
    use crate::clickpesa::{BillStatus, FlexAmount};
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
        assert_eq!(b, bill(25_000, PaymentMode::Exact));
    }

    fn amount(text: &str) -> Option<FlexAmount> {
        Some(FlexAmount::Text(text.into()))
    }

    /// Issue 13 item 3 (and 8): records the ledger cannot read as money are kept and reported,
    /// never applied and never dropped.
    #[test]
    fn unreadable_records_are_kept_for_review() {
        let huge = Some(FlexAmount::Number(
            serde_json::Number::from_f64(1e25).unwrap(),
        ));
        type Edit = fn(&mut PaymentRecord);
        let cases: [(&str, Edit, ReviewReason, &str); 8] = [
            (
                "lower-case status",
                |r| r.status = PaymentStatus::Other("success".into()),
                ReviewReason::UnknownStatus,
                "WS1001.payment.needs_review.P1.success",
            ),
            (
                "status with a space",
                |r| r.status = PaymentStatus::Other("PAID OUT".into()),
                ReviewReason::UnknownStatus,
                "WS1001.payment.needs_review.P1.PAID_OUT",
            ),
            (
                "thousands separator",
                |r| r.collected_amount = amount("5,000"),
                ReviewReason::UnreadableAmount,
                "WS1001.payment.needs_review.P1.SUCCESS",
            ),
            (
                "above u64",
                |r| r.collected_amount = amount("99999999999999999999999"),
                ReviewReason::UnreadableAmount,
                "WS1001.payment.needs_review.P1.SUCCESS",
            ),
            (
                "fraction",
                |r| r.collected_amount = amount("12.5"),
                ReviewReason::UnreadableAmount,
                "WS1001.payment.needs_review.P1.SUCCESS",
            ),
            (
                "no amount",
                |r| r.collected_amount = None,
                ReviewReason::UnreadableAmount,
                "WS1001.payment.needs_review.P1.SUCCESS",
            ),
            (
                "zero",
                |r| r.collected_amount = amount("0"),
                ReviewReason::ZeroAmount,
                "WS1001.payment.needs_review.P1.SUCCESS",
            ),
            (
                "dollars",
                |r| r.collected_currency = Some("USD".into()),
                ReviewReason::WrongCurrency,
                "WS1001.payment.needs_review.P1.SUCCESS",
            ),
        ];
        for (name, edit, reason, id) in cases {
            let mut b = bill(25_000, PaymentMode::Exact);
            let mut r = record("P1", PaymentStatus::Success, 5_000);
            edit(&mut r);
            let events = b.apply(&r, NOW).unwrap();
            assert_eq!(ids(&events), [id], "{name}");
            let review = events[0]
                .review
                .as_ref()
                .expect("the record travels with the event");
            assert_eq!(review.reason, reason, "{name}");
            assert_eq!(review.status, r.status.as_str(), "{name}: status as sent");
            assert_eq!(
                review.amount,
                r.collected_amount.as_ref().map(ToString::to_string),
                "{name}"
            );
            assert_eq!(
                (b.state, b.paid_total, b.version),
                (BillState::Pending, 0, 2),
                "{name}: no money moved"
            );
            assert_eq!(b.needs_review.len(), 1, "{name}");
            assert!(
                b.apply(&r, NOW + 1).unwrap().is_empty(),
                "{name}: a redelivery is a no-op"
            );
        }
        // The big number arrives as a JSON number too.
        let mut b = bill(25_000, PaymentMode::Exact);
        let mut r = record("P1", PaymentStatus::Success, 0);
        r.collected_amount = huge;
        assert_eq!(
            b.apply(&r, NOW).unwrap()[0]
                .review
                .as_ref()
                .unwrap()
                .amount
                .as_deref(),
            Some("1e+25")
        );
    }

    /// Issue 13 item 8: a zero-amount SUCCESS is not a partial payment and does not hide the real one.
    #[test]
    fn zero_amount_does_not_suppress_the_real_partial_payment() {
        let mut b = bill(25_000, PaymentMode::AllowPartialAndOverPayment);
        let zero = b
            .apply(&record("P0", PaymentStatus::Success, 0), NOW)
            .unwrap();
        assert_eq!(ids(&zero), ["WS1001.payment.needs_review.P0.SUCCESS"]);
        assert_eq!(b.state, BillState::Pending);
        let partial = b
            .apply(&record("P1", PaymentStatus::Success, 10_000), NOW + 1)
            .unwrap();
        assert_eq!(
            ids(&partial),
            ["WS1001.payment.received.P1", "WS1001.bill.partially_paid"]
        );
        assert_eq!(b.state, BillState::PartiallyPaid);
    }

    /// Issue 13 item 1: money that went back is not the shop's money.
    #[test]
    fn refunds_and_reversals_are_net_of_the_money_held() {
        struct Case {
            name: &'static str,
            amount: u64,
            deliveries: &'static [(&'static str, PaymentStatus, u64)],
            state: BillState,
            paid_total: u64,
            returned_total: u64,
            last_events: &'static [&'static str],
        }
        use PaymentStatus::*;
        let cases = [
            Case {
                name: "first seen as refunded",
                amount: 25_000,
                deliveries: &[("P1", Refunded, 25_000)],
                state: BillState::Refunded,
                paid_total: 0,
                returned_total: 25_000,
                last_events: &["WS1001.payment.refunded.P1"],
            },
            Case {
                name: "first seen as reversed",
                amount: 25_000,
                deliveries: &[("P1", Reversed, 25_000)],
                state: BillState::Refunded,
                paid_total: 0,
                returned_total: 25_000,
                last_events: &["WS1001.payment.reversed.P1"],
            },
            Case {
                name: "paid, then reversed",
                amount: 25_000,
                deliveries: &[
                    ("P1", Success, 25_000),
                    ("P1", Settled, 25_000),
                    ("P1", Reversed, 25_000),
                ],
                state: BillState::Refunded,
                paid_total: 0,
                returned_total: 25_000,
                last_events: &["WS1001.payment.reversed.P1"],
            },
            Case {
                name: "a refund after the reversal changes nothing",
                amount: 25_000,
                deliveries: &[
                    ("P1", Success, 25_000),
                    ("P1", Reversed, 25_000),
                    ("P1", Refunded, 25_000),
                ],
                state: BillState::Refunded,
                paid_total: 0,
                returned_total: 25_000,
                last_events: &[],
            },
            Case {
                name: "overpaid, one payment refunded: paid",
                amount: 25_000,
                deliveries: &[
                    ("P1", Success, 25_000),
                    ("P2", Success, 5_000),
                    ("P2", Refunded, 5_000),
                ],
                state: BillState::Paid,
                paid_total: 25_000,
                returned_total: 5_000,
                last_events: &["WS1001.payment.refunded.P2"],
            },
            Case {
                name: "paid in two, one reversed: partially paid",
                amount: 25_000,
                deliveries: &[
                    ("P1", Success, 10_000),
                    ("P2", Success, 15_000),
                    ("P2", Reversed, 15_000),
                ],
                state: BillState::PartiallyPaid,
                paid_total: 10_000,
                returned_total: 15_000,
                last_events: &["WS1001.payment.reversed.P2"],
            },
            Case {
                name: "refunded, then paid again: bill.paid is not sent twice",
                amount: 25_000,
                deliveries: &[
                    ("P1", Success, 25_000),
                    ("P1", Refunded, 25_000),
                    ("P2", Success, 25_000),
                ],
                state: BillState::Paid,
                paid_total: 25_000,
                returned_total: 25_000,
                last_events: &["WS1001.payment.received.P2"],
            },
        ];
        for case in cases {
            let mut b = bill(case.amount, PaymentMode::AllowPartialAndOverPayment);
            let mut events = Vec::new();
            for (id, status, amount) in case.deliveries {
                events = b.apply(&record(id, status.clone(), *amount), NOW).unwrap();
            }
            assert_eq!(
                (b.state, b.paid_total, b.returned_total),
                (case.state, case.paid_total, case.returned_total),
                "{}",
                case.name
            );
            assert_eq!(ids(&events), case.last_events, "{}", case.name);
            assert!(
                events
                    .iter()
                    .all(|e| e.paid_total == b.paid_total && e.returned_total == b.returned_total),
                "{}: events carry the net totals",
                case.name
            );
            assert!(b.state.is_terminal(), "{}", case.name);
        }
    }

    #[test]
    fn bills_holding_money_stay_watched_for_refunds() {
        let mut b = bill(25_000, PaymentMode::Exact);
        assert!(b.is_watched(), "open");
        b.apply(&record("P1", PaymentStatus::Success, 25_000), NOW)
            .unwrap();
        assert!(!b.is_open() && b.is_watched(), "paid: a refund may follow");
        b.apply(&record("P1", PaymentStatus::Refunded, 25_000), NOW)
            .unwrap();
        assert!(!b.is_watched(), "nothing held any more");
        let mut expired = bill(25_000, PaymentMode::Exact);
        expired.expire(NOW + 900);
        assert!(!expired.is_watched());
    }

    #[test]
    fn a_refunded_bill_is_never_announced_as_paid() {
        let mut b = bill(25_000, PaymentMode::Exact);
        let events = b
            .apply(&record("P1", PaymentStatus::Refunded, 25_000), NOW)
            .unwrap();
        assert!(events.iter().all(|e| e.kind != EventKind::Paid));
        // The SUCCESS that arrives after it is stale.
        assert!(b
            .apply(&record("P1", PaymentStatus::Success, 25_000), NOW + 1)
            .unwrap()
            .is_empty());
        assert_eq!((b.state, b.paid_total), (BillState::Refunded, 0));
        assert!(matches!(
            b.cancel(NOW + 2),
            Err(LedgerError::NotCancellable { .. })
        ));
    }

    /// Issue 13 item 2: an event name that contradicts the status moves no money.
    #[test]
    fn contradictory_webhooks_are_kept_for_review() {
        let cases = [
            (WebhookEvent::PaymentFailed, PaymentStatus::Success, true),
            (WebhookEvent::PaymentFailed, PaymentStatus::Settled, true),
            (WebhookEvent::PaymentFailed, PaymentStatus::Reversed, false),
            (WebhookEvent::PaymentReceived, PaymentStatus::Failed, true),
            (WebhookEvent::PaymentReceived, PaymentStatus::Success, false),
            (
                WebhookEvent::PaymentReceived,
                PaymentStatus::Refunded,
                false,
            ),
            (WebhookEvent::PaymentFailed, PaymentStatus::Failed, false),
        ];
        for (event, status, contradictory) in cases {
            let mut b = bill(25_000, PaymentMode::Exact);
            let events = b
                .apply_webhook(&event, &record("P1", status.clone(), 25_000), NOW)
                .unwrap();
            let reviewed = events
                .iter()
                .any(|e| e.kind == EventKind::PaymentNeedsReview);
            assert_eq!(reviewed, contradictory, "{event} / {status}");
            if contradictory {
                assert_eq!(
                    (b.state, b.paid_total),
                    (BillState::Pending, 0),
                    "{event} / {status}"
                );
                let review = events[0].review.as_ref().unwrap();
                assert_eq!(
                    (review.reason, review.event.as_deref()),
                    (ReviewReason::ContradictoryEvent, Some(event.as_str()))
                );
            }
        }
    }

    #[test]
    fn adoption_needs_the_same_amount_an_active_number_and_no_payments() {
        let details = |amount: u64, status: Option<BillStatus>| BillPayDetails {
            bill_pay_number: "WS1001".into(),
            bill_description: None,
            bill_customer_name: None,
            bill_amount: Some(FlexAmount::from(amount)),
            bill_payment_mode: None,
            bill_status: status,
            bill_max_collection_amount: None,
        };
        let paid = [record("P1", PaymentStatus::Success, 25_000)];
        let failed = [record("P1", PaymentStatus::Failed, 25_000)];
        let pending = [record("P1", PaymentStatus::Pending, 25_000)];
        let active = Some(BillStatus::Active);
        let cases: [(&str, BillPayDetails, &[PaymentRecord], Adoption); 6] = [
            (
                "ours, untouched",
                details(25_000, active),
                &[],
                Adoption::Adopt,
            ),
            (
                "a payment still in flight",
                details(25_000, active),
                &pending,
                Adoption::Adopt,
            ),
            (
                "another amount",
                details(30_000, active),
                &[],
                Adoption::AmountMismatch,
            ),
            (
                "inactive",
                details(25_000, Some(BillStatus::Inactive)),
                &[],
                Adoption::Settled,
            ),
            (
                "status unknown",
                details(25_000, None),
                &[],
                Adoption::Settled,
            ),
            (
                "already paid",
                details(25_000, active),
                &paid,
                Adoption::Settled,
            ),
        ];
        for (name, details, payments, expected) in cases {
            assert_eq!(
                Adoption::judge(&details, payments, 25_000),
                expected,
                "{name}"
            );
        }
        assert_eq!(
            Adoption::judge(&details(25_000, active), &failed, 25_000),
            Adoption::Adopt,
            "a failed attempt moved no money"
        );
    }

    #[test]
    fn a_checkout_is_never_born_expired() {
        assert_eq!(checkout_expiry(2_000, 1_000, 900), Some(1_900));
        assert_eq!(checkout_expiry(1_500, 1_000, 900), Some(1_500));
        assert_eq!(checkout_expiry(1_000, 1_000, 900), None, "expires now");
        assert_eq!(
            checkout_expiry(970, 1_000, 900),
            None,
            "inside the skew allowance"
        );
    }

    #[test]
    fn a_second_order_with_the_same_reference_must_match() {
        let b = bill(25_000, PaymentMode::Exact);
        let claims = |amount, mode, description: &str| OrderClaims {
            reference: BillReference::parse("WS1001").unwrap(),
            amount: Amount::parse(amount).unwrap(),
            description: Description::parse(description).unwrap(),
            mode,
            exp: NOW + 900,
        };
        let exact = PaymentMode::Exact;
        assert_eq!(
            b.matches_order(&claims(25_000, exact, "Order WS1001")),
            Ok(())
        );
        assert_eq!(
            b.matches_order(&claims(26_000, exact, "Order WS1001")),
            Err("amount_mismatch")
        );
        assert_eq!(
            b.matches_order(&claims(
                25_000,
                PaymentMode::AllowPartialAndOverPayment,
                "Order WS1001"
            )),
            Err("order_mismatch")
        );
        assert_eq!(
            b.matches_order(&claims(25_000, exact, "Other")),
            Err("order_mismatch")
        );
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
