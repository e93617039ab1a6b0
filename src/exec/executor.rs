//! Runs a batch from the journal: bounded concurrency under the client's rate limiting, a fresh
//! read of every target just before its change, each item journaled before its request goes out
//! and after its answer comes back, progress as events, pause and cancel through a handle.
//!
//! Workers take the next chunk of up to ten items (one user search re-reads them all), then for
//! each item: decide from the fresh read ([`assess`]), mark it `sent` (committed), send, record
//! the answer (committed). An answer that leaves in doubt whether the change was made (5xx,
//! timeout, dropped connection) is followed by a re-read before any second attempt; so is an
//! item a crash left `sent`. When that re-read fails too, the item is `unknown`, not failed:
//! the change may be there. It stays owed (the batch is unfinished) until a later read
//! settles it (`seats apply --resume`), recorded then as "confirmed later".
//!
//! Long: one worker loop whose order is the safety argument (journal `sent` before sending,
//! re-read before any retry); split, that order would be read across files.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::assess::{Seen, Verdict, assess};
use super::journal::{
    BatchId, BatchStatus, Counts, Item, ItemState, Journal, JournalError, Outcome, action_of,
};
use super::target::{
    READ_CHUNK, Sent, Target, WRITE_OK_STATUS, http_status, is_ambiguous, is_fatal, refusal_reason,
};
use crate::domain::Protection;

/// The journal shared by the workers (one connection; each call is short).
pub type SharedJournal = Arc<Mutex<Journal>>;

/// How often the lease's heartbeat is written.
const HEARTBEAT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("the journal task stopped: {0}")]
    Task(String),
}

/// Tunables of a run.
#[derive(Debug, Clone)]
pub struct ExecOptions {
    /// Workers, each with one chunk at a time (the client bounds requests in flight as well).
    pub concurrency: usize,
    /// Who is held out at run time, besides org and site admins.
    pub protection: Protection,
    /// Writes per item at most, each after a re-read showed the change still missing.
    pub attempts: u32,
}

impl Default for ExecOptions {
    fn default() -> Self {
        ExecOptions {
            concurrency: 4,
            protection: Protection::default(),
            attempts: 3,
        }
    }
}

/// What the console and `seats apply` hear from a run.
#[derive(Debug, Clone, PartialEq)]
pub enum ExecEvent {
    Progress {
        /// Done (in a dry run: would be done).
        done: u64,
        failed: u64,
        skipped: u64,
        total: u64,
        /// Items finished a minute in this run.
        rate_per_min: f64,
        /// Time left at that rate (`None` before the first item).
        eta: Option<Duration>,
    },
    ItemFinished {
        seq: i64,
        account_id: String,
        name: String,
        /// The change in words ("suspend", "remove from jira-users").
        change: String,
        state: ItemState,
        reason: Option<String>,
        error: Option<String>,
    },
    /// A problem not tied to one item (a re-read failed, the run stopped).
    Error { message: String },
    Finished {
        batch: BatchId,
        outcome: RunOutcome,
        counts: Counts,
    },
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// Every item done, failed or skipped.
    Completed,
    /// Stopped by the operator; unsent items are skipped as cancelled.
    Cancelled,
    /// Stopped by an error no item gets past; the batch stays unfinished for a resume.
    Stopped(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    Running,
    Paused,
    Cancelled,
}

/// Pause, resume and cancel a run. Calls in flight always finish and are recorded.
#[derive(Debug, Clone)]
pub struct Control {
    tx: Arc<watch::Sender<RunState>>,
}

impl Control {
    fn new() -> (Control, watch::Receiver<RunState>) {
        let (tx, rx) = watch::channel(RunState::Running);
        (Control { tx: Arc::new(tx) }, rx)
    }
    fn set(&self, state: RunState) {
        self.tx.send_if_modified(|s| {
            // Cancel is final.
            if *s == RunState::Cancelled || *s == state {
                return false;
            }
            *s = state;
            true
        });
    }
    pub fn pause(&self) {
        self.set(RunState::Paused);
    }
    pub fn resume(&self) {
        self.set(RunState::Running);
    }
    pub fn cancel(&self) {
        self.set(RunState::Cancelled);
    }
    pub fn state(&self) -> RunState {
        *self.tx.borrow()
    }
}

/// A run under way.
pub struct Running {
    pub batch: BatchId,
    pub control: Control,
    pub events: mpsc::UnboundedReceiver<ExecEvent>,
    /// Resolves when the run ends (the last event is `Finished`).
    pub task: JoinHandle<Result<RunOutcome, ExecError>>,
}

/// Runs `f` on the journal off the async threads (commits wait for the disk).
pub async fn with_journal<T, F>(journal: &SharedJournal, f: F) -> Result<T, ExecError>
where
    T: Send + 'static,
    F: FnOnce(&mut Journal) -> Result<T, JournalError> + Send + 'static,
{
    let journal = journal.clone();
    tokio::task::spawn_blocking(move || {
        let mut j = journal.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut j)
    })
    .await
    .map_err(|e| ExecError::Task(e.to_string()))?
    .map_err(ExecError::from)
}

/// Takes the batch's lease and starts running its open items (all of them for a new batch;
/// those a crash or a stop left pending or sent for a resume). Refused while another process
/// runs the batch.
pub async fn start(
    journal: SharedJournal,
    target: Arc<Target>,
    batch: BatchId,
    options: ExecOptions,
) -> Result<Running, ExecError> {
    let owner = format!("{}-{:016x}", std::process::id(), rand::random::<u64>());
    let lease_owner = owner.clone();
    let (info, items) = with_journal(&journal, move |j| {
        let info = j.batch(batch)?;
        j.acquire_lease(batch, &lease_owner)?;
        let items = j.open_items(batch)?;
        let resumed = info.counts.open() < info.counts.total() || info.counts.sent > 0;
        let detail = format!(
            "{} of {} to go{}",
            items.len(),
            crate::output::words::plural(info.counts.total() as usize, "item"),
            if resumed { " (resumed)" } else { "" }
        );
        j.note_batch(batch, "batch_started", &detail)?;
        Ok((info, items))
    })
    .await?;
    let (control, control_rx) = Control::new();
    let (tx, events) = mpsc::unbounded_channel();
    let run = Run {
        journal,
        target,
        batch,
        dry_run: info.dry_run,
        options,
        queue: Mutex::new(items.into_iter().collect()),
        counts: Mutex::new(info.counts),
        stop: Mutex::new(None),
        events: tx,
        started: Instant::now(),
        finished_here: Mutex::new(0),
    };
    let task = tokio::spawn(run.go(owner, control_rx));
    Ok(Running {
        batch,
        control,
        events,
        task,
    })
}

struct Run {
    journal: SharedJournal,
    target: Arc<Target>,
    batch: BatchId,
    dry_run: bool,
    options: ExecOptions,
    queue: Mutex<VecDeque<Item>>,
    counts: Mutex<Counts>,
    /// Set when an error stops the run.
    stop: Mutex<Option<String>>,
    events: mpsc::UnboundedSender<ExecEvent>,
    started: Instant,
    finished_here: Mutex<u64>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What a fresh read saw, kept on the item (undo's notes on what cannot be given back).
fn observed(seen: Option<&Seen>) -> Option<serde_json::Value> {
    let user = &seen?.user;
    Some(serde_json::json!({
        "status": user.status.as_str(),
        "groups": user.groups.iter().map(|g| serde_json::json!({"id": g.id, "name": g.name})).collect::<Vec<_>>(),
        "products": user.product_access.iter().map(|p| p.product.clone()).collect::<Vec<_>>(),
    }))
}

impl Run {
    async fn go(
        self,
        owner: String,
        control: watch::Receiver<RunState>,
    ) -> Result<RunOutcome, ExecError> {
        let run = Arc::new(self);
        let heartbeat = tokio::spawn(heartbeat(run.clone(), owner.clone()));
        let workers = run
            .options
            .concurrency
            .max(1)
            .min(lock(&run.queue).len().div_ceil(READ_CHUNK).max(1));
        let mut handles = Vec::new();
        for _ in 0..workers {
            let run = run.clone();
            let control = control.clone();
            handles.push(tokio::spawn(async move { run.worker(control).await }));
        }
        for h in handles {
            if let Err(e) = h.await {
                run.halt(format!("a worker stopped: {e}"));
            }
        }
        heartbeat.abort();

        let cancelled = *control.borrow() == RunState::Cancelled;
        let stopped = lock(&run.stop).clone();
        let batch = run.batch;
        let outcome = match (&stopped, cancelled) {
            (Some(why), _) => RunOutcome::Stopped(why.clone()),
            (None, true) => RunOutcome::Cancelled,
            (None, false) => RunOutcome::Completed,
        };
        let closing = outcome.clone();
        let lease_owner = owner.clone();
        let counts = with_journal(&run.journal, move |j| {
            match &closing {
                RunOutcome::Stopped(why) => j.note_batch(batch, "batch_aborted", why)?,
                RunOutcome::Cancelled => {
                    for item in j.open_items(batch)? {
                        // An item a crash left sent stays open: only a re-read can close it.
                        if item.state == ItemState::Pending {
                            let o = Outcome::new(ItemState::Skipped)
                                .reason(super::undo::CANCELLED_REASON);
                            j.finish_item(batch, item.seq, &o)?;
                        }
                    }
                    if j.open_items(batch)?.is_empty() {
                        j.close_batch(batch, BatchStatus::Cancelled)?;
                    }
                }
                RunOutcome::Completed => {
                    let running = j.batch(batch)?.status == BatchStatus::Running;
                    if running && j.open_items(batch)?.is_empty() {
                        j.close_batch(batch, BatchStatus::Finished)?;
                    }
                }
            }
            j.release_lease(batch, &lease_owner)?;
            Ok(j.batch(batch)?.counts)
        })
        .await;
        let counts = match counts {
            Ok(c) => c,
            Err(e) => {
                let _ = run.events.send(ExecEvent::Error {
                    message: e.to_string(),
                });
                *lock(&run.counts)
            }
        };
        if let RunOutcome::Stopped(why) = &outcome {
            let _ = run.events.send(ExecEvent::Error {
                message: why.clone(),
            });
        }
        let _ = run.events.send(ExecEvent::Finished {
            batch,
            outcome: outcome.clone(),
            counts,
        });
        Ok(outcome)
    }

    fn halt(&self, why: String) {
        let mut stop = lock(&self.stop);
        if stop.is_none() {
            tracing::warn!(batch = self.batch, "run stopped: {why}");
            *stop = Some(why);
        }
    }

    fn halted(&self) -> bool {
        lock(&self.stop).is_some()
    }

    /// Waits while paused; false once cancelled or stopped.
    async fn runnable(&self, control: &mut watch::Receiver<RunState>) -> bool {
        loop {
            if self.halted() {
                return false;
            }
            let state = *control.borrow_and_update();
            match state {
                RunState::Running => return true,
                RunState::Cancelled => return false,
                RunState::Paused => {
                    if control.changed().await.is_err() {
                        // The handle is gone: nobody can resume, so stop cleanly.
                        return false;
                    }
                }
            }
        }
    }

    async fn worker(self: Arc<Self>, mut control: watch::Receiver<RunState>) {
        loop {
            if !self.runnable(&mut control).await {
                return;
            }
            let mut chunk: VecDeque<Item> = {
                let mut q = lock(&self.queue);
                let n = q.len().min(READ_CHUNK);
                q.drain(..n).collect()
            };
            if chunk.is_empty() {
                return;
            }
            let steps: Vec<&crate::plan::Step> = chunk.iter().map(|i| &i.step).collect();
            let seen = match self.target.read(&steps).await {
                Ok(seen) => seen,
                Err(e) if is_fatal(&e) => {
                    self.halt(e.to_string());
                    return;
                }
                Err(e) => {
                    let message = format!("could not re-read the users before the change: {e}");
                    let _ = self.events.send(ExecEvent::Error {
                        message: message.clone(),
                    });
                    for item in chunk {
                        // An item sent before (a crash, a lost answer) may have landed: its
                        // outcome stays unknown. One never sent simply failed.
                        let state = match item.state {
                            ItemState::Sent | ItemState::Unknown => ItemState::Unknown,
                            _ => ItemState::Failed,
                        };
                        let o = Outcome::new(state)
                            .status(http_status(&e))
                            .error(message.clone());
                        if !self.finish(&item, o).await {
                            return;
                        }
                    }
                    continue;
                }
            };
            while let Some(item) = chunk.pop_front() {
                let state = *control.borrow();
                if state != RunState::Running || self.halted() {
                    // Paused or cancelled between items: what is left goes back unread; a
                    // resume reads it again, fresh.
                    let mut q = lock(&self.queue);
                    q.push_front(item);
                    while let Some(rest) = chunk.pop_back() {
                        q.push_front(rest);
                    }
                    break;
                }
                let seen_here = seen.get(&item.step.account_id);
                if !self.process(item, seen_here).await {
                    return;
                }
            }
        }
    }

    /// One item from its fresh read to its recorded end; false when the run must stop.
    async fn process(&self, item: Item, seen: Option<&Seen>) -> bool {
        let verdict = assess(&item.step, seen, &self.options.protection);
        let outcome = match verdict {
            Verdict::Skip(reason) => Outcome::new(ItemState::Skipped).reason(reason),
            Verdict::AlreadyDone(reason) if item.state == ItemState::Sent => {
                Outcome::new(ItemState::Done).reason(format!(
                    "confirmed by re-reading after an unanswered request: {reason}"
                ))
            }
            Verdict::AlreadyDone(reason) if item.state == ItemState::Unknown => {
                Outcome::new(ItemState::Done).reason(format!(
                    "confirmed later by re-reading (the answer had been lost): {reason}"
                ))
            }
            Verdict::AlreadyDone(reason) => Outcome::new(ItemState::Skipped).reason(reason),
            Verdict::Send if self.dry_run => Outcome::new(ItemState::DryRun)
                .reason(format!("would {}", item.step.change.describe())),
            Verdict::Send => match self.send(&item, observed(seen)).await {
                Some(o) => o,
                None => return false,
            },
        };
        self.finish(&item, outcome).await
    }

    /// Sends with at most `attempts` writes, each after a read showed it still needed. `None`
    /// when the run must stop (the item stays `sent`; a resume re-reads it).
    async fn send(&self, item: &Item, observed: Option<serde_json::Value>) -> Option<Outcome> {
        let (batch, seq) = (self.batch, item.seq);
        let attempts = self.options.attempts.max(1);
        let mut observed = observed;
        for attempt in 1..=attempts {
            let seen_now = observed.take();
            if let Err(e) = with_journal(&self.journal, move |j| {
                j.mark_sent(batch, seq, seen_now.as_ref())
            })
            .await
            {
                // Not recorded as sent, so not sent.
                self.halt(format!(
                    "the journal could not record a change before sending it: {e}"
                ));
                return None;
            }
            let err = match self.target.send(&item.step).await {
                Ok(Sent::Applied) => {
                    return Some(Outcome::new(ItemState::Done).status(Some(WRITE_OK_STATUS)));
                }
                Ok(Sent::AlreadyThere) => {
                    return Some(
                        Outcome::new(ItemState::Done)
                            .status(Some(409))
                            .reason("the API said it was already so"),
                    );
                }
                Err(e) => e,
            };
            if is_fatal(&err) {
                self.halt(err.to_string());
                return None;
            }
            // A refusal the admin can act on is said as such, not as a fault of seats.
            let failed = Outcome::new(ItemState::Failed)
                .status(http_status(&err))
                .error(refusal_reason(&err).unwrap_or_else(|| err.to_string()));
            if !is_ambiguous(&err) {
                return Some(failed);
            }
            // The server may have made the change: look before trying again.
            match self.target.read(&[&item.step]).await {
                Ok(seen) => {
                    let seen = seen.get(&item.step.account_id);
                    match assess(&item.step, seen, &self.options.protection) {
                        Verdict::AlreadyDone(reason) => {
                            return Some(Outcome::new(ItemState::Done).reason(format!(
                                "confirmed by re-reading after \"{err}\": {reason}"
                            )));
                        }
                        Verdict::Skip(reason) => {
                            return Some(Outcome::new(ItemState::Skipped).reason(reason));
                        }
                        Verdict::Send if attempt < attempts => {
                            tracing::debug!(batch, seq, attempt, "retrying after {err}");
                        }
                        Verdict::Send => return Some(failed),
                    }
                }
                Err(e) if is_fatal(&e) => {
                    self.halt(e.to_string());
                    return None;
                }
                // Unverified: the change may be there. Not failed (a retry would find it done
                // and skip it, and undo would leave it out): unknown until a later read.
                Err(e) if attempt == attempts => {
                    return Some(
                        Outcome::new(ItemState::Unknown)
                            .status(http_status(&err))
                            .error(format!(
                                "outcome unknown: the answer was lost ({err}) and the re-read failed ({e}); seats apply --resume reads it again"
                            )),
                    );
                }
                Err(_) => {}
            }
        }
        Some(Outcome::new(ItemState::Failed).error("no attempt left"))
    }

    /// Records an item's end and tells the listener; false when the journal refused it.
    async fn finish(&self, item: &Item, outcome: Outcome) -> bool {
        let (batch, seq) = (self.batch, item.seq);
        let recorded = outcome.clone();
        if let Err(e) =
            with_journal(&self.journal, move |j| j.finish_item(batch, seq, &recorded)).await
        {
            self.halt(format!("the journal could not record an answer: {e}"));
            return false;
        }
        let counts = {
            let mut c = lock(&self.counts);
            c.remove(item.state);
            c.add(outcome.state);
            *c
        };
        let here = {
            let mut n = lock(&self.finished_here);
            *n += 1;
            *n
        };
        let _ = self.events.send(ExecEvent::ItemFinished {
            seq,
            account_id: item.step.account_id.clone(),
            name: item.step.name.clone(),
            change: item.step.change.describe(),
            state: outcome.state,
            reason: outcome.reason.clone(),
            error: outcome.error.clone(),
        });
        tracing::debug!(batch, seq, action = %action_of(&item.step.change), state = outcome.state.as_str(), "item finished");
        let minutes = self.started.elapsed().as_secs_f64() / 60.0;
        let rate = if minutes > 0.0 {
            here as f64 / minutes
        } else {
            0.0
        };
        let left = counts.open();
        let eta = (rate > 0.0).then(|| Duration::from_secs_f64(left as f64 / rate * 60.0));
        let _ = self.events.send(ExecEvent::Progress {
            done: counts.done + counts.dry_run,
            failed: counts.failed,
            skipped: counts.skipped,
            total: counts.total(),
            rate_per_min: rate,
            eta,
        });
        true
    }
}

async fn heartbeat(run: Arc<Run>, owner: String) {
    let mut tick = tokio::time::interval(HEARTBEAT);
    tick.tick().await;
    loop {
        tick.tick().await;
        let (batch, owner) = (run.batch, owner.clone());
        match with_journal(&run.journal, move |j| j.heartbeat(batch, &owner)).await {
            Ok(true) => {}
            Ok(false) => {
                run.halt("another seats process took this batch over".into());
                return;
            }
            Err(e) => tracing::warn!("lease heartbeat not written: {e}"),
        }
    }
}
