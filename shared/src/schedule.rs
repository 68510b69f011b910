//! When a bill's Durable Object should next wake up. One alarm per object serves four timers: the
//! next reconciliation poll, the expiry, the next shop-notification retry, and forgetting the bill
//! once its retention period is over. Pure: the edge passes what it has stored and `now`.
use crate::ledger::Bill;

/// How shop notifications are retried: doubling from `base_secs`, never longer than `max_secs`,
/// at most `max_attempts` attempts in all.
#[derive(Debug, Clone, Copy)]
pub struct NotifyRetry {
    /// The pause after the first failed attempt.
    pub base_secs: u64,
    /// The longest pause between two attempts.
    pub max_secs: u64,
    /// Attempts in all before the notification is given up (and shown as undelivered).
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

/// What the timers depend on, as the bill's object has stored it (unix seconds throughout).
#[derive(Debug, Clone, Copy)]
pub struct Timers<'a> {
    /// The bill itself: whether it is open, when it expires, whether it is still watched.
    pub bill: &'a Bill,
    /// The next reconciliation poll, `None` once the schedule is used up.
    pub next_poll_at: Option<u64>,
    /// The earliest retry of a notification the shop has not yet acknowledged.
    pub next_notification_at: Option<u64>,
    /// When the bill reached its final state.
    pub settled_at: Option<u64>,
}

impl Timers<'_> {
    /// When a settled bill may be deleted: `retention_secs` after it settled, and never while a
    /// notification is still owed to the shop.
    fn purge_at(&self, retention_secs: u64) -> Option<u64> {
        let settled_at = self.settled_at.filter(|_| !self.bill.is_open())?;
        self.next_notification_at
            .is_none()
            .then(|| settled_at.saturating_add(retention_secs))
    }

    /// Whether the bill's retention period is over and nothing is owed to the shop.
    pub fn purge_due(&self, retention_secs: u64, now: u64) -> bool {
        self.purge_at(retention_secs).is_some_and(|at| now >= at)
    }

    /// The earliest moment anything is due, or `None` when the object can sleep for good.
    pub fn next_wake(&self, retention_secs: u64, now: u64) -> Option<u64> {
        // An expiry already due but not carried out (ClickPesa down) is retried by a poll, not in
        // a tight loop.
        let expiry = self.bill.next_expiry_check().filter(|&at| at > now);
        // Paid bills keep their remaining polls: a refund or reversal whose webhook is lost is found.
        let poll = self.next_poll_at.filter(|_| self.bill.is_watched());
        let purge = self.purge_at(retention_secs);
        [expiry, poll, self.next_notification_at, purge]
            .into_iter()
            .flatten()
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clickpesa::PaymentMode;
    use crate::token::OrderClaims;
    use crate::validate::{Amount, BillReference, Description};

    const NOW: u64 = 1_000;
    const EXPIRES: u64 = NOW + 900;
    const RETENTION: u64 = 30 * 24 * 3600;

    fn open_bill() -> Bill {
        let claims = OrderClaims {
            reference: BillReference::parse("WS1001").unwrap(),
            amount: Amount::parse(25_000).unwrap(),
            description: Description::parse("Order WS1001").unwrap(),
            mode: PaymentMode::Exact,
            exp: EXPIRES,
        };
        Bill::new(&claims, "WS1001".to_owned(), NOW, EXPIRES)
    }

    fn cancelled_bill() -> Bill {
        let mut bill = open_bill();
        bill.cancel(NOW + 10).unwrap();
        bill
    }

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

    #[test]
    fn the_alarm_wakes_for_the_earliest_timer() {
        let open = open_bill();
        let cancelled = cancelled_bill();
        let timers = |bill, next_poll_at, next_notification_at, settled_at| Timers {
            bill,
            next_poll_at,
            next_notification_at,
            settled_at,
        };
        let settled = Some(NOW + 10);
        #[rustfmt::skip]
        let cases = [
            ("open: the poll comes first", timers(&open, Some(NOW + 30), None, None), NOW, Some(NOW + 30)),
            ("open: the expiry comes first", timers(&open, Some(EXPIRES + 5), None, None), NOW, Some(EXPIRES)),
            ("open, schedule used up: the expiry", timers(&open, None, None, None), NOW, Some(EXPIRES)),
            ("an expiry already due is left to a poll", timers(&open, Some(EXPIRES + 60), None, None), EXPIRES + 1, Some(EXPIRES + 60)),
            ("open: a notification retry first", timers(&open, Some(NOW + 30), Some(NOW + 20), None), NOW, Some(NOW + 20)),
            ("settled: retention once nothing is owed", timers(&cancelled, Some(NOW + 30), None, settled), NOW + 10, Some(NOW + 10 + RETENTION)),
            ("settled: a notification still owed holds the purge", timers(&cancelled, None, Some(NOW + 99), settled), NOW + 10, Some(NOW + 99)),
            ("settled but not yet marked: sleep for good", timers(&cancelled, None, None, None), NOW + 10, None),
        ];
        for (name, timers, now, wake) in cases {
            assert_eq!(timers.next_wake(RETENTION, now), wake, "{name}");
        }
    }

    #[test]
    fn a_bill_is_purged_after_retention_and_only_when_nothing_is_owed() {
        let cancelled = cancelled_bill();
        let open = open_bill();
        let timers = |bill, next_notification_at| Timers {
            bill,
            next_poll_at: None,
            next_notification_at,
            settled_at: Some(NOW + 10),
        };
        let after = NOW + 10 + RETENTION;
        assert!(!timers(&cancelled, None).purge_due(RETENTION, after - 1));
        assert!(timers(&cancelled, None).purge_due(RETENTION, after));
        assert!(!timers(&cancelled, Some(after)).purge_due(RETENTION, after + 1));
        assert!(!timers(&open, None).purge_due(RETENTION, after + 1));
    }
}
