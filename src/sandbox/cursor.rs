//! Opaque, stable paging cursors: base64url of the position and the request they continue.
//! Because a cursor carries its own filters, "all other parameters are discarded" (the spec's
//! words) holds, and a page never re-scans from the start.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    /// Which listing the cursor belongs to: a users cursor is refused by the groups search.
    k: String,
    /// Where the next page starts (an index into the listing's order).
    p: u64,
    q: T,
}

pub fn encode<T: Serialize>(kind: &str, position: u64, request: &T) -> String {
    let envelope = Envelope {
        k: kind.to_string(),
        p: position,
        q: request,
    };
    // Serializing plain request structs cannot fail; an empty cursor would be refused later.
    let json = serde_json::to_vec(&envelope).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// The position and request of a cursor of this kind; `None` for anything else.
pub fn decode<T: DeserializeOwned>(kind: &str, cursor: &str) -> Option<(u64, T)> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.trim().trim_end_matches('='))
        .ok()?;
    let envelope: Envelope<T> = serde_json::from_slice(&bytes).ok()?;
    (envelope.k == kind).then_some((envelope.p, envelope.q))
}
