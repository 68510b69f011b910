//! Webhook delivery, as ClickPesa's documented contract allows: each payment is POSTed once to the
//! webhook URL (plus any duplicate a fault asks for) and never retried; the receiver's answer is
//! logged. Faults drop, duplicate, delay, corrupt the checksum or hold deliveries for reordering.
//!
//! ```
//! use billpay_tests::sim::webhook::webhook_body;
//! use shared::clickpesa::{PaymentRecord, PaymentStatus};
//! let record = PaymentRecord {
//!     id: "WS1LCP0001".into(), status: PaymentStatus::Success, payment_reference: None,
//!     payment_phone_number: None, order_reference: "WS1".into(), collected_amount: Some(500u64.into()),
//!     collected_currency: Some("TZS".into()), message: None, channel: None, created_at: None,
//!     updated_at: None, customer: None, client_id: None,
//! };
//! let body = webhook_body(&record, Some(b"key"), false);
//! assert_eq!(body["event"], "PAYMENT RECEIVED");
//! assert_eq!(body["data"]["collectedAmount"], "500");
//! let wire = serde_json::to_vec(&body).unwrap();
//! assert!(shared::checksum::verify(b"key", &wire, None).is_ok());
//! ```
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::checksum::{self, METHOD_FIELD};
use shared::clickpesa::{FlexAmount, PaymentRecord, Webhook, WebhookEvent};

use super::clock::{iso8601, now_ms};
use super::faults::WebhookPlan;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Copy {
    Original,
    Duplicate,
    Redelivery,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// No `--webhook-url` configured.
    Skipped,
    Dropped,
    /// Waiting for its delay to pass.
    Scheduled,
    /// Held for reordering until the next flush.
    Held,
    /// On its way to the receiver.
    Sending,
    /// The receiver answered 2xx.
    Delivered,
    /// The receiver answered something else.
    Rejected,
    /// No answer (connection refused, timeout).
    Failed,
}

/// One entry of `GET /_sim/webhooks`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub id: u64,
    pub event: String,
    pub order_reference: String,
    pub payment_id: String,
    pub copy: Copy,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redelivery_of: Option<u64>,
    pub bad_checksum: bool,
    pub status: DeliveryStatus,
    pub http_status: Option<u16>,
    pub error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub body: Value,
}

/// The webhook ClickPesa sends for a payment record (docs/clickpesa.md §4.3): amounts as strings, and with a
/// key, the top-level `checksum` plus `checksumMethod: "canonical"` (§4.4). `bad_checksum` signs
/// with the wrong key, so the digest is well-formed but does not verify.
pub fn webhook_body(record: &PaymentRecord, key: Option<&[u8]>, bad_checksum: bool) -> Value {
    let event = if record.status.is_paid() {
        WebhookEvent::PaymentReceived
    } else {
        WebhookEvent::PaymentFailed
    };
    let mut data = serde_json::to_value(record).unwrap_or_default();
    if let Some(amount) = record
        .collected_amount
        .as_ref()
        .and_then(FlexAmount::whole_tzs)
    {
        data["collectedAmount"] = Value::String(amount.to_string());
    }
    let mut body = serde_json::to_value(Webhook { event, data }).unwrap_or_default();
    let key = match (key, bad_checksum) {
        (_, true) => Some(&b"not-the-checksum-key"[..]),
        (key, false) => key,
    };
    if let Some(key) = key {
        checksum::attach(key, &mut body);
        body[METHOD_FIELD] = Value::String("canonical".to_owned());
    }
    body
}

#[derive(Debug, Default)]
struct Held {
    /// Bumped by every flush, so a reorder timer armed before it does not flush later deliveries early.
    generation: u64,
    ids: Vec<u64>,
}

/// Sends webhooks and keeps the delivery log.
#[derive(Debug)]
pub struct Dispatcher {
    http: reqwest::Client,
    url: Option<String>,
    checksum_key: Option<Vec<u8>>,
    reorder_window: Duration,
    log: Mutex<Vec<Delivery>>,
    held: Mutex<Held>,
}

impl Dispatcher {
    pub fn new(
        url: Option<String>,
        checksum_key: Option<Vec<u8>>,
        timeout: Duration,
        reorder_window: Duration,
    ) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .unwrap_or_default();
        Self {
            http,
            url,
            checksum_key,
            reorder_window,
            log: Mutex::default(),
            held: Mutex::default(),
        }
    }

    /// Announces a payment record per `plan`; returns the log entries as they stand when this returns
    /// (immediate deliveries are complete, delayed and held ones are still pending).
    pub async fn dispatch(
        self: &Arc<Self>,
        record: &PaymentRecord,
        plan: WebhookPlan,
    ) -> Vec<Delivery> {
        let body = webhook_body(record, self.checksum_key.as_deref(), plan.bad_checksum);
        if plan.drop {
            let id = self.push(
                record,
                Copy::Original,
                plan.bad_checksum,
                body,
                DeliveryStatus::Dropped,
            );
            return self.entries(&[id]);
        }
        let copies: &[Copy] = if plan.duplicate {
            &[Copy::Original, Copy::Duplicate]
        } else {
            &[Copy::Original]
        };
        let mut ids = Vec::new();
        for &copy in copies {
            let status = match (&self.url, plan.hold, plan.delay_ms) {
                (None, ..) => DeliveryStatus::Skipped,
                (Some(_), true, _) => DeliveryStatus::Held,
                (Some(_), false, 0) => DeliveryStatus::Sending,
                (Some(_), false, _) => DeliveryStatus::Scheduled,
            };
            let id = self.push(record, copy, plan.bad_checksum, body.clone(), status);
            match status {
                DeliveryStatus::Held => self.hold(id),
                DeliveryStatus::Scheduled => {
                    let this = Arc::clone(self);
                    let delay = Duration::from_millis(plan.delay_ms);
                    tokio::spawn(async move {
                        tokio::time::sleep(delay).await;
                        this.send(id).await;
                    });
                }
                DeliveryStatus::Sending => self.send(id).await,
                _ => {}
            }
            ids.push(id);
        }
        self.entries(&ids)
    }

    /// Sends every held delivery, newest first, and returns them.
    pub async fn flush(&self) -> Vec<Delivery> {
        let ids = {
            let mut held = lock(&self.held);
            held.generation += 1;
            std::mem::take(&mut held.ids)
        };
        for &id in ids.iter().rev() {
            self.send(id).await;
        }
        self.entries(&ids.into_iter().rev().collect::<Vec<_>>())
    }

    /// Sends an earlier delivery's exact body again (same checksum) as a new log entry.
    pub async fn redeliver(&self, id: u64) -> Option<Delivery> {
        let original = self.entries(&[id]).pop()?;
        let status = if self.url.is_some() {
            DeliveryStatus::Sending
        } else {
            DeliveryStatus::Skipped
        };
        let new_id = self.push_entry(Delivery {
            copy: Copy::Redelivery,
            redelivery_of: Some(id),
            status,
            http_status: None,
            error: None,
            created_at: iso8601(now_ms()),
            sent_at: None,
            ..original
        });
        if self.url.is_some() {
            self.send(new_id).await;
        }
        self.entries(&[new_id]).pop()
    }

    pub fn log(&self) -> Vec<Delivery> {
        lock(&self.log).clone()
    }

    fn hold(self: &Arc<Self>, id: u64) {
        let generation = {
            let mut held = lock(&self.held);
            held.ids.push(id);
            (held.ids.len() == 1).then_some(held.generation)
        };
        if let Some(generation) = generation {
            let this = Arc::clone(self);
            tokio::spawn(async move {
                tokio::time::sleep(this.reorder_window).await;
                if lock(&this.held).generation == generation {
                    this.flush().await;
                }
            });
        }
    }

    async fn send(&self, id: u64) {
        let (Some(url), Some(body)) = (&self.url, self.entries(&[id]).pop().map(|d| d.body)) else {
            return;
        };
        let result = self.http.post(url).json(&body).send().await;
        let mut log = lock(&self.log);
        let Some(entry) = log.get_mut(index(id)) else {
            return;
        };
        entry.sent_at = Some(iso8601(now_ms()));
        match result {
            Ok(resp) => {
                entry.http_status = Some(resp.status().as_u16());
                entry.status = if resp.status().is_success() {
                    DeliveryStatus::Delivered
                } else {
                    DeliveryStatus::Rejected
                };
            }
            Err(e) => {
                entry.status = DeliveryStatus::Failed;
                entry.error = Some(e.to_string());
            }
        }
    }

    fn push(
        &self,
        record: &PaymentRecord,
        copy: Copy,
        bad_checksum: bool,
        body: Value,
        status: DeliveryStatus,
    ) -> u64 {
        self.push_entry(Delivery {
            id: 0,
            event: body["event"].as_str().unwrap_or_default().to_owned(),
            order_reference: record.order_reference.clone(),
            payment_id: record.id.clone(),
            copy,
            redelivery_of: None,
            bad_checksum,
            status,
            http_status: None,
            error: None,
            created_at: iso8601(now_ms()),
            sent_at: None,
            body,
        })
    }

    fn push_entry(&self, mut entry: Delivery) -> u64 {
        let mut log = lock(&self.log);
        entry.id = log.len() as u64 + 1;
        let id = entry.id;
        log.push(entry);
        id
    }

    fn entries(&self, ids: &[u64]) -> Vec<Delivery> {
        let log = lock(&self.log);
        ids.iter()
            .filter_map(|&id| log.get(index(id)).cloned())
            .collect()
    }
}

/// Delivery ids are 1-based positions in the log, which only ever grows.
fn index(id: u64) -> usize {
    (id as usize).wrapping_sub(1)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
