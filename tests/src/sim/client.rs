//! A typed async client for the `/_sim` control API, for test suites and the demo shop.
//!
//! ```no_run
//! # async fn demo() -> Result<(), billpay_tests::sim::client::ClientError> {
//! use billpay_tests::sim::faults::FaultSettings;
//! use billpay_tests::sim::SimClient;
//! let sim = SimClient::new("http://127.0.0.1:8900");
//! sim.set_faults(&FaultSettings { webhook_drop_rate: 0.5, ..Default::default() }).await?;
//! let stats = sim.stats().await?;
//! println!("{} webhooks dropped", stats.webhooks.dropped);
//! # Ok(()) }
//! ```
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::clickpesa::PaymentStatus;

use super::control::{BillView, PayResponse, ReturnRequest, ReturnResponse, Stats};
use super::faults::{FaultSettings, PayFaults};
use super::pay::PayRequest;
use super::webhook::Delivery;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("simulator unreachable: {0}")]
    Http(#[from] reqwest::Error),
    #[error("simulator answered {status}: {body}")]
    Status { status: u16, body: String },
}

#[derive(Debug, Clone)]
pub struct SimClient {
    http: reqwest::Client,
    origin: String,
}

impl SimClient {
    /// `origin` is the simulator's `http://127.0.0.1:PORT` (no base path).
    pub fn new(origin: impl Into<String>) -> Self {
        Self {
            http: reqwest::Client::new(),
            origin: origin.into().trim_end_matches('/').to_owned(),
        }
    }

    pub async fn pay(&self, req: &PayRequest) -> Result<PayResponse, ClientError> {
        self.post("/_sim/pay", req).await
    }

    /// Refunds or reverses payment `id` (`status` REFUNDED or REVERSED); its webhook follows.
    pub async fn return_payment(
        &self,
        id: &str,
        status: PaymentStatus,
    ) -> Result<ReturnResponse, ClientError> {
        self.return_payment_with(id, status, PayFaults::default())
            .await
    }

    /// [`Self::return_payment`] with `faults` on its webhook (e.g. dropped).
    pub async fn return_payment_with(
        &self,
        id: &str,
        status: PaymentStatus,
        faults: PayFaults,
    ) -> Result<ReturnResponse, ClientError> {
        let request = ReturnRequest { status, faults };
        self.post(&format!("/_sim/payments/{id}/return"), &request)
            .await
    }

    pub async fn faults(&self) -> Result<FaultSettings, ClientError> {
        self.get("/_sim/faults").await
    }

    /// Replaces the global fault settings (`FaultSettings::default()` clears them).
    pub async fn set_faults(&self, settings: &FaultSettings) -> Result<FaultSettings, ClientError> {
        self.post("/_sim/faults", settings).await
    }

    pub async fn bill(&self, number: &str) -> Result<BillView, ClientError> {
        self.get(&format!("/_sim/bills/{number}")).await
    }

    pub async fn stats(&self) -> Result<Stats, ClientError> {
        self.get("/_sim/stats").await
    }

    pub async fn webhooks(&self) -> Result<Vec<Delivery>, ClientError> {
        self.get("/_sim/webhooks").await
    }

    pub async fn redeliver(&self, id: u64) -> Result<Delivery, ClientError> {
        self.post(&format!("/_sim/webhooks/{id}/redeliver"), &())
            .await
    }

    pub async fn flush(&self) -> Result<Vec<Delivery>, ClientError> {
        self.post("/_sim/webhooks/flush", &()).await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        read(
            self.http
                .get(format!("{}{path}", self.origin))
                .send()
                .await?,
        )
        .await
    }

    async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        read(
            self.http
                .post(format!("{}{path}", self.origin))
                .json(body)
                .send()
                .await?,
        )
        .await
    }
}

async fn read<T: DeserializeOwned>(resp: reqwest::Response) -> Result<T, ClientError> {
    let status = resp.status();
    if !status.is_success() {
        let body = resp.text().await.unwrap_or_default();
        return Err(ClientError::Status {
            status: status.as_u16(),
            body,
        });
    }
    Ok(resp.json().await?)
}
