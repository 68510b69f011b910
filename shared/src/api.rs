//! The edge's own HTTP API (versioned under `/v1`) for the widget and the shop's server, and the one
//! JSON error shape every route uses: `{"error":{"code":"…","message":"…"}}`.
//!
//! ```
//! use shared::api::{ApiError, ErrorBody};
//! let err = ApiError::new("not_found", "no such checkout");
//! assert_eq!(err.to_json(), r#"{"error":{"code":"not_found","message":"no such checkout"}}"#);
//! let parsed: ErrorBody = serde_json::from_str(&err.to_json()).unwrap();
//! assert_eq!(parsed.error, err);
//! ```
use serde::{Deserialize, Serialize};

use crate::channels::Lang;
use crate::clickpesa::PaymentMode;
use crate::ledger::{
    Bill, BillEvent, BillState, Closure, EventKind, FailedAttempt, LedgerError, Payment,
    ReviewRecord,
};
use crate::token::{OrderClaims, TokenError};
use crate::validate::{Amount, BillReference, Description, InvalidInput};

/// `api_version` of every view; bumped only with an incompatible change (and a new `/vN`).
pub const API_VERSION: u32 = 1;

/// An error as the API reports it; travels inside [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable, machine-readable (`invalid_amount`, `token_expired`, …).
    pub code: String,
    /// For people; may change.
    pub message: String,
}

/// The error response body, `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error.
    pub error: ApiError,
}

impl ApiError {
    /// An error with a stable `code` and a `message` for people.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }

    /// The complete response body.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&ErrorBody {
            error: self.clone(),
        })
        .expect("strings always serialise")
    }
}

impl From<ApiError> for ErrorBody {
    fn from(error: ApiError) -> Self {
        Self { error }
    }
}

/// Errors that carry their own stable code become API errors with their Display as message.
macro_rules! api_error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for ApiError {
            fn from(e: $t) -> Self {
                Self::new(e.code(), e.to_string())
            }
        }
    )*};
}
api_error_from!(InvalidInput, TokenError, LedgerError);

/// `POST /v1/checkouts` body: JSON, labelled [`BodyLabel::Json`] or [`BodyLabel::PlainText`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateCheckout {
    /// The order token minted by the shop's server.
    pub order: String,
}

/// How a request body is labelled (its `Content-Type`). Every body this API takes is JSON, read
/// the same way whatever the label; only the checkout create also takes [`BodyLabel::PlainText`],
/// a CORS-safelisted type, so that a browser sends it without an `OPTIONS` preflight first.
///
/// ```
/// use shared::api::BodyLabel;
/// assert_eq!(BodyLabel::of("application/json; charset=utf-8"), Some(BodyLabel::Json));
/// assert_eq!(BodyLabel::of("text/plain;charset=UTF-8"), Some(BodyLabel::PlainText));
/// assert_eq!(BodyLabel::of("text/plain; charset=iso-8859-1"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLabel {
    /// `application/json`, with any parameters.
    Json,
    /// `text/plain`, bare or with `charset=utf-8` (what `fetch` sends for a string body): any other
    /// charset or parameter would make the same bytes mean other characters.
    PlainText,
}

impl BodyLabel {
    /// The label of a `Content-Type` header value, or `None` for any other media type.
    pub fn of(content_type: &str) -> Option<Self> {
        let mut parts = content_type.split(';').map(str::trim);
        let media_type = parts.next().unwrap_or_default();
        if media_type.eq_ignore_ascii_case("application/json") {
            return Some(Self::Json);
        }
        let utf8 = |parameter: &str| {
            parameter.split_once('=').is_some_and(|(name, value)| {
                name.trim().eq_ignore_ascii_case("charset")
                    && value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            })
        };
        (media_type.eq_ignore_ascii_case("text/plain") && parts.all(utf8))
            .then_some(Self::PlainText)
    }

    /// The label as the API's error messages name it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::PlainText => "text/plain (UTF-8)",
        }
    }
}

/// A received payment as the customer sees it (receipt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentView {
    /// The channel as ClickPesa names it (e.g. `M-PESA`), if it said.
    pub channel: Option<String>,
    /// What this payment brought, in whole TZS.
    pub amount: u64,
    /// The network's or bank's reference for the payment, if ClickPesa sent one.
    pub payment_reference: Option<String>,
    /// ClickPesa's timestamp for the payment (ISO 8601); empty if it sent none.
    pub paid_at: String,
}

impl From<&Payment> for PaymentView {
    fn from(p: &Payment) -> Self {
        Self {
            channel: p.channel.clone(),
            amount: p.amount,
            payment_reference: p.payment_reference.clone(),
            paid_at: p.paid_at.clone(),
        }
    }
}

/// A failed payment attempt as the customer sees it; the bill stays open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedAttemptView {
    /// The channel as ClickPesa names it, if it said.
    pub channel: Option<String>,
    /// ClickPesa's reason (e.g. `Insufficient balance`), if it gave one.
    pub message: Option<String>,
    /// ClickPesa's timestamp for the attempt (ISO 8601); empty if it sent none.
    pub at: String,
}

impl From<&FailedAttempt> for FailedAttemptView {
    fn from(f: &FailedAttempt) -> Self {
        Self {
            channel: f.channel.clone(),
            message: f.message.clone(),
            at: f.at.clone(),
        }
    }
}

/// The checkout as the widget sees it: `POST /v1/checkouts` and `GET /v1/checkouts/{ref}`.
/// `version` is the ETag; `server_time` lets the widget run its countdown on the edge's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutView {
    /// Always [`API_VERSION`].
    pub api_version: u32,
    /// The shop's order reference (the `billReference` sent to ClickPesa).
    pub reference: String,
    /// The number the customer pays: ClickPesa's `billPayNumber`.
    pub control_number: String,
    /// What the order costs, in whole TZS.
    pub amount: u64,
    /// Always `TZS`.
    pub currency: String,
    /// The order's description from the token; may be empty.
    pub description: String,
    /// Where the bill stands; every state but `pending` ends the checkout.
    pub state: BillState,
    /// Whole TZS received so far and still held, over all payments.
    pub paid_total: u64,
    /// Whole TZS still to pay: `amount - paid_total`, never below zero.
    pub remaining: u64,
    /// Whole TZS that arrived and went back to the payer (refunded or reversed); not in
    /// `paid_total`. A `refunded` bill shows the customer this amount.
    pub returned_total: u64,
    /// When the checkout stops waiting for payment (unix seconds): the token's `exp` or the
    /// deployment's `CHECKOUT_TTL` after creation, whichever is earlier.
    pub expires_at: u64,
    /// The edge's clock when it made this view (unix seconds).
    pub server_time: u64,
    /// Oldest first.
    pub payments: Vec<PaymentView>,
    /// Oldest first.
    pub failed_attempts: Vec<FailedAttemptView>,
    /// `None` when not configured: the widget then shows M-Pesa as unavailable.
    pub mpesa_business_number: Option<String>,
    /// The bill's version: 1 at creation, one more with every change.
    pub version: u64,
}

impl CheckoutView {
    /// The view of `bill` at `now` (unix seconds), with the deployment's M-Pesa business number, if
    /// it has one.
    pub fn from_bill(bill: &Bill, mpesa_business_number: Option<&str>, now: u64) -> CheckoutView {
        // The receipt lists money the shop holds; what went back is the shop's to explain.
        let mut payments: Vec<&Payment> = bill.payments.values().filter(|p| p.is_held()).collect();
        payments.sort_by(|a, b| (&a.paid_at, &a.id).cmp(&(&b.paid_at, &b.id)));
        let mut failed: Vec<&FailedAttempt> = bill.failed_attempts.values().collect();
        failed.sort_by(|a, b| (&a.at, &a.id).cmp(&(&b.at, &b.id)));
        CheckoutView {
            api_version: API_VERSION,
            reference: bill.reference.to_string(),
            control_number: bill.control_number.clone(),
            amount: bill.amount,
            currency: crate::ledger::CURRENCY.to_owned(),
            description: bill.description.to_string(),
            state: bill.state,
            paid_total: bill.paid_total,
            remaining: bill.amount.saturating_sub(bill.paid_total),
            returned_total: bill.returned_total,
            expires_at: bill.expires_at,
            server_time: now,
            payments: payments.into_iter().map(PaymentView::from).collect(),
            failed_attempts: failed.into_iter().map(FailedAttemptView::from).collect(),
            mpesa_business_number: mpesa_business_number.map(str::to_owned),
            version: bill.version,
        }
    }
}

/// `POST /v1/orders` body (shop server, bearer `MERCHANT_API_KEY`): the edge mints the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateOrder {
    /// The shop's order reference; becomes the control number.
    pub reference: BillReference,
    /// What to charge, in whole TZS.
    pub amount: Amount,
    /// Shown to the customer and sent to ClickPesa; may be omitted.
    #[serde(default)]
    pub description: Description,
    /// Defaults to EXACT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<PaymentMode>,
    /// Seconds from now; defaults to the deployment's `CHECKOUT_TTL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// The payment link page's language (`en` or `sw`) when neither its `?lang=` nor the
    /// customer's browser names one ([`crate::paylink::page_lang`]); English when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<Lang>,
}

impl CreateOrder {
    /// The claims to mint, expiring `expires_in` (else `default_ttl`) seconds after `now`;
    /// `invalid_expires_in` unless that is between 1 second and `max_lifetime`.
    pub fn into_claims(
        self,
        now: u64,
        default_ttl: u64,
        max_lifetime: u64,
    ) -> Result<OrderClaims, ApiError> {
        let lifetime = self.expires_in.unwrap_or(default_ttl.min(max_lifetime));
        if lifetime == 0 || lifetime > max_lifetime {
            return Err(ApiError::new(
                "invalid_expires_in",
                format!("expires_in must be between 1 and {max_lifetime} seconds"),
            ));
        }
        Ok(OrderClaims {
            reference: self.reference,
            amount: self.amount,
            description: self.description,
            mode: self.mode.unwrap_or(PaymentMode::Exact),
            exp: now.saturating_add(lifetime),
        })
    }
}

/// `POST /v1/orders` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCreated {
    /// The order token, for the page's `data-order`.
    pub order: String,
    /// The order reference, as given.
    pub reference: String,
    /// The token's `exp` (unix seconds): the checkout must start before then.
    pub expires_at: u64,
    /// The order's payment link (`<edge>/p/<code>`, at most [`crate::paylink::MAX_PAY_URL_LEN`]
    /// characters on an origin of at most [`crate::paylink::MAX_ORIGIN_LEN`]): a page on the edge
    /// with the widget for this order, to send by SMS, WhatsApp or email. It works while the token
    /// is valid and afterwards as long as the bill exists.
    pub pay_url: String,
}

/// `GET /v1/orders/{ref}` (shop server): the checkout view plus what reconciliation needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    /// What the widget sees, in the same JSON object.
    #[serde(flatten)]
    pub checkout: CheckoutView,
    /// The payment mode the control number was created with.
    pub mode: PaymentMode,
    /// When the edge created the bill (unix seconds).
    pub created_at: u64,
    /// Set once the bill expired or was cancelled, even if money arrived afterwards.
    pub closed: Option<Closure>,
    /// Payments with ClickPesa ids and statuses, by id, including refunded and reversed ones.
    pub recorded_payments: Vec<Payment>,
    /// Payment records ClickPesa sent that were not applied (unreadable or contradictory).
    pub needs_review: Vec<ReviewRecord>,
    /// Notifications the edge gave up delivering to the shop after its retries.
    #[serde(default)]
    pub undelivered_notifications: Vec<UndeliveredNotification>,
}

/// A shop notification that was never acknowledged: after `attempts` tries the edge stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndeliveredNotification {
    /// The event id, as the notification carried it.
    pub id: String,
    /// The notification body that was sent, exactly.
    pub body: String,
    /// Attempts made before the edge gave up (NOTIFY_MAX_ATTEMPTS).
    pub attempts: u32,
    /// Unix seconds of the last attempt.
    pub last_attempt_at: u64,
    /// Why the last attempt failed.
    pub last_error: String,
}

impl OrderView {
    /// The view of `bill` at `now` (unix seconds), with the deployment's M-Pesa business number, if
    /// it has one.
    pub fn from_bill(bill: &Bill, mpesa_business_number: Option<&str>, now: u64) -> OrderView {
        OrderView {
            checkout: CheckoutView::from_bill(bill, mpesa_business_number, now),
            mode: bill.mode,
            created_at: bill.created_at,
            closed: bill.closed.clone(),
            recorded_payments: bill.payments.values().cloned().collect(),
            needs_review: bill.needs_review.values().cloned().collect(),
            undelivered_notifications: Vec::new(),
        }
    }
}

/// The body POSTed to `MERCHANT_WEBHOOK_URL`, signed with [`crate::notify::sign`]. `id` is the
/// event's stable id: the shop deduplicates on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopNotification {
    /// `<ref>.<kind>[.<payment id>]`: every delivery of the same fact carries the same id.
    pub id: String,
    /// What happened (`payment.received`, `bill.paid`, …); `type` on the wire.
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// When the event happened (unix seconds), not when this delivery was attempted.
    pub created: u64,
    /// The event, with the bill's state and totals right after it.
    pub data: BillEvent,
}

impl From<BillEvent> for ShopNotification {
    fn from(event: BillEvent) -> Self {
        Self {
            id: event.id.clone(),
            kind: event.kind,
            created: event.at,
            data: event,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clickpesa::{FlexAmount, PaymentRecord, PaymentStatus};

    #[test]
    fn body_labels() {
        let cases = [
            ("bare json", "application/json", Some(BodyLabel::Json)),
            (
                "json, any case, parameters",
                "Application/JSON; charset=utf-8",
                Some(BodyLabel::Json),
            ),
            ("bare text", "text/plain", Some(BodyLabel::PlainText)),
            (
                "fetch's string body",
                "text/plain;charset=UTF-8",
                Some(BodyLabel::PlainText),
            ),
            (
                "quoted charset",
                "TEXT/PLAIN; charset=\"utf-8\"",
                Some(BodyLabel::PlainText),
            ),
            ("another charset", "text/plain; charset=iso-8859-1", None),
            (
                "a parameter that is no charset",
                "text/plain; format=flowed",
                None,
            ),
            ("a parameter without a value", "text/plain; charset", None),
            ("empty", "", None),
            ("form", "application/x-www-form-urlencoded", None),
            ("html", "text/html; charset=utf-8", None),
            ("json in disguise", "text/json", None),
        ];
        for (name, header, expected) in cases {
            assert_eq!(BodyLabel::of(header), expected, "{name}: {header}");
        }
    }

    fn paid_bill() -> Bill {
        let claims = OrderClaims {
            reference: BillReference::parse("WS1001").unwrap(),
            amount: Amount::parse(25_000).unwrap(),
            description: Description::parse("Order WS1001").unwrap(),
            mode: PaymentMode::AllowPartialAndOverPayment,
            exp: 2_000,
        };
        let mut bill = Bill::new(&claims, "WS1001".into(), 1_000, 1_900);
        for (id, amount, at) in [
            ("P2", 15_000, "2026-05-21T11:00:00Z"),
            ("P1", 10_000, "2026-05-21T10:00:00Z"),
        ] {
            let record = PaymentRecord {
                id: id.into(),
                status: PaymentStatus::Success,
                payment_reference: Some(format!("MP.{id}")),
                payment_phone_number: None,
                order_reference: "WS1001".into(),
                collected_amount: Some(FlexAmount::Text(amount.to_string())),
                collected_currency: Some("TZS".into()),
                message: Some("success".into()),
                channel: Some("M-PESA".into()),
                created_at: None,
                updated_at: Some(at.into()),
                customer: None,
                client_id: None,
            };
            bill.apply(&record, 1_100).unwrap();
        }
        bill
    }

    #[test]
    fn checkout_view_from_bill() {
        let view = CheckoutView::from_bill(&paid_bill(), Some("123456"), 1_200);
        assert_eq!(
            (
                view.api_version,
                view.state,
                view.paid_total,
                view.remaining
            ),
            (1, BillState::Paid, 25_000, 0)
        );
        assert_eq!(
            (view.currency.as_str(), view.server_time, view.version),
            ("TZS", 1_200, 3)
        );
        let refs: Vec<_> = view
            .payments
            .iter()
            .map(|p| p.payment_reference.as_deref().unwrap())
            .collect();
        assert_eq!(refs, ["MP.P1", "MP.P2"], "oldest first");
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["state"], "paid");
        assert_eq!(json["mpesa_business_number"], "123456");
        assert_eq!(serde_json::from_value::<CheckoutView>(json).unwrap(), view);
    }

    #[test]
    fn order_view_flattens_the_checkout() {
        let view = OrderView::from_bill(&paid_bill(), None, 1_200);
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["reference"], "WS1001");
        assert_eq!(json["mode"], "ALLOW_PARTIAL_AND_OVER_PAYMENT");
        assert_eq!(json["recorded_payments"][0]["id"], "P1");
        assert_eq!(serde_json::from_value::<OrderView>(json).unwrap(), view);
    }

    #[test]
    fn errors_keep_their_codes() {
        assert_eq!(
            ApiError::from(InvalidInput::PhoneInvalid).code,
            "invalid_phone"
        );
        assert_eq!(
            ApiError::from(TokenError::Expired { exp: 5 }).code,
            "token_expired"
        );
        let e = ApiError::from(LedgerError::NotCancellable {
            state: BillState::Paid,
        });
        assert_eq!(e.code, "not_cancellable");
        assert!(e
            .to_json()
            .starts_with(r#"{"error":{"code":"not_cancellable","message":"#));
    }

    #[test]
    fn create_order_defaults_and_validation() {
        let order: CreateOrder =
            serde_json::from_str(r#"{"reference":"WS1","amount":5000}"#).unwrap();
        let claims = order.clone().into_claims(100, 900, 86_400).unwrap();
        assert_eq!(
            (claims.mode, claims.exp, claims.description.as_str()),
            (PaymentMode::Exact, 1_000, "")
        );
        // Issue 13 item 6: the lifetime is bounded.
        let with = |expires_in| CreateOrder {
            expires_in: Some(expires_in),
            ..order.clone()
        };
        assert_eq!(
            with(86_400).into_claims(100, 900, 86_400).unwrap().exp,
            86_500
        );
        for refused in [0, 86_401, u64::MAX] {
            let error = with(refused).into_claims(100, 900, 86_400).unwrap_err();
            assert_eq!(error.code, "invalid_expires_in", "{refused}");
            assert!(
                refused == 0 || !error.message.contains(&refused.to_string()),
                "no echo of the input"
            );
        }
        assert_eq!(
            order.into_claims(100, 900, 600).unwrap().exp,
            700,
            "the default never exceeds the maximum"
        );
        assert!(
            serde_json::from_str::<CreateOrder>(r#"{"reference":"WS-1","amount":5000}"#).is_err()
        );
        assert!(serde_json::from_str::<CreateOrder>(r#"{"reference":"WS1","amount":0}"#).is_err());
    }

    #[test]
    fn shop_notification_shape() {
        let event = paid_bill()
            .apply(
                &PaymentRecord {
                    id: "P3".into(),
                    status: PaymentStatus::Settled,
                    payment_reference: None,
                    payment_phone_number: None,
                    order_reference: "WS1001".into(),
                    collected_amount: Some(FlexAmount::from(1)),
                    collected_currency: None,
                    message: None,
                    channel: None,
                    created_at: None,
                    updated_at: None,
                    customer: None,
                    client_id: None,
                },
                1_300,
            )
            .unwrap();
        let note = ShopNotification::from(event[0].clone());
        let json = serde_json::to_value(&note).unwrap();
        assert_eq!(json["id"], "WS1001.payment.received.P3");
        assert_eq!(json["type"], "payment.received");
        assert_eq!(json["created"], 1_300);
        assert_eq!(json["data"]["state"], "overpaid");
    }
}
