//! What the host page hears about a checkout: pure functions of the edge's snapshots (the screen
//! each bill state gets is `shared`'s [`Stage`] rule).
//!
//! ```
//! # use widget::session::{events_between, HostEvent};
//! # fn view(state: shared::ledger::BillState) -> shared::api::CheckoutView {
//! #     serde_json::from_value(serde_json::json!({
//! #         "api_version": 1, "reference": "ORD1", "control_number": "55042914871931",
//! #         "amount": 90900, "currency": "TZS", "description": "", "state": state,
//! #         "paid_total": 0, "remaining": 90900, "returned_total": 0, "expires_at": 0, "server_time": 0,
//! #         "payments": [], "failed_attempts": [], "mpesa_business_number": null, "version": 1
//! #     })).unwrap()
//! # }
//! use shared::ledger::BillState;
//!
//! let pending = view(BillState::Pending);
//! assert!(matches!(events_between(None, &pending)[..], [HostEvent::Ready { .. }]));
//! assert!(matches!(events_between(Some(&pending), &view(BillState::Paid))[..], [HostEvent::Paid { .. }]));
//! assert!(events_between(Some(&pending), &pending).is_empty());
//! ```
use shared::api::CheckoutView;
use shared::screen::Stage;

use crate::edge::EdgeError;

/// A `billpay:*` CustomEvent for the host page; see [`crate::host`] for how it is dispatched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostEvent {
    /// `billpay:ready`: the control number is on screen.
    Ready {
        reference: String,
        control_number: String,
        amount: u64,
    },
    /// `billpay:paid`: the bill is paid in full (or more).
    Paid {
        reference: String,
        amount: u64,
        paid_total: u64,
        payment_reference: Option<String>,
        channel: Option<String>,
    },
    /// `billpay:partially_paid`: some of the amount arrived and ClickPesa closed the number; the
    /// shop settles the rest with the customer.
    PartiallyPaid {
        reference: String,
        amount: u64,
        paid_total: u64,
        remaining: u64,
    },
    /// `billpay:expired`: the control number can no longer be paid.
    Expired { reference: String },
    /// `billpay:error`: the checkout cannot go on (the customer sees why and may retry).
    Error { code: String, message: String },
}

impl HostEvent {
    /// The DOM event name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Ready { .. } => "billpay:ready",
            Self::Paid { .. } => "billpay:paid",
            Self::PartiallyPaid { .. } => "billpay:partially_paid",
            Self::Expired { .. } => "billpay:expired",
            Self::Error { .. } => "billpay:error",
        }
    }

    pub fn from_error(error: &EdgeError) -> Self {
        Self::Error {
            code: error.code().to_owned(),
            message: error.message(),
        }
    }
}

/// The events a move from snapshot `previous` (none: the first one) to `next` announces.
///
/// Each fires once per checkout: only a change of state announces anything.
pub fn events_between(previous: Option<&CheckoutView>, next: &CheckoutView) -> Vec<HostEvent> {
    let mut events = Vec::new();
    if previous.is_none() {
        events.push(HostEvent::Ready {
            reference: next.reference.clone(),
            control_number: next.control_number.clone(),
            amount: next.amount,
        });
    }
    let before = previous.map(|view| Stage::of(view.state));
    let now = Stage::of(next.state);
    if before == Some(now) {
        return events;
    }
    match now {
        Stage::Paid => {
            let last = next.payments.last();
            events.push(HostEvent::Paid {
                reference: next.reference.clone(),
                amount: next.amount,
                paid_total: next.paid_total,
                payment_reference: last.and_then(|p| p.payment_reference.clone()),
                channel: last.and_then(|p| p.channel.clone()),
            });
        }
        Stage::PartiallyPaid => events.push(HostEvent::PartiallyPaid {
            reference: next.reference.clone(),
            amount: next.amount,
            paid_total: next.paid_total,
            remaining: next.remaining,
        }),
        Stage::Expired => events.push(HostEvent::Expired {
            reference: next.reference.clone(),
        }),
        Stage::Cancelled => events.push(HostEvent::Error {
            code: "cancelled".into(),
            message: "the shop cancelled this order".into(),
        }),
        Stage::Refunded => events.push(HostEvent::Error {
            code: "refunded".into(),
            message: "the payment went back to the payer".into(),
        }),
        Stage::Creating | Stage::Failed | Stage::Awaiting => {}
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{paid, partially_paid, view};
    use shared::ledger::BillState;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn the_first_snapshot_is_ready() {
        let events = events_between(None, &view(BillState::Pending));
        assert_eq!(
            events,
            [HostEvent::Ready {
                reference: "ORD1".into(),
                control_number: "55042914871931".into(),
                amount: 90_900
            }]
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn paying_announces_the_payment_once() {
        let paid = paid();
        let events = events_between(Some(&view(BillState::Pending)), &paid);
        assert_eq!(
            events,
            [HostEvent::Paid {
                reference: "ORD1".into(),
                amount: 90_900,
                paid_total: 90_900,
                payment_reference: Some("MX123".into()),
                channel: Some("TIGO-PESA".into()),
            }]
        );
        assert!(events_between(Some(&paid), &paid).is_empty());
        let mut overpaid = paid.clone();
        overpaid.state = BillState::Overpaid;
        assert!(
            events_between(Some(&paid), &overpaid).is_empty(),
            "paid and overpaid are one outcome"
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn a_reload_after_paying_is_ready_then_paid() {
        let names: Vec<_> = events_between(None, &paid())
            .iter()
            .map(HostEvent::name)
            .collect();
        assert_eq!(names, ["billpay:ready", "billpay:paid"]);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn expiry_and_cancellation_are_announced() {
        let pending = view(BillState::Pending);
        assert_eq!(
            events_between(Some(&pending), &view(BillState::Expired)),
            [HostEvent::Expired {
                reference: "ORD1".into()
            }]
        );
        let cancelled = events_between(Some(&pending), &view(BillState::Cancelled));
        assert!(matches!(&cancelled[..], [HostEvent::Error { code, .. }] if code == "cancelled"));
        let refunded = events_between(Some(&paid()), &view(BillState::Refunded));
        assert!(matches!(&refunded[..], [HostEvent::Error { code, .. }] if code == "refunded"));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn a_partial_payment_is_announced_once() {
        let partial = partially_paid();
        let events = events_between(Some(&view(BillState::Pending)), &partial);
        assert_eq!(
            events,
            [HostEvent::PartiallyPaid {
                reference: "ORD1".into(),
                amount: 90_900,
                paid_total: 40_900,
                remaining: 50_000,
            }]
        );
        assert!(events_between(Some(&partial), &partial).is_empty());
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn edge_errors_carry_their_code() {
        let event = HostEvent::from_error(&EdgeError::Network("offline".into()));
        assert_eq!(
            event,
            HostEvent::Error {
                code: "network".into(),
                message: "network error: offline".into()
            }
        );
    }
}
