//! Requests to a `PayLink` object and what it keeps in storage.
use serde::{Deserialize, Serialize};
use shared::channels::Lang;
use shared::validate::BillReference;

/// What a `PayLink` object (one per link code) is asked to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PayLinkRequest {
    /// Keep this order's link under the object's code; refused when the code is already taken.
    Store(StoredLink),
    /// The link's order, or `None` when there is no link (never made, or gone).
    Open,
}

/// Everything a link keeps: the order token the page hands to the widget, and what its lifetime
/// and language depend on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredLink {
    pub order: String,
    pub reference: BillReference,
    /// The token's `exp` (unix seconds).
    pub exp: u64,
    /// The shop's language for the page (`CreateOrder::lang`).
    pub lang: Option<Lang>,
}
