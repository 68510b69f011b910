//! Test fixtures: snapshots like the edge sends, and a scripted [`Edge`].
use shared::api::{CheckoutView, PaymentView};
use shared::ledger::BillState;

#[cfg(target_arch = "wasm32")]
pub use browser::*;

/// Order ORD1, control number 55042914871931, TSh 90,900, 15 minutes left, nothing paid.
pub fn view(state: BillState) -> CheckoutView {
    CheckoutView {
        api_version: 1,
        reference: "ORD1".into(),
        control_number: "55042914871931".into(),
        amount: 90_900,
        currency: "TZS".into(),
        description: "2 bags of rice".into(),
        state,
        paid_total: 0,
        remaining: 90_900,
        returned_total: 0,
        expires_at: 10_000,
        server_time: 9_100,
        payments: Vec::new(),
        failed_attempts: Vec::new(),
        mpesa_business_number: Some("400700".into()),
        version: 1,
    }
}

/// [`view`] paid in full by Mixx by Yas, payment reference MX123.
pub fn paid() -> CheckoutView {
    let mut paid = view(BillState::Paid);
    paid.paid_total = 90_900;
    paid.remaining = 0;
    paid.payments.push(PaymentView {
        channel: Some("TIGO-PESA".into()),
        amount: 90_900,
        payment_reference: Some("MX123".into()),
        paid_at: "2026-11-23T10:00:00Z".into(),
    });
    paid.version = 2;
    paid
}

/// [`view`] with TSh 40,900 paid and TSh 50,000 missing.
pub fn partially_paid() -> CheckoutView {
    let mut partial = paid();
    partial.state = BillState::PartiallyPaid;
    partial.payments[0].amount = 40_900;
    partial.paid_total = 40_900;
    partial.remaining = 50_000;
    partial
}

/// Fixtures only the browser tests use.
#[cfg(target_arch = "wasm32")]
mod browser {
    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;
    use std::rc::Rc;

    use shared::api::{CheckoutView, FailedAttemptView};
    use shared::ledger::BillState;

    use super::{partially_paid, view};
    use crate::edge::{Edge, EdgeError, EdgeFuture, Feed, Status};
    use crate::timers::Waker;

    /// [`view`] after a failed attempt.
    pub fn with_failed_attempt(message: &str) -> CheckoutView {
        let mut failed = view(BillState::Pending);
        failed.failed_attempts.push(FailedAttemptView {
            channel: Some("HALOPESA".into()),
            message: Some(message.into()),
            at: "2026-11-23T10:00:00Z".into(),
        });
        failed.version = 2;
        failed
    }

    /// Paid in full, then all of it refunded (or reversed): nothing held, all of it returned.
    pub fn refunded() -> CheckoutView {
        let mut refunded = view(BillState::Refunded);
        refunded.returned_total = 90_900;
        refunded.version = 3;
        refunded
    }

    /// Paid in two payments, then the second (TSh 50,000) reversed: partly paid again.
    pub fn partly_returned() -> CheckoutView {
        let mut partial = partially_paid();
        partial.returned_total = 50_000;
        partial.version = 4;
        partial
    }

    /// Answers from a script; once the status script runs out, every poll is `304 Unchanged`.
    #[derive(Default)]
    pub struct ScriptedEdge {
        pub creates: RefCell<VecDeque<Result<CheckoutView, EdgeError>>>,
        pub statuses: RefCell<VecDeque<Result<Status, EdgeError>>>,
        pub create_calls: Cell<u32>,
        pub status_calls: Cell<u32>,
        /// The live-update socket, if this edge offers one.
        pub socket: Option<Rc<ScriptedSocket>>,
    }

    /// A live-update socket the test drives: it pushes views and drops when told.
    #[derive(Default)]
    pub struct ScriptedSocket {
        views: RefCell<VecDeque<CheckoutView>>,
        dropped: Cell<bool>,
        waker: RefCell<Option<Waker>>,
    }

    impl ScriptedSocket {
        /// The edge pushes `view`.
        pub fn push(&self, view: CheckoutView) {
            self.views.borrow_mut().push_back(view);
            self.wake();
        }

        /// The connection is lost.
        pub fn drop_connection(&self) {
            self.dropped.set(true);
            self.wake();
        }

        fn wake(&self) {
            if let Some(waker) = &*self.waker.borrow() {
                waker.wake();
            }
        }
    }

    impl Feed for Rc<ScriptedSocket> {
        fn take(&self) -> Option<CheckoutView> {
            self.views.borrow_mut().pop_front()
        }

        fn alive(&self) -> bool {
            !self.dropped.get()
        }

        fn opened(&self) -> bool {
            true
        }
    }

    impl ScriptedEdge {
        pub fn new(
            creates: impl IntoIterator<Item = Result<CheckoutView, EdgeError>>,
            statuses: impl IntoIterator<Item = Result<Status, EdgeError>>,
        ) -> Self {
            Self {
                creates: RefCell::new(creates.into_iter().collect()),
                statuses: RefCell::new(statuses.into_iter().collect()),
                ..Self::default()
            }
        }
    }

    impl Edge for ScriptedEdge {
        fn create(&self, _order: &str) -> EdgeFuture<CheckoutView> {
            self.create_calls.set(self.create_calls.get() + 1);
            let answer = self
                .creates
                .borrow_mut()
                .pop_front()
                .expect("an unscripted create");
            Box::pin(async move { answer })
        }

        fn status(
            &self,
            _reference: &str,
            _order: &str,
            _etag: Option<&str>,
        ) -> EdgeFuture<Status> {
            self.status_calls.set(self.status_calls.get() + 1);
            let answer = self
                .statuses
                .borrow_mut()
                .pop_front()
                .unwrap_or(Ok(Status::Unchanged));
            Box::pin(async move { answer })
        }

        fn live(&self, _reference: &str, _order: &str, wake: Waker) -> Option<Box<dyn Feed>> {
            let socket = self.socket.as_ref()?;
            socket.waker.replace(Some(wake));
            Some(Box::new(Rc::clone(socket)))
        }
    }
}
