//! The edge worker against the running stack: simulator + `wrangler dev` + demo shop, started once
//! per run by `cargo xtask test` and described by `BILLPAY_*` variables. Tests share the stack, so
//! each uses its own references; the few that inject global simulator faults run alone.
#[path = "edge/abuse.rs"]
mod abuse;
#[path = "edge/bad_input.rs"]
mod bad_input;
#[path = "edge/checkouts.rs"]
mod checkouts;
#[path = "edge/gateway.rs"]
mod gateway;
#[path = "edge/http.rs"]
mod http;
#[path = "edge/lifecycle.rs"]
mod lifecycle;
#[path = "edge/live.rs"]
mod live;
#[path = "edge/money.rs"]
mod money;
#[path = "edge/orders.rs"]
mod orders;
#[path = "edge/pay_links.rs"]
mod pay_links;
#[path = "edge/recipes.rs"]
mod recipes;
#[path = "edge/reports.rs"]
mod reports;
#[path = "edge/secrets.rs"]
mod secrets;
#[path = "edge/support.rs"]
mod support;
#[path = "edge/webhooks.rs"]
mod webhooks;
