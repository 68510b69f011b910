//! The shop-notification outbox of a Bill object: events are queued in the same storage write that
//! records them, and delivered (signed per Standard Webhooks, retried) from the alarm until the shop
//! answers 2xx, or until NOTIFY_MAX_ATTEMPTS, after which they are kept as undelivered for the shop
//! to read.
use std::time::Duration;

use shared::api::{ShopNotification, UndeliveredNotification};
use shared::ledger::BillEvent;
use shared::schedule::{notify_retry_gap, NotifyRetry};
use worker::{Headers, Method, Request, RequestInit};

use crate::config::MerchantWebhook;
use crate::http::outbound;
use crate::model::bill::Notification;

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
            last_error: None,
        });
    }
    Ok(())
}

/// Attempts every due notification once, in order; acknowledged ones leave the outbox, and those
/// out of attempts move to `undelivered`. Without a configured `webhook` every due attempt fails
/// (and is rescheduled like any failure), so a removed URL can neither drop notifications nor
/// leave them due in the past, which would wake the object again at once, forever.
pub async fn deliver_due(
    outbox: &mut Vec<Notification>,
    undelivered: &mut Vec<UndeliveredNotification>,
    webhook: Option<&MerchantWebhook>,
    retry: NotifyRetry,
    now: u64,
) {
    let mut kept = Vec::with_capacity(outbox.len());
    for mut notification in outbox.drain(..) {
        if notification.next_attempt_at > now {
            kept.push(notification);
            continue;
        }
        let delivered = match webhook {
            Some(webhook) => deliver(&notification, webhook, now).await,
            None => Err("MERCHANT_WEBHOOK_URL or MERCHANT_WEBHOOK_SECRET is not set".to_owned()),
        };
        let Err(reason) = delivered else { continue };
        notification.attempts += 1;
        match notify_retry_gap(retry, notification.attempts) {
            Some(gap) => {
                notification.next_attempt_at = now + gap;
                worker::console_warn!(
                    "notify {}: attempt {} failed ({reason}); next at {}",
                    notification.event_id,
                    notification.attempts,
                    notification.next_attempt_at
                );
                notification.last_error = Some(reason);
                kept.push(notification);
            }
            None => {
                worker::console_error!(
                    "notify {}: given up after {} attempts ({reason}); kept as undelivered",
                    notification.event_id,
                    notification.attempts
                );
                undelivered.push(UndeliveredNotification {
                    id: notification.event_id,
                    body: notification.body,
                    attempts: notification.attempts,
                    last_attempt_at: now,
                    last_error: reason,
                });
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
