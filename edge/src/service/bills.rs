//! The worker's typed handle on `Bill` objects: one object per reference, addressed by name.
use serde::de::DeserializeOwned;
use shared::api::{CheckoutView, OrderView};
use shared::clickpesa::{PaymentRecord, WebhookEvent};
use shared::token::OrderClaims;
use shared::validate::BillReference;
use worker::Env;

use crate::http::errors::EdgeError;
use crate::model::bill::{Applied, ApplyPayment, BillRequest, CreateBill, CreatedBill};
use crate::service::{bill_object, rpc};

pub struct BillHandle<'a> {
    env: &'a Env,
    reference: &'a BillReference,
}

impl<'a> BillHandle<'a> {
    pub fn new(env: &'a Env, reference: &'a BillReference) -> Self {
        Self { env, reference }
    }

    async fn call<T: DeserializeOwned>(&self, request: &BillRequest) -> Result<T, EdgeError> {
        let stub = self
            .env
            .durable_object(bill_object::BINDING)?
            .get_by_name(self.reference.as_str())?;
        rpc::call(&stub, request).await?
    }

    pub async fn create(&self, claims: OrderClaims) -> Result<CreatedBill, EdgeError> {
        self.call(&BillRequest::Create(CreateBill { claims })).await
    }

    pub async fn view(&self) -> Result<CheckoutView, EdgeError> {
        self.call(&BillRequest::View).await
    }

    pub async fn order_view(&self) -> Result<OrderView, EdgeError> {
        self.call(&BillRequest::Order).await
    }

    pub async fn apply(
        &self,
        event: WebhookEvent,
        record: PaymentRecord,
    ) -> Result<Applied, EdgeError> {
        self.call(&BillRequest::Apply(Box::new(ApplyPayment {
            event,
            record,
        })))
        .await
    }

    pub async fn cancel(&self) -> Result<OrderView, EdgeError> {
        self.call(&BillRequest::Cancel).await
    }
}
