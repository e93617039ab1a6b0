//! Messages: the newest in the status line, every one in the log (`L`). Plain data, read by
//! `state` (which re-exports it) and changed only by `update`.

use chrono::{DateTime, Utc};

/// How bad a message is: its colour, and its word in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

/// The newest message, in the status line until a later key does something (it stays in the
/// message log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub level: Level,
    pub at: DateTime<Utc>,
}

/// Messages the log keeps; older ones are dropped (and counted).
pub const LOG_CAPACITY: usize = 1_000;

/// One message of the log: when, how bad, what it said (whole, never cut).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub at: DateTime<Utc>,
    pub level: Level,
    pub text: String,
}

/// Every message the console showed (results, errors, warnings, batch events), newest last,
/// at most [`LOG_CAPACITY`]: what `L` opens, as lazygit's command log.
#[derive(Debug, Clone, Default)]
pub struct MessageLog {
    entries: std::collections::VecDeque<LogEntry>,
    /// Messages ever appended; the first `appended - len` were dropped.
    appended: u64,
}

impl MessageLog {
    pub fn push(&mut self, entry: LogEntry) {
        if self.entries.len() >= LOG_CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
        self.appended += 1;
    }

    /// Oldest first.
    pub fn entries(&self) -> &std::collections::VecDeque<LogEntry> {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Messages ever appended (a key compares it to see whether it said something).
    pub fn appended(&self) -> u64 {
        self.appended
    }

    /// Messages dropped for the bound.
    pub fn dropped(&self) -> u64 {
        self.appended - self.entries.len() as u64
    }
}
