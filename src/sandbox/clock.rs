//! The sandbox's virtual clock: everything the sandbox dates (last active, audit events,
//! comments, notices) reads it, and tests move it forward by days through
//! `POST /_sandbox/clock` or [`super::Sandbox::advance_days`]. It ticks with the wall clock
//! from its start, so events within one virtual day keep their order.

use std::sync::Mutex;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};

/// The furthest one advance may move the clock: ten years, so a typo cannot overflow dates.
pub const MAX_ADVANCE_DAYS: i64 = 3650;

#[derive(Debug)]
pub struct VirtualClock {
    /// The virtual time at `since`.
    at: Mutex<(DateTime<Utc>, Instant)>,
}

impl VirtualClock {
    pub fn new(start: DateTime<Utc>) -> VirtualClock {
        VirtualClock {
            at: Mutex::new((start, Instant::now())),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (DateTime<Utc>, Instant)> {
        self.at.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current virtual time.
    pub fn now(&self) -> DateTime<Utc> {
        let (base, since) = *self.lock();
        let elapsed = Duration::from_std(since.elapsed()).unwrap_or_else(|_| Duration::zero());
        base + elapsed
    }

    /// Moves the clock forward by `days` (0 to [`MAX_ADVANCE_DAYS`]); time never goes back,
    /// since the audit log and the journal read it in order.
    pub fn advance_days(&self, days: i64) -> Result<DateTime<Utc>, String> {
        if !(0..=MAX_ADVANCE_DAYS).contains(&days) {
            return Err(format!(
                "advance_days must be between 0 and {MAX_ADVANCE_DAYS}, got {days}: the virtual clock only moves forward"
            ));
        }
        let mut at = self.lock();
        let elapsed = Duration::from_std(at.1.elapsed()).unwrap_or_else(|_| Duration::zero());
        let now = at.0 + elapsed + Duration::days(days);
        *at = (now, Instant::now());
        Ok(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advances_by_whole_days_and_never_back() {
        let start = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap();
        let clock = VirtualClock::new(start);
        let before = clock.now();
        assert!(before >= start && before - start < Duration::seconds(5));
        let after = clock.advance_days(14).unwrap();
        assert!(after - start >= Duration::days(14));
        assert!(after - start < Duration::days(14) + Duration::seconds(5));
        assert!(clock.advance_days(-1).is_err());
        assert!(clock.advance_days(MAX_ADVANCE_DAYS + 1).is_err());
        assert!(clock.now() >= after);
    }
}
