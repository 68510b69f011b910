#![deny(missing_docs)]
//! BillPay rules, with no I/O: everything here compiles natively and to wasm32 and is tested natively.
//!
//! - [`clickpesa`]: ClickPesa wire types (requests, responses, webhooks), tolerant where ClickPesa is.
//! - [`checksum`]: ClickPesa's canonical/legacy checksum: sign outgoing bodies, verify webhooks.
//! - [`token`]: order tokens minted by the shop's server, verified by the edge.
//! - [`validate`]: domain newtypes (`BillReference`, `Amount`, `Description`, `Phone`) with typed errors.
//! - [`ledger`]: the bill state machine (pure), idempotent by ClickPesa payment id.
//! - [`api`]: the versioned edge <-> widget / shop API types and the one JSON error shape.
//! - [`channels`]: how to pay a control number on each channel, in English and Swahili.
//! - [`schedule`]: when a bill's object should next wake (polls, expiry, notification retries, purge).
//! - [`notify`]: Standard Webhooks signatures on the edge's notifications to the shop.
//! - [`paylink`]: payment links (`pay_url`): their codes, lifetime, page language and pages.
//! - [`share`]: the payment instructions as a text for `sms:` and WhatsApp links.
//! - [`money`]: `TSh 90,900` formatting.
//! - [`bucket`]: token buckets bounding how often a client or an order may start a checkout.
//! - [`budget`]: what a checkout costs in ClickPesa calls, and the daily call cap.
//! - [`live`]: the live-update WebSocket's authentication and bounds.
//! - [`reconcile`]: the reconcile report: bills in a window against ClickPesa's payments.
//! - `testing` (feature `testing`): the checksum vectors and fuzzing properties for tests.
pub mod api;
pub mod bucket;
pub mod budget;
pub mod channels;
pub mod checksum;
pub mod clickpesa;
pub mod digits;
pub mod ledger;
pub mod live;
pub mod money;
pub mod notify;
pub mod paylink;
pub mod reconcile;
pub mod schedule;
pub mod screen;
pub mod share;
pub mod token;
pub mod validate;

#[cfg(feature = "testing")]
pub mod testing;

mod hmac_hex;
pub use hmac_hex::constant_time_eq;
