//! Domain newtypes that can only hold valid values. Every input from a shop, a browser or ClickPesa
//! passes through one of these constructors; each failure is its own [`InvalidInput`] variant.
use serde::{Deserialize, Serialize};

/// Largest amount one checkout may ask for, in whole TZS (a sane cap: 50 million TZS).
pub const MAX_AMOUNT_TZS: u64 = 50_000_000;
/// ClickPesa's `billReference` limit.
pub const MAX_REFERENCE_LEN: usize = 20;
/// ClickPesa's `billDescription` limit (PATCH schema).
pub const MAX_DESCRIPTION_LEN: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidInput {
    #[error("reference is empty")]
    ReferenceEmpty,
    #[error("reference is longer than 20 characters")]
    ReferenceTooLong,
    #[error("reference must contain only letters A-Z, a-z and digits 0-9")]
    ReferenceNotAlphanumeric,
    #[error("amount must be a whole number of TZS greater than zero")]
    AmountNotPositive,
    #[error("amount must be a whole number of TZS (no fractions)")]
    AmountFractional,
    #[error("amount is above the maximum of 50,000,000 TZS")]
    AmountTooLarge,
    #[error("description is longer than 500 characters")]
    DescriptionTooLong,
    #[error("description contains control characters or markup")]
    DescriptionUnsafe,
    #[error("phone must be 12 digits starting with 255, e.g. 255712345678")]
    PhoneInvalid,
}

/// A ClickPesa `billReference`: ASCII alphanumeric, 1..=20 characters. It becomes the control number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BillReference(String);

/// A positive whole amount of Tanzanian shillings, at most [`MAX_AMOUNT_TZS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "serde_json::Number", into = "u64")]
pub struct Amount(u64);

/// A bill description: at most 500 characters, no control characters, no `<`/`>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Description(String);

/// A Tanzanian phone number as ClickPesa wants it: `255` + 9 digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);
