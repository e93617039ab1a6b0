//! The matcher worker: off the UI thread, newest query wins.
//! PLACEHOLDER implementation (a full pass per request): the filter helper replaces it.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

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
    /// A query that does not parse keeps the previous rows; the message goes to the query line.
    pub error: Option<QueryError>,
    pub took: Duration,
}

pub struct Worker {
    tx: mpsc::Sender<FilterRequest>,
}

impl Worker {
    pub fn spawn(on_result: impl Fn(FilterResult) + Send + 'static) -> Worker {
        let (tx, rx) = mpsc::channel::<FilterRequest>();
        std::thread::Builder::new()
            .name("seats-filter".into())
            .spawn(move || {
                while let Ok(mut req) = rx.recv() {
                    // Drain: a burst of keystrokes gives one pass.
                    while let Ok(newer) = rx.try_recv() {
                        req = newer;
                    }
                    let start = Instant::now();
                    let (rows, error) = match super::select(&req.directory, &req.query, &req.sort) {
                        Ok(rows) => (rows, None),
                        Err(e) => (Vec::new(), Some(e)),
                    };
                    on_result(FilterResult {
                        generation: req.generation,
                        rows: Arc::new(rows),
                        error,
                        took: start.elapsed(),
                    });
                }
            })
            .ok();
        Worker { tx }
    }

    pub fn submit(&self, req: FilterRequest) {
        let _ = self.tx.send(req);
    }
}
