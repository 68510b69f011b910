//! The simulator's in-memory ClickPesa account: control numbers, payments and issued tokens.
//! Everything here is plain data (serialised whole to the state file) plus the rules that need no I/O.
//!
//! ```
//! use billpay_tests::sim::state::{Bill, BillKind, SimState};
//! let mut state = SimState::default();
//! let number = state.fresh_number();
//! assert_eq!(number.len(), 14);
//! state.insert_bill(Bill::new(number.clone(), BillKind::Order, "2026-01-01T00:00:00.000Z".into())).unwrap();
//! assert!(state.insert_bill(Bill::new(number, BillKind::Order, String::new())).is_err());
//! ```
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use shared::clickpesa::{BillPayDetails, BillStatus, PaymentMode, PaymentRecord};

use super::error::ApiError;
use super::rng::random_u64;

/// Order numbers take one payment; customer numbers take many (docs/clickpesa.md §2.2, §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BillKind {
    Order,
    Customer,
}

/// A customer control number's customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillCustomer {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// One control number with everything ClickPesa knows about it, including what its API never shows
/// (`collected`, `closed`), which `GET /_sim/bills/{n}` exposes for tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bill {
    pub bill_pay_number: String,
    pub kind: BillKind,
    pub description: Option<String>,
    pub amount: Option<u64>,
    /// `None` means ClickPesa's default, ALLOW_PARTIAL_AND_OVER_PAYMENT.
    pub payment_mode: Option<PaymentMode>,
    pub max_collection_amount: Option<u64>,
    pub status: BillStatus,
    pub customer: Option<BillCustomer>,
    /// Whole TZS collected by successful payments.
    pub collected: u64,
    /// An Order number is closed by its first successful payment, even a partial one.
    pub closed: bool,
    pub created_at: String,
}

impl Bill {
    pub fn new(bill_pay_number: String, kind: BillKind, created_at: String) -> Self {
        Self {
            bill_pay_number,
            kind,
            description: None,
            amount: None,
            payment_mode: None,
            max_collection_amount: None,
            status: BillStatus::Active,
            customer: None,
            collected: 0,
            closed: false,
            created_at,
        }
    }

    /// The mode that applies: ClickPesa ignores `billPaymentMode` unless `billAmount` is set.
    pub fn effective_mode(&self) -> PaymentMode {
        match (self.amount, self.payment_mode) {
            (Some(_), Some(mode)) => mode,
            _ => PaymentMode::AllowPartialAndOverPayment,
        }
    }

    /// The body of `GET /billpay/{n}` and of `PATCH` responses.
    pub fn details(&self) -> BillPayDetails {
        BillPayDetails {
            bill_pay_number: self.bill_pay_number.clone(),
            bill_description: self.description.clone(),
            bill_customer_name: self.customer.as_ref().map(|c| c.name.clone()),
            bill_amount: self.amount.map(Into::into),
            bill_payment_mode: Some(
                self.payment_mode
                    .unwrap_or(PaymentMode::AllowPartialAndOverPayment),
            ),
            bill_status: Some(self.status),
            bill_max_collection_amount: self.max_collection_amount.map(Into::into),
        }
    }
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SimState {
    pub bills: BTreeMap<String, Bill>,
    /// Every payment attempt in arrival order, exactly as `GET /payments` returns them.
    pub payments: Vec<PaymentRecord>,
    /// Issued token (with its `Bearer ` prefix, as the client must send it) → expiry in unix ms.
    pub tokens: HashMap<String, u64>,
    pub tokens_issued: u64,
    /// Feeds payment ids, so they are unique for the life of the state file.
    pub payment_seq: u64,
}

impl SimState {
    /// Issues a token valid for `ttl_ms`, forgetting expired ones so the map stays small.
    pub fn issue_token(&mut self, now_ms: u64, ttl_ms: u64) -> String {
        self.tokens.retain(|_, exp| *exp > now_ms);
        let token = format!("Bearer sim.{:016x}{:016x}", random_u64(), random_u64());
        self.tokens.insert(token.clone(), now_ms + ttl_ms);
        self.tokens_issued += 1;
        token
    }

    /// Whether an `Authorization` header value is a live token, compared verbatim as ClickPesa does.
    pub fn token_is_live(&self, authorization: &str, now_ms: u64) -> bool {
        self.tokens
            .get(authorization)
            .is_some_and(|exp| *exp > now_ms)
    }

    /// A 14-digit number not used yet, like ClickPesa's generated `55042914871931`.
    pub fn fresh_number(&self) -> String {
        loop {
            let n = format!("{}", 10_000_000_000_000 + random_u64() % 90_000_000_000_000);
            if !self.bills.contains_key(&n) {
                return n;
            }
        }
    }

    pub fn insert_bill(&mut self, bill: Bill) -> Result<(), ApiError> {
        if self.bills.contains_key(&bill.bill_pay_number) {
            return Err(ApiError::ReferenceUsed);
        }
        self.bills.insert(bill.bill_pay_number.clone(), bill);
        Ok(())
    }

    pub fn payments_for<'a>(
        &'a self,
        order_reference: &'a str,
    ) -> impl Iterator<Item = &'a PaymentRecord> {
        self.payments
            .iter()
            .filter(move |p| p.order_reference == order_reference)
    }
}
