//! Where commands put their output: standard output, files, and the one status line on a
//! terminal's standard error. Library code never prints; commands print only through here.
//!
//! - [`stdout`]: a closed pipe (`seats profiles | head -1`) ends the output; [`is_closed_pipe`]
//!   lets `main` treat it as a normal end, never a crash.
//! - [`OutputTarget`]: `--output PATH` checked before any work; regular files are replaced
//!   atomically (through a symlink, at its target), devices and FIFOs written through, other
//!   kinds refused. [`replace_file`] is the same for files seats owns (config.toml).
//! - [`note`]: a line on standard error that never fails the command.
//! - [`StatusLine`], [`Spinner`], [`terminal_wait_hook`]: progress, spinners and wait
//!   countdowns on one line of standard error, only on a terminal.

mod file;
mod status_line;
mod stdout;

pub use file::{FileMode, OutputError, OutputTarget, replace_file};
pub use status_line::{
    Spinner, StatusLine, claim_interrupts, end_open_line, end_open_line_from_panic,
    terminal_wait_hook,
};
pub use stdout::{Stdout, is_closed_pipe, note, stdout};
