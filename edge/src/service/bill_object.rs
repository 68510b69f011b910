//! `Bill`: one Durable Object per order reference, the single writer of that bill.
//!
//! It creates the control number (or returns the existing one), applies payments through the
//! ledger, and from its one alarm reconciles with ClickPesa, expires the bill, and delivers the
//! shop's notifications. Rules live in `shared::ledger`; this object only persists and schedules.
use futures_util::future::try_join;
use futures_util::lock::Mutex;
use shared::api::{CheckoutView, OrderView};
use shared::clickpesa::{CreateOrderControlNumber, PaymentRecord};
use shared::ledger::{self, Adoption, BillEvent};
use shared::schedule::{self, NotifyRetry};
use shared::token::OrderClaims;
use worker::{
    durable_object, DurableObject, Env, Request, Response, State, WebSocket,
    WebSocketIncomingMessage,
};

use crate::clock::now_secs;
use crate::config::Config;
use crate::http::errors::EdgeError;
use crate::model::bill::{Applied, ApplyPayment, BillRequest, CreateBill, CreatedBill, StoredBill};
use crate::model::gateway::GatewayError;
use crate::service::clickpesa::ClickPesa;
use crate::service::{bill_index, outbox, rpc, sockets};

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
        if sockets::is_upgrade(&req) {
            return Ok(self.watch(&req).await.unwrap_or_else(|e| e.to_response()));
        }
        match req.json::<BillRequest>().await? {
            BillRequest::Create(CreateBill { claims }) => rpc::reply(&self.create(claims).await),
            BillRequest::View => rpc::reply(&self.view().await),
            BillRequest::Order => rpc::reply(&self.order_view().await),
            BillRequest::Apply(payment) => rpc::reply(&self.apply(*payment).await),
            BillRequest::Cancel => rpc::reply(&self.cancel().await),
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

    /// The widget only listens; anything it sends is ignored.
    async fn websocket_message(
        &self,
        _socket: WebSocket,
        _message: WebSocketIncomingMessage,
    ) -> worker::Result<()> {
        Ok(())
    }

    async fn websocket_close(
        &self,
        socket: WebSocket,
        code: usize,
        _reason: String,
        _was_clean: bool,
    ) -> worker::Result<()> {
        sockets::close(&socket, code);
        Ok(())
    }

    async fn websocket_error(
        &self,
        socket: WebSocket,
        _error: worker::Error,
    ) -> worker::Result<()> {
        sockets::close(&socket, 1011);
        Ok(())
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
        match stored
            .timers()
            .next_wake(self.config().bill_retention_secs(), now)
        {
            Some(at) => {
                storage
                    .set_alarm((at.saturating_sub(now) * 1000) as i64)
                    .await?
            }
            None => storage.delete_alarm().await?,
        }
        // Every change of the bill is saved here, whatever caused it: the one place to push it.
        sockets::push(&self.state, || self.view_of(&stored.bill, now));
        Ok(())
    }

    fn view_of(&self, bill: &ledger::Bill, now: u64) -> CheckoutView {
        CheckoutView::from_bill(bill, self.config().mpesa_business_number().as_deref(), now)
    }

    fn order_view_of(&self, stored: &StoredBill, now: u64) -> OrderView {
        let mut view = OrderView::from_bill(
            &stored.bill,
            self.config().mpesa_business_number().as_deref(),
            now,
        );
        view.undelivered_notifications = stored.undelivered.clone();
        view
    }

    /// Queues shop notifications for `events` when the shop has a webhook configured. Records
    /// kept for review are logged as well, notifications or not: money nobody can read must be
    /// seen by someone.
    fn record_events(
        &self,
        stored: &mut StoredBill,
        events: Vec<BillEvent>,
        now: u64,
    ) -> Result<(), EdgeError> {
        for review in events.iter().filter_map(|e| e.review.as_ref()) {
            worker::console_error!(
                "bill {}: payment {} needs review ({}): status {:?}, amount {:?}, currency {:?}",
                stored.bill.reference,
                review.payment_id,
                review.reason.as_str(),
                review.status,
                review.amount,
                review.currency
            );
        }
        if !events.is_empty() && self.config().merchant_webhook().is_some() {
            outbox::enqueue(&mut stored.outbox, events, now)?;
        }
        Ok(())
    }

    async fn create(&self, claims: OrderClaims) -> Result<CreatedBill, EdgeError> {
        let _writer = self.writer.lock().await;
        let now = now_secs();
        if let Some(stored) = self.load().await? {
            stored.bill.matches_order(&claims).map_err(|code| {
                EdgeError::conflict(
                    code,
                    "a checkout for this reference already exists for a different order",
                )
            })?;
            return Ok(CreatedBill {
                view: self.view_of(&stored.bill, now),
                created: false,
            });
        }
        let expires_at =
            ledger::checkout_expiry(claims.exp, now, self.config().checkout_ttl_secs())
                .ok_or_else(|| {
                    EdgeError::unauthorized("token_expired", "the order token has expired")
                })?;
        // Nothing is stored until ClickPesa has answered: a failed attempt leaves no state, and a
        // retry asks again with the same billReference, which ClickPesa cannot number twice.
        let clickpesa = ClickPesa::interactive(&self.env)?;
        let calls = shared::budget::checkout_calls(self.config().reconcile_schedule().len());
        // Indexed before the number exists, so the reconcile report never misses a bill (an entry
        // whose create is refused reads as no bill); both asks at once, to keep the create fast.
        try_join(
            async { Ok(clickpesa.reserve_checkout(calls).await?) },
            bill_index::record(&self.env, claims.reference.as_str(), now),
        )
        .await?;
        let request = CreateOrderControlNumber {
            bill_reference: Some(claims.reference.to_string()),
            bill_amount: Some(claims.amount.get()),
            bill_description: Some(claims.description.ascii_for_clickpesa()),
            bill_payment_mode: Some(claims.mode),
            ..Default::default()
        };
        let control_number = match clickpesa.create_order_control_number(&request).await {
            Ok(created) => created.bill_pay_number,
            // Our earlier request went through but its response was lost: adopt that number.
            Err(GatewayError::Conflict) => adopt(&clickpesa, &claims).await?,
            Err(error) => return Err(error.into()),
        };
        let bill = ledger::Bill::new(&claims, control_number, now, expires_at);
        let first_poll = schedule::poll_gap(&self.config().reconcile_schedule(), 0);
        let mut stored = StoredBill {
            bill,
            polls: 0,
            next_poll_at: first_poll.map(|gap| now + gap),
            outbox: Vec::new(),
            undelivered: Vec::new(),
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

    /// A live-update socket for the bill's checkout (the worker has checked the order token).
    async fn watch(&self, req: &Request) -> Result<Response, EdgeError> {
        // Under the writer lock: a change saved between reading the view and accepting the
        // socket would otherwise reach neither this first message nor the push.
        let _writer = self.writer.lock().await;
        let view = self.view().await?;
        sockets::accept(&self.state, req, &view)
    }

    async fn order_view(&self) -> Result<OrderView, EdgeError> {
        let stored = self.load().await?.ok_or(EdgeError::NotFound)?;
        Ok(self.order_view_of(&stored, now_secs()))
    }

    async fn apply(&self, payment: ApplyPayment) -> Result<Applied, EdgeError> {
        let _writer = self.writer.lock().await;
        let mut stored = self.load().await?.ok_or(EdgeError::NotFound)?;
        let now = now_secs();
        let version = stored.bill.version;
        let events = match stored
            .bill
            .apply_webhook(&payment.event, &payment.record, now)
        {
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

    /// Deactivates the number, asks ClickPesa for the bill's payments once more (as expiry does: a
    /// payment in flight at the deactivation whose webhook is lost would otherwise never be
    /// found), then cancels the bill unless that found money, in which case it answers 409.
    async fn cancel(&self) -> Result<OrderView, EdgeError> {
        let _writer = self.writer.lock().await;
        let mut stored = self.load().await?.ok_or(EdgeError::NotFound)?;
        let now = now_secs();
        // Ask the ledger first (on a copy): a paid bill is not deactivated at ClickPesa, and an
        // already cancelled one (no new events) is not deactivated twice.
        let not_cancellable =
            |error: ledger::LedgerError| EdgeError::conflict(error.code(), error.to_string());
        if stored
            .bill
            .clone()
            .cancel(now)
            .map_err(not_cancellable)?
            .is_empty()
        {
            return Ok(self.order_view_of(&stored, now));
        }
        let clickpesa = ClickPesa::interactive(&self.env)?;
        clickpesa.deactivate(&stored.bill.control_number).await?;
        let records = clickpesa.payments(stored.bill.reference.as_str()).await?;
        self.apply_records(&mut stored, records, now)?;
        let cancelled = stored.bill.cancel(now);
        if let Ok(events) = &cancelled {
            self.record_events(&mut stored, events.clone(), now)?;
        }
        self.save(&mut stored, now).await?;
        cancelled.map_err(not_cancellable)?;
        Ok(self.order_view_of(&stored, now))
    }

    /// The alarm: reconcile, expire, notify, forget — whichever is due — then sleep until the next.
    async fn wake(&self) -> Result<(), EdgeError> {
        let _writer = self.writer.lock().await;
        let Some(mut stored) = self.load().await? else {
            return Ok(());
        };
        let now = now_secs();
        let config = self.config();
        if stored.timers().purge_due(config.bill_retention_secs(), now) {
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
        } else if stored.bill.is_watched() && poll_due {
            self.reconcile(&mut stored, now).await?;
        }
        let retry = NotifyRetry {
            base_secs: config.notify_retry_base_secs(),
            max_secs: config.notify_retry_max_secs(),
            max_attempts: config.notify_max_attempts(),
        };
        outbox::deliver_due(
            &mut stored.outbox,
            &mut stored.undelivered,
            config.merchant_webhook().as_ref(),
            retry,
            now,
        )
        .await;
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

/// A 409 on create means the reference exists at ClickPesa. It is ours only if the amount matches,
/// and usable only while the number is active and has taken no money: otherwise it belongs to an
/// old order whose bill was forgotten, and adopting it would apply that order's payments again.
async fn adopt(clickpesa: &ClickPesa, claims: &OrderClaims) -> Result<String, EdgeError> {
    let details = clickpesa.bill_details(claims.reference.as_str()).await?;
    let payments = clickpesa.payments(claims.reference.as_str()).await?;
    match Adoption::judge(&details, &payments, claims.amount.get()) {
        Adoption::Adopt => Ok(details.bill_pay_number),
        Adoption::AmountMismatch => Err(EdgeError::conflict(
            "reference_in_use",
            "this reference is already used at the payment provider",
        )),
        Adoption::Settled => Err(EdgeError::conflict(
            "reference_settled",
            "this reference belongs to an earlier order that is closed or paid; use a new reference",
        )),
    }
}
