//! ClickPesa's per-minute request limit (120/min in production), as a fixed one-minute window.
//!
//! ```
//! use billpay_tests::sim::throttle::Throttle;
//! let t = Throttle::new(2);
//! assert!(t.admit() && t.admit() && !t.admit());
//! ```
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct Throttle {
    per_minute: u32,
    window: Mutex<(Instant, u32)>,
}

impl Throttle {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            window: Mutex::new((Instant::now(), 0)),
        }
    }

    /// Counts one request; false when this minute's allowance is used up.
    pub fn admit(&self) -> bool {
        let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        if w.0.elapsed() >= WINDOW {
            *w = (Instant::now(), 0);
        }
        w.1 += 1;
        w.1 <= self.per_minute
    }
}
