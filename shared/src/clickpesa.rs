//! ClickPesa wire types, field for field as `shared/clickpesa/API.md` describes them (camelCase JSON).
//!
//! Parsing is tolerant where ClickPesa is inconsistent: amounts arrive as strings or numbers
//! ([`FlexAmount`]), webhooks say `event` or (older) `eventType`, old payloads use `paymentId` /
//! `amount` / `currency`, optional fields may be missing, and unknown event or status names are kept
//! verbatim instead of failing the whole body.
//!
//! ```
//! use shared::clickpesa::{Webhook, WebhookEvent};
//! let hook: Webhook = serde_json::from_str(
//!     r#"{"eventType":"PAYMENT FAILED","data":{"id":"P1","status":"FAILED","orderReference":"WS1"}}"#,
//! ).unwrap();
//! assert_eq!(hook.event, WebhookEvent::PaymentFailed);
//! assert_eq!(hook.payment().unwrap().order_reference, "WS1");
//! ```
use std::fmt;

use serde::{Deserialize, Serialize};

/// Endpoint paths, relative to the base URL (`https://api.clickpesa.com/third-parties`).
pub mod paths {
    pub const GENERATE_TOKEN: &str = "/generate-token";
    pub const CREATE_ORDER_CONTROL_NUMBER: &str = "/billpay/create-order-control-number";
    pub const CREATE_CUSTOMER_CONTROL_NUMBER: &str = "/billpay/create-customer-control-number";
    pub const BULK_CREATE_ORDER_CONTROL_NUMBERS: &str =
        "/billpay/bulk-create-order-control-numbers";
    pub const BULK_CREATE_CUSTOMER_CONTROL_NUMBERS: &str =
        "/billpay/bulk-create-customer-control-numbers";
    /// `GET` (details) and `PATCH` (update) take `/billpay/{billPayNumber}`.
    pub const BILLPAY_PREFIX: &str = "/billpay/";
    /// `GET /payments/{orderReference}` returns an array; `GET /payments/all` a [`super::PaymentsPage`].
    pub const PAYMENTS_PREFIX: &str = "/payments/";
    pub const PAYMENTS_ALL: &str = "/payments/all";
}

/// Bulk requests take 1 to 50 items.
pub const MAX_BULK_ITEMS: usize = 50;

/// `POST /generate-token` response. `token` already starts with `Bearer `: send it verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub success: bool,
    pub token: String,
}

/// Every ClickPesa error body: `{"message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorMessage {
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentMode {
    /// Only the full amount is accepted.
    Exact,
    /// Under- and overpayment accepted (ClickPesa's default when `billAmount` is set).
    AllowPartialAndOverPayment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BillStatus {
    Active,
    /// Payments to an inactive number are refused by the MNO/bank.
    Inactive,
}

/// An amount as ClickPesa sends it: `"10000"` (webhooks) or `10000` (query API). Re-serialises
/// exactly as it arrived, so a body can be re-checksummed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FlexAmount {
    Number(serde_json::Number),
    Text(String),
}

impl FlexAmount {
    /// The amount in whole TZS, if it is a non-negative whole number (`"25000"`, `25000`,
    /// `25000.0`, `"25000.00"`); `None` for fractions, negatives and junk.
    pub fn whole_tzs(&self) -> Option<u64> {
        match self {
            Self::Number(n) => n.as_u64().or_else(|| n.as_f64().and_then(whole_f64)),
            Self::Text(s) => {
                let s = s.trim();
                let (int, frac) = s.split_once('.').unwrap_or((s, ""));
                let digits_only = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
                if int.is_empty()
                    || !digits_only(int)
                    || !digits_only(frac)
                    || frac.bytes().any(|b| b != b'0')
                {
                    return None;
                }
                int.parse().ok()
            }
        }
    }
}

impl fmt::Display for FlexAmount {
    /// The amount as sent: a number's digits, a string's text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::Text(t) => f.write_str(t),
        }
    }
}

fn whole_f64(f: f64) -> Option<u64> {
    (f >= 0.0 && f.fract() == 0.0 && f < u64::MAX as f64).then_some(f as u64)
}

impl From<u64> for FlexAmount {
    fn from(n: u64) -> Self {
        Self::Number(n.into())
    }
}

/// `POST /billpay/create-order-control-number` body. Every field is optional on the wire; this
/// project always sets reference, whole-TZS amount and mode.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrderControlNumber {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_amount: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_payment_mode: Option<PaymentMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_max_collection_amount: Option<u64>,
}

/// `POST /billpay/create-customer-control-number` body: the order fields plus the customer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCustomerControlNumber {
    #[serde(flatten)]
    pub bill: CreateOrderControlNumber,
    pub customer_name: String,
    /// Required when there is no phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<String>,
    /// `255` + 9 digits; required when there is no email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_phone: Option<String>,
}

/// Bulk create body, `{"controlNumbers":[…]}` with 1..=[`MAX_BULK_ITEMS`] items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkCreate<T> {
    pub control_numbers: Vec<T>,
}
pub type BulkCreateOrder = BulkCreate<CreateOrderControlNumber>;
pub type BulkCreateCustomer = BulkCreate<CreateCustomerControlNumber>;

/// Bulk create response: partial success, invalid items reported by 0-based index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkCreateResponse {
    pub bill_pay_numbers: Vec<String>,
    pub created: u32,
    pub failed: u32,
    /// Present only when `failed > 0`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<BulkItemError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkItemError {
    pub index: u32,
    pub reason: String,
}

/// A BillPay number's details: `GET /billpay/{n}`. Only `billPayNumber` is certain; the rest varies
/// between docs versions, so every other field is optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillPayDetails {
    pub bill_pay_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_description: Option<String>,
    /// Customer numbers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_customer_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_amount: Option<FlexAmount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_payment_mode: Option<PaymentMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_status: Option<BillStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_max_collection_amount: Option<FlexAmount>,
}

/// Create responses: the newest docs return only `billPayNumber`, older ones the details object.
pub type CreateControlNumberResponse = BillPayDetails;
/// `PATCH /billpay/{n}` responds with the updated details.
pub type UpdateBillPayResponse = BillPayDetails;

/// `PATCH /billpay/{n}` body: at least one field (ClickPesa's `minProperties: 1`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateBillPay {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_status: Option<BillStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_amount: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_payment_mode: Option<PaymentMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_max_collection_amount: Option<u64>,
}

/// Enums ClickPesa may extend: known names map to variants, anything else is kept in `Other`.
macro_rules! open_string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $wire:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($(#[$vm])* $variant,)*
            /// A name this code does not know, kept verbatim.
            Other(String),
        }
        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Other(s) => s,
                }
            }
        }
        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($wire => Self::$variant,)*
                    _ => Self::Other(s),
                }
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                match v {
                    $name::Other(s) => s,
                    known => known.as_str().to_owned(),
                }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

open_string_enum!(
    /// A payment's status (API.md §3.2).
    PaymentStatus {
        /// Received, not yet settled.
        Success = "SUCCESS",
        /// Settled to the merchant.
        Settled = "SETTLED",
        Processing = "PROCESSING",
        /// Waiting on the customer.
        Pending = "PENDING",
        Failed = "FAILED",
        /// Needs merchant action.
        OnHold = "ON-HOLD",
        /// Not settled; funds returned to the payer.
        Refunded = "REFUNDED",
        /// Settled, then returned.
        Reversed = "REVERSED",
    }
);

impl PaymentStatus {
    /// SUCCESS and SETTLED mean the money arrived.
    pub fn is_paid(&self) -> bool {
        matches!(self, Self::Success | Self::Settled)
    }
}

open_string_enum!(
    /// Webhook event names (API.md §4.1); note the space.
    WebhookEvent {
        PaymentReceived = "PAYMENT RECEIVED",
        PaymentFailed = "PAYMENT FAILED",
        PayoutInitiated = "PAYOUT INITIATED",
        PayoutRefunded = "PAYOUT REFUNDED",
        PayoutReversed = "PAYOUT REVERSED",
        DepositReceived = "DEPOSIT RECEIVED",
    }
);

/// The payer as ClickPesa reports them (old payloads: `name`/`email`/`phone`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    #[serde(default, alias = "name", skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    #[serde(default, alias = "email", skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<String>,
    #[serde(default, alias = "phone", skip_serializing_if = "Option::is_none")]
    pub customer_phone_number: Option<String>,
}

/// One payment (attempt) for an order reference: an item of `GET /payments/{ref}` and the `data` of
/// a `PAYMENT RECEIVED` / `PAYMENT FAILED` webhook. FAILED records carry no amount or reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRecord {
    #[serde(alias = "paymentId")]
    pub id: String,
    pub status: PaymentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_phone_number: Option<String>,
    pub order_reference: String,
    #[serde(default, alias = "amount", skip_serializing_if = "Option::is_none")]
    pub collected_amount: Option<FlexAmount>,
    #[serde(default, alias = "currency", skip_serializing_if = "Option::is_none")]
    pub collected_currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Absent from the query API schema; present in webhooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Customer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// `GET /payments/all` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentsPage {
    pub data: Vec<PaymentRecord>,
    pub total_count: u64,
}

/// A webhook body, `{"event": …, "data": {…}}`, once its checksum has been verified
/// (see [`crate::checksum::verify`]). `data` stays raw: its shape depends on the event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    #[serde(alias = "eventType")]
    pub event: WebhookEvent,
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("webhook event {0} does not carry a payment")]
    NotAPaymentEvent(String),
    #[error("payment data is malformed: {0}")]
    MalformedPayment(String),
}

impl Webhook {
    /// The payment of a `PAYMENT RECEIVED` / `PAYMENT FAILED` webhook. A missing `status` is taken
    /// from the event name (old payloads omitted it).
    pub fn payment(&self) -> Result<PaymentRecord, WireError> {
        let implied_status = match self.event {
            WebhookEvent::PaymentReceived => PaymentStatus::Success,
            WebhookEvent::PaymentFailed => PaymentStatus::Failed,
            ref other => return Err(WireError::NotAPaymentEvent(other.to_string())),
        };
        let mut data = self.data.clone();
        if let Some(obj) = data.as_object_mut() {
            obj.entry("status")
                .or_insert_with(|| implied_status.as_str().into());
        }
        serde_json::from_value(data).map_err(|e| WireError::MalformedPayment(e.to_string()))
    }
}
