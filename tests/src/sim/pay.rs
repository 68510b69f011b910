//! The customer's side of a payment: what the MNO or bank does when someone pays a control number.
//! Refusals (inactive, closed, wrong amount for EXACT, over the collection cap) happen at the
//! MNO's verification step, so they record nothing and send no webhook (docs/clickpesa.md §8.10).
//!
//! ```
//! use billpay_tests::sim::pay::{PayRequest, Paid};
//! use billpay_tests::sim::state::{Bill, BillKind, SimState};
//! use shared::clickpesa::PaymentMode;
//! let mut state = SimState::default();
//! let mut bill = Bill::new("WS1".into(), BillKind::Order, String::new());
//! (bill.amount, bill.payment_mode) = (Some(25_000), Some(PaymentMode::Exact));
//! state.insert_bill(bill).unwrap();
//! let short: PayRequest = serde_json::from_str(
//!     r#"{"billPayNumber":"WS1","amount":20000,"channel":"M-PESA","outcome":"success"}"#).unwrap();
//! assert!(matches!(state.pay(&short, "client", 0), Ok(Paid::Refused(_))));
//! ```
use serde::{Deserialize, Serialize};
use shared::clickpesa::{BillStatus, Customer, PaymentMode, PaymentRecord, PaymentStatus};

use super::clock::iso8601;
use super::error::ControlError;
use super::faults::PayFaults;
use super::rng::random_u64;
use super::state::{Bill, BillKind, SimState};

/// `POST /_sim/pay` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PayRequest {
    pub bill_pay_number: String,
    /// Whole TZS the customer enters at the USSD prompt.
    pub amount: u64,
    pub channel: PayChannel,
    pub outcome: PayOutcome,
    /// The payer's phone, `255…`; a fixed test number when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default)]
    pub faults: PayFaults,
    /// The payment happens, but ClickPesa's record of it cannot be read (webhook and query API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub garble: Option<Garble>,
}

/// How a successful payment's record is garbled: the money moved, the record says so unreadably.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Garble {
    /// `"status": "success"` (lower case: not a status the edge knows).
    LowercaseStatus,
    /// `"collectedAmount": "5,000"` (a thousands separator: not a whole number).
    GroupedAmount,
}

impl PayRequest {
    /// A payment with the default phone and no forced faults.
    pub fn new(
        bill_pay_number: impl Into<String>,
        amount: u64,
        channel: PayChannel,
        outcome: PayOutcome,
    ) -> Self {
        Self {
            bill_pay_number: bill_pay_number.into(),
            amount,
            channel,
            outcome,
            phone: None,
            faults: PayFaults::default(),
            garble: None,
        }
    }
}

/// The channels BillPay numbers can be paid from, by the names ClickPesa puts in `channel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayChannel {
    #[serde(rename = "M-PESA")]
    Mpesa,
    #[serde(rename = "MIXX BY YAS")]
    MixxByYas,
    #[serde(rename = "AIRTEL-MONEY")]
    AirtelMoney,
    #[serde(rename = "HALOPESA")]
    HaloPesa,
    #[serde(rename = "CRDB")]
    Crdb,
}

impl PayChannel {
    pub fn wire_name(self) -> &'static str {
        match self {
            Self::Mpesa => "M-PESA",
            Self::MixxByYas => "MIXX BY YAS",
            Self::AirtelMoney => "AIRTEL-MONEY",
            Self::HaloPesa => "HALOPESA",
            Self::Crdb => "CRDB",
        }
    }

    /// Prefix of the provider's transaction reference, as in `MP260521.1357.V51245`.
    fn reference_prefix(self) -> &'static str {
        match self {
            Self::Mpesa => "MP",
            Self::MixxByYas => "MX",
            Self::AirtelMoney => "AM",
            Self::HaloPesa => "HP",
            Self::Crdb => "CR",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayOutcome {
    Success,
    Failure,
    InsufficientFunds,
}

/// Why the MNO refused to take the payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Refusal {
    #[error("the control number is INACTIVE")]
    Inactive,
    #[error("the order control number is already paid and closed")]
    Closed,
    #[error("EXACT bill expects {expected} TZS, the customer entered {entered} TZS")]
    AmountMismatch { expected: u64, entered: u64 },
    #[error("only {remaining} TZS can still be collected, the customer entered {entered} TZS")]
    OverCap { remaining: u64, entered: u64 },
}

/// The result of a payment attempt that reached the bill.
#[derive(Debug, Clone, PartialEq)]
pub enum Paid {
    /// A SUCCESS or FAILED record, stored and to be announced by webhook.
    Recorded(Box<PaymentRecord>),
    Refused(Refusal),
}

impl SimState {
    pub fn pay(
        &mut self,
        req: &PayRequest,
        client_id: &str,
        now_ms: u64,
    ) -> Result<Paid, ControlError> {
        let bill = self
            .bills
            .get_mut(&req.bill_pay_number)
            .ok_or_else(|| ControlError::UnknownBill(req.bill_pay_number.clone()))?;
        if let Some(refusal) = refusal(bill, req.amount) {
            return Ok(Paid::Refused(refusal));
        }
        let succeeded = req.outcome == PayOutcome::Success;
        if succeeded {
            bill.collected += req.amount;
            bill.closed |= bill.kind == BillKind::Order;
            if bill
                .max_collection_amount
                .is_some_and(|cap| bill.collected >= cap)
            {
                bill.status = BillStatus::Inactive;
            }
        }
        let customer = Customer {
            customer_name: Some(
                bill.customer
                    .as_ref()
                    .map_or("Simulated Payer", |c| c.name.as_str())
                    .to_owned(),
            ),
            customer_email: bill.customer.as_ref().and_then(|c| c.email.clone()),
            customer_phone_number: Some(
                req.phone
                    .clone()
                    .unwrap_or_else(|| "255712345678".to_owned()),
            ),
        };
        self.payment_seq += 1;
        let at = iso8601(now_ms);
        let record = PaymentRecord {
            id: format!("{}LCP{:04X}", req.bill_pay_number, self.payment_seq),
            status: if succeeded {
                PaymentStatus::Success
            } else {
                PaymentStatus::Failed
            },
            payment_reference: succeeded.then(|| provider_reference(req.channel, &at)),
            payment_phone_number: customer.customer_phone_number.clone(),
            order_reference: req.bill_pay_number.clone(),
            // Nothing is collected by a failed attempt; ClickPesa reports 0, never a negative.
            collected_amount: Some(if succeeded { req.amount } else { 0 }.into()),
            collected_currency: Some("TZS".to_owned()),
            message: Some(
                match req.outcome {
                    PayOutcome::Success => "success",
                    PayOutcome::Failure => "Payment failed",
                    PayOutcome::InsufficientFunds => "Insufficient balance",
                }
                .to_owned(),
            ),
            channel: Some(req.channel.wire_name().to_owned()),
            created_at: Some(at.clone()),
            updated_at: Some(at),
            customer: Some(customer),
            client_id: Some(client_id.to_owned()),
        };
        let mut record = record;
        match req.garble.filter(|_| succeeded) {
            Some(Garble::LowercaseStatus) => record.status = PaymentStatus::Other("success".into()),
            Some(Garble::GroupedAmount) => {
                let grouped = req
                    .amount
                    .to_string()
                    .as_bytes()
                    .rchunks(3)
                    .rev()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect::<Vec<_>>()
                    .join(",");
                record.collected_amount = Some(shared::clickpesa::FlexAmount::Text(grouped));
            }
            None => {}
        }
        self.payments.push(record.clone());
        Ok(Paid::Recorded(Box::new(record)))
    }

    /// The customer's money goes back: a SUCCESS or SETTLED payment becomes `status` (REFUNDED
    /// before settlement, REVERSED after it). The bill stays closed.
    pub fn return_payment(
        &mut self,
        id: &str,
        status: PaymentStatus,
        now_ms: u64,
    ) -> Result<PaymentRecord, ControlError> {
        if !matches!(status, PaymentStatus::Refunded | PaymentStatus::Reversed) {
            return Err(ControlError::Invalid(format!(
                "a payment is returned as REFUNDED or REVERSED, not {status}"
            )));
        }
        let record = self
            .payments
            .iter_mut()
            .find(|p| p.id == id)
            .ok_or_else(|| ControlError::Invalid(format!("no payment {id}")))?;
        if !record.status.is_paid() {
            return Err(ControlError::Invalid(format!(
                "payment {id} is {}: only money that arrived can go back",
                record.status
            )));
        }
        record.status = status;
        record.updated_at = Some(iso8601(now_ms));
        Ok(record.clone())
    }
}

fn refusal(bill: &Bill, entered: u64) -> Option<Refusal> {
    if bill.status == BillStatus::Inactive {
        return Some(Refusal::Inactive);
    }
    if bill.closed {
        return Some(Refusal::Closed);
    }
    match (bill.effective_mode(), bill.amount) {
        (PaymentMode::Exact, Some(expected)) if entered != expected => {
            Some(Refusal::AmountMismatch { expected, entered })
        }
        _ => bill
            .max_collection_amount
            .map(|cap| cap.saturating_sub(bill.collected))
            .filter(|remaining| entered > *remaining)
            .map(|remaining| Refusal::OverCap { remaining, entered }),
    }
}

/// `MP260521.1357.V51245`: channel prefix, yymmdd.hhmm of the payment, a random suffix.
fn provider_reference(channel: PayChannel, iso: &str) -> String {
    let digits: String = iso.chars().filter(char::is_ascii_digit).collect();
    format!(
        "{}{}.{}.V{:05}",
        channel.reference_prefix(),
        &digits[2..8],
        &digits[8..12],
        random_u64() % 100_000
    )
}
