//! When a Bill object should next wake up. One alarm per object serves three timers: the next
//! reconciliation poll, the expiry, and the next shop-notification retry.
use crate::model::bill::StoredBill;

/// Longest pause between two delivery attempts of one notification.
const MAX_NOTIFY_RETRY_SECS: u64 = 3600;

/// Seconds until poll number `polls` (0-based); the schedule's last gap repeats.
pub fn poll_gap(schedule: &[u64], polls: usize) -> u64 {
    schedule.get(polls).or(schedule.last()).copied().unwrap_or(60)
}

/// Seconds before retry number `attempts` (1-based) of a notification: exponential, capped.
pub fn notify_retry_gap(base_secs: u64, attempts: u32) -> u64 {
    let factor = 1u64.checked_shl(attempts.saturating_sub(1)).unwrap_or(u64::MAX);
    base_secs.saturating_mul(factor).min(MAX_NOTIFY_RETRY_SECS)
}

/// The earliest moment (unix seconds) anything is due, or `None` when the object can sleep for good.
pub fn next_wake(stored: &StoredBill, now: u64) -> Option<u64> {
    let open = stored.bill.is_open().then(|| {
        // An expiry that is already due but could not be carried out (ClickPesa down) is retried
        // with the next poll rather than in a tight loop.
        let expiry = if stored.bill.expires_at > now { stored.bill.expires_at } else { stored.next_poll_at };
        expiry.min(stored.next_poll_at)
    });
    let outbox = stored.outbox.iter().map(|n| n.next_attempt_at).min();
    open.into_iter().chain(outbox).min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poll_gaps_follow_the_schedule_then_repeat_the_last() {
        let schedule = [2, 2, 3, 5];
        let gaps: Vec<u64> = (0..6).map(|n| poll_gap(&schedule, n)).collect();
        assert_eq!(gaps, [2, 2, 3, 5, 5, 5]);
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
