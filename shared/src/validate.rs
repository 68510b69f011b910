//! Domain newtypes that can only hold valid values. Every input from a shop, a browser or ClickPesa
//! passes through one of these constructors; each failure is its own [`InvalidInput`] variant.
//!
//! ```
//! use shared::validate::{Amount, BillReference, InvalidInput};
//! assert_eq!(BillReference::parse("WS1001").unwrap().as_str(), "WS1001");
//! assert_eq!(Amount::parse(0), Err(InvalidInput::AmountNotPositive));
//! assert_eq!(InvalidInput::AmountNotPositive.code(), "invalid_amount");
//! ```
use std::fmt;

use serde::{Deserialize, Serialize};

/// Largest amount one checkout may ask for, in whole TZS (a sane cap: 50 million TZS).
pub const MAX_AMOUNT_TZS: u64 = 50_000_000;
/// ClickPesa's `billReference` limit.
pub const MAX_REFERENCE_LEN: usize = 20;
/// ClickPesa's `billDescription` limit (PATCH schema).
pub const MAX_DESCRIPTION_LEN: usize = 500;

/// Why an input was refused; [`InvalidInput::code`] groups the variants into API error codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidInput {
    /// No reference: ClickPesa would make up its own control number.
    #[error("reference is empty")]
    ReferenceEmpty,
    /// Over ClickPesa's limit of [`MAX_REFERENCE_LEN`] characters.
    #[error("reference is longer than 20 characters")]
    ReferenceTooLong,
    /// Contains something other than ASCII letters and digits, which ClickPesa refuses.
    #[error("reference must contain only letters A-Z, a-z and digits 0-9")]
    ReferenceNotAlphanumeric,
    /// Zero or negative.
    #[error("amount must be a whole number of TZS greater than zero")]
    AmountNotPositive,
    /// Has a fraction of a shilling: amounts are whole TZS.
    #[error("amount must be a whole number of TZS (no fractions)")]
    AmountFractional,
    /// Above [`MAX_AMOUNT_TZS`].
    #[error("amount is above the maximum of 50,000,000 TZS")]
    AmountTooLarge,
    /// Over ClickPesa's limit of [`MAX_DESCRIPTION_LEN`] characters.
    #[error("description is longer than 500 characters")]
    DescriptionTooLong,
    /// Contains a control character, `<` or `>`.
    #[error("description contains control characters or markup")]
    DescriptionUnsafe,
    /// Not `255` followed by 9 digits.
    #[error("phone must be 12 digits starting with 255, e.g. 255712345678")]
    PhoneInvalid,
}

impl InvalidInput {
    /// Stable machine-readable code for API error bodies (`{"error":{"code":…}}`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::ReferenceEmpty | Self::ReferenceTooLong | Self::ReferenceNotAlphanumeric => {
                "invalid_reference"
            }
            Self::AmountNotPositive | Self::AmountFractional | Self::AmountTooLarge => {
                "invalid_amount"
            }
            Self::DescriptionTooLong | Self::DescriptionUnsafe => "invalid_description",
            Self::PhoneInvalid => "invalid_phone",
        }
    }
}

/// A ClickPesa `billReference`: ASCII alphanumeric, 1..=20 characters. It becomes the control number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BillReference(String);

impl BillReference {
    /// Accepts 1 to [`MAX_REFERENCE_LEN`] ASCII letters and digits.
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        if s.is_empty() {
            Err(InvalidInput::ReferenceEmpty)
        } else if s.len() > MAX_REFERENCE_LEN {
            Err(InvalidInput::ReferenceTooLong)
        } else if !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Err(InvalidInput::ReferenceNotAlphanumeric)
        } else {
            Ok(Self(s.to_owned()))
        }
    }

    /// The reference as sent to ClickPesa in `billReference`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A positive whole amount of Tanzanian shillings, at most [`MAX_AMOUNT_TZS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "serde_json::Number", into = "u64")]
pub struct Amount(u64);

impl Amount {
    /// Accepts 1 to [`MAX_AMOUNT_TZS`] TZS.
    pub fn parse(tzs: u64) -> Result<Self, InvalidInput> {
        match tzs {
            0 => Err(InvalidInput::AmountNotPositive),
            n if n > MAX_AMOUNT_TZS => Err(InvalidInput::AmountTooLarge),
            n => Ok(Self(n)),
        }
    }

    /// The amount in whole TZS.
    pub fn get(self) -> u64 {
        self.0
    }
}

/// A description: at most 500 characters, no control characters, no `<`/`>` (it is shown in HTML
/// and sent to ClickPesa). Empty is allowed: the description is optional in an order token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Description(String);

impl Description {
    /// Accepts at most [`MAX_DESCRIPTION_LEN`] characters (not bytes) with no control characters,
    /// `<` or `>`.
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        if s.chars().count() > MAX_DESCRIPTION_LEN {
            Err(InvalidInput::DescriptionTooLong)
        } else if s.chars().any(|c| c.is_control() || c == '<' || c == '>') {
            Err(InvalidInput::DescriptionUnsafe)
        } else {
            Ok(Self(s.to_owned()))
        }
    }

    /// The description; empty when the order has none.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The description as ClickPesa gets it: ASCII, every other character replaced by `?`.
    /// ClickPesa's checksum of non-ASCII text depends on its serialiser (docs/clickpesa.md §5.3, V5), so what
    /// it must sign stays ASCII; the shopper still sees the original.
    pub fn ascii_for_clickpesa(&self) -> String {
        self.0
            .chars()
            .map(|c| if c.is_ascii() { c } else { '?' })
            .collect()
    }
}

/// A Tanzanian phone number as ClickPesa wants it: `255` + 9 digits, no `+`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Accepts `255` followed by 9 digits, nothing else (no `+`, no spaces, no leading `0`).
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        if s.len() == 12 && s.starts_with("255") && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidInput::PhoneInvalid)
        }
    }

    /// The number, `255…`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The three string newtypes share their Display, `TryFrom<String>` and `Into<String>` plumbing.
macro_rules! string_newtype_impls {
    ($($t:ident),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<String> for $t {
            type Error = InvalidInput;
            fn try_from(s: String) -> Result<Self, InvalidInput> {
                Self::parse(&s)
            }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.0
            }
        }
    )*};
}
string_newtype_impls!(BillReference, Description, Phone);

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// JSON numbers: `25000` and `25000.0` are the same whole amount; `-5`, `0.5` and `1e30` are not amounts.
impl TryFrom<serde_json::Number> for Amount {
    type Error = InvalidInput;
    fn try_from(n: serde_json::Number) -> Result<Self, InvalidInput> {
        if let Some(u) = n.as_u64() {
            return Self::parse(u);
        }
        if n.is_i64() {
            return Err(InvalidInput::AmountNotPositive);
        }
        let f = n.as_f64().unwrap_or(f64::NAN);
        if f.is_nan() || f <= 0.0 {
            Err(InvalidInput::AmountNotPositive)
        } else if f.fract() != 0.0 {
            Err(InvalidInput::AmountFractional)
        } else if f > MAX_AMOUNT_TZS as f64 {
            Err(InvalidInput::AmountTooLarge)
        } else {
            Self::parse(f as u64)
        }
    }
}

impl From<Amount> for u64 {
    fn from(a: Amount) -> u64 {
        a.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_reach_clickpesa_as_ascii() {
        for (name, input, sent) in [
            ("plain", "Order WS1001", "Order WS1001"),
            ("Swahili stays", "Malipo ya oda", "Malipo ya oda"),
            ("accents", "Café crème", "Caf? cr?me"),
            ("emoji is one character", "Gift 🎁", "Gift ?"),
            ("empty", "", ""),
        ] {
            let description = Description::parse(input).unwrap();
            assert_eq!(description.ascii_for_clickpesa(), sent, "{name}");
            assert_eq!(description.as_str(), input, "{name}: the original is kept");
        }
    }

    #[test]
    fn references() {
        assert_eq!(
            BillReference::parse("WS1001").unwrap().to_string(),
            "WS1001"
        );
        assert!(BillReference::parse(&"A".repeat(20)).is_ok());
        for (input, err) in [
            ("", InvalidInput::ReferenceEmpty),
            (&"A".repeat(21) as &str, InvalidInput::ReferenceTooLong),
            ("WS-1001", InvalidInput::ReferenceNotAlphanumeric),
            ("WS 1001", InvalidInput::ReferenceNotAlphanumeric),
            ("WSé1", InvalidInput::ReferenceNotAlphanumeric),
        ] {
            assert_eq!(BillReference::parse(input), Err(err), "{input:?}");
        }
    }

    #[test]
    fn amounts() {
        assert_eq!(Amount::parse(1).unwrap().get(), 1);
        assert_eq!(
            Amount::parse(MAX_AMOUNT_TZS).unwrap().to_string(),
            "50000000"
        );
        assert_eq!(
            Amount::parse(MAX_AMOUNT_TZS + 1),
            Err(InvalidInput::AmountTooLarge)
        );
        for (json, expected) in [
            ("25000", Ok(25_000)),
            ("25000.0", Ok(25_000)),
            ("0", Err(InvalidInput::AmountNotPositive)),
            ("-5", Err(InvalidInput::AmountNotPositive)),
            ("-5.5", Err(InvalidInput::AmountNotPositive)),
            ("10.5", Err(InvalidInput::AmountFractional)),
            ("1e30", Err(InvalidInput::AmountTooLarge)),
            ("50000001", Err(InvalidInput::AmountTooLarge)),
        ] {
            let n: serde_json::Number = serde_json::from_str(json).unwrap();
            assert_eq!(Amount::try_from(n).map(Amount::get), expected, "{json}");
        }
        assert!(
            serde_json::from_str::<Amount>(r#""25000""#).is_err(),
            "strings are not amounts"
        );
    }

    #[test]
    fn descriptions() {
        assert!(Description::parse("").is_ok());
        assert!(Description::parse("Sabuni – 500g café").is_ok());
        assert!(
            Description::parse(&"é".repeat(500)).is_ok(),
            "characters, not bytes"
        );
        assert_eq!(
            Description::parse(&"a".repeat(501)),
            Err(InvalidInput::DescriptionTooLong)
        );
        for bad in ["<script>", "a > b", "line\nbreak", "tab\t", "nul\0"] {
            assert_eq!(
                Description::parse(bad),
                Err(InvalidInput::DescriptionUnsafe),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn phones() {
        assert_eq!(
            Phone::parse("255712345678").unwrap().as_str(),
            "255712345678"
        );
        for bad in [
            "+255712345678",
            "0712345678",
            "25571234567",
            "2557123456789",
            "254712345678",
            "25571234567x",
        ] {
            assert_eq!(Phone::parse(bad), Err(InvalidInput::PhoneInvalid), "{bad}");
        }
    }

    #[test]
    fn serde_goes_through_the_constructors() {
        assert_eq!(
            serde_json::to_string(&BillReference::parse("WS1").unwrap()).unwrap(),
            r#""WS1""#
        );
        assert_eq!(
            serde_json::to_string(&Amount::parse(5).unwrap()).unwrap(),
            "5"
        );
        assert!(serde_json::from_str::<BillReference>(r#""WS-1""#).is_err());
        assert!(serde_json::from_str::<Description>(r#""<b>""#).is_err());
        assert!(serde_json::from_str::<Phone>(r#""123""#).is_err());
        let err = serde_json::from_str::<Amount>("0").unwrap_err().to_string();
        assert!(err.contains("greater than zero"), "{err}");
    }

    #[test]
    fn codes() {
        assert_eq!(InvalidInput::ReferenceTooLong.code(), "invalid_reference");
        assert_eq!(InvalidInput::AmountFractional.code(), "invalid_amount");
        assert_eq!(
            InvalidInput::DescriptionUnsafe.code(),
            "invalid_description"
        );
        assert_eq!(InvalidInput::PhoneInvalid.code(), "invalid_phone");
    }
}
