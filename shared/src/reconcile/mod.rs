//! The reconcile report (`GET /v1/reports/payments`): which bills were created in a window, and
//! whether the edge's books and ClickPesa's payments agree on each (ClickPesa recommends checking
//! daily). Pure: the edge reads its bill index, its bills and ClickPesa's `GET /payments/all`,
//! and this module does the rest.
//!
//! - [`window`]: the `?from=&to=` window, validated.
//! - [`compare`]: the rule, payment by payment, and the bill's flag.
//! - [`report`]: the report, as JSON and CSV.
//! - [`format`](mod@format): JSON or CSV from `Accept`.
//! - [`time`]: RFC 3339 without a date crate.
//! - [`pages`]: how `GET /payments/all` is paged, and what that costs.
pub mod compare;
pub mod format;
pub mod pages;
pub mod report;
pub mod time;
pub mod window;
