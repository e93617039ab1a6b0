//! Key age: Atlassian API keys and tokens last at most a year, so warn after 11 months.

use chrono::{DateTime, Months, Utc};

use crate::secrets::SecretKind;

/// A key stored this many months ago or more gets a warning.
pub const KEY_MAX_AGE_MONTHS: u32 = 11;

/// Whether a secret stored at `stored_at` is at least 11 months old at `now`.
pub fn key_is_old(stored_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    match stored_at.checked_add_months(Months::new(KEY_MAX_AGE_MONTHS)) {
        Some(limit) => now >= limit,
        None => false,
    }
}

/// The warning for `seats status` and the console, or `None` while the key is young enough.
pub fn key_age_warning(
    kind: SecretKind,
    stored_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<String> {
    if !key_is_old(stored_at, now) {
        return None;
    }
    let days = (now - stored_at).num_days();
    Some(format!(
        "the {} was stored {days} days ago ({}); Atlassian keys expire after at most a year: \
         create a new one and run `seats login` again",
        kind.label(),
        stored_at.format("%Y-%m-%d")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        match Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).single() {
            Some(t) => t,
            None => panic!("bad date in test"),
        }
    }

    #[test]
    fn warns_from_eleven_months_on() {
        let stored = at(2025, 1, 31);
        assert!(!key_is_old(stored, at(2025, 12, 27)));
        // 31 January + 11 months clamps to 31 December.
        assert!(key_is_old(stored, at(2025, 12, 31)));
        assert!(key_age_warning(SecretKind::OrgApiKey, stored, at(2025, 12, 30)).is_none());
        let w = key_age_warning(SecretKind::OrgApiKey, stored, at(2026, 1, 5));
        assert!(
            w.as_deref()
                .is_some_and(|w| w.contains("org API key") && w.contains("2025-01-31")),
            "{w:?}"
        );
    }
}
