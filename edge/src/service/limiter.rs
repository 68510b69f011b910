//! `CheckoutLimiter`: one Durable Object per limited key (a client, an order reference) holding a
//! token bucket, and the check `POST /v1/checkouts` makes through it. A checkout can cost a
//! ClickPesa call and a stored bill, so neither a script replaying one order token nor one
//! scraping many tokens from a shop page may start them without bound.
//!
//! The bucket lives in memory only: writing it would cost a storage write per request and leave a
//! record per client behind, which is the storage growth this exists to prevent. An object is only
//! evicted after it has been idle, by which time its bucket has mostly refilled anyway.
use std::cell::RefCell;
use std::net::Ipv6Addr;

use serde::{Deserialize, Serialize};
use shared::bucket::{Rate, TokenBucket};
use shared::validate::BillReference;
use worker::{durable_object, DurableObject, Env, Request, Response, State};

use crate::clock::now_ms;
use crate::http::errors::EdgeError;
use crate::service::rpc;

/// The binding name in wrangler.toml.
pub const BINDING: &str = "CHECKOUT_LIMITER";

/// What a `CheckoutLimiter` object is asked to do.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum LimiterRequest {
    /// Take `tokens` from the object's bucket, which refills at `rate`.
    Take { rate: Rate, tokens: u32 },
    /// Whether one token could be taken, taking none.
    Check { rate: Rate },
}

#[durable_object]
pub struct CheckoutLimiter {
    bucket: RefCell<Option<TokenBucket>>,
}

impl DurableObject for CheckoutLimiter {
    fn new(_state: State, _env: Env) -> Self {
        Self {
            bucket: RefCell::new(None),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let request: LimiterRequest = req.json().await?;
        let now = now_ms();
        let mut stored = self.bucket.borrow_mut();
        let bucket = stored.get_or_insert_with(|| TokenBucket::full(now));
        let taken = match request {
            LimiterRequest::Take { rate, tokens } => bucket.take_n(rate, tokens, now),
            // A copy: the check leaves the bucket as it was.
            LimiterRequest::Check { rate } => { *bucket }.take(rate, now),
        };
        rpc::reply(&taken.map_err(|throttled| EdgeError::RateLimited {
            retry_after: throttled.retry_after_secs,
        }))
    }
}

/// Who is asking: Cloudflare sets `CF-Connecting-IP` on every request (a client cannot forge it
/// there). IPv6 clients are keyed by their /64, which one subscriber typically holds whole.
pub fn client_key(req: &Request) -> String {
    let ip = req
        .headers()
        .get("CF-Connecting-IP")
        .ok()
        .flatten()
        .unwrap_or_default();
    match ip.trim().parse::<Ipv6Addr>() {
        Ok(v6) => {
            let [a, b, c, d, ..] = v6.segments();
            format!("client:{a:x}:{b:x}:{c:x}:{d:x}::/64")
        }
        // Without the header (only outside Cloudflare) every such client shares one bucket.
        Err(_) => format!("client:{}", ip.trim()),
    }
}

pub fn order_key(reference: &BillReference) -> String {
    format!("order:{reference}")
}

/// The bucket of ClickPesa calls a client's checkouts may cause (see `shared::budget`).
pub fn calls_key(client_key: &str) -> String {
    format!("calls:{client_key}")
}

/// The bucket of payment-link pages a client opened that lead nowhere (`GET /p/{code}` misses):
/// once it is empty, every link page, existing or not, answers 429 to that client.
pub fn pay_link_misses_key(client_key: &str) -> String {
    format!("paylink-misses:{client_key}")
}

/// Takes one request from `key`'s bucket, or answers 429 with the wait.
pub async fn admit(env: &Env, key: &str, rate: Rate) -> Result<(), EdgeError> {
    admit_n(env, key, rate, 1).await
}

/// Answers 429 with the wait when `key`'s bucket is empty, taking nothing.
pub async fn check(env: &Env, key: &str, rate: Rate) -> Result<(), EdgeError> {
    let stub = env.durable_object(BINDING)?.get_by_name(key)?;
    rpc::call(&stub, &LimiterRequest::Check { rate }).await?
}

/// Takes `tokens` from `key`'s bucket at once, or answers 429 with the wait.
pub async fn admit_n(env: &Env, key: &str, rate: Rate, tokens: u32) -> Result<(), EdgeError> {
    let stub = env.durable_object(BINDING)?.get_by_name(key)?;
    rpc::call(&stub, &LimiterRequest::Take { rate, tokens }).await?
}
