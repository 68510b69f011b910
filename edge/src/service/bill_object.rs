//! `Bill`: one Durable Object per order reference, the single writer of that bill.
//!
//! It creates the control number (or returns the existing one), applies payments through the
//! ledger, and from its one alarm reconciles with ClickPesa, expires the bill, and delivers the
//! shop's notifications. Rules live in `shared::ledger`; this object only persists and schedules.
use futures_util::lock::Mutex;
use shared::api::{CheckoutView, OrderView};
use shared::clickpesa::{CreateOrderControlNumber, PaymentRecord};
use shared::ledger::{self, BillEvent};
use shared::token::OrderClaims;
use worker::{durable_object, DurableObject, Env, Request, Response, State};

use crate::clock::now_secs;
use crate::config::Config;
use crate::http::errors::EdgeError;
use crate::model::bill::{Applied, ApplyPayment, CreateBill, CreatedBill, StoredBill};
use crate::model::gateway::GatewayError;
use crate::service::clickpesa::ClickPesa;
use crate::service::{outbox, rpc, schedule};

/// The binding name in wrangler.toml.
pub const BINDING: &str = "BILL";
const STORAGE_KEY: &str = "bill";

#[durable_object]
pub struct Bill {
    state: State,
    env: Env,
    /// Serialises every change: a change may wait on ClickPesa, and another request arriving
    /// meanwhile must see its result rather than a stale copy (e.g. two creates for one ref).
    writer: Mutex<()>,
}

impl DurableObject for Bill {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            writer: Mutex::new(()),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        match rpc::op(&req).as_str() {
            "create" => rpc::reply(&self.create(req.json::<CreateBill>().await?.claims).await),
            "view" => rpc::reply(&self.view().await),
            "order" => rpc::reply(&self.order_view().await),
            "apply" => rpc::reply(&self.apply(req.json::<ApplyPayment>().await?).await),
            "cancel" => rpc::reply(&self.cancel().await),
            _ => Response::error("unknown operation", 404),
        }
    }

    async fn alarm(&self) -> worker::Result<Response> {
        // Failures are logged and retried on the next wake-up computed by `save`; an `Err` here
        // would make the runtime retry the alarm on its own schedule instead.
        if let Err(error) = self.wake().await {
            worker::console_error!("bill alarm failed: {error}");
        }
        Response::empty()
    }
}

impl Bill {
    fn config(&self) -> Config<'_> {
        Config::new(&self.env)
    }

    async fn load(&self) -> Result<Option<StoredBill>, EdgeError> {
        Ok(self.state.storage().get(STORAGE_KEY).await?)
    }

    /// Writes the bill and points the alarm at the next thing due.
    async fn save(&self, stored: &mut StoredBill, now: u64) -> Result<(), EdgeError> {
        if !stored.bill.is_open() && stored.settled_at.is_none() {
            stored.settled_at = Some(now);
        }
        let storage = self.state.storage();
        storage.put(STORAGE_KEY, &*stored).await?;
        match schedule::next_wake(stored, self.config().bill_retention_secs(), now) {
            Some(at) => {
                storage
                    .set_alarm((at.saturating_sub(now) * 1000) as i64)
                    .await?
            }
            None => storage.delete_alarm().await?,
        }
        Ok(())
    }

    fn view_of(&self, bill: &ledger::Bill, now: u64) -> CheckoutView {
        CheckoutView::from_bill(bill, self.config().mpesa_business_number().as_deref(), now)
    }

    fn order_view_of(&self, bill: &ledger::Bill, now: u64) -> OrderView {
        OrderView::from_bill(bill, self.config().mpesa_business_number().as_deref(), now)
    }

    /// Queues shop notifications for `events` when the shop has a webhook configured.
    fn record_events(
        &self,
        stored: &mut StoredBill,
        events: Vec<BillEvent>,
        now: u64,
    ) -> Result<(), EdgeError> {
        if !events.is_empty() && self.config().merchant_webhook().is_some() {
            outbox::enqueue(&mut stored.outbox, events, now)?;
        }
        Ok(())
    }

    async fn create(&self, claims: OrderClaims) -> Result<CreatedBill, EdgeError> {
        let _writer = self.writer.lock().await;
        let now = now_secs();
        if let Some(stored) = self.load().await? {
            if stored.bill.amount != claims.amount.get() {
                return Err(EdgeError::conflict(
                    "amount_mismatch",
                    "a checkout for this reference already exists with a different amount",
                ));
            }
            return Ok(CreatedBill {
                view: self.view_of(&stored.bill, now),
                created: false,
            });
        }
        // Nothing is stored until ClickPesa has answered: a failed attempt leaves no state, and a
        // retry asks again with the same billReference, which ClickPesa cannot number twice.
        let clickpesa = ClickPesa::interactive(&self.env)?;
        let request = CreateOrderControlNumber {
            bill_reference: Some(claims.reference.to_string()),
            bill_amount: Some(claims.amount.get()),
            bill_description: Some(ascii_description(claims.description.as_str())),
            bill_payment_mode: Some(claims.mode),
            ..Default::default()
        };
        let control_number = match clickpesa.create_order_control_number(&request).await {
            Ok(created) => created.bill_pay_number,
            // Our earlier request went through but its response was lost: adopt that number.
            Err(GatewayError::Conflict) => adopt(&clickpesa, &claims).await?,
            Err(error) => return Err(error.into()),
        };
        let expires_at = claims.exp.min(now + self.config().checkout_ttl_secs());
        let bill = ledger::Bill::new(&claims, control_number, now, expires_at);
        let first_poll = schedule::poll_gap(&self.config().reconcile_schedule(), 0);
        let mut stored = StoredBill {
            bill,
            polls: 0,
            next_poll_at: first_poll.map(|gap| now + gap),
            outbox: Vec::new(),
            settled_at: None,
        };
        self.save(&mut stored, now).await?;
        Ok(CreatedBill {
            view: self.view_of(&stored.bill, now),
            created: true,
        })
    }

    async fn view(&self) -> Result<CheckoutView, EdgeError> {
        let stored = self.load().await?.ok_or(EdgeError::NotFound)?;
        Ok(self.view_of(&stored.bill, now_secs()))
    }

    async fn order_view(&self) -> Result<OrderView, EdgeError> {
        let stored = self.load().await?.ok_or(EdgeError::NotFound)?;
        Ok(self.order_view_of(&stored.bill, now_secs()))
    }

    async fn apply(&self, payment: ApplyPayment) -> Result<Applied, EdgeError> {
        let _writer = self.writer.lock().await;
        let mut stored = self.load().await?.ok_or(EdgeError::NotFound)?;
        let now = now_secs();
        let version = stored.bill.version;
        let events = match stored.bill.apply(&payment.record, now) {
            Ok(events) => events,
            Err(error) => {
                worker::console_warn!("payment {} not applied: {error}", payment.record.id);
                return Ok(Applied::Unchanged);
            }
        };
        if stored.bill.version == version {
            return Ok(Applied::Unchanged);
        }
        self.record_events(&mut stored, events, now)?;
        self.save(&mut stored, now).await?;
        Ok(Applied::Recorded)
    }

    async fn cancel(&self) -> Result<OrderView, EdgeError> {
        let _writer = self.writer.lock().await;
        let mut stored = self.load().await?.ok_or(EdgeError::NotFound)?;
        let now = now_secs();
        // Ask the ledger first (on a copy): a paid bill is not deactivated at ClickPesa, and an
        // already cancelled one (no new events) is not deactivated twice.
        let mut cancelled = stored.bill.clone();
        let events = cancelled
            .cancel(now)
            .map_err(|error| EdgeError::conflict(error.code(), error.to_string()))?;
        if !events.is_empty() {
            ClickPesa::interactive(&self.env)?
                .deactivate(&stored.bill.control_number)
                .await?;
            stored.bill = cancelled;
            self.record_events(&mut stored, events, now)?;
            self.save(&mut stored, now).await?;
        }
        Ok(self.order_view_of(&stored.bill, now))
    }

    /// The alarm: reconcile, expire, notify, forget — whichever is due — then sleep until the next.
    async fn wake(&self) -> Result<(), EdgeError> {
        let _writer = self.writer.lock().await;
        let Some(mut stored) = self.load().await? else {
            return Ok(());
        };
        let now = now_secs();
        let config = self.config();
        if schedule::purge_due(&stored, config.bill_retention_secs(), now) {
            // Settled and every notification acknowledged: nothing here is owed to anyone any
            // more. Late webhooks for the reference are acknowledged and ignored (no bill).
            let storage = self.state.storage();
            storage.delete_alarm().await?;
            storage.delete_all().await?;
            return Ok(());
        }
        let expiry_due = now >= stored.bill.expires_at;
        let poll_due = stored.next_poll_at.is_some_and(|at| now >= at);
        if stored.bill.is_open() && expiry_due {
            self.expire(&mut stored, now).await?;
        } else if stored.bill.is_open() && poll_due {
            self.reconcile(&mut stored, now).await?;
        }
        if let Some(webhook) = config.merchant_webhook() {
            let retry = schedule::NotifyRetry {
                base_secs: config.notify_retry_base_secs(),
                max_secs: config.notify_retry_max_secs(),
            };
            outbox::deliver_due(&mut stored.outbox, &webhook, retry, now).await;
        }
        self.save(&mut stored, now).await
    }

    /// Missed webhooks are normal: ask ClickPesa what it has and apply it through the ledger.
    async fn reconcile(&self, stored: &mut StoredBill, now: u64) -> Result<(), EdgeError> {
        let records = match ClickPesa::background(&self.env)?
            .payments(stored.bill.reference.as_str())
            .await
        {
            Ok(records) => records,
            // Throttled (background calls yield to checkouts) or ClickPesa down: this poll did not
            // happen, so it keeps its place in the schedule and is tried again soon.
            Err(GatewayError::Unavailable { retry_after }) => {
                stored.next_poll_at = Some(now + u64::from(retry_after.max(1)));
                return Ok(());
            }
            Err(error) => {
                worker::console_warn!("reconcile {}: {error}", stored.bill.reference);
                self.advance_polls(stored, now);
                return Ok(());
            }
        };
        self.advance_polls(stored, now);
        self.apply_records(stored, records, now)
    }

    fn apply_records(
        &self,
        stored: &mut StoredBill,
        records: Vec<PaymentRecord>,
        now: u64,
    ) -> Result<(), EdgeError> {
        for record in records {
            match stored.bill.apply(&record, now) {
                Ok(events) => self.record_events(stored, events, now)?,
                Err(error) => worker::console_warn!(
                    "reconcile {}: record {} skipped: {error}",
                    stored.bill.reference,
                    record.id
                ),
            }
        }
        Ok(())
    }

    /// One poll done: the next one follows the schedule (or none, once it is used up).
    fn advance_polls(&self, stored: &mut StoredBill, now: u64) {
        stored.polls += 1;
        stored.next_poll_at = schedule::poll_gap(&self.config().reconcile_schedule(), stored.polls)
            .map(|gap| now + gap);
    }

    /// Deactivates the number at ClickPesa so late payments are refused, then asks ClickPesa for
    /// the bill's payments one last time, then marks it expired unless money was found. Polling
    /// after the deactivation closes the gap where a payment lands between a poll and the
    /// deactivation and its webhook is lost. If ClickPesa is unreachable at either step the bill
    /// stays pending and both are tried again later.
    async fn expire(&self, stored: &mut StoredBill, now: u64) -> Result<(), EdgeError> {
        // Interactive priority: settling a bill is worth more than any routine poll, and it
        // happens once per bill.
        let clickpesa = ClickPesa::interactive(&self.env)?;
        let settled = match clickpesa.deactivate(&stored.bill.control_number).await {
            Ok(()) => clickpesa.payments(stored.bill.reference.as_str()).await,
            Err(error) => Err(error),
        };
        match settled {
            Ok(records) => self.apply_records(stored, records, now)?,
            Err(error) => {
                worker::console_warn!("expire {}: {error}", stored.bill.reference);
                stored.next_poll_at = Some(now + schedule::EXPIRY_RETRY_SECS);
                return Ok(());
            }
        }
        let events = stored.bill.expire(now);
        self.record_events(stored, events, now)
    }
}

/// A 409 on create means the reference exists at ClickPesa. It is ours only if the amount matches.
async fn adopt(clickpesa: &ClickPesa, claims: &OrderClaims) -> Result<String, EdgeError> {
    let details = clickpesa.bill_details(claims.reference.as_str()).await?;
    if details.bill_amount.as_ref().and_then(|a| a.whole_tzs()) == Some(claims.amount.get()) {
        Ok(details.bill_pay_number)
    } else {
        Err(EdgeError::conflict(
            "reference_in_use",
            "this reference is already used at the payment provider",
        ))
    }
}

/// ClickPesa's checksum of non-ASCII text depends on its serialiser (docs/clickpesa.md §5.3, V5), so the
/// description we send is kept ASCII. `shared` has no such helper yet; the shopper still sees the
/// original description, only ClickPesa's copy is transliterated away.
fn ascii_description(description: &str) -> String {
    description
        .chars()
        .map(|c| if c.is_ascii() { c } else { '?' })
        .collect()
}
