//! The relay's clock, handed to the rules that depend on time (the outbox's leases, early status reports), so a
//! test moves it forward instead of waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// The wall clock, plus an offset only tests set. Cheap to clone; clones share the offset.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// Now.
    pub fn now(&self) -> jiff::Timestamp {
        let now = jiff::Timestamp::now();
        match self.offset_ms.load(Ordering::Relaxed) {
            0 => now,
            offset => now.checked_add(jiff::SignedDuration::from_millis(offset)).unwrap_or(now),
        }
    }

    /// Now, in milliseconds since the epoch (the store's unit).
    pub fn millis(&self) -> i64 {
        self.now().as_millisecond()
    }

    /// Moves the clock forward (tests).
    pub fn advance(&self, by: Duration) {
        self.offset_ms.fetch_add(by.as_millis() as i64, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_an_advance() {
        let clock = Clock::default();
        let other = clock.clone();
        let before = other.millis();
        clock.advance(Duration::from_secs(3600));
        assert!(other.millis() >= before + 3_600_000);
    }
}
