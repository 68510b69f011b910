//! Paging through ClickPesa's `GET /payments/all` for a report, oldest first so that payments
//! made while the report pages are appended after what it has read rather than shifting it.
//!
//! Each page is one ClickPesa call, booked against the daily call budget (`crate::budget`)
//! before it is made; a window needing more than [`MAX_PAGES`] is refused rather than cut short.
//!
//! ```
//! use shared::reconcile::pages::{page_path, pages_left};
//! assert_eq!(
//!     page_path("2026-11-28", "2026-11-30", 0),
//!     "/payments/all?startDate=2026-11-28&endDate=2026-11-30&sortBy=createdAt&orderBy=ASC&skip=0&limit=100"
//! );
//! assert_eq!(pages_left(250, 100), 2);
//! ```
use crate::clickpesa::paths;

/// Payments asked for per page. ClickPesa documents no maximum; should it send fewer, the next
/// page starts after what it sent, so nothing is skipped (it only costs more calls).
pub const PAGE_SIZE: u64 = 100;

/// Pages one report may take: 50 calls, 5,000 payments. A busier window must be split.
pub const MAX_PAGES: u64 = 50;

/// The path of the page starting at `skip`, for payments ClickPesa dates from `start` to `end`
/// (`YYYY-MM-DD`, both included).
pub fn page_path(start: &str, end: &str, skip: u64) -> String {
    format!(
        "{}?startDate={start}&endDate={end}&sortBy=createdAt&orderBy=ASC&skip={skip}&limit={PAGE_SIZE}",
        paths::PAYMENTS_ALL
    )
}

/// Pages still to read when ClickPesa counts `total` payments and `read` have arrived.
pub fn pages_left(total: u64, read: u64) -> u64 {
    total.saturating_sub(read).div_ceil(PAGE_SIZE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_left_rounds_up_and_never_goes_negative() {
        for (name, total, read, left) in [
            ("none at all", 0, 0, 0),
            ("all read", 100, 100, 0),
            ("one more", 101, 100, 1),
            ("two and a bit", 250, 0, 3),
            ("more read than counted", 10, 20, 0),
        ] {
            assert_eq!(pages_left(total, read), left, "{name}");
        }
    }
}
