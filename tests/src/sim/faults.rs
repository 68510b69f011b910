//! Fault injection: global rates set through `POST /_sim/faults`, per-payment overrides from
//! `POST /_sim/pay`, decided by the seeded [`Xorshift`] so a chaos run can be replayed.
//!
//! ```
//! use billpay_tests::sim::faults::{FaultSettings, Faults, PayFaults};
//! let faults = Faults::new(1);
//! faults.set(FaultSettings { webhook_drop_rate: 1.0, ..FaultSettings::default() }).unwrap();
//! assert!(faults.webhook_plan(&PayFaults::default()).drop);
//! ```
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::rng::Xorshift;

/// The global fault configuration. Posting it replaces the previous one; missing fields are 0/off,
/// so `{}` switches every fault off.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct FaultSettings {
    pub webhook_drop_rate: f64,
    pub webhook_duplicate_rate: f64,
    pub webhook_delay_ms: u64,
    /// Hold deliveries and send them newest-first on `POST /_sim/webhooks/flush` or when the
    /// reorder window (`--reorder-window-ms`) ends.
    pub webhook_reorder: bool,
    pub webhook_bad_checksum_rate: f64,
    /// Share of ClickPesa API calls answered `500`.
    pub api_error_rate: f64,
    /// Share of ClickPesa API calls delayed by `api_slow_ms` before being handled.
    pub api_slow_rate: f64,
    pub api_slow_ms: u64,
}

/// Faults requested for one simulated payment; each `true` forces the fault regardless of rates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PayFaults {
    pub drop: bool,
    pub duplicate: bool,
    pub delay_ms: Option<u64>,
    pub bad_checksum: bool,
}

/// What happens to one payment's webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookPlan {
    pub drop: bool,
    pub duplicate: bool,
    pub delay_ms: u64,
    pub bad_checksum: bool,
    pub hold: bool,
}

/// What happens to one ClickPesa API call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiPlan {
    pub fail: bool,
    pub slow_ms: Option<u64>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{field} must be between 0 and 1, got {value}")]
pub struct RateOutOfRange {
    pub field: &'static str,
    pub value: f64,
}

#[derive(Debug)]
pub struct Faults {
    inner: Mutex<(FaultSettings, Xorshift)>,
}

impl Faults {
    pub fn new(seed: u64) -> Self {
        Self {
            inner: Mutex::new((FaultSettings::default(), Xorshift::new(seed))),
        }
    }

    pub fn settings(&self) -> FaultSettings {
        self.lock().0.clone()
    }

    pub fn set(&self, settings: FaultSettings) -> Result<(), RateOutOfRange> {
        for (field, value) in [
            ("webhookDropRate", settings.webhook_drop_rate),
            ("webhookDuplicateRate", settings.webhook_duplicate_rate),
            ("webhookBadChecksumRate", settings.webhook_bad_checksum_rate),
            ("apiErrorRate", settings.api_error_rate),
            ("apiSlowRate", settings.api_slow_rate),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(RateOutOfRange { field, value });
            }
        }
        self.lock().0 = settings;
        Ok(())
    }

    pub fn webhook_plan(&self, forced: &PayFaults) -> WebhookPlan {
        let mut guard = self.lock();
        let (s, rng) = &mut *guard;
        WebhookPlan {
            drop: forced.drop || rng.chance(s.webhook_drop_rate),
            duplicate: forced.duplicate || rng.chance(s.webhook_duplicate_rate),
            delay_ms: forced.delay_ms.unwrap_or(s.webhook_delay_ms),
            bad_checksum: forced.bad_checksum || rng.chance(s.webhook_bad_checksum_rate),
            hold: s.webhook_reorder,
        }
    }

    pub fn api_plan(&self) -> ApiPlan {
        let mut guard = self.lock();
        let (s, rng) = &mut *guard;
        ApiPlan {
            fail: rng.chance(s.api_error_rate),
            slow_ms: rng.chance(s.api_slow_rate).then_some(s.api_slow_ms),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (FaultSettings, Xorshift)> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}
