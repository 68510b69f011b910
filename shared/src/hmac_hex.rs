//! HMAC-SHA256 helpers shared by the checksum, token and notification modules.
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 of `msg` under `key`, raw bytes.
pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA256 of `msg` under `key`, lowercase hex (64 characters).
pub(crate) fn hmac_sha256_hex(key: &[u8], msg: &[u8]) -> String {
    hex::encode(hmac_sha256(key, msg))
}

/// Whether two secrets or digests are equal, in time that does not depend on where they differ
/// (`subtle`; slices of different lengths are unequal, and length is not secret). The one
/// comparison for every credential, digest and signature, here and in the edge.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(a.ct_eq(b))
}
