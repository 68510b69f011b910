//! Pending checkouts made through the edge as a widget makes them (POST /v1/checkouts with an order
//! token minted with the stack's ORDER_SIGNING_SECRET), for the pollers to poll.
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::task::JoinSet;

use super::report::reasons;
use super::traffic::{call, measured, Failure};
use crate::support::{edge, token, unique_ref};

/// Creates in flight while a pool grows: enough to keep the edge busy; more only queue (and time
/// out) behind wrangler dev.
pub const GROW_IN_FLIGHT: usize = 16;
/// Every pending checkout's amount (TZS).
pub const AMOUNT: u64 = 12_000;
/// After a failed create no new one starts for this long, doubled per failure in a row up to
/// [`BACKOFF_MAX`]: when wrangler's proxy has lost its worker (cloudflare/workers-sdk#14641) every
/// create sent at once fails the same way, and retrying at full speed only fails again.
const BACKOFF_START: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(8);
/// Growing gives up when no create has succeeded for this long: the edge is gone, not busy.
const GIVE_UP: Duration = Duration::from_secs(120);

/// A pending checkout as its widget holds it: the order token it polls with and the ETag of the
/// view it has.
pub struct Checkout {
    pub reference: String,
    pub token: String,
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
    /// Creates that failed and were made again with a new reference, by why.
    pub failed: BTreeMap<String, usize>,
}

impl Pool {
    /// Creates checkouts, [`GROW_IN_FLIGHT`] at a time, until there are `pending`. A create that
    /// fails under load (wrangler's proxy's 503, another 5xx, no answer, a lost connection) is made
    /// again with a new reference after a back-off, and counted; a 4xx (a refusal that would
    /// only repeat) fails the run.
    pub async fn grow_to(&mut self, pending: usize) {
        measured(async {
            let started = Instant::now();
            let mut tasks = JoinSet::new();
            let mut in_a_row = 0u32;
            let mut resume_at = tokio::time::Instant::now();
            let mut last_made = Instant::now();
            while self.checkouts.len() + tasks.len() < pending || !tasks.is_empty() {
                if self.checkouts.len() + tasks.len() < pending && tasks.len() < GROW_IN_FLIGHT {
                    tokio::time::sleep_until(resume_at).await;
                    tasks.spawn(create());
                    continue;
                }
                match tasks
                    .join_next()
                    .await
                    .expect("a create task")
                    .expect("the create task ran")
                {
                    Ok(checkout) => {
                        self.checkouts.push(checkout);
                        in_a_row = 0;
                        last_made = Instant::now();
                    }
                    Err(Failure::Status(status)) if status < 500 => {
                        panic!("the edge refused a pending checkout: HTTP {status}")
                    }
                    Err(failure) => {
                        *self.failed.entry(failure.to_string()).or_default() += 1;
                        assert!(
                            last_made.elapsed() < GIVE_UP,
                            "no pending checkout made in {GIVE_UP:?} (last failure: {failure})"
                        );
                        let pause = BACKOFF_START
                            .saturating_mul(1 << in_a_row.min(16))
                            .min(BACKOFF_MAX);
                        in_a_row += 1;
                        resume_at = resume_at.max(tokio::time::Instant::now() + pause);
                    }
                }
            }
            self.create_seconds += started.elapsed().as_secs_f64();
        })
        .await;
        eprintln!("bench: {} pending checkouts", self.checkouts.len());
    }

    /// "N creates failed and were made again (why)", for a table's note.
    pub fn failed_note(&self) -> String {
        match self.failed.values().sum::<usize>() {
            0 => "no create failed".into(),
            failed => format!(
                "{failed} creates failed and were made again after a back-off ({})",
                reasons(&self.failed)
            ),
        }
    }
}
