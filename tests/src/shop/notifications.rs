//! Notifications from the edge (`POST /notifications`): verified as a Rust shop would, with the
//! Standard Webhooks crate, and kept once per event id with a delivery count, so tests can see
//! duplicates and retries, and with the last delivery exactly as it arrived, so the edge suite can
//! hand it to other languages' verifiers.
//!
//! ```
//! use billpay_tests::shop::notifications::{Delivery, Inbox};
//! let inbox = Inbox::default();
//! let body = serde_json::json!({"id": "WS1.bill.paid", "data": {"reference": "WS1"}});
//! let delivery = Delivery { id: "WS1.bill.paid".into(), timestamp: "10".into(), signature: "v1,…".into(), body: body.to_string() };
//! inbox.record("WS1", body.clone(), delivery.clone(), 10);
//! inbox.record("WS1", body, delivery, 11);
//! assert_eq!(inbox.for_reference(Some("WS1"))[0].deliveries, 2);
//! ```
use std::collections::BTreeMap;
use std::sync::Mutex;

use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::notify::{ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// The shop's `whsec_…` secret, held by the `standardwebhooks` crate's verifier.
pub struct Verifier(standardwebhooks::Webhook);

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Verifier(..)")
    }
}

impl Verifier {
    pub fn new(secret: &str) -> Result<Self, String> {
        standardwebhooks::Webhook::new(secret)
            .map(Self)
            .map_err(|_| "MERCHANT_WEBHOOK_SECRET must be a whsec_… secret".to_owned())
    }

    /// The delivery as received, when its signature verifies over the raw body.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Option<Delivery> {
        self.0.verify(body, headers).ok()?;
        let header = |name: &str| Some(headers.get(name)?.to_str().ok()?.to_owned());
        Some(Delivery {
            id: header(ID_HEADER)?,
            timestamp: header(TIMESTAMP_HEADER)?,
            signature: header(SIGNATURE_HEADER)?,
            body: String::from_utf8(body.to_vec()).ok()?,
        })
    }
}

/// One delivery's Standard Webhooks headers and raw body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
}

/// One event as the shop saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Received {
    pub id: String,
    pub reference: String,
    /// How many times the edge delivered this event id.
    pub deliveries: u32,
    /// The verified body of the first delivery.
    pub body: Value,
    pub first_received_at: u64,
    pub last_received_at: u64,
    /// The latest delivery, byte for byte.
    pub last_delivery: Delivery,
}

#[derive(Debug, Default)]
pub struct Inbox {
    /// Keyed by event id; `order` keeps arrival order for display.
    events: Mutex<(BTreeMap<String, Received>, Vec<String>)>,
}

impl Inbox {
    /// Keeps a verified delivery under its `webhook-id`: the first body, the last delivery.
    pub fn record(&self, reference: &str, body: Value, delivery: Delivery, now: u64) {
        let mut guard = self.events.lock().unwrap_or_else(|e| e.into_inner());
        let (events, order) = &mut *guard;
        match events.get_mut(&delivery.id) {
            Some(seen) => {
                seen.deliveries += 1;
                seen.last_received_at = now;
                seen.last_delivery = delivery;
            }
            None => {
                order.push(delivery.id.clone());
                events.insert(
                    delivery.id.clone(),
                    Received {
                        id: delivery.id.clone(),
                        reference: reference.to_owned(),
                        deliveries: 1,
                        body,
                        first_received_at: now,
                        last_received_at: now,
                        last_delivery: delivery,
                    },
                );
            }
        }
    }

    /// Events in arrival order, for one order reference or all.
    pub fn for_reference(&self, reference: Option<&str>) -> Vec<Received> {
        let guard = self.events.lock().unwrap_or_else(|e| e.into_inner());
        let (events, order) = &*guard;
        order
            .iter()
            .filter_map(|id| events.get(id))
            .filter(|r| reference.is_none_or(|want| r.reference == want))
            .cloned()
            .collect()
    }
}
