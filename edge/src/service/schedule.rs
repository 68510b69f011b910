//! When a Bill object should next wake up. One alarm per object serves four timers: the next
//! reconciliation poll, the expiry, the next shop-notification retry, and forgetting the bill
//! once its retention period is over.
use crate::model::bill::StoredBill;

/// How shop notifications are retried: doubling from `base_secs`, never longer than `max_secs`,
/// at most `max_attempts` attempts in all.
#[derive(Debug, Clone, Copy)]
pub struct NotifyRetry {
    pub base_secs: u64,
    pub max_secs: u64,
    pub max_attempts: u32,
}

/// How soon a failed expiry (ClickPesa unreachable) is tried again.
pub const EXPIRY_RETRY_SECS: u64 = 60;

/// Seconds until poll number `polls` (0-based), or `None` when the schedule is used up. Polling
/// stops there rather than repeating the last gap: every open bill polling forever would eat the
/// ClickPesa rate budget, and the expiry makes one final poll anyway.
pub fn poll_gap(schedule: &[u64], polls: usize) -> Option<u64> {
    schedule.get(polls).copied()
}

/// Seconds before the next attempt of a notification that has failed `attempts` times
/// (exponential, capped), or `None` once it has had all its attempts: a shop that is gone for good
/// must not keep a bill (and its retention purge) waiting forever.
pub fn notify_retry_gap(retry: NotifyRetry, attempts: u32) -> Option<u64> {
    if attempts >= retry.max_attempts {
        return None;
    }
    let factor = 1u64
        .checked_shl(attempts.saturating_sub(1))
        .unwrap_or(u64::MAX);
    Some(retry.base_secs.saturating_mul(factor).min(retry.max_secs))
}

/// When a settled bill may be deleted: `retention_secs` after it settled, and never while a
/// notification is still owed to the shop.
fn purge_at(stored: &StoredBill, retention_secs: u64) -> Option<u64> {
    let settled_at = stored.settled_at.filter(|_| !stored.bill.is_open())?;
    stored
        .outbox
        .is_empty()
        .then(|| settled_at.saturating_add(retention_secs))
}

pub fn purge_due(stored: &StoredBill, retention_secs: u64, now: u64) -> bool {
    purge_at(stored, retention_secs).is_some_and(|at| now >= at)
}

/// The earliest moment (unix seconds) anything is due, or `None` when the object can sleep for good.
pub fn next_wake(stored: &StoredBill, retention_secs: u64, now: u64) -> Option<u64> {
    // An expiry already due but not carried out (ClickPesa down) is retried by a poll, not in a
    // tight loop.
    let expiry = stored.bill.next_expiry_check().filter(|&at| at > now);
    // Paid bills keep their remaining polls: a refund or reversal whose webhook is lost is found.
    let poll = stored.next_poll_at.filter(|_| stored.bill.is_watched());
    let outbox = stored.outbox.iter().map(|n| n.next_attempt_at).min();
    let purge = purge_at(stored, retention_secs);
    [expiry, poll, outbox, purge].into_iter().flatten().min()
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
    fn notify_retries_double_cap_and_end() {
        let retry = NotifyRetry {
            base_secs: 10,
            max_secs: 3600,
            max_attempts: 50,
        };
        assert_eq!(notify_retry_gap(retry, 1), Some(10));
        assert_eq!(notify_retry_gap(retry, 2), Some(20));
        assert_eq!(notify_retry_gap(retry, 4), Some(80));
        assert_eq!(notify_retry_gap(retry, 40), Some(3600));
        assert_eq!(notify_retry_gap(retry, 49), Some(3600));
        assert_eq!(
            notify_retry_gap(retry, 50),
            None,
            "the 50th failure is the last"
        );
        assert_eq!(notify_retry_gap(retry, 200), None);
    }
}
