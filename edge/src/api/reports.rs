//! The reconcile report, `GET /v1/reports/payments?from=&to=` behind the merchant key: the bills
//! created in the window against ClickPesa's `GET /payments/all`, as JSON or CSV. The rules are
//! in `shared::reconcile`; this reads the day indexes, the bills and ClickPesa's pages.
//!
//! Each page of ClickPesa's list is booked against CLICKPESA_DAILY_CALL_LIMIT before it is asked
//! for and goes through the gateway at background priority, so a report never takes a shopper's
//! slot. If ClickPesa or the budget refuses any page, the answer is that error (503 with
//! Retry-After), never a report that looks complete but is not.
use futures_util::future::try_join_all;
use shared::clickpesa::PaymentRecord;
use shared::reconcile::format::ReportFormat;
use shared::reconcile::pages::{page_path, Paging, Step, MAX_PAGES};
use shared::reconcile::report::{IndexedBill, Report, MAX_BILLS};
use shared::reconcile::window::ReportWindow;
use shared::validate::BillReference;
use worker::{Env, Request, Response};

use crate::clock::now_secs;
use crate::config::Config;
use crate::http::errors::EdgeError;
use crate::http::url;
use crate::model::bill_index::IndexEntry;
use crate::service::bill_index;
use crate::service::bills::BillHandle;
use crate::service::clickpesa::ClickPesa;

/// Bills read from their objects at once.
const CONCURRENT_READS: usize = 25;

pub async fn payments(req: &Request, env: &Env) -> Result<Response, EdgeError> {
    super::orders::authorise(req, env)?;
    let accept = req.headers().get("Accept")?;
    let format = ReportFormat::negotiate(accept.as_deref()).ok_or(EdgeError::NotAcceptable)?;
    let config = Config::new(env);
    let now = now_secs();
    let window = ReportWindow::parse(
        url::query_pairs(&url::raw(req)),
        now,
        config.bill_retention_secs(),
    )
    .map_err(|error| EdgeError::invalid(error.code(), error))?;
    // A bill takes payment for at most CHECKOUT_TTL after it is created.
    let payable = config.checkout_ttl_secs();
    let bills = indexed_bills(env, &window, payable).await?;
    let records = clickpesa_payments(env, &window, payable, now).await?;
    let report = Report::build(&window, &bills, &records, now);
    match format {
        ReportFormat::Json => super::json(&report, 200),
        ReportFormat::Csv => {
            let mut response = Response::ok(report.to_csv())?;
            let headers = response.headers_mut();
            headers.set("Content-Type", format.content_type())?;
            headers.set("Cache-Control", "no-store")?;
            headers.set(
                "Content-Disposition",
                &format!(
                    "attachment; filename=\"payments-{}-{}.csv\"",
                    report.from.replace(':', ""),
                    report.to.replace(':', "")
                ),
            )?;
            Ok(response)
        }
    }
}

/// The index entries of the window's days and of the days around it that can hold bills paid
/// inside it; the bills created inside the window are read from their objects.
async fn indexed_bills(
    env: &Env,
    window: &ReportWindow,
    payable: u64,
) -> Result<Vec<IndexedBill>, EdgeError> {
    let days = try_join_all(window.days(payable).map(|day| bill_index::list(env, day))).await?;
    let entries: Vec<IndexEntry> = days.into_iter().flatten().collect();
    let inside = entries
        .iter()
        .filter(|e| window.contains(e.indexed_at))
        .count();
    if inside > MAX_BILLS {
        return Err(too_large());
    }
    let mut bills = Vec::with_capacity(entries.len());
    for chunk in entries.chunks(CONCURRENT_READS) {
        bills.extend(try_join_all(chunk.iter().map(|e| read(env, e, window))).await?);
    }
    Ok(bills)
}

/// The bill behind an entry inside the window (`None` if there is none); outside it, only the
/// reference matters.
async fn read(
    env: &Env,
    entry: &IndexEntry,
    window: &ReportWindow,
) -> Result<IndexedBill, EdgeError> {
    let view = match BillReference::parse(&entry.reference) {
        Ok(reference) if window.contains(entry.indexed_at) => {
            match BillHandle::new(env, &reference).order_view().await {
                Ok(view) => Some(view),
                Err(EdgeError::NotFound) => None,
                Err(error) => return Err(error),
            }
        }
        _ => None,
    };
    Ok(IndexedBill {
        reference: entry.reference.clone(),
        indexed_at: entry.indexed_at,
        view,
    })
}

/// Every payment ClickPesa dates around the window, page by page, each page booked against the
/// daily budget before it is asked for (`shared::reconcile::pages::Paging`).
async fn clickpesa_payments(
    env: &Env,
    window: &ReportWindow,
    payable: u64,
    now: u64,
) -> Result<Vec<PaymentRecord>, EdgeError> {
    let clickpesa = ClickPesa::background(env)?;
    let (start, end) = window.clickpesa_dates(payable, now);
    let mut records: Vec<PaymentRecord> = Vec::new();
    let mut paging = Paging::default();
    loop {
        match paging.next() {
            Step::Book(calls) => {
                clickpesa
                    .reserve_report(u32::try_from(calls).unwrap_or(u32::MAX))
                    .await?;
                paging.booked(calls);
            }
            Step::Fetch { skip } => {
                let page = clickpesa
                    .payments_page(page_path(&start, &end, skip))
                    .await?;
                paging.fetched(page.data.len() as u64, page.total_count);
                records.extend(page.data);
            }
            Step::TooLarge => return Err(too_large()),
            Step::Done => return Ok(records),
        }
    }
}

fn too_large() -> EdgeError {
    EdgeError::invalid(
        "report_too_large",
        format!(
            "the window holds more than {MAX_BILLS} bills or {} payments; ask for a shorter one",
            MAX_PAGES * shared::reconcile::pages::PAGE_SIZE
        ),
    )
}
