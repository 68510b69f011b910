//! The shop-notification outbox of a Bill object: events are queued in the same storage write that
//! records them, and delivered (signed per Standard Webhooks, retried) from the alarm until the shop answers 2xx.
use std::time::Duration;

use shared::api::ShopNotification;
use shared::ledger::BillEvent;
use worker::{Headers, Method, Request, RequestInit};

use crate::config::MerchantWebhook;
use crate::http::outbound;
use crate::model::bill::Notification;
use crate::service::schedule::{notify_retry_gap, NotifyRetry};

const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Queues one notification per event, due at once. An event id already queued is not queued twice.
pub fn enqueue(
    outbox: &mut Vec<Notification>,
    events: Vec<BillEvent>,
    now: u64,
) -> serde_json::Result<()> {
    for event in events {
        if outbox.iter().any(|n| n.event_id == event.id) {
            continue;
        }
        let notification = ShopNotification::from(event);
        outbox.push(Notification {
            event_id: notification.id.clone(),
            body: serde_json::to_string(&notification)?,
            attempts: 0,
            next_attempt_at: now,
        });
    }
    Ok(())
}

/// Attempts every due notification once, in order; acknowledged ones leave the outbox.
pub async fn deliver_due(
    outbox: &mut Vec<Notification>,
    webhook: &MerchantWebhook,
    retry: NotifyRetry,
    now: u64,
) {
    let mut kept = Vec::with_capacity(outbox.len());
    for mut notification in outbox.drain(..) {
        if notification.next_attempt_at > now {
            kept.push(notification);
            continue;
        }
        match deliver(&notification, webhook, now).await {
            Ok(()) => continue,
            Err(reason) => {
                notification.attempts += 1;
                notification.next_attempt_at = now + notify_retry_gap(retry, notification.attempts);
                worker::console_warn!(
                    "notify {}: attempt {} failed ({reason}); next at {}",
                    notification.event_id,
                    notification.attempts,
                    notification.next_attempt_at
                );
                kept.push(notification);
            }
        }
    }
    *outbox = kept;
}

async fn deliver(
    notification: &Notification,
    webhook: &MerchantWebhook,
    now: u64,
) -> Result<(), String> {
    let secrets = webhook.signing_secrets()?;
    let request = (|| -> worker::Result<Request> {
        let headers = Headers::new();
        headers.set("Content-Type", "application/json")?;
        // Standard Webhooks: the event id, this attempt's time, one signature per secret.
        for (name, value) in
            shared::notify::headers(&secrets, &notification.event_id, now, &notification.body)
        {
            headers.set(name, &value)?;
        }
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_body(Some(notification.body.as_str().into()));
        Request::new_with_init(&webhook.url, &init)
    })()
    .map_err(|error| error.to_string())?;
    let response = outbound::send(request, DELIVERY_TIMEOUT)
        .await
        .map_err(|error| error.to_string())?;
    match response.status_code() {
        200..=299 => Ok(()),
        status => Err(format!("status {status}")),
    }
}
