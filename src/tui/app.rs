//! The console's loop: terminal events and task reports in as actions, each through the pure
//! `update`, its effects handed to `io`, one frame drawn per batch of actions.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use ratatui::crossterm::execute;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::Session;
use super::action::Action;
use super::io::Io;
use super::state::{AppState, SessionInfo, Theme};
use super::update::{start, update};
use crate::domain::Protection;
use crate::filter::Worker;

/// After a keystroke, how long to wait for the filter before drawing what exists.
const FILTER_WAIT: Duration = Duration::from_millis(8);
/// At most one frame per this.
const FRAME: Duration = Duration::from_millis(8);

/// Leaves raw mode, the alternate screen and mouse capture however the loop ends.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
        ratatui::restore();
    }
}

pub async fn run(session: Session) -> anyhow::Result<()> {
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        anyhow::bail!(
            "the console needs a terminal; for scripts use `seats report`, `seats export` or `seats plan`"
        );
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
        previous(info);
    }));
    let mut terminal = ratatui::try_init()?;
    let _guard = TerminalGuard;
    execute!(std::io::stdout(), EnableMouseCapture)?;
    let size = terminal.size()?;

    let (tx, mut rx) = unbounded_channel::<Action>();
    spawn_terminal_events(tx.clone());
    spawn_clock(tx.clone());
    let worker = {
        let tx = tx.clone();
        Worker::spawn(move |result| {
            let set = Arc::new(super::marks::RowSet::from_rows(&result.rows));
            let _ = tx.send(Action::Filtered(result, set));
        })
    };
    let theme = Theme {
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let myself: Vec<&str> = session.myself.iter().map(String::as_str).collect();
    let protection = Protection::new(&session.config.protected, &myself);
    let info = SessionInfo {
        label: session.label.clone(),
        org_id: session.org_id.clone(),
        profile: session.profile.clone(),
        myself: session.myself.clone(),
        online: session.client.is_some(),
        dry_run: session.dry_run,
    };
    let mut state = AppState::new(
        info,
        session.config.clone(),
        protection,
        chrono::Utc::now(),
        (size.width, size.height),
        theme,
    );
    state.accounts = session.accounts;
    let io = Io {
        tx: tx.clone(),
        client: session.client.clone(),
        org_id: session.org_id.clone(),
        scope: session.scope.clone(),
        config: session.config.clone(),
        store: Arc::new(Mutex::new(None)),
        worker,
        operator: session
            .myself
            .first()
            .cloned()
            .unwrap_or_else(|| format!("os:{}", std::env::var("USER").unwrap_or_default())),
        myself: session.myself.clone(),
        control: Arc::new(Mutex::new(None)),
        breakdowns: super::io::Breakdowns::new(&tx),
    };
    for effect in start(&mut state, session.fetch_on_start) {
        io.run(effect);
    }
    terminal.draw(|f| super::ui::draw(&state, f))?;
    let mut last_frame = Instant::now();
    while let Some(action) = rx.recv().await {
        let mut filtered = is_filtered(&action);
        apply(&mut state, &io, action);
        filtered |= drain(&mut state, &io, &mut rx);
        // Let the filter answer a keystroke before the frame, so the frame shows it.
        let waited = Instant::now();
        while state.users.pending() && waited.elapsed() < FILTER_WAIT {
            match tokio::time::timeout(FILTER_WAIT - waited.elapsed(), rx.recv()).await {
                Ok(Some(a)) => {
                    filtered |= is_filtered(&a);
                    apply(&mut state, &io, a);
                }
                _ => break,
            }
        }
        if state.quit {
            break;
        }
        let pause = frame_pause(last_frame.elapsed(), filtered);
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
            drain(&mut state, &io, &mut rx);
        }
        terminal.draw(|f| super::ui::draw(&state, f))?;
        last_frame = Instant::now();
    }
    Ok(())
}

fn apply(state: &mut AppState, io: &Io, action: Action) {
    for effect in update(state, action) {
        io.run(effect);
    }
}

fn is_filtered(action: &Action) -> bool {
    matches!(action, Action::Filtered(..))
}

/// How long to wait before drawing: frames at most every [`FRAME`], except that a filter
/// result is drawn at once (the keystroke that asked for it has waited long enough).
fn frame_pause(since_last_frame: Duration, filtered: bool) -> Duration {
    if filtered {
        Duration::ZERO
    } else {
        FRAME.saturating_sub(since_last_frame)
    }
}

/// Applies what is waiting; true when a filter result was among it.
fn drain(state: &mut AppState, io: &Io, rx: &mut UnboundedReceiver<Action>) -> bool {
    let mut filtered = false;
    // Bounded, so a flood of events cannot starve the frame.
    for _ in 0..512 {
        match rx.try_recv() {
            Ok(a) => {
                filtered |= is_filtered(&a);
                apply(state, io, a);
            }
            Err(_) => break,
        }
    }
    filtered
}

fn spawn_terminal_events(tx: UnboundedSender<Action>) {
    std::thread::Builder::new()
        .name("seats-terminal".into())
        .spawn(move || {
            loop {
                // Poll so the thread notices a closed channel and ends.
                match event::poll(Duration::from_millis(200)) {
                    Ok(true) => {}
                    Ok(false) => {
                        if tx.is_closed() {
                            return;
                        }
                        continue;
                    }
                    Err(_) => return,
                }
                let action = match event::read() {
                    Ok(Event::Key(k)) => Action::Key(k),
                    Ok(Event::Mouse(m)) => Action::Mouse(m),
                    Ok(Event::Resize(w, h)) => Action::Resize(w, h),
                    Ok(_) => continue,
                    Err(_) => return,
                };
                if tx.send(action).is_err() {
                    return;
                }
            }
        })
        .ok();
}

fn spawn_clock(tx: UnboundedSender<Action>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        loop {
            every.tick().await;
            if tx.send(Action::Tick(chrono::Utc::now())).is_err() {
                return;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_result_is_drawn_at_once_other_frames_are_paced() {
        assert_eq!(frame_pause(Duration::from_millis(1), true), Duration::ZERO);
        assert_eq!(frame_pause(Duration::ZERO, true), Duration::ZERO);
        assert_eq!(
            frame_pause(Duration::from_millis(3), false),
            FRAME - Duration::from_millis(3)
        );
        assert_eq!(frame_pause(FRAME * 2, false), Duration::ZERO);
    }
}
