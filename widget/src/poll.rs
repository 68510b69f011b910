//! When to ask the edge again about a checkout: the polling policy, pure and clock-free.
//!
//! ```
//! use widget::poll::{Next, Poll, PollPolicy};
//!
//! let mut policy = PollPolicy::new(0.0);
//! // A fresh checkout is polled every 2 s (± 20 % jitter; 0.5 means none).
//! assert_eq!(policy.next(Poll::Open, 1_000.0, 0.5), Next::After(2_000));
//! // A failed poll backs off and shows "reconnecting…".
//! assert_eq!(policy.next(Poll::Failed, 3_000.0, 0.5), Next::After(4_000));
//! assert!(policy.reconnecting());
//! // A paid bill needs no more polls.
//! assert_eq!(policy.next(Poll::Terminal, 7_000.0, 0.5), Next::Stop);
//! ```
//!
//! The caller passes the time and a random number, so tests drive it with a fake clock; the
//! [`crate::live`] loop feeds it the browser's.

/// Customers usually pay within a minute or two of seeing the number: poll fast then, slower later.
const SCHEDULE: [(f64, u32); 2] = [(60_000.0, 2_000), (300_000.0, 5_000)];
/// The interval once the checkout is more than five minutes old.
const SLOW_MS: u32 = 10_000;
/// The first retry after a failure waits this long, doubling per further failure.
const BACKOFF_START_MS: u32 = 4_000;
/// No wait is longer than this, so a customer never stares at a stale page for minutes.
const MAX_WAIT_MS: u32 = 60_000;
/// ± 20 %: spreads the polls of many open tabs so they don't hit the edge in lockstep.
const JITTER: f64 = 0.2;
/// While the live-update socket is up, polls only guard against a socket that died silently.
pub const PUSHED_POLL_MS: u32 = 30_000;
/// The first socket reconnect waits this long, doubling per further failure.
const RECONNECT_START_MS: u32 = 1_000;
/// A socket that never opens this many times in a row is blocked (a proxy, a CSP without the
/// edge's `wss:`): the checkout stays on polling alone.
const RECONNECT_ATTEMPTS: u32 = 6;

/// What the last poll found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Poll {
    /// The bill is still open (pending or partially paid), or unchanged since the last poll.
    Open,
    /// The bill reached a state that never changes again, or the edge refused us for good.
    Terminal,
    /// The network or the edge failed (5xx, timeout): worth retrying.
    Failed,
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Poll again after this many milliseconds.
    After(u32),
    /// Stop polling.
    Stop,
}

/// Adaptive interval, jitter and exponential backoff for one checkout.
#[derive(Debug, Clone)]
pub struct PollPolicy {
    started_at_ms: f64,
    failures: u32,
}

impl PollPolicy {
    /// A policy for a checkout first shown at `started_at_ms`.
    pub fn new(started_at_ms: f64) -> Self {
        Self {
            started_at_ms,
            failures: 0,
        }
    }

    /// Records the outcome of a poll and says when to poll next.
    ///
    /// `jitter` is a random number in `[0, 1)`; `0.5` means no jitter.
    pub fn next(&mut self, last: Poll, now_ms: f64, jitter: f64) -> Next {
        let wait = match last {
            Poll::Terminal => return Next::Stop,
            Poll::Open => {
                self.failures = 0;
                self.interval(now_ms - self.started_at_ms)
            }
            Poll::Failed => {
                self.failures = self.failures.saturating_add(1);
                BACKOFF_START_MS.saturating_mul(1 << (self.failures - 1).min(16))
            }
        };
        let spread = 1.0 + JITTER * (2.0 * jitter.clamp(0.0, 1.0) - 1.0);
        Next::After(((f64::from(wait) * spread) as u32).min(MAX_WAIT_MS))
    }

    /// The wait after a poll, given whether a live-update socket is up: pushes make fast polls
    /// unnecessary, so they slow to [`PUSHED_POLL_MS`] (failures keep their backoff).
    pub fn with_push(next: Next, pushing: bool) -> Next {
        match next {
            Next::After(ms) if pushing => Next::After(ms.max(PUSHED_POLL_MS)),
            other => other,
        }
    }

    /// True while the last poll failed: the view shows "reconnecting…".
    pub fn reconnecting(&self) -> bool {
        self.failures > 0
    }

    fn interval(&self, age_ms: f64) -> u32 {
        SCHEDULE
            .iter()
            .find(|(until, _)| age_ms < *until)
            .map_or(SLOW_MS, |(_, every)| *every)
    }
}

/// When to open the live-update socket again after it dropped or failed to open.
#[derive(Debug, Clone)]
pub struct Reconnect {
    /// Attempts in a row that never opened.
    failures: u32,
    due_at_ms: f64,
}

impl Reconnect {
    /// The first attempt is due at once.
    pub fn new(now_ms: f64) -> Self {
        Self {
            failures: 0,
            due_at_ms: now_ms,
        }
    }

    /// The edge offers no socket: never try.
    pub fn unavailable() -> Self {
        Self {
            failures: RECONNECT_ATTEMPTS,
            due_at_ms: 0.0,
        }
    }

    /// A socket ended at `now_ms`; `had_opened` if it ever connected (then the backoff starts
    /// over). `jitter` as in [`PollPolicy::next`].
    pub fn dropped(&mut self, had_opened: bool, now_ms: f64, jitter: f64) {
        self.failures = if had_opened { 1 } else { self.failures + 1 };
        let wait = RECONNECT_START_MS.saturating_mul(1 << (self.failures - 1).min(16));
        let spread = 1.0 + JITTER * (2.0 * jitter.clamp(0.0, 1.0) - 1.0);
        self.due_at_ms = now_ms + (f64::from(wait.min(MAX_WAIT_MS)) * spread);
    }

    /// Milliseconds until the next attempt (0: now), or `None` once the socket is given up.
    pub fn wait(&self, now_ms: f64) -> Option<u32> {
        (self.failures < RECONNECT_ATTEMPTS).then(|| (self.due_at_ms - now_ms).max(0.0) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const NO_JITTER: f64 = 0.5;

    fn wait(next: Next) -> u32 {
        match next {
            Next::After(ms) => ms,
            Next::Stop => panic!("stopped"),
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn interval_grows_with_the_age_of_the_checkout() {
        let mut policy = PollPolicy::new(10_000.0);
        let at = |secs: f64| 10_000.0 + secs * 1000.0;
        assert_eq!(wait(policy.next(Poll::Open, at(0.0), NO_JITTER)), 2_000);
        assert_eq!(wait(policy.next(Poll::Open, at(59.9), NO_JITTER)), 2_000);
        assert_eq!(wait(policy.next(Poll::Open, at(60.0), NO_JITTER)), 5_000);
        assert_eq!(wait(policy.next(Poll::Open, at(299.0), NO_JITTER)), 5_000);
        assert_eq!(wait(policy.next(Poll::Open, at(300.0), NO_JITTER)), 10_000);
        assert_eq!(wait(policy.next(Poll::Open, at(7200.0), NO_JITTER)), 10_000);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn jitter_stays_within_twenty_percent() {
        let mut policy = PollPolicy::new(0.0);
        assert_eq!(wait(policy.next(Poll::Open, 0.0, 0.0)), 1_600);
        assert_eq!(wait(policy.next(Poll::Open, 0.0, 1.0)), 2_400);
        for i in 0..100 {
            let ms = wait(policy.next(Poll::Open, 100_000.0, f64::from(i) / 100.0));
            assert!((4_000..=6_000).contains(&ms), "{ms}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn failures_back_off_exponentially_up_to_a_minute() {
        let mut policy = PollPolicy::new(0.0);
        let waits: Vec<u32> = (0..8)
            .map(|_| wait(policy.next(Poll::Failed, 1_000.0, NO_JITTER)))
            .collect();
        assert_eq!(
            waits,
            [4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000]
        );
        assert!(policy.reconnecting());
        // Even with the largest jitter the cap holds.
        assert_eq!(wait(policy.next(Poll::Failed, 1_000.0, 0.999)), 60_000);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn a_success_ends_the_backoff() {
        let mut policy = PollPolicy::new(0.0);
        policy.next(Poll::Failed, 1_000.0, NO_JITTER);
        policy.next(Poll::Failed, 5_000.0, NO_JITTER);
        assert_eq!(wait(policy.next(Poll::Open, 13_000.0, NO_JITTER)), 2_000);
        assert!(!policy.reconnecting());
        assert_eq!(wait(policy.next(Poll::Failed, 15_000.0, NO_JITTER)), 4_000);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn many_failures_never_overflow() {
        let mut policy = PollPolicy::new(0.0);
        for _ in 0..100 {
            assert!(wait(policy.next(Poll::Failed, 0.0, NO_JITTER)) <= MAX_WAIT_MS);
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn terminal_stops_polling() {
        let mut policy = PollPolicy::new(0.0);
        assert_eq!(policy.next(Poll::Terminal, 0.0, NO_JITTER), Next::Stop);
        policy.next(Poll::Failed, 0.0, NO_JITTER);
        assert_eq!(policy.next(Poll::Terminal, 0.0, NO_JITTER), Next::Stop);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn an_open_socket_slows_polls_but_not_backoff() {
        let cases = [
            (
                "fast poll, socket up",
                Next::After(2_000),
                true,
                Next::After(PUSHED_POLL_MS),
            ),
            (
                "fast poll, no socket",
                Next::After(2_000),
                false,
                Next::After(2_000),
            ),
            (
                "backoff, socket up",
                Next::After(60_000),
                true,
                Next::After(60_000),
            ),
            ("stop", Next::Stop, true, Next::Stop),
        ];
        for (case, next, pushing, expected) in cases {
            assert_eq!(PollPolicy::with_push(next, pushing), expected, "{case}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn reconnects_back_off_and_give_up_on_a_blocked_socket() {
        let mut reconnect = Reconnect::new(0.0);
        assert_eq!(reconnect.wait(0.0), Some(0), "the first attempt is at once");
        let waits: Vec<Option<u32>> = (0..6)
            .map(|_| {
                reconnect.dropped(false, 0.0, NO_JITTER);
                reconnect.wait(0.0)
            })
            .collect();
        assert_eq!(
            waits,
            [
                Some(1_000),
                Some(2_000),
                Some(4_000),
                Some(8_000),
                Some(16_000),
                None
            ]
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn a_socket_that_was_up_starts_the_backoff_over() {
        let mut reconnect = Reconnect::new(0.0);
        for _ in 0..4 {
            reconnect.dropped(false, 0.0, NO_JITTER);
        }
        reconnect.dropped(true, 10_000.0, NO_JITTER);
        assert_eq!(reconnect.wait(10_000.0), Some(1_000));
        assert_eq!(reconnect.wait(10_600.0), Some(400));
        assert_eq!(reconnect.wait(12_000.0), Some(0));
    }
}
