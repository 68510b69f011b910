//! The ClickPesa call budget: what one checkout will cost in calls over its life, and the daily cap
//! (ClickPesa allows pre-KYC accounts 100 calls a day, generate-token included).
//!
//! A checkout is charged its whole cost when it starts, because the calls it causes later
//! (reconciliation polls, the deactivation, the last poll) are made by the edge on its behalf: the
//! client that started it must pay for them then, or one client could start cheap checkouts that
//! eat everyone's budget afterwards.
//!
//! ```
//! use shared::budget::{checkout_calls, DailyCalls};
//! let cost = checkout_calls(7); // create + 7 polls + PATCH + last poll
//! assert_eq!(cost, 10);
//! let mut today = DailyCalls::default();
//! assert!(today.book(cost, 100, 1_000).is_ok());
//! assert_eq!(today.used(), 10);
//! ```
use serde::{Deserialize, Serialize};

/// Seconds in a (UTC) day: ClickPesa's daily limit resets at midnight UTC.
pub const DAY_SECS: u64 = 86_400;

/// ClickPesa calls one unpaid checkout causes: the create, one per reconciliation poll, the PATCH
/// that deactivates its number at expiry or cancellation, and the last poll after it.
pub fn checkout_calls(polls: usize) -> u32 {
    u32::try_from(polls).unwrap_or(u32::MAX).saturating_add(3)
}

/// Calls booked against the current UTC day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyCalls {
    /// Days since the epoch (UTC) the count belongs to.
    day: u64,
    used: u64,
}

/// Booking would pass the daily limit; the count starts again after `retry_after_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the daily ClickPesa call budget is used up; it resets in {retry_after_secs} s")]
pub struct BudgetSpent {
    /// Seconds until midnight UTC.
    pub retry_after_secs: u32,
}

impl DailyCalls {
    /// Books `calls` for today unless the day's total would pass `limit`; a new day starts at 0.
    pub fn book(&mut self, calls: u32, limit: u64, now_secs: u64) -> Result<(), BudgetSpent> {
        self.roll(now_secs);
        let after = self.used.saturating_add(u64::from(calls));
        if after > limit {
            let next_day = (self.day + 1).saturating_mul(DAY_SECS);
            return Err(BudgetSpent {
                retry_after_secs: u32::try_from(next_day.saturating_sub(now_secs))
                    .unwrap_or(u32::MAX)
                    .max(1),
            });
        }
        self.used = after;
        Ok(())
    }

    /// Counts `calls` that were made whatever the limit (a token refresh nobody can refuse).
    pub fn record(&mut self, calls: u32, now_secs: u64) {
        self.roll(now_secs);
        self.used = self.used.saturating_add(u64::from(calls));
    }

    /// Calls booked today.
    pub fn used(&self) -> u64 {
        self.used
    }

    fn roll(&mut self, now_secs: u64) {
        let today = now_secs / DAY_SECS;
        if today != self.day {
            *self = Self {
                day: today,
                used: 0,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkout_costs_its_polls_plus_three() {
        for (polls, calls) in [(0, 3), (4, 7), (7, 10), (usize::MAX, u32::MAX)] {
            assert_eq!(checkout_calls(polls), calls, "{polls} polls");
        }
    }

    #[test]
    fn the_daily_limit_refuses_what_would_pass_it_until_midnight() {
        let noon = 20_000 * DAY_SECS + DAY_SECS / 2;
        let mut day = DailyCalls::default();
        for _ in 0..10 {
            day.book(10, 100, noon).unwrap();
        }
        assert_eq!(
            day.book(1, 100, noon + 60),
            Err(BudgetSpent {
                retry_after_secs: (DAY_SECS / 2 - 60) as u32
            })
        );
        assert_eq!(day.used(), 100, "a refusal books nothing");
        assert!(
            day.book(10, 100, noon + DAY_SECS / 2).is_ok(),
            "midnight resets"
        );
        assert_eq!(day.used(), 10);
    }

    #[test]
    fn recorded_calls_count_but_are_never_refused() {
        let mut day = DailyCalls::default();
        day.book(95, 100, 5).unwrap();
        day.record(10, 6);
        assert_eq!(day.used(), 105);
        assert!(day.book(1, 100, 7).is_err());
    }
}
