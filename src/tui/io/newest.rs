//! Newest wins, one at a time: a request that arrives while one runs waits, replacing any
//! other waiting one. Holding an arrow key in the Activity view asks for dozens of
//! breakdowns (each a pass over 100,000 users); only the one being computed and the newest
//! are ever computed.

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::mpsc::UnboundedSender;

use crate::tui::action::Action;
use crate::tui::breakdown::{BreakdownKey, BreakdownRequest, compute};

/// Breakdowns for the Groups and the Activity view, counted off the UI thread, each view's
/// newest winning, and reported back.
pub(crate) struct Breakdowns {
    groups: Newest<Box<BreakdownRequest>>,
    activity: Newest<Box<BreakdownRequest>>,
}

impl Breakdowns {
    pub(crate) fn new(tx: &UnboundedSender<Action>) -> Breakdowns {
        let runner = || {
            let tx = tx.clone();
            Newest::new(move |req: Box<BreakdownRequest>| {
                let _ = tx.send(Action::Breakdown(Arc::new(compute(&req))));
            })
        };
        Breakdowns {
            groups: runner(),
            activity: runner(),
        }
    }

    pub(crate) fn submit(&self, req: Box<BreakdownRequest>) {
        match req.key {
            BreakdownKey::Rows { .. } => self.groups.submit(req),
            BreakdownKey::Activity { .. } => self.activity.submit(req),
        }
    }
}

struct Slot<T> {
    waiting: Option<T>,
    running: bool,
}

/// Runs `work` on its own thread for the newest request, never two at once.
pub(crate) struct Newest<T> {
    slot: Arc<Mutex<Slot<T>>>,
    work: Arc<dyn Fn(T) + Send + Sync>,
}

fn lock<T>(m: &Mutex<Slot<T>>) -> MutexGuard<'_, Slot<T>> {
    // A panic in `work` does not hold the lock (it runs unlocked): the slot stays sound.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Clears `running` when `work` panics, so later requests still run. (A normal end clears
/// it under the lock that finds nothing waiting: clearing it again here could race a new
/// thread.)
struct Running<T>(Arc<Mutex<Slot<T>>>);

impl<T> Drop for Running<T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            lock(&self.0).running = false;
        }
    }
}

impl<T: Send + 'static> Newest<T> {
    pub(crate) fn new(work: impl Fn(T) + Send + Sync + 'static) -> Newest<T> {
        Newest {
            slot: Arc::new(Mutex::new(Slot {
                waiting: None,
                running: false,
            })),
            work: Arc::new(work),
        }
    }

    pub(crate) fn submit(&self, request: T) {
        let mut s = lock(&self.slot);
        s.waiting = Some(request);
        if s.running {
            return;
        }
        s.running = true;
        drop(s);
        let (slot, work) = (self.slot.clone(), self.work.clone());
        std::thread::spawn(move || {
            let _running = Running(slot.clone());
            loop {
                // Taken and `running` cleared under one lock: a request submitted after
                // this sees `running` false and starts its own thread.
                let next = {
                    let mut s = lock(&slot);
                    match s.waiting.take() {
                        Some(r) => r,
                        None => {
                            s.running = false;
                            return;
                        }
                    }
                };
                work(next);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn requests_made_while_one_runs_are_dropped_but_the_newest() {
        let (started_tx, started_rx) = mpsc::channel();
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let go_rx = Mutex::new(go_rx);
        let (done_tx, done_rx) = mpsc::channel();
        let newest = Newest::new(move |n: u32| {
            let _ = started_tx.send(n);
            // The first waits until the rest are submitted.
            if n == 0 {
                let _ = go_rx.lock().map(|rx| rx.recv());
            }
            let _ = done_tx.send(n);
        });
        newest.submit(0);
        assert_eq!(started_rx.recv_timeout(Duration::from_secs(5)), Ok(0));
        for n in 1..=50 {
            newest.submit(n);
        }
        go_tx.send(()).expect("worker waits");
        let done: Vec<u32> = (0..2)
            .map(|_| done_rx.recv_timeout(Duration::from_secs(5)).expect("done"))
            .collect();
        assert_eq!(done, vec![0, 50], "the running one, then only the newest");
        assert!(
            done_rx.recv_timeout(Duration::from_millis(200)).is_err(),
            "nothing else ran"
        );
        // Idle again: the next request runs.
        newest.submit(7);
        assert_eq!(done_rx.recv_timeout(Duration::from_secs(5)), Ok(7));
    }
}
