//! ClickPesa's field rules for creating and updating control numbers (docs/clickpesa.md §2.1-2.5), turning a
//! wire body into a [`Bill`] or a 400 message.
//!
//! ```
//! use billpay_tests::sim::api::rules::order_bill;
//! use billpay_tests::sim::state::SimState;
//! use shared::clickpesa::CreateOrderControlNumber;
//! let body = CreateOrderControlNumber { bill_reference: Some("WS-1".into()), ..Default::default() };
//! let err = order_bill(&body, &SimState::default(), String::new()).unwrap_err();
//! assert!(err.to_string().contains("billReference"));
//! ```
use serde_json::Value;
use shared::clickpesa::{
    CreateCustomerControlNumber, CreateOrderControlNumber, PaymentMode, UpdateBillPay,
};
use shared::validate::{BillReference, Phone, MAX_DESCRIPTION_LEN};

use super::super::error::ApiError;
use super::super::state::{Bill, BillCustomer, BillKind, SimState};

/// Fields an Order body (single or bulk item) must not carry (docs/clickpesa.md §2.3).
pub const CUSTOMER_FIELDS: [&str; 3] = ["customerName", "customerEmail", "customerPhone"];

/// Validates an Order body and builds its bill: the reference becomes the number, or a fresh
/// 14-digit one is generated. A used reference is a 409.
pub fn order_bill(
    body: &CreateOrderControlNumber,
    state: &SimState,
    now: String,
) -> Result<Bill, ApiError> {
    bill(body, BillKind::Order, state, now)
}

/// Validates a Customer body: the order rules plus a name and an email or a phone.
pub fn customer_bill(
    body: &CreateCustomerControlNumber,
    state: &SimState,
    now: String,
) -> Result<Bill, ApiError> {
    let name = body.customer_name.trim();
    if name.is_empty() {
        return Err(ApiError::bad("customerName is required"));
    }
    let email = body.customer_email.as_deref().filter(|e| !e.is_empty());
    let phone = body.customer_phone.as_deref().filter(|p| !p.is_empty());
    if email.is_none() && phone.is_none() {
        return Err(ApiError::bad("customerEmail or customerPhone is required"));
    }
    if let Some(email) = email {
        let valid = email
            .split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
        if !valid {
            return Err(ApiError::bad("customerEmail must be a valid email address"));
        }
    }
    if let Some(phone) = phone {
        Phone::parse(phone).map_err(|e| ApiError::bad(format!("customerPhone: {e}")))?;
    }
    let mut bill = bill(&body.bill, BillKind::Customer, state, now)?;
    bill.customer = Some(BillCustomer {
        name: name.to_owned(),
        email: email.map(Into::into),
        phone: phone.map(Into::into),
    });
    Ok(bill)
}

/// 400 when an Order body carries customer fields.
pub fn reject_customer_fields(raw: &Value) -> Result<(), ApiError> {
    match CUSTOMER_FIELDS.iter().find(|f| raw.get(**f).is_some()) {
        Some(field) => Err(ApiError::bad(format!(
            "{field} is not allowed for order control numbers"
        ))),
        None => Ok(()),
    }
}

/// Checks a PATCH body and applies it. ClickPesa's `minProperties: 1` counts known fields only.
pub fn apply_update(bill: &mut Bill, update: &UpdateBillPay) -> Result<(), ApiError> {
    if *update == UpdateBillPay::default() {
        return Err(ApiError::bad(
            "Request body must contain at least one property",
        ));
    }
    check_amounts(
        update.bill_amount.or(bill.amount),
        update.bill_max_collection_amount,
    )?;
    check_description(update.bill_description.as_deref())?;
    if let Some(status) = update.bill_status {
        bill.status = status;
    }
    if let Some(amount) = update.bill_amount {
        bill.amount = Some(amount);
    }
    if let Some(description) = &update.bill_description {
        bill.description = Some(description.clone());
    }
    if let Some(max) = update.bill_max_collection_amount {
        bill.max_collection_amount = Some(max);
    }
    if let Some(mode) = update.bill_payment_mode {
        bill.payment_mode = Some(mode);
        // A cap only makes sense with partial payments (per the Python SDK, EXACT removes it).
        if mode == PaymentMode::Exact {
            bill.max_collection_amount = None;
        }
    }
    Ok(())
}

fn bill(
    body: &CreateOrderControlNumber,
    kind: BillKind,
    state: &SimState,
    now: String,
) -> Result<Bill, ApiError> {
    let number = match body.bill_reference.as_deref() {
        Some(reference) => BillReference::parse(reference)
            .map_err(|e| ApiError::bad(format!("billReference: {e}")))?
            .as_str()
            .to_owned(),
        None => state.fresh_number(),
    };
    check_amounts(body.bill_amount, body.bill_max_collection_amount)?;
    check_description(body.bill_description.as_deref())?;
    if state.bills.contains_key(&number) {
        return Err(ApiError::ReferenceUsed);
    }
    let mut bill = Bill::new(number, kind, now);
    bill.amount = body.bill_amount;
    bill.description = body.bill_description.clone();
    bill.payment_mode = body.bill_payment_mode;
    bill.max_collection_amount = body.bill_max_collection_amount;
    Ok(bill)
}

fn check_amounts(amount: Option<u64>, max: Option<u64>) -> Result<(), ApiError> {
    if amount == Some(0) {
        return Err(ApiError::bad("billAmount must be greater than 0"));
    }
    match (amount, max) {
        (_, Some(0)) => Err(ApiError::bad(
            "billMaxCollectionAmount must be greater than 0",
        )),
        (Some(amount), Some(max)) if max < amount => Err(ApiError::bad(
            "billMaxCollectionAmount must be greater than or equal to billAmount",
        )),
        _ => Ok(()),
    }
}

fn check_description(description: Option<&str>) -> Result<(), ApiError> {
    match description {
        Some(d) if d.chars().count() > MAX_DESCRIPTION_LEN => Err(ApiError::bad(format!(
            "billDescription must be at most {MAX_DESCRIPTION_LEN} characters"
        ))),
        _ => Ok(()),
    }
}
