//! Tracing to a file in the data dir, never to the terminal (the console owns it).

use std::io::Write;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Starts logging to `<data dir>/logs/seats.log` (daily files). `SEATS_LOG` sets the filter
/// (default `info`). Returns a guard that flushes on drop; `None` when no log dir is usable, in
/// which case seats runs without logs rather than writing to the terminal.
pub fn init() -> Option<WorkerGuard> {
    let dir = crate::paths::log_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::daily(&dir, "seats.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("SEATS_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}

/// Panics print where it happened and where the log is, not the payload: a payload built from
/// external data could carry a secret.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        // Leave raw mode and the alternate screen if the console had them; no escape codes
        // into a pipe or a file.
        if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            let _ = ratatui::crossterm::terminal::disable_raw_mode();
            let _ = ratatui::crossterm::execute!(
                std::io::stderr(),
                ratatui::crossterm::terminal::LeaveAlternateScreen
            );
        }
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_else(|| "unknown location".into());
        tracing::error!(%location, "panic");
        let log = crate::paths::log_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_else(|| "(no log dir)".into());
        let _ = writeln!(
            std::io::stderr(),
            "seats crashed at {location}. This is a bug; the log is in {log}."
        );
    }));
}
