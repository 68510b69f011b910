//! Order tokens: the shop's server fixes reference, amount and expiry; the browser only carries them.
//!
//! `v1.<base64url(JSON claims)>.<base64url(HMAC-SHA256(secret, "v1." + claims_b64))>`, no padding.
//! Test vectors and PHP / Node / Python minting snippets: `docs/order-tokens.md`.
//!
//! ```
//! use shared::token::{mint, verify, OrderClaims};
//! use shared::validate::{Amount, BillReference, Description};
//! use shared::clickpesa::PaymentMode;
//! let claims = OrderClaims {
//!     reference: BillReference::parse("WS1001").unwrap(),
//!     amount: Amount::parse(25_000).unwrap(),
//!     description: Description::parse("Order WS1001").unwrap(),
//!     mode: PaymentMode::Exact,
//!     exp: 1_900_000_000,
//! };
//! let token = mint(b"order-secret", &claims);
//! assert_eq!(verify(&[b"order-secret"], &token, 1_800_000_000), Ok(claims));
//! ```
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::clickpesa::PaymentMode;
use crate::hmac_hex::{constant_time_eq, hmac_sha256};
use crate::validate::{Amount, BillReference, Description, InvalidInput};

/// Seconds a token is still accepted after `exp`, for clock differences between shop and edge.
pub const CLOCK_SKEW_SECS: u64 = 60;
/// The only version; it is part of the signed message.
pub const VERSION: &str = "v1";
/// Longer inputs are rejected before any decoding (a 500-character description fits easily).
pub const MAX_TOKEN_LEN: usize = 4096;

/// What an order token asserts. JSON field order is the minting order: `ref, amount, description, mode, exp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderClaims {
    /// The shop's order reference, which becomes the control number.
    #[serde(rename = "ref")]
    pub reference: BillReference,
    /// What the customer must pay, in whole TZS.
    pub amount: Amount,
    /// Shown to the customer and sent to ClickPesa; empty when omitted.
    #[serde(default)]
    pub description: Description,
    /// ClickPesa's payment mode for the control number; EXACT when omitted.
    #[serde(default = "exact")]
    pub mode: PaymentMode,
    /// Unix seconds after which the checkout can no longer be started.
    pub exp: u64,
}

/// A webshop wants the whole amount or nothing, so tokens default to EXACT (ClickPesa's own default
/// is ALLOW_PARTIAL_AND_OVER_PAYMENT).
fn exact() -> PaymentMode {
    PaymentMode::Exact
}

/// Why an order token was refused; [`TokenError::code`] gives the API error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Longer than [`MAX_TOKEN_LEN`], not three dot-separated base64url parts, or claims that do
    /// not parse.
    #[error("order token is malformed")]
    Malformed,
    /// The version part is not [`VERSION`].
    #[error("order token version is not supported")]
    UnsupportedVersion,
    /// Signed with none of the edge's secrets: forged, altered, or minted with a secret since
    /// retired.
    #[error("order token signature is not valid")]
    BadSignature,
    /// Used more than [`CLOCK_SKEW_SECS`] after its `exp` (unix seconds).
    #[error("order token expired at {exp}")]
    Expired {
        /// The token's `exp` (unix seconds).
        exp: u64,
    },
    /// Valid until further ahead than the deployment's maximum token lifetime allows.
    #[error("order token lives longer than this deployment allows ({max_secs} s)")]
    LifetimeTooLong {
        /// The deployment's maximum lifetime.
        max_secs: u64,
    },
    /// Genuine, but a claim fails validation (the [`InvalidInput`] says which).
    #[error("order token field is invalid: {0}")]
    InvalidField(#[from] InvalidInput),
}

impl TokenError {
    /// Stable machine-readable code for API error bodies; field errors keep their own code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed => "token_malformed",
            Self::UnsupportedVersion => "token_unsupported_version",
            Self::BadSignature => "token_bad_signature",
            Self::Expired { .. } => "token_expired",
            Self::LifetimeTooLong { .. } => "token_lifetime_too_long",
            Self::InvalidField(e) => e.code(),
        }
    }
}

/// The claims as they travel, before validation, so a bad field is reported as
/// [`TokenError::InvalidField`] with its precise [`InvalidInput`] rather than a serde message.
#[derive(Deserialize)]
struct WireClaims {
    #[serde(rename = "ref")]
    reference: String,
    amount: serde_json::Number,
    #[serde(default)]
    description: String,
    #[serde(default = "exact")]
    mode: PaymentMode,
    exp: u64,
}

fn signature(secret: &[u8], payload_b64: &str) -> [u8; 32] {
    hmac_sha256(secret, format!("{VERSION}.{payload_b64}").as_bytes())
}

/// Mints a token for `claims` under `secret`.
pub fn mint(secret: &[u8], claims: &OrderClaims) -> String {
    let json = serde_json::to_vec(claims).expect("claims always serialise");
    let payload_b64 = URL_SAFE_NO_PAD.encode(json);
    let sig_b64 = URL_SAFE_NO_PAD.encode(signature(secret, &payload_b64));
    format!("{VERSION}.{payload_b64}.{sig_b64}")
}

/// Verifies signature (any of `secrets`, for rotation), claims and expiry (with [`CLOCK_SKEW_SECS`]).
pub fn verify(secrets: &[&[u8]], token: &str, now: u64) -> Result<OrderClaims, TokenError> {
    let claims = verify_signature_only(secrets, token)?;
    if now > claims.exp.saturating_add(CLOCK_SKEW_SECS) {
        return Err(TokenError::Expired { exp: claims.exp });
    }
    Ok(claims)
}

/// Refuses claims that stay valid for more than `max_secs` from `now`. A token that outlives the
/// bill's retention could otherwise recreate a bill long settled and forgotten; bounding it on
/// verification as well as on minting also covers tokens the shop mints itself.
pub fn check_lifetime(claims: &OrderClaims, now: u64, max_secs: u64) -> Result<(), TokenError> {
    match claims.exp > now.saturating_add(max_secs) {
        true => Err(TokenError::LifetimeTooLong { max_secs }),
        false => Ok(()),
    }
}

/// Verifies signature and claims but not expiry: the widget may still read the status of a bill
/// whose token has expired.
pub fn verify_signature_only(secrets: &[&[u8]], token: &str) -> Result<OrderClaims, TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(version), Some(payload_b64), Some(sig_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    if version != VERSION {
        return Err(TokenError::UnsupportedVersion);
    }
    let given = URL_SAFE_NO_PAD
        .decode(sig_b64)
        .map_err(|_| TokenError::Malformed)?;
    // Every secret is tried, so timing does not reveal which one matched.
    let valid = secrets.iter().fold(false, |ok, secret| {
        constant_time_eq(&signature(secret, payload_b64), &given) | ok
    });
    if !valid {
        return Err(TokenError::BadSignature);
    }
    // Only authenticated bytes are parsed.
    let json = URL_SAFE_NO_PAD
        .decode(payload_b64)
        .map_err(|_| TokenError::Malformed)?;
    let wire: WireClaims = serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)?;
    Ok(OrderClaims {
        reference: BillReference::parse(&wire.reference)?,
        amount: Amount::try_from(wire.amount)?,
        description: Description::parse(&wire.description)?,
        mode: wire.mode,
        exp: wire.exp,
    })
}
