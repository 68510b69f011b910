//! Open live-update sockets held by one edge while payments land: pending checkouts, each watched
//! by one socket as its customer's widget watches it, then a payment webhook for every one of
//! them at a fixed rate, and how long until each socket has its paid view.
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::load::{webhook, WEBHOOKS_PER_SEC};
use super::pool::{Checkout, Pool};
use super::report::{count, median, ms, percentile, reasons, Table};
use super::traffic::{measured, steady};
use crate::support::{get_checkout, Frame, LiveSocket};

/// Sockets opening at once: each is a handshake through wrangler's proxy to the bill's object.
const OPEN_IN_FLIGHT: usize = 32;
/// How long a socket may take to open and send the checkout's current view.
const OPEN_PATIENCE: Duration = Duration::from_secs(30);
/// How long after the last webhook was sent a socket may still get its paid view; after that it
/// counts as never updated.
const PUSH_PATIENCE: Duration = Duration::from_secs(60);

/// The client address of the `i`-th socket: every customer has a phone of their own.
fn client(i: usize) -> String {
    format!("10.{}.{}.{}", i >> 16 & 0xff, i >> 8 & 0xff, i & 0xff)
}

/// Opens the socket of the `i`-th checkout and reads the view it sends at once, which must be the
/// pending checkout; how long that took.
async fn open(checkout: &Checkout, i: usize) -> Result<(LiveSocket, Duration), String> {
    let started = Instant::now();
    let opened = tokio::time::timeout(OPEN_PATIENCE, async {
        let mut socket = LiveSocket::connect(&checkout.reference, &checkout.token, &client(i))
            .await
            .map_err(|why| format!("refused ({why})"))?;
        match socket.frame().await {
            Some(Frame::Text(view)) if view["state"] == "pending" => Ok(socket),
            Some(other) => Err(format!("first frame not the pending view ({other:?})")),
            None => Err("dropped before its first view".to_owned()),
        }
    })
    .await
    .unwrap_or_else(|_| Err(format!("not open in {} s", OPEN_PATIENCE.as_secs())))?;
    Ok((opened, started.elapsed()))
}

/// What one open socket saw once the payments began.
enum Watched {
    /// The paid view came (when), then the edge's close (its code, if it came).
    Paid(Instant, Option<u16>),
    /// The connection ended or the edge closed it before the paid view.
    Dropped,
    /// Nothing by the deadline.
    Silent,
}

/// Reads `socket` until the paid view, the end, or `deadline`.
async fn watch(mut socket: LiveSocket, deadline: tokio::time::Instant) -> Watched {
    loop {
        match tokio::time::timeout_at(deadline, socket.frame()).await {
            Err(_) => return Watched::Silent,
            Ok(None | Some(Frame::Close(_))) => return Watched::Dropped,
            Ok(Some(Frame::Text(view))) if view["state"] == "paid" => {
                let at = Instant::now();
                let closed =
                    match tokio::time::timeout(Duration::from_secs(5), socket.frame()).await {
                        Ok(Some(Frame::Close(code))) => Some(code),
                        _ => None,
                    };
                return Watched::Paid(at, closed);
            }
            // Another change of the bill (none is sent here, but a reconciliation poll may land).
            Ok(Some(Frame::Text(_))) => {}
        }
    }
}

/// `sockets` pending checkouts of their own, each watched by one open socket; then a SUCCESS
/// webhook for each at [`WEBHOOKS_PER_SEC`], the load table's rate.
pub async fn sockets_while_paying(sockets: usize) -> Table {
    let mut pool = Pool::default();
    pool.grow_to(sockets).await;
    let made = pool.failed_note();
    let checkouts = Arc::new(pool.checkouts);
    measured(async {
        // Open every socket first: all of them are held while the payments land.
        let opening = Instant::now();
        let slots = Arc::new(Semaphore::new(OPEN_IN_FLIGHT));
        let mut tasks = JoinSet::new();
        for i in 0..checkouts.len() {
            let (checkouts, slots) = (Arc::clone(&checkouts), Arc::clone(&slots));
            tasks.spawn(async move {
                let _slot = slots.acquire().await.expect("the semaphore stays open");
                (i, open(&checkouts[i], i).await)
            });
        }
        let mut open_sockets = Vec::new();
        let mut open_times = Vec::new();
        let mut refused = std::collections::BTreeMap::<String, usize>::new();
        for (i, opened) in tasks.join_all().await {
            match opened {
                Ok((socket, took)) => {
                    open_times.push(took.as_secs_f64() * 1000.0);
                    open_sockets.push((i, socket));
                }
                Err(why) => *refused.entry(why).or_default() += 1,
            }
        }
        let opening = opening.elapsed();
        eprintln!("bench: {} live sockets open", open_sockets.len());

        assert!(
            checkouts.len().is_multiple_of(WEBHOOKS_PER_SEC as usize),
            "a whole number of seconds of webhooks"
        );
        let run = Duration::from_secs(checkouts.len() as u64 / u64::from(WEBHOOKS_PER_SEC));
        let deadline = tokio::time::Instant::now() + run + PUSH_PATIENCE;
        let mut watchers = JoinSet::new();
        for (i, socket) in open_sockets {
            watchers.spawn(async move { (i, watch(socket, deadline).await) });
        }
        // When each checkout's webhook was sent, as the steady sender reaches it.
        let sent: Arc<Vec<OnceLock<Instant>>> =
            Arc::new((0..checkouts.len()).map(|_| OnceLock::new()).collect());
        let webhooks = steady(WEBHOOKS_PER_SEC, run, |i| {
            let (checkouts, sent) = (Arc::clone(&checkouts), Arc::clone(&sent));
            async move {
                let _ = sent[i].set(Instant::now());
                let reference = &checkouts[i].reference;
                webhook(reference, &format!("{reference}P"), "SUCCESS").await
            }
        })
        .await;
        let watched = watchers.join_all().await;

        let first_sent = sent.iter().filter_map(OnceLock::get).min().copied();
        let mut latencies = Vec::new();
        let mut last_paid = None;
        let (mut silent, mut dropped, mut closed_settled, mut unpaid) = (0, 0, 0, 0);
        for (i, outcome) in &watched {
            match outcome {
                Watched::Paid(at, closed) => {
                    if let Some(sent_at) = sent[*i].get() {
                        latencies.push(at.duration_since(*sent_at).as_secs_f64() * 1000.0);
                    }
                    last_paid = last_paid.max(Some(*at));
                    closed_settled += usize::from(*closed == Some(1000));
                }
                Watched::Dropped => dropped += 1,
                // A push is only missing if the bill was paid: a webhook lost on the way (an error
                // in the webhook row) paid nothing.
                Watched::Silent => {
                    let checkout = &checkouts[*i];
                    match get_checkout(&checkout.reference, &checkout.token).await.body["state"]
                        == "paid"
                    {
                        true => silent += 1,
                        false => unpaid += 1,
                    }
                }
            }
        }
        let to_all = match (first_sent, last_paid) {
            (Some(first), Some(last)) => last.duration_since(first).as_secs_f64() * 1000.0,
            _ => f64::NAN,
        };
        let failed_to_open: usize = refused.values().sum();

        let n = count(checkouts.len());
        let mut table = Table::new(
            &format!("{n} open sockets on one edge while payments land (wrangler dev on loopback)"),
            &format!(
                "{n} pending checkouts of their own (made beforehand; {made}), each watched by one \
                 live-update socket from its own client address, opened through the Rust driver \
                 ({OPEN_IN_FLIGHT} handshakes at a time; each socket first receives the pending \
                 view), all held open at once. One socket per bill, so the per-bill and per-client \
                 socket limits (8 and 4 per bill) are never reached and none is raised. Then a signed \
                 PAYMENT RECEIVED webhook for the full amount of each checkout, sent from the driver \
                 at {WEBHOOKS_PER_SEC}/s whether or not earlier ones have answered: each pays its \
                 bill, whose object pushes the paid view to the socket and closes it (1000). \
                 Latencies from the driver sending a checkout's webhook to its socket delivering the \
                 paid view; a socket without it {patience} s after the last webhook was sent counts \
                 as never updated if the edge says its bill is paid, and apart if it is not (its \
                 webhook was lost on the way: no push is due). The driver, wrangler's proxy, workerd and the \
                 simulator share the two cores.",
                patience = PUSH_PATIENCE.as_secs(),
            ),
            &["figure", "value"],
        );
        let rows = [
            (
                "sockets open at once".to_owned(),
                match failed_to_open {
                    0 => format!("{} of {n}", count(watched.len())),
                    _ => format!("{} of {n} ({})", count(watched.len()), reasons(&refused)),
                },
            ),
            (
                "opening them: whole, handshake → pending view median / p95 / max".to_owned(),
                format!(
                    "{:.1} s; {} / {} / {} ms",
                    opening.as_secs_f64(),
                    ms(median(&open_times)),
                    ms(percentile(&open_times, 95.0)),
                    ms(percentile(&open_times, 100.0))
                ),
            ),
            (
                format!("webhooks sent at {WEBHOOKS_PER_SEC}/s: errors / sent"),
                webhooks.cells()[3].clone(),
            ),
            (
                "webhook answered: p50 / p99".to_owned(),
                format!("{} / {} ms", ms(webhooks.p50), ms(webhooks.p99)),
            ),
            (
                "**first webhook sent → last socket got its paid view**".to_owned(),
                format!("**{} ms**", ms(to_all)),
            ),
            (
                "webhook sent → its socket got the paid view: median / p95 / max".to_owned(),
                format!(
                    "{} / {} / {} ms",
                    ms(median(&latencies)),
                    ms(percentile(&latencies, 95.0)),
                    ms(percentile(&latencies, 100.0))
                ),
            ),
            (
                "sockets that got the paid view (then closed 1000 by the edge)".to_owned(),
                format!(
                    "{} of {} ({})",
                    count(latencies.len()),
                    count(watched.len()),
                    count(closed_settled)
                ),
            ),
            (
                "sockets whose bill was paid but never updated in time / dropped before the paid view".to_owned(),
                format!("{} / {}", count(silent), count(dropped)),
            ),
            (
                "sockets whose bill stayed unpaid (webhook lost, no push due)".to_owned(),
                count(unpaid),
            ),
        ];
        for (figure, value) in rows {
            table.row(vec![figure, value]);
        }
        table
    })
    .await
}
