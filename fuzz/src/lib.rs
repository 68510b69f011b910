//! The fuzz targets' harness. The properties are the ones the stable proptest run checks
//! (shared/tests/fuzz_props.rs), defined once in `shared::testing::props`.
pub use shared::testing::props::*;
