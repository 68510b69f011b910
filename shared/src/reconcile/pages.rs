//! Paging through ClickPesa's `GET /payments/all` for a report, oldest first so that payments
//! made while the report pages are appended after what it has read rather than shifting it.
//!
//! Each page is one ClickPesa call, booked against the daily call budget (`crate::budget`)
//! before it is made; a window needing more than [`MAX_PAGES`] is refused rather than cut short.
//!
//! ```
//! use shared::reconcile::pages::{page_path, Paging, Step};
//! assert_eq!(
//!     page_path("2026-11-28", "2026-11-30", 0),
//!     "/payments/all?startDate=2026-11-28&endDate=2026-11-30&sortBy=createdAt&orderBy=ASC&skip=0&limit=100"
//! );
//! let mut paging = Paging::default();
//! assert_eq!(paging.next(), Step::Book(1));
//! paging.booked(1);
//! assert_eq!(paging.next(), Step::Fetch { skip: 0 });
//! paging.fetched(100, 250); // ClickPesa counts 250: two more pages, booked at once
//! assert_eq!(paging.next(), Step::Book(2));
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

/// What to do next while paging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Book this many calls against the daily budget first.
    Book(u64),
    /// Ask for the page starting at `skip`.
    Fetch {
        /// Payments already read.
        skip: u64,
    },
    /// Every payment is read.
    Done,
    /// Reading the rest would pass [`MAX_PAGES`]: refuse the report.
    TooLarge,
}

/// Where a report's paging stands: the first page is booked alone; once ClickPesa's count is
/// known, every page it implies is booked at once; a page beyond those (ClickPesa sent fewer per
/// page than asked, or payments arrived meanwhile) is booked on its own.
#[derive(Debug, Clone, Default)]
pub struct Paging {
    booked: u64,
    made: u64,
    read: u64,
    total: Option<u64>,
    done: bool,
}

impl Paging {
    /// The next step.
    pub fn next(&self) -> Step {
        if self.done {
            return Step::Done;
        }
        if self.made < self.booked {
            return Step::Fetch { skip: self.read };
        }
        let calls = self
            .total
            .map_or(1, |total| pages_left(total, self.read).max(1));
        if self.made + calls > MAX_PAGES {
            Step::TooLarge
        } else {
            Step::Book(calls)
        }
    }

    /// `calls` were booked.
    pub fn booked(&mut self, calls: u64) {
        self.booked += calls;
    }

    /// A page brought `count` payments and ClickPesa counts `total` in all.
    pub fn fetched(&mut self, count: u64, total: u64) {
        self.made += 1;
        self.read += count;
        self.total = Some(total);
        self.done = count == 0 || self.read >= total;
    }
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

    /// Pages as ClickPesa answers them: (payments on the page, its count of all of them).
    fn steps(pages: &[(u64, u64)]) -> Vec<Step> {
        let mut paging = Paging::default();
        let mut pages = pages.iter();
        let mut seen = Vec::new();
        loop {
            let step = paging.next();
            seen.push(step);
            match step {
                Step::Book(calls) => paging.booked(calls),
                Step::Fetch { .. } => {
                    let (count, total) = pages.next().expect("a page was asked for too many");
                    paging.fetched(*count, *total);
                }
                Step::Done | Step::TooLarge => return seen,
            }
        }
    }

    #[test]
    fn paging_books_before_it_fetches_and_stops_in_time() {
        use Step::{Book, Done, Fetch, TooLarge};
        for (name, pages, want) in [
            (
                "nothing in the window",
                vec![(0, 0)],
                vec![Book(1), Fetch { skip: 0 }, Done],
            ),
            (
                "one page",
                vec![(42, 42)],
                vec![Book(1), Fetch { skip: 0 }, Done],
            ),
            (
                "the rest booked at once",
                vec![(100, 250), (100, 250), (50, 250)],
                vec![
                    Book(1),
                    Fetch { skip: 0 },
                    Book(2),
                    Fetch { skip: 100 },
                    Fetch { skip: 200 },
                    Done,
                ],
            ),
            (
                "ClickPesa sends smaller pages: each extra one booked",
                vec![(50, 150), (50, 150), (50, 150)],
                vec![
                    Book(1),
                    Fetch { skip: 0 },
                    Book(1),
                    Fetch { skip: 50 },
                    Book(1),
                    Fetch { skip: 100 },
                    Done,
                ],
            ),
            (
                "an empty page ends it",
                vec![(100, 300), (0, 300)],
                vec![
                    Book(1),
                    Fetch { skip: 0 },
                    Book(2),
                    Fetch { skip: 100 },
                    Done,
                ],
            ),
            (
                "more than MAX_PAGES: refused before booking the rest",
                vec![(100, 100 * MAX_PAGES + 1)],
                vec![Book(1), Fetch { skip: 0 }, TooLarge],
            ),
            (
                "exactly MAX_PAGES",
                (0..MAX_PAGES).map(|_| (100, 100 * MAX_PAGES)).collect(),
                [Book(1), Fetch { skip: 0 }, Book(MAX_PAGES - 1)]
                    .into_iter()
                    .chain((1..MAX_PAGES).map(|p| Fetch { skip: 100 * p }))
                    .chain([Done])
                    .collect(),
            ),
        ] {
            assert_eq!(steps(&pages), want, "{name}");
        }
    }
}
