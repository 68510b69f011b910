//! The BillPay edge worker: thin HTTP and Durable Object glue around `shared` (docs/design.md "Edge").
//!
//! - [`api`]: the public routes, one module per resource.
//! - [`service`]: the `Bill`, `ClickPesaGateway`, `CheckoutLimiter`, `PayLink` and `BillIndex`
//!   Durable Objects, their typed clients, the shop-notification outbox and the alarm schedule.
//! - [`model`]: the messages between the worker and its objects.
//! - [`http`]: errors, body limits, credentials, CORS, request logs, outbound fetch.
mod api;
mod clock;
mod config;
mod http;
mod model;
mod service;

use worker::{event, Context, Env, Request, Response};

use crate::config::Config;
use crate::http::{cors, log::RequestLog};

pub use service::bill_index::BillIndex;
pub use service::bill_object::Bill;
pub use service::gateway::ClickPesaGateway;
pub use service::limiter::CheckoutLimiter;
pub use service::paylink::PayLink;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let started = clock::now_ms();
    let origin = cors::allowed_origin(&req, &Config::new(&env).allowed_origins());
    let mut log = RequestLog {
        method: req.method().to_string(),
        route: "unmatched",
        reference: None,
        status: 0,
        duration_ms: 0,
        error: None,
    };
    let mut response = match api::handle(req, &env, origin.as_deref(), &mut log).await {
        Ok(response) => response,
        Err(error) => {
            log.error = Some(error.code().to_owned());
            error.to_response()
        }
    };
    cors::decorate(&mut response, origin.as_deref());
    // Every answer is labelled (JSON, or a payment link's HTML page) or empty: no browser may
    // sniff it into something it runs.
    let _ = response
        .headers_mut()
        .set("X-Content-Type-Options", "nosniff");
    log.status = response.status_code();
    log.duration_ms = clock::now_ms().saturating_sub(started);
    log.emit();
    Ok(response)
}
