//! Wall-clock helpers for ClickPesa-shaped timestamps, without a date crate.
//!
//! ```
//! use billpay_tests::sim::clock::iso8601;
//! assert_eq!(iso8601(1_712_773_376_153), "2024-04-10T18:22:56.153Z");
//! ```
use std::time::{SystemTime, UNIX_EPOCH};

use shared::reconcile::time::civil_from_days;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, the shape ClickPesa uses for `createdAt` / `updatedAt`.
pub fn iso8601(ms: u64) -> String {
    let secs = ms / 1000;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let tod = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        tod / 3600,
        tod % 3600 / 60,
        tod % 60,
        ms % 1000
    )
}

/// Normalises a `/payments/all` date filter to `YYYY-MM-DD`. ClickPesa documents `YYYY-MM-DD`; the
/// Python SDK also sends `DD-MM-YYYY`, so both are accepted. Because ISO timestamps sort as text,
/// callers compare the result with the first ten characters of `createdAt`.
///
/// ```
/// use billpay_tests::sim::clock::normalise_date;
/// assert_eq!(normalise_date("21-05-2026").as_deref(), Some("2026-05-21"));
/// assert_eq!(normalise_date("2026-13-01"), None);
/// ```
pub fn normalise_date(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split('-').collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (y, m, d) = if a.len() == 4 { (a, b, c) } else { (c, b, a) };
    let all_digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|c| c.is_ascii_digit());
    if !(all_digits(y, 4) && all_digits(m, 2) && all_digits(d, 2)) {
        return None;
    }
    let (mi, di): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&mi) && (1..=31).contains(&di)).then(|| format!("{y}-{m}-{d}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_leap_day() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_709_164_800_000), "2024-02-29T00:00:00.000Z");
    }
}
