//! The ClickPesa simulator and the demo shop over real HTTP: each test starts its own servers on
//! port 0 in-process, so tests run in parallel without sharing state. One module per concern.
mod auth;
mod control_numbers;
mod demo_shop;
mod payments;
mod support;
mod webhooks;
