//! BillPay's test tooling: the ClickPesa simulator ([`sim`]), the demo shop ([`shop`]) and the
//! docs' runnable code blocks ([`docs`]), used by the `clickpesa-sim` and `demo-shop` binaries and
//! by the suites in `tests/tests/`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let sim = billpay_tests::sim::start(billpay_tests::sim::SimConfig::for_tests()).await?;
//! println!("{}", sim.base_url());
//! # Ok(()) }
//! ```
pub mod docs;
pub mod shop;
pub mod sim;
