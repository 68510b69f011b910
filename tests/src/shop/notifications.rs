//! Notifications from the edge (`POST /notifications`): signature-checked with `shared::notify`,
//! kept once per event id with a delivery count, so tests can see duplicates and retries.
//!
//! ```
//! use billpay_tests::shop::notifications::Inbox;
//! let inbox = Inbox::default();
//! let body = serde_json::json!({"id": "WS1.bill.paid", "data": {"reference": "WS1"}});
//! inbox.record("WS1.bill.paid", "WS1", body.clone(), 10);
//! inbox.record("WS1.bill.paid", "WS1", body, 11);
//! assert_eq!(inbox.for_reference(Some("WS1"))[0].deliveries, 2);
//! ```
use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

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
}

#[derive(Debug, Default)]
pub struct Inbox {
    /// Keyed by event id; `order` keeps arrival order for display.
    events: Mutex<(BTreeMap<String, Received>, Vec<String>)>,
}

impl Inbox {
    pub fn record(&self, id: &str, reference: &str, body: Value, now: u64) {
        let mut guard = self.events.lock().unwrap_or_else(|e| e.into_inner());
        let (events, order) = &mut *guard;
        match events.get_mut(id) {
            Some(seen) => {
                seen.deliveries += 1;
                seen.last_received_at = now;
            }
            None => {
                order.push(id.to_owned());
                events.insert(
                    id.to_owned(),
                    Received {
                        id: id.to_owned(),
                        reference: reference.to_owned(),
                        deliveries: 1,
                        body,
                        first_received_at: now,
                        last_received_at: now,
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
