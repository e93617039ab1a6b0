//! The matcher worker: its own thread, newest query wins.
//!
//! Before a pass it drains its queue (a burst of keystrokes gives one pass), and during a
//! pass it looks for a newer request every 256 users and abandons the pass for it.
//! Requests older than the last answered one are dropped. A query that matches many users is
//! answered first without scores (see `Engine::run_in_steps`); the worker scores the matches
//! only if no newer query arrives within `SCORE_AFTER`.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use super::engine::Engine;
use super::{QueryError, Sort};
use crate::domain::Directory;

#[derive(Debug, Clone)]
pub struct FilterRequest {
    /// Increases with every request; results of older ones are dropped.
    pub generation: u64,
    pub directory: Arc<Directory>,
    pub query: String,
    pub sort: Sort,
}

#[derive(Debug, Clone)]
pub struct FilterResult {
    pub generation: u64,
    /// Indices into `directory.users`, in display order.
    pub rows: Arc<Vec<u32>>,
    /// A query that does not parse keeps the previous rows (none after a change of
    /// directory); the message goes to the query line.
    pub error: Option<QueryError>,
    pub took: Duration,
    /// The rows are the query's, in name order, before the fuzzy scores that order them by
    /// relevance: the final result of the same generation follows unless a newer query
    /// comes first.
    pub provisional: bool,
}

/// Handle to the worker thread; it ends when the handle is dropped.
pub struct Worker {
    tx: mpsc::Sender<FilterRequest>,
}

/// The newer of two requests (the later one on equal generations).
fn newest(a: FilterRequest, b: FilterRequest) -> FilterRequest {
    if b.generation >= a.generation { b } else { a }
}

/// After an early answer, how long the worker waits for a newer query before it scores the
/// matches: scores for a query still being typed are thrown away, and while they are computed
/// they take a core from the console and the terminal.
const SCORE_AFTER: Duration = Duration::from_millis(30);

fn run(rx: Receiver<FilterRequest>, on_result: impl Fn(FilterResult)) {
    let mut engine = Engine::new();
    let pending: RefCell<Option<FilterRequest>> = RefCell::new(None);
    let mut answered: Option<u64> = None;
    loop {
        let waiting = pending.borrow_mut().take();
        let mut req = match waiting {
            Some(r) => r,
            None => match rx.recv() {
                Ok(r) => r,
                Err(_) => return,
            },
        };
        while let Ok(newer) = rx.try_recv() {
            req = newest(req, newer);
        }
        if answered.is_some_and(|g| req.generation < g) {
            continue;
        }
        let start = Instant::now();
        let generation = req.generation;
        // Keeps the newest request that arrives mid-pass; true only for one newer than this.
        let keep = |newer: FilterRequest| {
            let mut p = pending.borrow_mut();
            let waiting = match p.take() {
                Some(w) => newest(w, newer),
                None => newer,
            };
            let newer_than_this = waiting.generation >= generation;
            *p = Some(waiting);
            newer_than_this
        };
        let mut interrupt = || rx.try_recv().is_ok_and(&keep);
        let mut early = |rows: Arc<Vec<u32>>| {
            tracing::trace!(
                generation,
                rows = rows.len(),
                took_us = start.elapsed().as_micros() as u64,
                "filter matches before scores"
            );
            on_result(FilterResult {
                generation,
                rows,
                error: None,
                took: start.elapsed(),
                provisional: true,
            });
            // Score only when no newer query follows soon.
            !rx.recv_timeout(SCORE_AFTER).is_ok_and(&keep)
        };
        let outcome = engine.run_in_steps(
            &req.directory,
            &req.query,
            &req.sort,
            &mut interrupt,
            &mut early,
        );
        let Some(outcome) = outcome else {
            tracing::trace!(generation, "filter pass abandoned for a newer query");
            continue;
        };
        let (rows, error) = match outcome {
            Ok(rows) => (rows, None),
            Err(e) => (engine.rows(), Some(e)),
        };
        answered = Some(generation);
        tracing::trace!(
            generation,
            rows = rows.len(),
            pass = ?engine.last_pass(),
            took_us = start.elapsed().as_micros() as u64,
            "filter pass"
        );
        on_result(FilterResult {
            generation,
            rows,
            error,
            took: start.elapsed(),
            provisional: false,
        });
        // After a count answered without the index: build it now, before the first keystroke.
        engine.prepare();
    }
}

impl Worker {
    /// Starts the worker; `on_result` runs on the worker's thread for every answered request.
    pub fn spawn(on_result: impl Fn(FilterResult) + Send + 'static) -> Worker {
        let (tx, rx) = mpsc::channel::<FilterRequest>();
        let spawned = std::thread::Builder::new()
            .name("seats-filter".into())
            .spawn(move || run(rx, on_result));
        if let Err(e) = spawned {
            // Requests then go nowhere; the console keeps its rows and the log says why.
            tracing::error!(error = %e, "could not start the filter worker thread");
        }
        Worker { tx }
    }

    pub fn submit(&self, req: FilterRequest) {
        let _ = self.tx.send(req);
    }
}
