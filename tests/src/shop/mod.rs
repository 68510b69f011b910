//! The demo shop: a cart, a checkout page that embeds the BillPay widget with one script tag under
//! a strict CSP, a "pay as the customer would" panel driving the ClickPesa simulator, and the
//! endpoint that receives the edge's signed notifications.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use billpay_tests::shop::{start, ShopConfig};
//! let shop = start(ShopConfig::for_tests("http://127.0.0.1:8787", "http://127.0.0.1:8900", "s1", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).await?;
//! println!("open {}/", shop.origin());
//! # Ok(()) }
//! ```
pub mod config;
pub mod error;
pub mod notifications;
pub mod orders;
pub mod pages;
pub mod routes;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::http::{header, HeaderValue};
use axum::routing::{get, post};
use axum::Router;

pub use config::ShopConfig;

use crate::sim::rng::Xorshift;
use crate::sim::SimClient;
use notifications::{Inbox, Verifier};
use orders::Orders;

#[derive(Debug)]
pub struct Shop {
    pub config: ShopConfig,
    pub orders: Orders,
    pub inbox: Inbox,
    pub verifier: Verifier,
    pub sim: SimClient,
    rng: Mutex<Xorshift>,
}

pub type ShopState = Arc<Shop>;

impl Shop {
    /// Fails when MERCHANT_WEBHOOK_SECRET is not a `whsec_…` secret.
    pub fn new(config: ShopConfig) -> Result<Self, String> {
        Ok(Self {
            sim: SimClient::new(config.sim_url.clone()),
            rng: Mutex::new(Xorshift::new(config.seed)),
            orders: Orders::default(),
            inbox: Inbox::default(),
            verifier: Verifier::new(&config.merchant_webhook_secret)?,
            config,
        })
    }

    /// `--notify-fail-rate`: whether to answer this notification 500 to exercise the edge's retries.
    fn fail_this_notification(&self) -> bool {
        self.rng
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .chance(self.config.notify_fail_rate)
    }
}

pub fn router(shop: ShopState) -> Router {
    let csp = HeaderValue::from_str(&pages::csp(shop.config.edge_origin()))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"));
    Router::new()
        .route("/", get(routes::home))
        .route("/checkout", get(routes::checkout))
        .route("/orders", get(routes::orders))
        .route("/orders/{reference}", get(routes::order))
        .route("/notifications", post(routes::receive_notification))
        .route("/api/notifications", get(routes::list_notifications))
        .route("/api/simulate", post(routes::simulate))
        .route("/shop.css", get(routes::css))
        .route("/shop.js", get(routes::js))
        .layer(axum::middleware::map_response(
            move |mut resp: axum::response::Response| {
                let csp = csp.clone();
                async move {
                    // On every response, not only HTML: harmless on JSON and it cannot be forgotten.
                    let headers = resp.headers_mut();
                    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
                    headers.insert(
                        header::X_CONTENT_TYPE_OPTIONS,
                        HeaderValue::from_static("nosniff"),
                    );
                    resp
                }
            },
        ))
        .with_state(shop)
}

/// A shop serving on 127.0.0.1; stops when dropped.
#[derive(Debug)]
pub struct RunningShop {
    addr: SocketAddr,
    shop: ShopState,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl RunningShop {
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn shop(&self) -> &ShopState {
        &self.shop
    }

    /// Serves until the server fails.
    pub async fn wait(mut self) -> std::io::Result<()> {
        match self.task.take() {
            Some(task) => task.await.unwrap_or_else(|e| Err(std::io::Error::other(e))),
            None => Ok(()),
        }
    }
}

impl Drop for RunningShop {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

pub async fn start(config: ShopConfig) -> std::io::Result<RunningShop> {
    let shop = Arc::new(Shop::new(config).map_err(std::io::Error::other)?);
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, shop.config.port)).await?;
    let addr = listener.local_addr()?;
    let serve = axum::serve(listener, router(Arc::clone(&shop)));
    let task = tokio::spawn(async move { serve.await });
    Ok(RunningShop {
        addr,
        shop,
        task: Some(task),
    })
}
