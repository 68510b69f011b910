//! Token buckets: how often one client, or one order, may start a checkout. Every checkout can cost
//! a ClickPesa call (the whole account has 120 a minute) and a stored bill, so a script holding one
//! token, or scraping many from a shop page, must not be able to spend either without bound.
//!
//! A bucket holds at most `per_minute` requests and refills continuously at `per_minute` a minute:
//! a burst of `per_minute`, then a steady `per_minute` a minute. It is kept as the generic cell
//! rate algorithm's one timestamp ("theoretical arrival time", in microseconds), so no fraction of a
//! token is lost to rounding however often it is asked, and it runs the same natively and in wasm32.
//!
//! ```
//! use shared::bucket::{Rate, TokenBucket};
//! let rate = Rate::per_minute(2);
//! let mut bucket = TokenBucket::full(0);
//! assert!(bucket.take(rate, 0).is_ok() && bucket.take(rate, 0).is_ok());
//! assert_eq!(bucket.take(rate, 0).unwrap_err().retry_after_secs, 30);
//! assert!(bucket.take(rate, 30_000).is_ok()); // half a minute refills one of two
//! ```
use serde::{Deserialize, Serialize};

const MINUTE_US: u64 = 60_000_000;

/// Requests a minute, which is also the burst a full bucket allows. At least one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate(u32);

impl Rate {
    /// `n` requests a minute; 0 counts as 1.
    pub fn per_minute(n: u32) -> Self {
        Self(n.max(1))
    }

    /// Requests a minute, which is also the burst.
    pub fn get(self) -> u32 {
        self.0
    }

    /// Microseconds one request's token takes to refill.
    fn interval_us(self) -> u64 {
        (MINUTE_US / u64::from(self.0)).max(1)
    }

    /// How far ahead of now the bucket may be booked: the burst beyond the first request.
    fn tolerance_us(self) -> u64 {
        self.interval_us().saturating_mul(u64::from(self.0) - 1)
    }
}

/// The request was refused; the bucket holds a whole token again after `retry_after_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("rate limited: retry in {retry_after_secs} s")]
pub struct Throttled {
    /// Whole seconds to wait, at least 1; the edge sends it as `Retry-After`.
    pub retry_after_secs: u32,
}

/// The bucket of one limited key (a client, an order), taken from with [`TokenBucket::take`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenBucket {
    /// When the bucket would be full again if nothing more were taken (at or before now: full).
    full_at_us: u64,
}

impl TokenBucket {
    /// A bucket holding the whole burst at `now_ms` (milliseconds, on the clock later passed to
    /// [`TokenBucket::take`]).
    pub fn full(now_ms: u64) -> Self {
        Self {
            full_at_us: now_ms.saturating_mul(1000),
        }
    }

    /// Takes one request's token, or says how long until one is there. A clock that went backwards
    /// refills nothing: the bucket keeps the later time it already booked.
    pub fn take(&mut self, rate: Rate, now_ms: u64) -> Result<(), Throttled> {
        self.take_n(rate, 1, now_ms)
    }

    /// Takes `n` tokens at once (all or none), or says how long until they are there. More than
    /// the burst is taken as the whole burst, so a costly request is possible at all.
    pub fn take_n(&mut self, rate: Rate, n: u32, now_ms: u64) -> Result<(), Throttled> {
        let n = u64::from(n.clamp(1, rate.get()));
        let now = now_ms.saturating_mul(1000);
        let full_at = self.full_at_us.max(now);
        let allowed_from = full_at
            .saturating_add(rate.interval_us().saturating_mul(n - 1))
            .saturating_sub(rate.tolerance_us());
        if now >= allowed_from {
            self.full_at_us = full_at.saturating_add(rate.interval_us().saturating_mul(n));
            return Ok(());
        }
        let wait_secs = (allowed_from - now).div_ceil(1_000_000);
        Err(Throttled {
            retry_after_secs: u32::try_from(wait_secs).unwrap_or(u32::MAX).max(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_allows_the_burst_then_refuses() {
        let rate = Rate::per_minute(6);
        let mut bucket = TokenBucket::full(1_000);
        for _ in 0..6 {
            assert_eq!(bucket.take(rate, 1_000), Ok(()));
        }
        assert_eq!(
            bucket.take(rate, 1_000),
            Err(Throttled {
                retry_after_secs: 10
            })
        );
    }

    #[test]
    fn refills_at_the_rate_and_never_above_capacity() {
        let rate = Rate::per_minute(60);
        let mut bucket = TokenBucket::full(0);
        for _ in 0..60 {
            bucket.take(rate, 0).unwrap();
        }
        assert!(
            bucket.take(rate, 999).is_err(),
            "less than a second refills less than one"
        );
        assert!(bucket.take(rate, 1_000).is_ok());
        // An hour idle refills to the burst, not to 3600.
        let later = 3_600_000;
        let taken = (0..100)
            .take_while(|_| bucket.take(rate, later).is_ok())
            .count();
        assert_eq!(taken, 60);
    }

    #[test]
    fn retry_after_is_at_least_a_second_and_rounds_up() {
        let rate = Rate::per_minute(120);
        let mut bucket = TokenBucket::full(0);
        for _ in 0..120 {
            bucket.take(rate, 0).unwrap();
        }
        assert_eq!(bucket.take(rate, 0).unwrap_err().retry_after_secs, 1);
        let slow = Rate::per_minute(1);
        let mut bucket = TokenBucket::full(0);
        bucket.take(slow, 0).unwrap();
        assert_eq!(bucket.take(slow, 1).unwrap_err().retry_after_secs, 60);
    }

    #[test]
    fn a_clock_going_backwards_refills_nothing() {
        let rate = Rate::per_minute(1);
        let mut bucket = TokenBucket::full(100_000);
        bucket.take(rate, 100_000).unwrap();
        assert!(bucket.take(rate, 0).is_err());
        assert!(
            bucket.take(rate, 100_000 + 59_000).is_err(),
            "the earlier time is kept"
        );
        assert!(bucket.take(rate, 100_000 + 60_000).is_ok());
    }

    #[test]
    fn taking_several_tokens_is_all_or_nothing() {
        let rate = Rate::per_minute(30);
        let mut bucket = TokenBucket::full(0);
        for _ in 0..3 {
            assert_eq!(bucket.take_n(rate, 10, 0), Ok(()));
        }
        assert_eq!(
            bucket.take_n(rate, 10, 0),
            Err(Throttled {
                retry_after_secs: 20
            }),
            "ten tokens refill in 20 s"
        );
        assert!(bucket.take_n(rate, 10, 19_000).is_err());
        assert!(bucket.take_n(rate, 10, 20_000).is_ok());
        let mut empty_then_some = TokenBucket::full(0);
        empty_then_some.take_n(rate, 25, 0).unwrap();
        assert!(
            empty_then_some.take_n(rate, 10, 0).is_err(),
            "only five left"
        );
        assert!(empty_then_some.take_n(rate, 5, 0).is_ok());
        let mut costly = TokenBucket::full(0);
        assert!(
            costly.take_n(rate, 1_000, 0).is_ok(),
            "more than the burst takes the burst"
        );
        assert!(costly.take(rate, 0).is_err());
    }

    #[test]
    fn a_zero_rate_is_one_a_minute_and_huge_values_do_not_overflow() {
        assert_eq!(Rate::per_minute(0).get(), 1);
        let rate = Rate::per_minute(u32::MAX);
        let mut bucket = TokenBucket::full(0);
        assert!(bucket.take(rate, u64::MAX).is_ok());
    }
}
