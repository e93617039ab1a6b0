//! Tracing to a file in the data dir, never to the terminal (the console owns it).

use std::io::Write;
use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Why seats runs without a log; `main` says so once on standard error.
#[derive(Debug, thiserror::Error)]
pub enum LogProblem {
    #[error(
        "no log: no data directory (set HOME, or SEATS_DATA_DIR to a writable directory); seats runs without one"
    )]
    NoDataDir,
    #[error(
        "no log: {dir} is not usable ({detail}); seats runs without one. Fix it, or set SEATS_DATA_DIR to a writable directory"
    )]
    Unusable { dir: PathBuf, detail: String },
}

/// Starts logging to `<data dir>/logs/seats.log.<date>` (one file per day the process started
/// on). The folders are 0700 and the file 0600 whatever the umask: the log names targets.
/// `SEATS_LOG` sets the filter (default `info`). The guard flushes on drop; `Ok(None)` when a
/// subscriber was already installed (tests). An unusable log dir is an error for `main` to
/// report, never a reason to write logs to the terminal.
pub fn init() -> Result<Option<WorkerGuard>, LogProblem> {
    let dir = crate::paths::log_dir().ok_or(LogProblem::NoDataDir)?;
    let unusable = |detail: String| LogProblem::Unusable {
        dir: dir.clone(),
        detail,
    };
    crate::output::create_private_dir(&dir).map_err(|e| unusable(e.to_string()))?;
    // Opened now: a read-only dir fails here, not on every write.
    let name = format!("seats.log.{}", chrono::Utc::now().format("%Y-%m-%d"));
    let file =
        crate::output::open_private_append(&dir.join(name)).map_err(|e| unusable(e.to_string()))?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = EnvFilter::try_from_env("SEATS_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
    Ok(installed.is_ok().then_some(guard))
}

/// Panics log and print where it happened and the message, with every credential the process
/// has held blanked out ([`crate::atlassian::redact`]) and the length bounded.
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
        crate::output::end_open_line_from_panic();
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_else(|| "unknown location".into());
        let message = panic_message(info.payload());
        tracing::error!(%location, %message, "panic");
        let log = crate::paths::log_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_else(|| "(no log dir)".into());
        let _ = writeln!(
            std::io::stderr(),
            "seats crashed at {location}: {message}\nThis is a bug; the log is in {log}."
        );
    }));
}

/// The panic's text, redacted and at most 2000 characters.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let raw = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into());
    crate::atlassian::redact(&raw).chars().take(2000).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_message_is_kept_without_its_secrets() {
        let key = crate::atlassian::Secret::new("panic-secret-value-42");
        let payload: Box<dyn std::any::Any + Send> =
            Box::new(format!("bad header {}", key.expose()));
        assert_eq!(panic_message(payload.as_ref()), "bad header ***");
        let payload: Box<dyn std::any::Any + Send> = Box::new("static text");
        assert_eq!(panic_message(payload.as_ref()), "static text");
    }
}
