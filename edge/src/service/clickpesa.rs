//! Typed ClickPesa operations for the Bill object, each one call through the gateway object.
use serde::de::DeserializeOwned;
use serde_json::Value;
use shared::clickpesa::{
    paths, BillPayDetails, BillStatus, CreateControlNumberResponse, CreateOrderControlNumber,
    PaymentRecord, PaymentsPage, UpdateBillPay,
};
use worker::{Env, Stub};

use crate::model::gateway::{GatewayCall, GatewayError, GatewayRequest, HttpMethod, Priority};
use crate::service::{gateway, rpc};

pub struct ClickPesa {
    gateway: Stub,
    priority: Priority,
}

impl ClickPesa {
    /// For calls someone is waiting on (create, cancel).
    pub fn interactive(env: &Env) -> worker::Result<Self> {
        Self::new(env, Priority::Interactive)
    }

    /// For the alarm's calls (reconciliation, expiry), which yield to interactive ones.
    pub fn background(env: &Env) -> worker::Result<Self> {
        Self::new(env, Priority::Background)
    }

    fn new(env: &Env, priority: Priority) -> worker::Result<Self> {
        Ok(Self {
            gateway: env
                .durable_object(gateway::BINDING)?
                .get_by_name(gateway::INSTANCE)?,
            priority,
        })
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: HttpMethod,
        path: String,
        body: Option<Value>,
    ) -> Result<T, GatewayError> {
        let call = GatewayCall {
            method,
            path,
            body,
            priority: self.priority,
        };
        let reply: Value = self.ask(&GatewayRequest::Call(call)).await?;
        serde_json::from_value(reply).map_err(|_| GatewayError::UnexpectedBody)
    }

    async fn ask<T: DeserializeOwned>(&self, request: &GatewayRequest) -> Result<T, GatewayError> {
        let reply: Result<T, GatewayError> =
            rpc::call(&self.gateway, request).await.map_err(|error| {
                worker::console_error!("gateway object unreachable: {error}");
                GatewayError::Unavailable { retry_after: 5 }
            })?;
        reply
    }

    /// Books a new checkout's `calls` against the daily limit (a no-op when none is set).
    pub async fn reserve_checkout(&self, calls: u32) -> Result<(), GatewayError> {
        self.ask(&GatewayRequest::ReserveCheckout { calls }).await
    }

    /// Books a report's `calls` against the daily limit (a no-op when none is set).
    pub async fn reserve_report(&self, calls: u32) -> Result<(), GatewayError> {
        self.ask(&GatewayRequest::ReserveReport { calls }).await
    }

    /// One page of `GET /payments/all` (`path` from `shared::reconcile::pages::page_path`).
    pub async fn payments_page(&self, path: String) -> Result<PaymentsPage, GatewayError> {
        self.call(HttpMethod::Get, path, None).await
    }

    pub async fn create_order_control_number(
        &self,
        body: &CreateOrderControlNumber,
    ) -> Result<CreateControlNumberResponse, GatewayError> {
        let body = serde_json::to_value(body).map_err(|_| GatewayError::UnexpectedBody)?;
        self.call(
            HttpMethod::Post,
            paths::CREATE_ORDER_CONTROL_NUMBER.to_owned(),
            Some(body),
        )
        .await
    }

    pub async fn bill_details(
        &self,
        bill_pay_number: &str,
    ) -> Result<BillPayDetails, GatewayError> {
        self.call(
            HttpMethod::Get,
            format!("{}{bill_pay_number}", paths::BILLPAY_PREFIX),
            None,
        )
        .await
    }

    /// PATCH `billStatus: INACTIVE`, so a late payment is refused by the network (docs/clickpesa.md §2.5).
    pub async fn deactivate(&self, bill_pay_number: &str) -> Result<(), GatewayError> {
        let update = UpdateBillPay {
            bill_status: Some(BillStatus::Inactive),
            ..Default::default()
        };
        let body = serde_json::to_value(update).map_err(|_| GatewayError::UnexpectedBody)?;
        let _: Value = self
            .call(
                HttpMethod::Patch,
                format!("{}{bill_pay_number}", paths::BILLPAY_PREFIX),
                Some(body),
            )
            .await?;
        Ok(())
    }

    /// Every payment ClickPesa knows for `order_reference`; none yet is a 404 there, empty here.
    /// A record that does not parse is logged and skipped rather than hiding the others.
    pub async fn payments(
        &self,
        order_reference: &str,
    ) -> Result<Vec<PaymentRecord>, GatewayError> {
        let records: Vec<Value> = match self
            .call(
                HttpMethod::Get,
                format!("{}{order_reference}", paths::PAYMENTS_PREFIX),
                None,
            )
            .await
        {
            Err(GatewayError::NotFound) => return Ok(Vec::new()),
            other => other?,
        };
        Ok(records
            .into_iter()
            .filter_map(|record| match serde_json::from_value(record) {
                Ok(record) => Some(record),
                Err(error) => {
                    worker::console_warn!(
                        "reconcile {order_reference}: unreadable payment record: {error}"
                    );
                    None
                }
            })
            .collect())
    }
}
