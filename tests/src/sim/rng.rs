//! A tiny deterministic PRNG (xorshift64*) so fault injection repeats exactly for a given `--seed`.
//!
//! ```
//! use billpay_tests::sim::rng::Xorshift;
//! let (mut a, mut b) = (Xorshift::new(7), Xorshift::new(7));
//! assert_eq!(a.next_u64(), b.next_u64());
//! assert!(!a.chance(0.0) && a.chance(1.0));
//! ```
use std::hash::{BuildHasher, Hasher};

#[derive(Debug, Clone)]
pub struct Xorshift(u64);

impl Xorshift {
    /// Seed 0 would make xorshift emit zeros forever, so it is mapped to a fixed odd constant.
    pub fn new(seed: u64) -> Self {
        Self(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// True with probability `rate` (clamped to 0..=1). A rate of 0 never consumes a number, so
    /// turning one fault on does not shift the sequence another fault sees.
    pub fn chance(&mut self, rate: f64) -> bool {
        if rate <= 0.0 {
            return false;
        }
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        unit < rate
    }
}

/// An unpredictable 64-bit value for tokens and generated numbers. These must not repeat across
/// restarts (tokens survive in the state file), so they deliberately do not come from the seeded
/// generator; std's randomly keyed SipHash is enough for a simulator and needs no extra crate.
pub fn random_u64() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}
