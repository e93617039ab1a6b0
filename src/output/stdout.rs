//! Standard output and error for commands, without `println!`'s panic on a closed pipe.
//!
//! `println!` panics when the reader went away (`seats profiles | head -1`); a write through
//! [`Stdout`] returns `BrokenPipe` instead, the command stops with `?`, and `main` sees
//! [`is_closed_pipe`] and ends normally. [`note`] writes to standard error and ignores a
//! closed one: a message nobody can read is no reason to fail.

use std::io::Write;

/// Standard output, locked for the command's lifetime of use. Write with `writeln!(out, ..)?`.
pub struct Stdout {
    inner: std::io::StdoutLock<'static>,
}

/// The writer every command's standard output goes through.
pub fn stdout() -> Stdout {
    Stdout {
        inner: std::io::stdout().lock(),
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Drop for Stdout {
    fn drop(&mut self) {
        // Errors show on the explicit flush; here there is nobody left to tell.
        let _ = self.inner.flush();
    }
}

/// Whether an error is standard output's reader going away: the end of output, not a failure.
pub fn is_closed_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// One line on standard error (after ending any open status line). Never fails, never panics.
pub fn note(line: impl std::fmt::Display) {
    super::end_open_line();
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
    let _ = err.flush();
}

static CONSOLE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Set while the console draws on the terminal: lines for the admin are then held back
/// (see [`crate::store::take_notices`]) instead of written across its screen.
pub fn set_console_owns_terminal(owns: bool) {
    CONSOLE.store(owns, std::sync::atomic::Ordering::Relaxed);
}

pub fn console_owns_terminal() -> bool {
    CONSOLE.load(std::sync::atomic::Ordering::Relaxed)
}
