//! ClickPesa wire types, field for field as docs/clickpesa.md describes them (camelCase JSON).
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
    /// `POST` with the `client-id` and `api-key` headers: a bearer token valid for one hour.
    pub const GENERATE_TOKEN: &str = "/generate-token";
    /// `POST` a [`super::CreateOrderControlNumber`]: a one-shot Order control number, closed by its
    /// first payment.
    pub const CREATE_ORDER_CONTROL_NUMBER: &str = "/billpay/create-order-control-number";
    /// `POST` a [`super::CreateCustomerControlNumber`]: a Customer control number, which takes
    /// repeated payments.
    pub const CREATE_CUSTOMER_CONTROL_NUMBER: &str = "/billpay/create-customer-control-number";
    /// `POST` a [`super::BulkCreateOrder`]: up to [`super::MAX_BULK_ITEMS`] Order control numbers
    /// at once.
    pub const BULK_CREATE_ORDER_CONTROL_NUMBERS: &str =
        "/billpay/bulk-create-order-control-numbers";
    /// `POST` a [`super::BulkCreateCustomer`]: up to [`super::MAX_BULK_ITEMS`] Customer control
    /// numbers at once.
    pub const BULK_CREATE_CUSTOMER_CONTROL_NUMBERS: &str =
        "/billpay/bulk-create-customer-control-numbers";
    /// `GET` (details) and `PATCH` (update) take `/billpay/{billPayNumber}`.
    pub const BILLPAY_PREFIX: &str = "/billpay/";
    /// `GET /payments/{orderReference}` returns an array; `GET /payments/all` a [`super::PaymentsPage`].
    pub const PAYMENTS_PREFIX: &str = "/payments/";
    /// `GET` the account's payments, filtered and paged by query parameters (`status`,
    /// `orderReference`, `skip`, `limit`, …).
    pub const PAYMENTS_ALL: &str = "/payments/all";
}

/// Bulk requests take 1 to 50 items.
pub const MAX_BULK_ITEMS: usize = 50;

/// `POST /generate-token` response. `token` already starts with `Bearer `: send it verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// `true` whenever ClickPesa issued a token; failures come as an [`ErrorMessage`] with 401 or
    /// 403.
    pub success: bool,
    /// The JWT, prefixed with `Bearer `; valid for one hour from issue.
    pub token: String,
}

/// Every ClickPesa error body: `{"message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorMessage {
    /// ClickPesa's free-text explanation (e.g. `BillPay Number does not exist`); not a stable code.
    pub message: String,
}

/// ClickPesa's `billPaymentMode`: how a control number treats payments that differ from
/// `billAmount`. It only takes effect when the bill has an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentMode {
    /// Only the full amount is accepted.
    Exact,
    /// Under- and overpayment accepted (ClickPesa's default when `billAmount` is set).
    AllowPartialAndOverPayment,
}

/// ClickPesa's `billStatus`: whether a control number still takes payments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BillStatus {
    /// Payments to the number are accepted.
    Active,
    /// Payments to an inactive number are refused by the MNO/bank.
    Inactive,
}

/// An amount as ClickPesa sends it: `"10000"` (webhooks) or `10000` (query API). Re-serialises
/// exactly as it arrived, so a body can be re-checksummed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FlexAmount {
    /// A JSON number, as the payments query API sends `collectedAmount`.
    Number(serde_json::Number),
    /// A string, as webhooks send `collectedAmount` (`"10000"`).
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
    /// Becomes the control number the customer pays with: alphanumeric, at most 20 characters,
    /// unique in the ClickPesa account. ClickPesa generates a number when it is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_reference: Option<String>,
    /// The amount expected, in whole TZS (an integer, so the checksum does not depend on float
    /// formatting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_amount: Option<u64>,
    /// Free text about the bill; ClickPesa's update schema caps it at 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_description: Option<String>,
    /// Defaults to `ALLOW_PARTIAL_AND_OVER_PAYMENT` at ClickPesa; ignored without `billAmount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_payment_mode: Option<PaymentMode>,
    /// A cap on the total the number may collect, in whole TZS (added by ClickPesa in August 2026),
    /// for `ALLOW_PARTIAL_AND_OVER_PAYMENT`: at least `billAmount`; a payment beyond it is
    /// rejected, and the number goes INACTIVE once it is reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_max_collection_amount: Option<u64>,
}

/// `POST /billpay/create-customer-control-number` body: the order fields plus the customer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCustomerControlNumber {
    /// The bill fields, in the same JSON object.
    #[serde(flatten)]
    pub bill: CreateOrderControlNumber,
    /// The customer the number belongs to; required.
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
    /// The items, each shaped like the matching single-create body.
    pub control_numbers: Vec<T>,
}
/// `POST /billpay/bulk-create-order-control-numbers` body; its items must not name a customer.
pub type BulkCreateOrder = BulkCreate<CreateOrderControlNumber>;
/// `POST /billpay/bulk-create-customer-control-numbers` body; each item needs `customerName` and an
/// email or a phone.
pub type BulkCreateCustomer = BulkCreate<CreateCustomerControlNumber>;

/// Bulk create response: partial success, invalid items reported by 0-based index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkCreateResponse {
    /// The control numbers created, successes only: match them to items by `billReference`, not by
    /// position.
    pub bill_pay_numbers: Vec<String>,
    /// How many items were created.
    pub created: u32,
    /// How many items were rejected.
    pub failed: u32,
    /// Present only when `failed > 0`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<BulkItemError>,
}

/// A bulk item ClickPesa rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkItemError {
    /// The item's 0-based position in the request's `controlNumbers`.
    pub index: u32,
    /// ClickPesa's free-text reason.
    pub reason: String,
}

/// A BillPay number's details: `GET /billpay/{n}`. Only `billPayNumber` is certain; the rest varies
/// between docs versions, so every other field is optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillPayDetails {
    /// The control number customers pay with; equal to `billReference` when one was supplied.
    pub bill_pay_number: String,
    /// The description given at creation or in the last update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_description: Option<String>,
    /// Customer numbers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_customer_name: Option<String>,
    /// The amount expected, in TZS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_amount: Option<FlexAmount>,
    /// How payments that differ from `billAmount` are treated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_payment_mode: Option<PaymentMode>,
    /// Whether the number takes payments: in the `PATCH` response; not documented for `GET`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_status: Option<BillStatus>,
    /// The collection cap in TZS, if one is set; ClickPesa has not documented this field for `GET`.
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
    /// `INACTIVE` makes the networks refuse further payments; `ACTIVE` reopens the number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_status: Option<BillStatus>,
    /// The new amount expected, in whole TZS; ClickPesa requires it to be positive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_amount: Option<u64>,
    /// The new description, at most 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_description: Option<String>,
    /// The new payment mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_payment_mode: Option<PaymentMode>,
    /// The new collection cap, in whole TZS; ClickPesa recalculates what can still be collected.
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
            /// The name as ClickPesa spells it on the wire.
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
    /// A payment's status (docs/clickpesa.md §3.2).
    PaymentStatus {
        /// Received, not yet settled.
        Success = "SUCCESS",
        /// Settled to the merchant.
        Settled = "SETTLED",
        /// In progress.
        Processing = "PROCESSING",
        /// Waiting on the customer.
        Pending = "PENDING",
        /// Did not go through; `message` says why (e.g. `Insufficient balance`).
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
    /// Webhook event names (docs/clickpesa.md §4.1); note the space.
    WebhookEvent {
        /// Money arrived for an order reference; `data` is a [`PaymentRecord`].
        PaymentReceived = "PAYMENT RECEIVED",
        /// A payment attempt failed; `data` is a [`PaymentRecord`], usually without an amount.
        PaymentFailed = "PAYMENT FAILED",
        /// A payout from the merchant's ClickPesa balance started (not BillPay).
        PayoutInitiated = "PAYOUT INITIATED",
        /// A payout was refunded (not BillPay).
        PayoutRefunded = "PAYOUT REFUNDED",
        /// A payout was reversed (not BillPay).
        PayoutReversed = "PAYOUT REVERSED",
        /// A deposit to the merchant, e.g. money paid to the bare 4-digit BillPay-Namba rather than
        /// to a control number; merchant-level webhooks only, with `depositAmount` instead of
        /// `collectedAmount`.
        DepositReceived = "DEPOSIT RECEIVED",
    }
);

/// The payer as ClickPesa reports them (old payloads: `name`/`email`/`phone`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// The payer's name.
    #[serde(default, alias = "name", skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    /// The payer's email; may be empty.
    #[serde(default, alias = "email", skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<String>,
    /// The payer's phone number, `255…` without `+`.
    #[serde(default, alias = "phone", skip_serializing_if = "Option::is_none")]
    pub customer_phone_number: Option<String>,
}

/// One payment (attempt) for an order reference: an item of `GET /payments/{ref}` and the `data` of
/// a `PAYMENT RECEIVED` / `PAYMENT FAILED` webhook. FAILED records carry no amount or reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRecord {
    /// ClickPesa's payment (transaction) id; the ledger records each id once.
    #[serde(alias = "paymentId")]
    pub id: String,
    /// Where the payment stands.
    pub status: PaymentStatus,
    /// The network's or bank's reference for the payment, for the customer's receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_reference: Option<String>,
    /// The phone the payment came from, `255…`; only on USSD-push and BillPay payments (since
    /// February 2026).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_phone_number: Option<String>,
    /// The reference paid: for BillPay, the control number (`billPayNumber`), though ClickPesa's
    /// docs do not state it outright.
    pub order_reference: String,
    /// The amount received, in TZS: a string in webhooks, a number from the query API; `"0"` rather
    /// than negative since March 2026.
    #[serde(default, alias = "amount", skip_serializing_if = "Option::is_none")]
    pub collected_amount: Option<FlexAmount>,
    /// The currency received, `TZS` for BillPay.
    #[serde(default, alias = "currency", skip_serializing_if = "Option::is_none")]
    pub collected_currency: Option<String>,
    /// ClickPesa's free text: `success`, or why the payment failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Absent from the query API schema; present in webhooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// When ClickPesa created the record, ISO 8601 (`2026-05-21T10:57:03.884Z`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When the record last changed, ISO 8601; the ledger takes it as the payment's time when
    /// present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Who paid: for BillPay, the actual sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Customer>,
    /// The Client ID of the ClickPesa application the payment belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// `GET /payments/all` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentsPage {
    /// This page's payments (`skip` and `limit` choose the page).
    pub data: Vec<PaymentRecord>,
    /// How many payments match the filter, over all pages.
    pub total_count: u64,
}

/// A webhook body, `{"event": …, "data": {…}}`, once its checksum has been verified
/// (see [`crate::checksum::verify`]). `data` stays raw: its shape depends on the event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    /// What happened.
    #[serde(alias = "eventType")]
    pub event: WebhookEvent,
    /// The event's record: a [`PaymentRecord`] for the two payment events, read with
    /// [`Webhook::payment`].
    pub data: serde_json::Value,
}

/// Why a verified webhook could not be read as a payment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The event (named) is neither `PAYMENT RECEIVED` nor `PAYMENT FAILED`.
    #[error("webhook event {0} does not carry a payment")]
    NotAPaymentEvent(String),
    /// `data` does not parse as a [`PaymentRecord`] (serde's message).
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
