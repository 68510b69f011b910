//! Test support for `shared`'s own tests, its benches and the fuzz harness (feature `testing`):
//! the ClickPesa checksum vectors, the fuzzing properties, and the table of figures that the bench
//! driver writes and xtask renders. Nothing here is built into the edge or the widget.
pub mod props;
pub mod table;

use serde_json::Value;

/// The ClickPesa checksum test vectors (`shared/tests/data/checksum-vectors.json`), compiled in so
/// every user of this module reads the same data without touching the file system. Public
/// third-party ClickPesa checksum implementations agree with V1–V5; docs/clickpesa.md §5 explains
/// the rules they exercise.
const CHECKSUM_VECTORS: &str = include_str!("../../tests/data/checksum-vectors.json");

/// Every checksum vector: objects with `name`, `key`, `payload` and the expected `canonical` form
/// and `checksum` (some also carry the legacy or Python-serialiser variants).
pub fn checksum_vectors() -> Vec<Value> {
    serde_json::from_str(CHECKSUM_VECTORS).expect("the checksum vectors are JSON")
}

/// The vector whose name starts with `prefix` (`"V3"`, …).
pub fn checksum_vector(prefix: &str) -> Value {
    checksum_vectors()
        .into_iter()
        .find(|v| v["name"].as_str().is_some_and(|n| n.starts_with(prefix)))
        .unwrap_or_else(|| panic!("no checksum vector named {prefix}…"))
}
