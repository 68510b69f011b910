//! Requests to a `BillIndex` object (one per UTC day) and its entries.
use serde::{Deserialize, Serialize};

/// What a `BillIndex` object is asked to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum IndexRequest {
    /// Note that the Bill object of `reference` is about to create its bill at `at` (unix
    /// seconds). A later note for the same reference (a create retried after ClickPesa failed)
    /// replaces it: the bill is made by the last attempt, so its time is the bill's creation time.
    Record { reference: String, at: u64 },
    /// Every entry of the day.
    List,
}

/// One indexed bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    pub reference: String,
    pub indexed_at: u64,
}
