//! seats: find the Atlassian Cloud seats nobody uses and take them back safely.
//!
//! Data flows one way: `atlassian` (the client) feeds `domain` snapshots, which the commands
//! (and later the console) read. `sandbox` is a simulated Atlassian Cloud used by `seats demo`
//! and by the tests.

pub mod atlassian;
pub mod cli;
pub mod commands;
pub mod config;
pub mod domain;
pub mod exec;
pub mod filter;
pub mod logging;
pub mod output;
pub mod paths;
pub mod plan;
pub mod rules;
pub mod sandbox;
pub mod secrets;
pub mod store;
pub mod tui;
