//! The bill state machine (pure; the Bill Durable Object persists [`Bill`] as JSON).
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clickpesa::{PaymentMode, PaymentRecord, PaymentStatus};
use crate::token::OrderClaims;
use crate::validate::{BillReference, Description};

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
    pub fn is_terminal(self) -> bool {
        !matches!(self, Self::Pending)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureKind {
    Expired,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub kind: ClosureKind,
    pub at: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub id: String,
    pub amount: u64,
    pub channel: Option<String>,
    pub payment_reference: Option<String>,
    pub status: PaymentStatus,
    pub paid_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedAttempt {
    pub id: String,
    pub channel: Option<String>,
    pub message: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bill {
    pub reference: BillReference,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillEvent {
    pub id: String,
    pub kind: EventKind,
    pub reference: String,
    pub state: BillState,
    pub amount: u64,
    pub paid_total: u64,
    pub payment: Option<Payment>,
    pub at: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("payment {payment_id} is for order {got}, not this bill")]
    WrongBill { payment_id: String, got: String },
    #[error("payment {payment_id} is in {currency}, not TZS")]
    WrongCurrency { payment_id: String, currency: String },
    #[error("payment {payment_id} has no readable whole-TZS amount")]
    UnreadableAmount { payment_id: String },
    #[error("a bill that is {state:?} cannot be cancelled")]
    NotCancellable { state: BillState },
}

impl Bill {
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

    pub fn apply(&mut self, record: &PaymentRecord, now: u64) -> Result<Vec<BillEvent>, LedgerError> {
        let _ = (record, now);
        Ok(Vec::new())
    }

    pub fn expire(&mut self, now: u64) -> Vec<BillEvent> {
        let _ = now;
        Vec::new()
    }

    pub fn cancel(&mut self, now: u64) -> Result<Vec<BillEvent>, LedgerError> {
        let _ = now;
        Ok(Vec::new())
    }

    pub fn is_open(&self) -> bool {
        self.state == BillState::Pending
    }

    pub fn next_expiry_check(&self) -> Option<u64> {
        self.is_open().then_some(self.expires_at)
    }
}
