//! The one status line on standard error: progress, a spinner, a wait countdown. Drawn with
//! `\r` only when standard error is a terminal; into a pipe or a file nothing is written.
//! Whatever ends the command (done, an error, Ctrl-C) ends the line first
//! ([`end_open_line`]), so the shell prompt never lands after half a line.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use crate::atlassian::{WaitHook, WaitNotice};

#[derive(Default)]
struct Line {
    /// Something is drawn and the cursor sits at its end.
    drawn: bool,
    progress: Option<String>,
    /// The wait being counted down and when it ends.
    wait: Option<(String, Instant)>,
}

static LINE: Mutex<Line> = Mutex::new(Line {
    drawn: false,
    progress: None,
    wait: None,
});
static TICKING: AtomicBool = AtomicBool::new(false);
static WATCHING: AtomicBool = AtomicBool::new(false);
static INTERRUPT_CLAIMED: AtomicBool = AtomicBool::new(false);

/// A command that serves until Ctrl-C (`seats sandbox`) handles SIGINT itself: the status
/// line's watcher then only ends the line.
pub fn claim_interrupts() {
    INTERRUPT_CLAIMED.store(true, Ordering::SeqCst);
}

/// Once a status line was drawn, Ctrl-C ends it before the process goes: the prompt then
/// starts on a clean line. Exits with 130, the shell's code for SIGINT. A watcher on its own
/// task, since the command may be blocked (a prompt) when the signal comes.
fn watch_interrupts() {
    if WATCHING.swap(true, Ordering::SeqCst) {
        return;
    }
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        WATCHING.store(false, Ordering::SeqCst);
        return;
    };
    rt.spawn(async {
        loop {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            end_open_line();
            if !INTERRUPT_CLAIMED.load(Ordering::SeqCst) {
                tracing::info!("interrupted");
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "interrupted");
                std::process::exit(130);
            }
        }
    });
}

fn on_terminal() -> bool {
    static TTY: OnceLock<bool> = OnceLock::new();
    *TTY.get_or_init(|| std::io::stderr().is_terminal())
}

fn line() -> MutexGuard<'static, Line> {
    // A panic while drawing leaves the text as it was: still fine to draw over.
    LINE.lock().unwrap_or_else(|p| p.into_inner())
}

/// The text of the line now: progress, then the wait with its seconds left.
fn text(l: &Line, now: Instant) -> String {
    let wait = l.wait.as_ref().map(|(reason, until)| {
        let left = until.saturating_duration_since(now);
        format!(
            "waiting {} s: {reason}",
            left.as_secs() + u64::from(left.subsec_nanos() > 0)
        )
    });
    match (&l.progress, wait) {
        (Some(p), Some(w)) => format!("{p} · {w}"),
        (Some(p), None) => p.clone(),
        (None, Some(w)) => w,
        (None, None) => String::new(),
    }
}

fn draw(l: &mut Line) {
    if !on_terminal() {
        return;
    }
    let text = text(l, Instant::now());
    // Clearing a line that is not drawn would wipe whatever was written since, e.g. a prompt
    // (a spinner's task can end just after the prompt appears).
    if text.is_empty() && !l.drawn {
        return;
    }
    let mut err = std::io::stderr().lock();
    let _ = if text.is_empty() {
        write!(err, "\r\x1b[K")
    } else {
        write!(err, "\r\x1b[K{text}")
    };
    let _ = err.flush();
    l.drawn = !text.is_empty();
}

/// Clears the status line if one is drawn (before a message, an error, an exit).
pub fn end_open_line() {
    let mut l = line();
    if l.drawn && on_terminal() {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K");
        let _ = err.flush();
        l.drawn = false;
    }
}

/// As [`end_open_line`] but never waits for the line's lock: for the panic hook, which may run
/// while this thread holds it.
pub fn end_open_line_from_panic() {
    if let Ok(mut l) = LINE.try_lock()
        && l.drawn
        && on_terminal()
    {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K");
        let _ = err.flush();
        l.drawn = false;
    }
}

/// A command's progress text on the status line; cleared when dropped.
pub struct StatusLine {
    active: bool,
}

impl StatusLine {
    /// A status line; does nothing unless standard error is a terminal.
    pub fn new() -> StatusLine {
        let active = on_terminal();
        if active {
            watch_interrupts();
        }
        StatusLine { active }
    }

    pub fn set(&self, text: impl Into<String>) {
        if self.active {
            let mut l = line();
            l.progress = Some(text.into());
            draw(&mut l);
        }
    }
}

impl Default for StatusLine {
    fn default() -> Self {
        StatusLine::new()
    }
}

impl Drop for StatusLine {
    fn drop(&mut self) {
        if self.active {
            let mut l = line();
            l.progress = None;
            draw(&mut l);
        }
    }
}

/// "⠋ Checking the org API key" while something is checked; stops when dropped.
pub struct Spinner {
    task: Option<tokio::task::JoinHandle<()>>,
    /// Set before the task is aborted: a task mid-step must not draw again.
    stopped: std::sync::Arc<AtomicBool>,
    _line: StatusLine,
}

impl Spinner {
    /// Starts spinning on a terminal (needs a tokio runtime); elsewhere it does nothing.
    pub fn start(label: impl Into<String>) -> Spinner {
        let status = StatusLine::new();
        let label = label.into();
        let stopped = std::sync::Arc::new(AtomicBool::new(false));
        let stop = stopped.clone();
        let task = match tokio::runtime::Handle::try_current() {
            Ok(rt) if status.active => Some(rt.spawn(async move {
                const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
                let shown = StatusLine::new();
                for frame in FRAMES.iter().cycle() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    shown.set(format!("{frame} {label}"));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            })),
            _ => None,
        };
        Spinner {
            task,
            stopped,
            _line: status,
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

/// A wait hook for the client that counts long waits down on the status line; `None` when
/// standard error is not a terminal (the wait is then only logged).
pub fn terminal_wait_hook() -> Option<WaitHook> {
    if !on_terminal() {
        return None;
    }
    Some(WaitHook::new(|notice: &WaitNotice| {
        {
            let mut l = line();
            let later = l
                .wait
                .as_ref()
                .is_none_or(|(_, until)| notice.until >= *until);
            if later {
                l.wait = Some((notice.to_string(), notice.until));
            }
            draw(&mut l);
        }
        if !TICKING.swap(true, Ordering::SeqCst) {
            match tokio::runtime::Handle::try_current() {
                Ok(rt) => {
                    rt.spawn(tick());
                }
                Err(_) => TICKING.store(false, Ordering::SeqCst),
            }
        }
    }))
}

/// Redraws the countdown until the wait is over.
async fn tick() {
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let mut l = line();
        if l.wait
            .as_ref()
            .is_some_and(|(_, until)| *until <= Instant::now())
        {
            l.wait = None;
        }
        draw(&mut l);
        if l.wait.is_none() {
            TICKING.store(false, Ordering::SeqCst);
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_countdown_rounds_up_and_follows_the_progress() {
        let now = Instant::now();
        let l = Line {
            drawn: false,
            progress: Some("fetched 200 users".into()),
            wait: Some((
                "the Jira API is rate limiting seats".into(),
                now + Duration::from_millis(11_200),
            )),
        };
        assert_eq!(
            text(&l, now),
            "fetched 200 users · waiting 12 s: the Jira API is rate limiting seats"
        );
        let l = Line {
            progress: None,
            ..l
        };
        assert_eq!(
            text(&l, now + Duration::from_secs(20)),
            "waiting 0 s: the Jira API is rate limiting seats"
        );
    }
}
