//! What a fetch reports as it goes, in its own module so the readers that report it (`fetch`,
//! `grants`) do not import each other.

/// Progress of a fetch, for a status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchEvent {
    /// The API's count of the users to expect, sent once before the first page (only when the
    /// users are read in parallel: the plain search gives no total).
    UsersExpected {
        total: usize,
    },
    /// Distinct users read so far.
    Users {
        fetched: usize,
    },
    Groups {
        fetched: usize,
        total: usize,
    },
    Seats,
    Done {
        users: usize,
        groups: usize,
    },
}
