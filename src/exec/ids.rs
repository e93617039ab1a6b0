//! Numbers and ids the record hands out: batch numbers (`seats undo 12`) and ids that stay
//! unique for ever, across databases (an audit entry's `id`, a plan file's `id`).

use std::time::{SystemTime, UNIX_EPOCH};

/// A batch's number in the journal (`seats undo 12`).
pub type BatchId = i64;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A ULID: 48 bits of milliseconds since 1970 then 80 random bits, as 26 characters of
/// Crockford base32. Ids made later sort later; two made in the same millisecond, in this
/// process or another, collide with a chance of one in 2^80. Needs no counter, so losing the
/// database cannot make an id come back.
pub fn new_id() -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
        & ((1u128 << 48) - 1);
    let random = rand::random::<u128>() & ((1u128 << 80) - 1);
    encode(millis << 80 | random)
}

fn encode(value: u128) -> String {
    (0..26)
        .map(|i| {
            let shift = 125 - 5 * i;
            CROCKFORD[((value >> shift) & 31) as usize] as char
        })
        .collect()
}

/// The plan file fingerprint, defined with the plan file (`plan::fingerprint_of`).
pub use crate::plan::fingerprint_of as fingerprint;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_26_crockford_characters_sorted_by_time_and_distinct() {
        let a = new_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = new_id();
        assert_eq!(a.len(), 26);
        assert!(a.bytes().all(|c| CROCKFORD.contains(&c)), "{a}");
        assert!(a < b, "{a} then {b}");
        let many: std::collections::HashSet<String> = (0..1000).map(|_| new_id()).collect();
        assert_eq!(many.len(), 1000);
    }

    #[test]
    fn encoding_and_fingerprint_are_stable() {
        assert_eq!(encode(0), "0".repeat(26));
        assert_eq!(encode(u128::MAX), format!("7{}", "Z".repeat(25)));
        assert_eq!(
            fingerprint(b""),
            "fnv1a128:6c62272e07bb014262b821756295c58d"
        );
        assert_ne!(fingerprint(b"a"), fingerprint(b"b"));
    }
}
