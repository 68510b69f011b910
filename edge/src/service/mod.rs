//! The Durable Objects and the typed clients through which the worker and they talk.
pub mod bill_index;
pub mod bill_object;
pub mod bills;
pub mod clickpesa;
pub mod gateway;
pub mod limiter;
pub mod outbox;
pub mod paylink;
pub mod rpc;
pub mod sockets;
