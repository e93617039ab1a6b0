//! seats: find the Atlassian Cloud seats nobody uses and take them back safely.
//!
//! # How data flows (one way)
//!
//! ```text
//!  atlassian ──fetch──▶ domain::Directory ──▶ store (snapshot, queue, journal)
//!  (client)                   │
//!                             ▼
//!                  filter (query → rows) ──▶ tui view ──▶ selection (marks)
//!                                                             │
//!                                                             ▼
//!        plan::Queue (OperationKind × targets) ──build_plan──▶ plan::Plan (steps, held out,
//!                                                             │  SeatEffect)
//!                                                             ▼
//!               confirm (console dialog or `seats apply`) ──▶ exec::submit ──▶ executor
//!                                                             │  (journal, audit log)
//!                                                             ▼
//!                                                          history, undo
//!
//!  rules ([[rules]] in config) ──▶ notices, then plan::Queue ──▶ exec::submit (the same path)
//! ```
//!
//! The console (`tui`) is one `AppState`, one pure `update` (`tui/update/`, one file per
//! thing it reacts to) returning effects as data, pure drawing (`tui/ui/`, one file per view)
//! and `tui/io.rs` running the effects in tasks that report back. The commands (`commands/`,
//! one file per subcommand; `commands::main` is the process entry) read the same modules.
//! `sandbox` is a simulated Atlassian Cloud used by `seats demo` and by the tests. The domain
//! depends on nothing above it, and no two modules import each other
//! (`tests/architecture.rs`).
//!
//! # Adding a thing: which files change
//!
//! **A bulk action**: a variant of `plan::OperationKind` in `plan/change.rs`. Every match over
//! it is exhaustive, so the compiler then walks you through `name` (its `:` command and
//! `--action` value), `describe`, `takes_away`, `is_irreversible`, `has_parameter`,
//! `examples`, the steps it becomes in `plan/build.rs` (`decide`), who needs a direct-grant
//! look-up (`plan/grants.rs`) and its threshold (`plan/context.rs`). A new API `Change`
//! also needs its request in `exec/target.rs` (`send`) and its "already done" in
//! `exec/assess.rs`. Then the entry in the console's action menu (`tui/menu.rs`,
//! `Menu::actions`) and the CLI value (`cli.rs` `PlanAction`, `commands/plan.rs`
//! `operation_for`): `tests/catalogue.rs` fails until the menu, the `:` line and the CLI all
//! know it. Its `:` command (aliases, argument, help) is the exhaustive `action` in
//! `tui/commands.rs`, the one command catalogue that parsing, completion, validation and
//! help read.
//!
//! **A `:` command**: an entry in `tui/commands.rs` (`CATALOGUE`: name, aliases, arguments by
//! kind, help) and its `Verb`/`Run`; what it does in `tui/update/line.rs` (`run_command`).
//! Completion (`tui/complete.rs`) knows each argument kind, the popup and help list it.
//!
//! **A facet** (`idle:N`, `synced`, ...): its `Facet` variant, `FACETS` entry and parsing in
//! `filter/query.rs`; how it matches in `filter/matching.rs`; its entry in the facet menu
//! (`tui/menu.rs`, `Menu::facets`) and the help's query list (`filter::facet_help`).
//!
//! **A view**: a `View` variant (`tui/state.rs`) and its `Scope` and `Show` key
//! (`tui/keymap.rs`); its drawing in `tui/ui/<view>.rs`, dispatched from `tui/ui/mod.rs`;
//! what the view's keys do in `tui/update/keys.rs`; its screens in `tests/console_screens.rs`.
//! `View::ALL` lists it, and `tests/console_keymap.rs` fails until it has a key, a help
//! section and status-line hints.
//!
//! **A key**: a row in `tui/keymap.rs` `BINDINGS` in its scope (a view, a menu, a dialog, the
//! lines), modifiers included; dispatch, help and hints read that row.

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
