//! Which screen a checkout shows: the rule the widget renders and its host events follow.
//!
//! ```
//! use shared::{ledger::BillState, screen::Stage};
//!
//! assert_eq!(Stage::of(BillState::Overpaid), Stage::Paid);
//! assert_eq!(Stage::of(BillState::Pending).name(), "awaiting");
//! ```
use crate::ledger::BillState;

/// Which screen the widget shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The control number is being created (or resumed); nothing to pay yet.
    Creating,
    /// The edge refused or could not be reached; the customer may retry.
    Failed,
    /// The control number, waiting for the payment.
    Awaiting,
    /// Part of the amount arrived: what is paid so far and what is still to pay.
    PartiallyPaid,
    /// Paid in full, or overpaid: both end with a receipt.
    Paid,
    /// Closed unpaid at its expiry.
    Expired,
    /// Closed unpaid by the shop.
    Cancelled,
    /// Money arrived and all of it went back to the payer: nothing is paid, nothing can be.
    Refunded,
}

impl Stage {
    /// The name in the widget's `data-stage` attribute, which page-level tests and shop scripts read.
    pub fn name(self) -> &'static str {
        match self {
            Self::Creating => "creating",
            Self::Failed => "failed",
            Self::Awaiting => "awaiting",
            Self::PartiallyPaid => "partially_paid",
            Self::Paid => "paid",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
            Self::Refunded => "refunded",
        }
    }

    /// The screen for a bill in `state`.
    pub fn of(state: BillState) -> Self {
        match state {
            BillState::Pending => Self::Awaiting,
            BillState::PartiallyPaid => Self::PartiallyPaid,
            BillState::Paid | BillState::Overpaid => Self::Paid,
            BillState::Expired => Self::Expired,
            BillState::Cancelled => Self::Cancelled,
            BillState::Refunded => Self::Refunded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bill_state_has_its_screen() {
        let cases = [
            (
                "pending: the control number",
                BillState::Pending,
                Stage::Awaiting,
                "awaiting",
            ),
            (
                "partly paid: paid so far, still to pay",
                BillState::PartiallyPaid,
                Stage::PartiallyPaid,
                "partially_paid",
            ),
            ("paid: the receipt", BillState::Paid, Stage::Paid, "paid"),
            (
                "overpaid: the same receipt",
                BillState::Overpaid,
                Stage::Paid,
                "paid",
            ),
            (
                "refunded: nothing paid, nothing payable",
                BillState::Refunded,
                Stage::Refunded,
                "refunded",
            ),
            (
                "expired: closed unpaid",
                BillState::Expired,
                Stage::Expired,
                "expired",
            ),
            (
                "cancelled: closed by the shop",
                BillState::Cancelled,
                Stage::Cancelled,
                "cancelled",
            ),
        ];
        assert_eq!(
            cases.map(|(_, state, ..)| state),
            BillState::ALL,
            "one case per state"
        );
        for (case, state, stage, name) in cases {
            assert_eq!(Stage::of(state), stage, "{case}");
            assert_eq!(stage.name(), name, "{case}");
        }
    }

    #[test]
    fn the_screens_before_a_bill_exists_are_named() {
        for (case, stage, name) in [
            ("creating the control number", Stage::Creating, "creating"),
            (
                "the edge refused or is unreachable",
                Stage::Failed,
                "failed",
            ),
        ] {
            assert_eq!(stage.name(), name, "{case}");
            assert!(
                BillState::ALL
                    .iter()
                    .all(|&state| Stage::of(state) != stage),
                "{case}: no bill state shows it"
            );
        }
    }
}
