//! Where commands put their output: standard output, files, and the one status line on a
//! terminal's standard error. Library code never prints; commands print only through here.
//!
//! - [`stdout`]: a closed pipe (`seats profiles | head -1`) ends the output; [`is_closed_pipe`]
//!   lets `main` treat it as a normal end, never a crash.
//! - [`OutputTarget`]: `--output PATH` checked before any work; regular files are replaced
//!   atomically (through a symlink, at its target), devices and FIFOs written through, other
//!   kinds refused. [`write_private`] is the same for the files seats writes on its own (plans,
//!   undo and retry plans); [`replace_file`] for files seats owns (config.toml). Every file and
//!   folder seats creates goes through here and is 0600/0700 whatever the umask
//!   ([`create_private_dir`], [`create_private_file`], [`append_private`]).
//! - [`read_limited`]: a file seats is given (a plan) is read only when it is a regular file,
//!   and never past a size limit.
//! - [`note`]: a line on standard error that never fails the command.
//! - [`StatusLine`], [`Spinner`], [`terminal_wait_hook`]: progress, spinners and wait
//!   countdowns on one line of standard error, only on a terminal.

mod file;
mod status_line;
mod stdout;
pub mod words;

pub use file::{
    FileMode, OutputError, OutputTarget, PLAN_FILE_LIMIT, append_private, create_private_dir,
    create_private_file, keep_private_path, open_private_append, read_limited, read_limited_text,
    replace_file, write_private, write_private_new,
};
pub use status_line::{
    Spinner, StatusLine, claim_interrupts, end_open_line, end_open_line_from_panic,
    terminal_wait_hook,
};
pub use stdout::{
    Stdout, console_owns_terminal, is_closed_pipe, note, set_console_owns_terminal, stdout,
};
