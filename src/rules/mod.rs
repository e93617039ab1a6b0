//! Warn, wait, reclaim: `[[rules]]` from config.toml run by `seats rules run` (from cron).
//!
//! Each user a rule selects goes through a lifecycle kept in `seats.db` (`store`): candidate,
//! warned (a notice delivered, the deadline set), due (the deadline passed), reclaimed (by a
//! batch); or an exit: kept (used the product again), claimed (a comment on the review issue),
//! excluded (protected now, or no longer selected), gone (left the org). `engine` decides a run
//! without I/O, so `seats rules` previews exactly what the next run does; `run` carries it out;
//! `channels` holds the notice template, the channels and the clock.

pub mod channels;
pub mod engine;
pub mod run;
pub mod savings;
pub mod store;

pub use channels::{Clock, LiveTransport, NoticeText, Transport};
pub use engine::{Comment, Decisions, decide};
pub use store::{Actor, Row, RulesStore, State};
