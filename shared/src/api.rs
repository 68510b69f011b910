//! Edge <-> widget / shop API types (versioned under `/v1`) and the one JSON error shape.
use serde::{Deserialize, Serialize};

use crate::clickpesa::PaymentMode;
use crate::ledger::{Bill, BillEvent, BillState, Closure, EventKind, Payment};
use crate::validate::{Amount, BillReference, Description};

pub const API_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ApiError,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateCheckout {
    pub order: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentView {
    pub channel: Option<String>,
    pub amount: u64,
    pub payment_reference: Option<String>,
    pub paid_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedAttemptView {
    pub channel: Option<String>,
    pub message: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutView {
    pub api_version: u32,
    pub reference: String,
    pub control_number: String,
    pub amount: u64,
    pub currency: String,
    pub description: String,
    pub state: BillState,
    pub paid_total: u64,
    pub remaining: u64,
    pub expires_at: u64,
    pub server_time: u64,
    pub payments: Vec<PaymentView>,
    pub failed_attempts: Vec<FailedAttemptView>,
    pub mpesa_business_number: Option<String>,
    pub version: u64,
}

impl CheckoutView {
    pub fn from_bill(bill: &Bill, mpesa_business_number: Option<&str>, now: u64) -> CheckoutView {
        CheckoutView {
            api_version: API_VERSION,
            reference: bill.reference.to_string(),
            control_number: bill.control_number.clone(),
            amount: bill.amount,
            currency: "TZS".to_owned(),
            description: bill.description.to_string(),
            state: bill.state,
            paid_total: bill.paid_total,
            remaining: bill.amount.saturating_sub(bill.paid_total),
            expires_at: bill.expires_at,
            server_time: now,
            payments: Vec::new(),
            failed_attempts: Vec::new(),
            mpesa_business_number: mpesa_business_number.map(str::to_owned),
            version: bill.version,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateOrder {
    pub reference: BillReference,
    pub amount: Amount,
    #[serde(default)]
    pub description: Description,
    #[serde(default)]
    pub mode: Option<PaymentMode>,
    #[serde(default)]
    pub expires_in: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCreated {
    pub order: String,
    pub reference: String,
    pub expires_at: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    #[serde(flatten)]
    pub checkout: CheckoutView,
    pub mode: PaymentMode,
    pub created_at: u64,
    pub closed: Option<Closure>,
    pub recorded_payments: Vec<Payment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopNotification {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: EventKind,
    pub created: u64,
    pub data: BillEvent,
}
