//! The report's window, `?from=&to=`: two RFC 3339 date-times, `from` included and `to` excluded,
//! at most [`MAX_WINDOW_SECS`] long and no older than the bills the edge still keeps.
//!
//! ```
//! use shared::reconcile::window::ReportWindow;
//! let now = 1_795_996_800; // 2026-11-30T00:00:00Z
//! let window = ReportWindow::parse(
//!     [("from", "2026-11-29T00:00:00Z"), ("to", "2026-11-30T00:00:00Z")],
//!     now,
//!     30 * 86_400,
//! )
//! .unwrap();
//! assert!(window.contains(now - 1) && !window.contains(now));
//! ```
use std::ops::RangeInclusive;

use crate::budget::DAY_SECS;

use super::time::{date, parse_rfc3339};

/// The longest window one report covers: 31 days, a month of daily checks.
pub const MAX_WINDOW_SECS: u64 = 31 * DAY_SECS;

/// A half-open span of unix seconds, `from <= t < to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportWindow {
    /// The first second in the window.
    pub from: u64,
    /// The first second after the window.
    pub to: u64,
}

/// Why a window was refused; [`WindowError::code`] is the API's error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    /// `from` or `to` is absent.
    #[error("{0} is required: ?from=<RFC 3339>&to=<RFC 3339>, e.g. from=2026-11-29T00:00:00Z")]
    Missing(&'static str),
    /// A parameter is not an RFC 3339 date-time, or is given twice.
    #[error("{0} must be one RFC 3339 date-time such as 2026-11-29T00:00:00Z (encode + as %2B)")]
    Garbled(&'static str),
    /// A parameter other than `from` and `to`.
    #[error("only from and to are accepted")]
    UnknownParameter,
    /// `to` is not after `from`.
    #[error("to must be later than from")]
    Reversed,
    /// Longer than [`MAX_WINDOW_SECS`].
    #[error("a report covers at most 31 days; ask for several")]
    TooLong,
    /// Starts before the oldest bill the edge is sure to still keep.
    #[error("from must be within the last {retention_secs} s: older bills are forgotten")]
    TooOld {
        /// BILL_RETENTION_SECS.
        retention_secs: u64,
    },
}

impl WindowError {
    /// The API's error code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing(_) => "missing_window",
            Self::Garbled(_) => "invalid_window",
            Self::UnknownParameter => "unknown_parameter",
            Self::Reversed => "window_reversed",
            Self::TooLong => "window_too_long",
            Self::TooOld { .. } => "window_too_old",
        }
    }
}

impl ReportWindow {
    /// The window of a query string's decoded `pairs`. A bill is forgotten `retention_secs` after
    /// it settles, so it was created at least that long before: a window starting later than
    /// `now - retention_secs` holds only bills the edge still has.
    pub fn parse<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
        now: u64,
        retention_secs: u64,
    ) -> Result<Self, WindowError> {
        let (mut from, mut to) = (None, None);
        for (key, value) in pairs {
            let (slot, name) = match key.as_ref() {
                "from" => (&mut from, "from"),
                "to" => (&mut to, "to"),
                _ => return Err(WindowError::UnknownParameter),
            };
            if slot.is_some() {
                return Err(WindowError::Garbled(name));
            }
            *slot = Some(parse_rfc3339(value.as_ref()).ok_or(WindowError::Garbled(name))?);
        }
        let from = from.ok_or(WindowError::Missing("from"))?;
        let to = to.ok_or(WindowError::Missing("to"))?;
        if to <= from {
            return Err(WindowError::Reversed);
        }
        if to - from > MAX_WINDOW_SECS {
            return Err(WindowError::TooLong);
        }
        if from < now.saturating_sub(retention_secs) {
            return Err(WindowError::TooOld { retention_secs });
        }
        Ok(Self { from, to })
    }

    /// `t` falls in the window.
    pub fn contains(&self, t: u64) -> bool {
        (self.from..self.to).contains(&t)
    }

    /// The UTC day numbers (days since the epoch) from `slack_secs` before the window to
    /// `slack_secs` after it: the days whose bills may have payments inside the window.
    pub fn days(&self, slack_secs: u64) -> RangeInclusive<u64> {
        let first = self.from.saturating_sub(slack_secs) / DAY_SECS;
        let last = self.to.saturating_add(slack_secs).saturating_sub(1) / DAY_SECS;
        first..=last
    }

    /// `startDate` and `endDate` for ClickPesa's `GET /payments/all`: every day on which a payment
    /// of a bill created in the window can have been created (a bill takes payment for at most
    /// `payable_secs`). One day is added on each side because docs/clickpesa.md does not say in
    /// which time zone ClickPesa cuts its days (Tanzania is UTC+3).
    pub fn clickpesa_dates(&self, payable_secs: u64, now: u64) -> (String, String) {
        let end = self.to.saturating_add(payable_secs).min(now.max(self.from));
        (
            date(self.from.saturating_sub(DAY_SECS)),
            date(end.saturating_add(DAY_SECS)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_795_996_800; // 2026-11-30T00:00:00Z
    const RETENTION: u64 = 30 * DAY_SECS;

    fn parse(query: &[(&str, &str)]) -> Result<ReportWindow, WindowError> {
        ReportWindow::parse(query.iter().copied(), NOW, RETENTION)
    }

    #[test]
    fn windows_are_taken_or_refused_with_a_code() {
        let day = [
            ("from", "2026-11-29T00:00:00Z"),
            ("to", "2026-11-30T00:00:00Z"),
        ];
        assert_eq!(
            parse(&day),
            Ok(ReportWindow {
                from: NOW - DAY_SECS,
                to: NOW
            })
        );
        for (name, query, code) in [
            ("nothing", &[][..], "missing_window"),
            (
                "no to",
                &[("from", "2026-11-29T00:00:00Z")][..],
                "missing_window",
            ),
            (
                "no from",
                &[("to", "2026-11-29T00:00:00Z")][..],
                "missing_window",
            ),
            (
                "unix seconds",
                &[("from", "1795910400"), ("to", "2026-11-30T00:00:00Z")][..],
                "invalid_window",
            ),
            (
                "empty",
                &[("from", ""), ("to", "2026-11-30T00:00:00Z")][..],
                "invalid_window",
            ),
            (
                "twice",
                &[
                    ("from", "2026-11-29T00:00:00Z"),
                    ("from", "2026-11-29T00:00:00Z"),
                    ("to", "2026-11-30T00:00:00Z"),
                ][..],
                "invalid_window",
            ),
            (
                "unknown parameter",
                &[day[0], day[1], ("limit", "5")][..],
                "unknown_parameter",
            ),
            (
                "reversed",
                &[
                    ("from", "2026-11-30T00:00:00Z"),
                    ("to", "2026-11-29T00:00:00Z"),
                ][..],
                "window_reversed",
            ),
            (
                "empty window",
                &[
                    ("from", "2026-11-29T00:00:00Z"),
                    ("to", "2026-11-29T00:00:00Z"),
                ][..],
                "window_reversed",
            ),
            (
                "32 days",
                &[
                    ("from", "2026-10-29T00:00:00Z"),
                    ("to", "2026-11-30T00:00:00Z"),
                ][..],
                "window_too_long",
            ),
            (
                "older than retention",
                &[
                    ("from", "2026-10-30T00:00:00Z"),
                    ("to", "2026-10-31T00:00:00Z"),
                ][..],
                "window_too_old",
            ),
        ] {
            assert_eq!(parse(query).map_err(|e| e.code()), Err(code), "{name}");
        }
        let month = [
            ("from", "2026-10-31T00:00:00Z"),
            ("to", "2026-12-01T00:00:00Z"),
        ];
        assert!(parse(&month).is_ok(), "31 days, ending in the future");
    }

    #[test]
    fn days_and_clickpesa_dates_cover_every_payment_of_the_window() {
        let window = ReportWindow {
            from: NOW - DAY_SECS,
            to: NOW,
        };
        let today = NOW / DAY_SECS;
        assert_eq!(window.days(0), today - 1..=today - 1);
        assert_eq!(window.days(3600), today - 2..=today);
        assert_eq!(
            window.clickpesa_dates(3600, NOW + 7 * DAY_SECS),
            ("2026-11-28".to_owned(), "2026-12-01".to_owned())
        );
        assert_eq!(
            window.clickpesa_dates(3600, NOW - 60),
            ("2026-11-28".to_owned(), "2026-11-30".to_owned()),
            "no later than today"
        );
    }
}
