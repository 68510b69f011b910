//! The messages the worker and its Durable Objects exchange (internal JSON, never seen by clients).
pub mod bill;
pub mod bill_index;
pub mod gateway;
pub mod paylink;
