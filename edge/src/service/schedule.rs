//! When a Bill object should next wake up. One alarm per object serves three timers: the next
//! reconciliation poll, the expiry, and the next shop-notification retry.
use crate::model::bill::StoredBill;

/// Longest pause between two delivery attempts of one notification.
const MAX_NOTIFY_RETRY_SECS: u64 = 3600;

/// How soon a failed expiry (ClickPesa unreachable) is tried again.
pub const EXPIRY_RETRY_SECS: u64 = 60;

/// Seconds until poll number `polls` (0-based), or `None` when the schedule is used up. Polling
/// stops there rather than repeating the last gap: every open bill polling forever would eat the
/// ClickPesa rate budget, and the expiry makes one final poll anyway.
pub fn poll_gap(schedule: &[u64], polls: usize) -> Option<u64> {
    schedule.get(polls).copied()
}

/// Seconds before retry number `attempts` (1-based) of a notification: exponential, capped.
pub fn notify_retry_gap(base_secs: u64, attempts: u32) -> u64 {
    let factor = 1u64
        .checked_shl(attempts.saturating_sub(1))
        .unwrap_or(u64::MAX);
    base_secs.saturating_mul(factor).min(MAX_NOTIFY_RETRY_SECS)
}

/// The earliest moment (unix seconds) anything is due, or `None` when the object can sleep for good.
pub fn next_wake(stored: &StoredBill, now: u64) -> Option<u64> {
    let (expiry, poll) = match stored.bill.is_open() {
        // An expiry already due but not carried out (ClickPesa down) is retried by a poll, not
        // in a tight loop.
        true => (
            (stored.bill.expires_at > now).then_some(stored.bill.expires_at),
            stored.next_poll_at,
        ),
        false => (None, None),
    };
    let outbox = stored.outbox.iter().map(|n| n.next_attempt_at).min();
    [expiry, poll, outbox].into_iter().flatten().min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poll_gaps_follow_the_schedule_then_stop() {
        let schedule = [2, 2, 3, 5];
        let gaps: Vec<Option<u64>> = (0..6).map(|n| poll_gap(&schedule, n)).collect();
        assert_eq!(gaps, [Some(2), Some(2), Some(3), Some(5), None, None]);
    }

    #[test]
    fn notify_retries_double_and_cap() {
        assert_eq!(notify_retry_gap(10, 1), 10);
        assert_eq!(notify_retry_gap(10, 2), 20);
        assert_eq!(notify_retry_gap(10, 4), 80);
        assert_eq!(notify_retry_gap(10, 40), MAX_NOTIFY_RETRY_SECS);
        assert_eq!(notify_retry_gap(10, 200), MAX_NOTIFY_RETRY_SECS);
    }
}
