//! The live checkout: create (or resume) the control number, then follow it until the bill is
//! settled: views the edge pushes over its socket, and polls (fast without a socket, slow beside
//! one, at once when it drops) through the same [`Session::show`].
//!
//! ```no_run
//! use std::rc::Rc;
//! use leptos::prelude::*;
//! use widget::{fetch::EdgeClient, live::{Phase, Session}};
//!
//! let phase = RwSignal::new(Phase::Creating);
//! let session = Rc::new(Session {
//!     edge: Rc::new(EdgeClient::new("https://pay.example.com", None)),
//!     order: "v1.payload.signature".into(),
//!     phase,
//!     reconnecting: RwSignal::new(false),
//!     announce: Rc::new(|event| web_sys::console::log_1(&event.name().into())),
//! });
//! leptos::task::spawn_local_scoped_with_cancellation(session.run());
//! ```
use std::rc::Rc;

use leptos::prelude::*;
use shared::api::CheckoutView;
use shared::screen::Stage;

use crate::countdown::Deadline;
use crate::edge::{Edge, EdgeError, Feed, Status};
use crate::poll::{Next, Poll, PollPolicy, Reconnect};
use crate::session::{events_between, HostEvent};
use crate::timers::Wakeup;

/// The latest snapshot from the edge, with its expiry pinned to the local clock.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub view: CheckoutView,
    pub deadline: Deadline,
}

impl Snapshot {
    pub fn new(view: CheckoutView, local_now_ms: f64) -> Self {
        let deadline = Deadline::new(view.expires_at, view.server_time, local_now_ms);
        Self { view, deadline }
    }

    /// What a screen is built from. When it changes the session sets the phase again and the screen
    /// is rendered anew; anything else (a failed attempt, the deadline) updates in place. Screens
    /// built once are much smaller wasm than screens where every figure is reactive.
    pub fn screen(&self) -> (Stage, u64, u64, u64) {
        (
            Stage::of(self.view.state),
            self.view.remaining,
            self.view.paid_total,
            self.view.returned_total,
        )
    }
}

/// Where the checkout is. Once a snapshot exists it lives in its own signal, so a poll that brings
/// news re-renders the parts that show it, not the whole screen (see [`Snapshot::screen`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Creating,
    Failed(EdgeError),
    Live(RwSignal<Snapshot>),
}

impl Phase {
    /// The screen to show; tracks the snapshot's state when live.
    pub fn stage(&self) -> Stage {
        match self {
            Self::Creating => Stage::Creating,
            Self::Failed(_) => Stage::Failed,
            Self::Live(snapshot) => snapshot.with(|s| Stage::of(s.view.state)),
        }
    }
}

/// One run of a checkout, from creating the control number to a terminal state.
pub struct Session {
    pub edge: Rc<dyn Edge>,
    /// The order token from the shop: proves the amount and authorises status reads.
    pub order: String,
    pub phase: RwSignal<Phase>,
    /// True while polls fail and the policy backs off.
    pub reconnecting: RwSignal<bool>,
    /// Tells the host page (CustomEvents on the host element).
    pub announce: Rc<dyn Fn(HostEvent)>,
}

impl Session {
    /// Runs the checkout to its end. Spawn it scoped with cancellation: unmounting stops it.
    pub async fn run(self: Rc<Self>) {
        self.phase.set(Phase::Creating);
        let view = match self.edge.create(&self.order).await {
            Ok(view) => view,
            Err(error) => return self.fail(error),
        };
        self.tell(events_between(None, &view));
        let reference = view.reference.clone();
        let mut last = poll_outcome(&view);
        let snapshot = RwSignal::new(Snapshot::new(view, js_sys::Date::now()));
        self.phase.set(Phase::Live(snapshot));

        if last == Poll::Terminal {
            return;
        }
        let wakeup = Wakeup::new();
        let mut policy = PollPolicy::new(js_sys::Date::now());
        let mut reconnect = Reconnect::new(js_sys::Date::now());
        let mut feed: Option<Box<dyn Feed>> = None;
        let mut etag = None;
        // When to poll next; `None`: ask the policy, after a poll or at the start.
        let mut poll_at: Option<f64> = None;
        loop {
            let now = js_sys::Date::now();
            if let Some(view) = feed.as_ref().and_then(|f| f.take()) {
                if self.show(snapshot, view) == Poll::Terminal {
                    return;
                }
                continue;
            }
            if let Some(ended) = feed.take_if(|f| !f.alive()) {
                reconnect.dropped(ended.opened(), now, js_sys::Math::random());
                // Whatever happened while it was down is fetched at once.
                poll_at = Some(now);
            }
            // A customer back from their USSD app sees news at once, socket or not: a frozen
            // background page may have missed a push.
            if wakeup.came_back() {
                poll_at = Some(now);
            }
            if feed.is_none() && reconnect.wait(now) == Some(0) {
                feed = self.edge.live(&reference, &self.order, wakeup.waker());
                if feed.is_none() {
                    reconnect = Reconnect::unavailable();
                }
            }
            let at = match poll_at {
                Some(at) => at,
                None => {
                    let pushing = feed.as_ref().is_some_and(|f| f.alive());
                    let next = PollPolicy::with_push(
                        policy.next(last, now, js_sys::Math::random()),
                        pushing,
                    );
                    self.reconnecting.set(policy.reconnecting());
                    match next {
                        Next::Stop => return,
                        Next::After(ms) => *poll_at.insert(now + f64::from(ms)),
                    }
                }
            };
            if now < at {
                let until_reconnect = feed
                    .is_none()
                    .then(|| reconnect.wait(now))
                    .flatten()
                    .unwrap_or(u32::MAX);
                wakeup.sleep(((at - now) as u32).min(until_reconnect)).await;
                continue;
            }
            // Hidden tabs don't poll: the edge serves every open checkout, and nobody is watching.
            wakeup.until_visible().await;
            wakeup.came_back();
            poll_at = None;
            last = match self
                .edge
                .status(&reference, &self.order, etag.as_deref())
                .await
            {
                Ok(Status::Unchanged) => Poll::Open,
                Ok(Status::Changed {
                    view,
                    etag: new_etag,
                }) => {
                    etag = new_etag;
                    self.show(snapshot, view)
                }
                Err(error) if error.is_retryable() => Poll::Failed,
                Err(error) => {
                    self.reconnecting.set(false);
                    return self.fail(error);
                }
            };
        }
    }

    /// Shows `view`, from a poll or a push alike, unless an older one overtook a newer (a poll
    /// answered before a push but arriving after it). Returns what is left to wait for.
    fn show(&self, snapshot: RwSignal<Snapshot>, view: CheckoutView) -> Poll {
        let (stale, events, screen) = snapshot.with_untracked(|s| {
            (
                view.version < s.view.version,
                events_between(Some(&s.view), &view),
                s.screen(),
            )
        });
        if stale {
            return snapshot.with_untracked(|s| poll_outcome(&s.view));
        }
        let outcome = poll_outcome(&view);
        self.tell(events);
        let next = Snapshot::new(view, js_sys::Date::now());
        let new_screen = next.screen() != screen;
        snapshot.set(next);
        if new_screen {
            self.phase.set(Phase::Live(snapshot));
        }
        outcome
    }

    fn fail(&self, error: EdgeError) {
        (self.announce)(HostEvent::from_error(&error));
        self.phase.set(Phase::Failed(error));
    }

    fn tell(&self, events: Vec<HostEvent>) {
        events.into_iter().for_each(|event| (self.announce)(event));
    }
}

/// Whether a snapshot leaves anything to wait for; the rule is the ledger's, not ours.
fn poll_outcome(view: &CheckoutView) -> Poll {
    if view.state.is_terminal() {
        Poll::Terminal
    } else {
        Poll::Open
    }
}
