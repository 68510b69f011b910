//! Pending checkouts made through the edge as a widget makes them (POST /v1/checkouts with an order
//! token minted with the stack's ORDER_SIGNING_SECRET), for the pollers to poll.
use std::time::Instant;

use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::task::JoinSet;

use super::traffic::{call, measured, Failure};
use crate::support::{edge, token, unique_ref};

/// Creates in flight while a pool grows: enough to keep the edge busy; more only queue (and time
/// out) behind wrangler dev.
pub const GROW_IN_FLIGHT: usize = 16;
/// Every pending checkout's amount (TZS).
pub const AMOUNT: u64 = 12_000;

/// A pending checkout as its widget holds it: the order token it polls with and the ETag of the
/// view it has.
pub struct Checkout {
    pub reference: String,
    token: String,
    etag: String,
}

impl Checkout {
    /// The line poll.lua reads: path, token, ETag.
    pub fn wrk_line(&self) -> String {
        format!(
            "/v1/checkouts/{} {} {}\n",
            self.reference, self.token, self.etag
        )
    }
}

/// `POST /v1/checkouts` for a fresh order; the checkout if the edge created it (201).
pub async fn create() -> Result<Checkout, Failure> {
    let reference = unique_ref("LOAD");
    let token = token(&reference, AMOUNT);
    let created = call(
        edge(Method::POST, "/v1/checkouts").json(&json!({ "order": token })),
        StatusCode::CREATED,
    )
    .await?;
    let etag = created
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("an ETag on 201")
        .to_owned();
    Ok(Checkout {
        reference,
        token,
        etag,
    })
}

/// Pending checkouts, and what making them cost.
#[derive(Default)]
pub struct Pool {
    pub checkouts: Vec<Checkout>,
    pub create_seconds: f64,
    /// Creates that failed and were made again with a new reference.
    pub failed: usize,
}

impl Pool {
    /// Creates checkouts, [`GROW_IN_FLIGHT`] at a time, until there are `pending`.
    pub async fn grow_to(&mut self, pending: usize) {
        measured(async {
            let started = Instant::now();
            let mut tasks = JoinSet::new();
            while self.checkouts.len() + tasks.len() < pending || !tasks.is_empty() {
                if self.checkouts.len() + tasks.len() < pending && tasks.len() < GROW_IN_FLIGHT {
                    tasks.spawn(create());
                    continue;
                }
                match tasks
                    .join_next()
                    .await
                    .expect("a create task")
                    .expect("the create task ran")
                {
                    Ok(checkout) => self.checkouts.push(checkout),
                    Err(failure) => {
                        self.failed += 1;
                        assert!(
                            self.failed <= 10 + self.checkouts.len() / 10,
                            "creating pending checkouts keeps failing ({failure})"
                        );
                    }
                }
            }
            self.create_seconds += started.elapsed().as_secs_f64();
        })
        .await;
        eprintln!("bench: {} pending checkouts", self.checkouts.len());
    }
}
