//! What every simulator test uses: a webhook receiver, a logged-in API caller, and simulators
//! started with a configuration.
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use billpay_tests::sim::pay::{PayChannel, PayOutcome, PayRequest};
use billpay_tests::sim::{start, RunningSim, SimConfig};
use serde_json::{json, Value};

pub(crate) const CHECKSUM_KEY: &str = "cpk_test_2f9c1e";

/// Collects the webhooks POSTed to it.
#[derive(Clone, Default)]
pub(crate) struct Receiver {
    bodies: Arc<Mutex<Vec<Bytes>>>,
}

impl Receiver {
    pub(crate) async fn start() -> (Self, String) {
        let receiver = Self::default();
        let app = Router::new()
            .route(
                "/hook",
                post(|State(r): State<Receiver>, body: Bytes| async move {
                    r.bodies.lock().unwrap().push(body);
                    StatusCode::OK
                }),
            )
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    pub(crate) fn bodies(&self) -> Vec<Value> {
        self.bodies
            .lock()
            .unwrap()
            .iter()
            .map(|b| serde_json::from_slice(b).unwrap())
            .collect()
    }

    pub(crate) fn raw(&self) -> Vec<Bytes> {
        self.bodies.lock().unwrap().clone()
    }
}

/// A ClickPesa API caller holding a token.
pub(crate) struct Api {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
    pub(crate) token: String,
}

impl Api {
    pub(crate) async fn login(sim: &RunningSim) -> Self {
        let http = reqwest::Client::new();
        let cfg = &sim.app().config;
        let resp: Value = http
            .post(format!("{}/generate-token", sim.base_url()))
            .header("client-id", &cfg.client_id)
            .header("api-key", &cfg.api_key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(resp["success"], true);
        let token = resp["token"].as_str().unwrap().to_owned();
        assert!(token.starts_with("Bearer "));
        Self {
            http,
            base: sim.base_url(),
            token,
        }
    }

    pub(crate) async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("authorization", &self.token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    pub(crate) async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub(crate) async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::PATCH, path, Some(body)).await
    }

    pub(crate) async fn create_order(&self, reference: &str, amount: u64, mode: &str) {
        let body =
            json!({"billReference": reference, "billAmount": amount, "billPaymentMode": mode});
        let (status, resp) = self
            .post("/billpay/create-order-control-number", body)
            .await;
        assert_eq!(
            (status, resp["billPayNumber"].as_str()),
            (200, Some(reference)),
            "{resp}"
        );
    }
}

pub(crate) async fn sim_with(configure: impl FnOnce(&mut SimConfig)) -> RunningSim {
    let mut cfg = SimConfig::for_tests();
    configure(&mut cfg);
    start(cfg).await.unwrap()
}

pub(crate) async fn sim_with_receiver() -> (RunningSim, Receiver) {
    let (receiver, url) = Receiver::start().await;
    let sim = sim_with(|c| {
        c.webhook_url = Some(url);
        c.checksum_key = Some(CHECKSUM_KEY.to_owned());
    })
    .await;
    (sim, receiver)
}

pub(crate) fn pay(number: &str, amount: u64) -> PayRequest {
    PayRequest::new(number, amount, PayChannel::Mpesa, PayOutcome::Success)
}
