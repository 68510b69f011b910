//! The fuzz targets' harness. The properties are the ones the stable proptest run checks
//! (shared/tests/fuzz_props.rs), included from the one file that defines them.
#[path = "../../shared/tests/props/mod.rs"]
mod props;

pub use props::*;
