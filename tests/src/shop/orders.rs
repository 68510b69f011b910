//! The shop's orders: the cart, fresh references and order tokens minted server-side (the browser
//! never chooses the amount; only this server signs it).
//!
//! ```
//! use billpay_tests::shop::orders::{cart_total, Orders};
//! let orders = Orders::default();
//! let (a, b) = (orders.fresh_reference(1_700_000_000_000), orders.fresh_reference(1_700_000_000_000));
//! assert_ne!(a, b);
//! assert!(a.len() <= 20 && a.chars().all(|c| c.is_ascii_alphanumeric()));
//! assert!(cart_total() > 0);
//! ```
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::Serialize;
use shared::clickpesa::PaymentMode;
use shared::token::{mint, OrderClaims};
use shared::validate::{Amount, BillReference, Description};

use super::error::ShopError;

/// A product in the demo cart: (name, whole TZS).
pub const CART: [(&str, u64); 4] = [
    ("Kahawa ya Kilimanjaro, 250 g", 18_000),
    ("Chai ya Usambara, 100 g", 6_500),
    ("Asali ya Tabora, 500 g", 12_000),
    ("Kanga, pair", 25_000),
];

pub fn cart_total() -> u64 {
    CART.iter().map(|(_, price)| price).sum()
}

#[derive(Debug, Clone, Serialize)]
pub struct Order {
    pub reference: String,
    pub amount: u64,
    pub description: String,
    /// Unix seconds after which the token no longer starts a checkout.
    pub expires_at: u64,
}

#[derive(Debug, Default)]
pub struct Orders {
    orders: Mutex<BTreeMap<String, Order>>,
    seq: AtomicU64,
}

impl Orders {
    /// `DS` + the time in base 36 + a counter: alphanumeric, well under 20 characters, and unique
    /// across restarts of the shop (the simulator would answer 409 to a reused reference).
    pub fn fresh_reference(&self, now_ms: u64) -> String {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        format!("DS{}{}", base36(now_ms), base36(n)).to_ascii_uppercase()
    }

    /// Records an order and mints its token.
    pub fn checkout(&self, order: Order, secret: &[u8]) -> Result<String, ShopError> {
        let invalid = |e: shared::validate::InvalidInput| ShopError::Invalid(e.to_string());
        let claims = OrderClaims {
            reference: BillReference::parse(&order.reference).map_err(invalid)?,
            amount: Amount::parse(order.amount).map_err(invalid)?,
            description: Description::parse(&order.description).map_err(invalid)?,
            mode: PaymentMode::Exact,
            exp: order.expires_at,
        };
        let token = mint(secret, &claims);
        self.lock().insert(order.reference.clone(), order);
        Ok(token)
    }

    pub fn get(&self, reference: &str) -> Option<Order> {
        self.lock().get(reference).cloned()
    }

    pub fn all(&self) -> Vec<Order> {
        self.lock().values().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Order>> {
        self.orders.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn base36(mut n: u64) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(char::from_digit((n % 36) as u32, 36).unwrap_or('0'));
        n /= 36;
        if n == 0 {
            return digits.iter().rev().collect();
        }
    }
}
