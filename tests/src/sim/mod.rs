//! A faithful ClickPesa BillPay simulator (docs/clickpesa.md §1-5), plus a `/_sim` control API that plays the
//! customer and injects faults. ClickPesa has no sandbox, so development, the demo and every test
//! run against this.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use billpay_tests::sim::{start, SimConfig};
//! let sim = start(SimConfig::for_tests()).await?;
//! println!("CLICKPESA_BASE_URL={}", sim.base_url());
//! let bill = sim.client().bill("WS1001").await;
//! # Ok(()) }
//! ```
//!
//! Modules: [`config`] (flags), [`state`] (the account's data), [`pay`] (the MNO's side of a
//! payment), [`api`] (the ClickPesa routes), [`control`] (`/_sim` routes), [`webhook`] (delivery),
//! [`faults`] and [`throttle`] (chaos and rate limits), [`store`] (state file), [`client`]
//! (typed control client for tests).
pub mod api;
pub mod client;
pub mod clock;
pub mod config;
pub mod control;
pub mod error;
pub mod faults;
pub mod pay;
pub mod rng;
pub mod state;
pub mod store;
pub mod throttle;
pub mod webhook;

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;

pub use client::SimClient;
pub use config::SimConfig;

use faults::Faults;
use state::SimState;
use store::{Store, StoreError};
use throttle::Throttle;
use webhook::Dispatcher;

/// Everything the handlers share.
#[derive(Debug)]
pub struct App {
    pub config: SimConfig,
    state: Mutex<SimState>,
    pub faults: Faults,
    pub throttle: Option<Throttle>,
    pub dispatcher: Arc<Dispatcher>,
    store: Store,
    /// API calls per endpoint ("POST /generate-token"), for `GET /_sim/stats`.
    requests: Counts,
    /// Single Order/Customer creates per `billReference` (accepted or refused), for the same.
    creates: Counts,
    /// `GET /payments/{orderReference}` calls per reference, for the same.
    payment_queries: Counts,
}

/// Occurrences by key, shared between requests.
#[derive(Debug, Default)]
struct Counts(Mutex<BTreeMap<String, u64>>);

impl Counts {
    fn add(&self, key: String) {
        *self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key)
            .or_default() += 1;
    }

    fn snapshot(&self) -> BTreeMap<String, u64> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

pub type AppState = Arc<App>;

impl App {
    pub fn new(config: SimConfig) -> Result<Self, StoreError> {
        let store = Store::new(config.state_file.clone());
        let state = store.load()?;
        let dispatcher = Dispatcher::new(
            config.webhook_url.clone(),
            config.checksum_key.clone().map(String::into_bytes),
            Duration::from_millis(config.webhook_timeout_ms),
            Duration::from_millis(config.reorder_window_ms),
        );
        Ok(Self {
            faults: Faults::new(config.seed),
            throttle: config.rate_limit_per_min.map(Throttle::new),
            dispatcher: Arc::new(dispatcher),
            state: Mutex::new(state),
            store,
            requests: Counts::default(),
            creates: Counts::default(),
            payment_queries: Counts::default(),
            config,
        })
    }

    /// Reads the state. Never held across an await.
    pub fn state(&self) -> MutexGuard<'_, SimState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Changes the state, then writes the state file (if any).
    pub async fn mutate<R>(&self, change: impl FnOnce(&mut SimState) -> R) -> R {
        let result = change(&mut self.state());
        if let Err(e) = self.store.save(|| self.state().clone()).await {
            // The in-memory state is still right; a test that needs the file will notice.
            eprintln!("clickpesa-sim: {e}");
        }
        result
    }

    pub fn count_request(&self, endpoint: String) {
        self.requests.add(endpoint);
    }

    /// Counts a single create for `bill_reference`, so a test can tell whether *its* order was
    /// created twice while other tests create theirs.
    pub fn count_create(&self, bill_reference: String) {
        self.creates.add(bill_reference);
    }

    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        self.requests.snapshot()
    }

    pub fn create_counts(&self) -> BTreeMap<String, u64> {
        self.creates.snapshot()
    }

    /// Counts a `GET /payments/{orderReference}`, so a test can tell when the edge's
    /// reconciliation polls for *its* bill are over.
    pub fn count_payment_query(&self, order_reference: String) {
        self.payment_queries.add(order_reference);
    }

    pub fn payment_query_counts(&self) -> BTreeMap<String, u64> {
        self.payment_queries.snapshot()
    }
}

/// The whole simulator: the ClickPesa API under `--base-path` and the control API under `/_sim`.
pub fn router(app: AppState) -> Router {
    let base = app.config.normalised_base_path();
    let api = api::router(&app);
    let routes = Router::new().nest("/_sim", control::router());
    let routes = if base.is_empty() {
        routes.merge(api)
    } else {
        routes.nest(&base, api)
    };
    routes
        .layer(middleware::from_fn(access_log))
        .with_state(app)
}

/// One line per call on stderr: method, path, status, milliseconds.
async fn access_log(req: Request, next: Next) -> Response {
    let (method, path, started) = (
        req.method().clone(),
        req.uri().path().to_owned(),
        Instant::now(),
    );
    let resp = next.run(req).await;
    eprintln!(
        "{method} {path} {} {}ms",
        resp.status().as_u16(),
        started.elapsed().as_millis()
    );
    resp
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot bind 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A simulator serving on 127.0.0.1; stops when dropped.
#[derive(Debug)]
pub struct RunningSim {
    addr: SocketAddr,
    base_path: String,
    app: AppState,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl RunningSim {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, where `/_sim` lives.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What the edge calls CLICKPESA_BASE_URL: origin plus base path.
    pub fn base_url(&self) -> String {
        format!("{}{}", self.origin(), self.base_path)
    }

    pub fn client(&self) -> SimClient {
        SimClient::new(self.origin())
    }

    /// The shared state, for in-process tests that need to look behind the API.
    pub fn app(&self) -> &AppState {
        &self.app
    }

    /// Serves until the server fails (it does not stop by itself).
    pub async fn wait(mut self) -> std::io::Result<()> {
        match self.task.take() {
            Some(task) => task.await.unwrap_or_else(|e| Err(std::io::Error::other(e))),
            None => Ok(()),
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// Loads the state file, binds 127.0.0.1:`config.port` and serves in a background task.
pub async fn start(config: SimConfig) -> Result<RunningSim, SimError> {
    let port = config.port;
    let base_path = config.normalised_base_path();
    let app = Arc::new(App::new(config)?);
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .map_err(|source| SimError::Bind { port, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| SimError::Bind { port, source })?;
    let serve = axum::serve(listener, router(Arc::clone(&app)));
    let task = tokio::spawn(async move { serve.await });
    Ok(RunningSim {
        addr,
        base_path,
        app,
        task: Some(task),
    })
}
