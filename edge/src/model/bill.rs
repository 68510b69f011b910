//! Requests to a `Bill` object and what it keeps in storage.
use serde::{Deserialize, Serialize};
use shared::api::{CheckoutView, UndeliveredNotification};
use shared::clickpesa::{PaymentRecord, WebhookEvent};
use shared::ledger::Bill;
use shared::schedule::Timers;
use shared::token::OrderClaims;

/// What a `Bill` object is asked to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum BillRequest {
    /// Create the bill (and its control number), or return the existing one.
    Create(CreateBill),
    /// The widget's view.
    View,
    /// The shop's view.
    Order,
    /// Apply a payment from a verified webhook (boxed: a payment record is large).
    Apply(Box<ApplyPayment>),
    /// Cancel the bill (the shop).
    Cancel,
}

/// `create`: the verified claims of an order token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreateBill {
    pub claims: OrderClaims,
}

/// The reply to `create`: `created` is false when the bill already existed (same token again).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreatedBill {
    pub view: CheckoutView,
    pub created: bool,
}

/// `apply`: a payment ClickPesa told us about in a (verified) webhook, with the webhook's event
/// name (the ledger checks that the two agree).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApplyPayment {
    pub event: WebhookEvent,
    pub record: PaymentRecord,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Applied {
    /// New information was recorded (and the shop notified).
    Recorded,
    /// Nothing changed: a duplicate, an older status, or a record that belongs elsewhere.
    Unchanged,
}

/// Everything a Bill object persists, written as one value so each change is atomic.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredBill {
    pub bill: Bill,
    /// Reconciliation polls made so far: the index into RECONCILE_SCHEDULE for the next one.
    pub polls: usize,
    /// Unix seconds of the next reconciliation poll while the bill is open; `None` once the
    /// schedule is used up (the expiry still makes one last poll).
    pub next_poll_at: Option<u64>,
    /// Shop notifications not yet acknowledged with a 2xx, oldest first.
    pub outbox: Vec<Notification>,
    /// Notifications given up after NOTIFY_MAX_ATTEMPTS, readable by the shop through
    /// `GET /v1/orders/{ref}` until the bill is forgotten.
    #[serde(default)]
    pub undelivered: Vec<UndeliveredNotification>,
    /// Unix seconds when the bill reached its final state; BILL_RETENTION_SECS counts from here.
    #[serde(default)]
    pub settled_at: Option<u64>,
}

impl StoredBill {
    /// What the alarm's timers depend on (`shared::schedule`).
    pub fn timers(&self) -> Timers<'_> {
        Timers {
            bill: &self.bill,
            next_poll_at: self.next_poll_at,
            next_notification_at: self.outbox.iter().map(|n| n.next_attempt_at).min(),
            settled_at: self.settled_at,
        }
    }
}

/// One shop notification: the body is fixed when the event happens, so every retry sends the same
/// bytes under the same event id; only the signature's timestamp changes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Notification {
    pub event_id: String,
    pub body: String,
    pub attempts: u32,
    pub next_attempt_at: u64,
    /// Why the last attempt failed.
    #[serde(default)]
    pub last_error: Option<String>,
}
