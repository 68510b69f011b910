//! `POST /v1/webhooks/clickpesa`: ClickPesa's payment notifications. Only a valid checksum gets
//! past the first lines; after that, the Bill object and its ledger decide what the payment means.
use serde::Serialize;
use shared::checksum::{self, ChecksumError, CHECKSUM_HEADERS};
use shared::clickpesa::{Webhook, WebhookEvent};
use shared::validate::BillReference;
use worker::{Env, Request, Response};

use crate::config::Config;
use crate::http::errors::EdgeError;
use crate::http::{body, log::RequestLog};
use crate::model::bill::Applied;
use crate::service::bills::BillHandle;

/// What happened to an acknowledged delivery (ClickPesa ignores the body; it helps debugging).
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    Recorded,
    Unchanged,
    /// Not a payment event, or a reference that names no bill here.
    Ignored,
}

pub async fn clickpesa(
    req: &mut Request,
    env: &Env,
    log: &mut RequestLog,
) -> Result<Response, EdgeError> {
    let bytes = body::read_json_bytes(req).await?;
    let key = Config::new(env).clickpesa_checksum_key().ok_or_else(|| {
        worker::console_error!(
            "configuration: CLICKPESA_CHECKSUM_KEY is not set; webhooks are refused"
        );
        EdgeError::NotConfigured
    })?;
    let header = CHECKSUM_HEADERS
        .iter()
        .find_map(|name| req.headers().get(name).ok().flatten());
    let payload =
        checksum::verify(key.as_bytes(), &bytes, header.as_deref()).map_err(
            |error| match error {
                ChecksumError::Malformed => EdgeError::BadJson,
                _ => EdgeError::unauthorized(
                    "invalid_checksum",
                    "the webhook checksum is missing or does not match",
                ),
            },
        )?;
    let webhook: Webhook = serde_json::from_value(payload).map_err(|_| EdgeError::BadJson)?;
    if !matches!(
        webhook.event,
        WebhookEvent::PaymentReceived | WebhookEvent::PaymentFailed
    ) {
        return acknowledge(Outcome::Ignored);
    }
    let record = webhook.payment().map_err(|_| EdgeError::BadJson)?;
    log.reference = Some(record.order_reference.clone());
    let Ok(reference) = BillReference::parse(&record.order_reference) else {
        worker::console_warn!("webhook for an invalid reference acknowledged and ignored");
        return acknowledge(Outcome::Ignored);
    };
    match BillHandle::new(env, &reference)
        .apply(webhook.event, record)
        .await
    {
        Ok(Applied::Recorded) => acknowledge(Outcome::Recorded),
        Ok(Applied::Unchanged) => acknowledge(Outcome::Unchanged),
        // Acknowledged so ClickPesa stops retrying; nothing is created for an unknown reference.
        Err(EdgeError::NotFound) => {
            worker::console_warn!(
                "webhook for unknown reference {reference} acknowledged and ignored"
            );
            acknowledge(Outcome::Ignored)
        }
        Err(error) => Err(error),
    }
}

fn acknowledge(outcome: Outcome) -> Result<Response, EdgeError> {
    super::json(
        &serde_json::json!({ "received": true, "outcome": outcome }),
        200,
    )
}
