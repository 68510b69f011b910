//! The expiry countdown, measured on the edge's clock rather than the customer's.
//!
//! ```
//! use widget::countdown::{format_countdown, Deadline};
//!
//! // The edge said at 1_000 (unix s) that the number expires at 1_900; the phone's clock is
//! // an hour off and read 3_600_000 ms when the answer arrived.
//! let deadline = Deadline::new(1_900, 1_000, 3_600_000.0);
//! assert_eq!(deadline.remaining_secs(3_660_000.0), 840);
//! assert_eq!(format_countdown(840), "14:00");
//! ```
//!
//! Phones' clocks are often wrong by minutes; the edge sends `server_time` with every snapshot so
//! the countdown only depends on time elapsed locally, never on the local date.

use shared::digits::push_decimal;

/// When a checkout expires, pinned to the local monotonic-enough clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Deadline {
    /// The local time (ms) at which the edge's clock reads `expires_at`.
    local_expiry_ms: f64,
}

impl Deadline {
    /// From a snapshot's `expires_at` and `server_time` (unix seconds), received at `local_now_ms`.
    pub fn new(expires_at: u64, server_time: u64, local_now_ms: f64) -> Self {
        let left_ms = expires_at.saturating_sub(server_time) as f64 * 1000.0;
        Self {
            local_expiry_ms: local_now_ms + left_ms,
        }
    }

    /// Whole seconds left at `local_now_ms`, never negative.
    pub fn remaining_secs(&self, local_now_ms: f64) -> u64 {
        ((self.local_expiry_ms - local_now_ms) / 1000.0)
            .ceil()
            .max(0.0) as u64
    }
}

/// `m:ss` under an hour, `h:mm:ss` above.
pub fn format_countdown(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        push_decimal(&mut out, h, 1);
        out.push(':');
    }
    push_decimal(&mut out, m, if h > 0 { 2 } else { 1 });
    out.push(':');
    push_decimal(&mut out, s, 2);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn counts_down_from_the_edge_clock() {
        let deadline = Deadline::new(10_000, 9_000, 50.0);
        assert_eq!(deadline.remaining_secs(50.0), 1_000);
        assert_eq!(deadline.remaining_secs(1_049.0), 1_000);
        assert_eq!(deadline.remaining_secs(1_050.0), 999);
        assert_eq!(deadline.remaining_secs(1_000_050.0), 0);
        assert_eq!(deadline.remaining_secs(9_000_000.0), 0);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn an_expiry_in_the_past_reads_zero() {
        assert_eq!(Deadline::new(5, 10, 0.0).remaining_secs(0.0), 0);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn formats_minutes_and_hours() {
        assert_eq!(format_countdown(0), "0:00");
        assert_eq!(format_countdown(59), "0:59");
        assert_eq!(format_countdown(900), "15:00");
        assert_eq!(format_countdown(3_599), "59:59");
        assert_eq!(format_countdown(3_600), "1:00:00");
        assert_eq!(format_countdown(90_061), "25:01:01");
    }
}
