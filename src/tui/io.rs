//! The console's effects run: each `Effect` from `update` becomes a task (the store, the
//! network, the executor) that reports back as actions. Nothing here changes `AppState`.

mod history;
mod newest;

pub(super) use newest::Breakdowns;
mod paths;
mod rules;

use super::action::{Action, Effect};
use super::loaded::{Loaded, Origin};
use super::state::Level;
use crate::atlassian::Client;
use crate::atlassian::fetch::{FetchEvent, FetchOptions, fetch_directory};
use crate::atlassian::org::OrgApi;
use crate::config::Config;
use crate::domain::Protection;
use crate::exec::{Control, ExecOptions, Journal, NewBatch, SharedJournal, Target};
use crate::filter::Worker;
use crate::store::Store;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

/// What effects need from the outside world.
pub(super) struct Io {
    pub(super) tx: UnboundedSender<Action>,
    pub(super) client: Option<Client>,
    pub(super) org_id: String,
    pub(super) scope: String,
    pub(super) config: Config,
    /// Opened by the first effect that needs it, off the UI thread.
    pub(super) store: Arc<Mutex<Option<Store>>>,
    pub(super) worker: Worker,
    /// Who runs batches, for the audit log.
    pub(super) operator: String,
    pub(super) myself: Vec<String>,
    /// The running batch's pause and cancel.
    pub(super) control: Arc<Mutex<Option<Control>>>,
    /// Breakdowns for the Groups and the Activity view, each newest wins.
    pub(super) breakdowns: Breakdowns,
}

/// Opens the store once; the notice says what happened to a broken file.
fn with_store<T>(
    store: &Mutex<Option<Store>>,
    notice: &mut Option<String>,
    f: impl FnOnce(&mut Store) -> Result<T, String>,
) -> Result<T, String> {
    let mut guard = store
        .lock()
        .map_err(|_| "the local database is unavailable".to_owned())?;
    if guard.is_none() {
        let path = crate::paths::data_dir()
            .map(|d| d.join(crate::store::FILE_NAME))
            .ok_or_else(|| "no data directory: set HOME or SEATS_DATA_DIR".to_owned())?;
        if let Some(dir) = path.parent() {
            crate::output::create_private_dir(dir)
                .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        }
        let (s, n) = Store::open(&path).map_err(|e| e.to_string())?;
        *notice = n;
        *guard = Some(s);
    }
    match guard.as_mut() {
        Some(s) => f(s),
        None => Err("the local database is unavailable".into()),
    }
}

impl Io {
    /// The job that runs a batch; None (and the console told why) when offline.
    fn batch_job(&self) -> Option<BatchJob> {
        let Some(client) = self.client.clone() else {
            let _ = self.tx.send(Action::BatchStarted(Err(
                "offline (--offline): run without it to change the org".into(),
            )));
            return None;
        };
        Some(BatchJob {
            tx: self.tx.clone(),
            client,
            org_id: self.org_id.clone(),
            operator: self.operator.clone(),
            config: self.config.clone(),
            myself: self.myself.clone(),
            control: self.control.clone(),
        })
    }

    /// Builds the undo plan (or the retry plan) of a batch, keeps it in the data dir's `plans/`
    /// (for `seats apply` and `:read`), and hands it to the confirm dialog; says plainly what
    /// cannot be undone.
    fn write_review_plan(&self, batch: i64, undo: bool) {
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let result = (|| {
                let journal = Journal::open_default().map_err(|e| e.to_string())?;
                let info = journal.batch(batch).map_err(|e| e.to_string())?;
                let items = journal.items(batch).map_err(|e| e.to_string())?;
                let now = chrono::Utc::now();
                let (plan, notes) = if undo {
                    let u =
                        crate::exec::undo_plan(&info, &items, now).map_err(|e| e.to_string())?;
                    let notes = u
                        .cannot_undo
                        .iter()
                        .chain(u.caveats.iter())
                        .map(|n| format!("{} ({}): {}", n.name, n.change, n.why))
                        .collect();
                    (u.plan, notes)
                } else {
                    let p =
                        crate::exec::retry_plan(&info, &items, now).map_err(|e| e.to_string())?;
                    (p, Vec::new())
                };
                let what = if undo { "undo" } else { "retry" };
                let path = save_plan(&format!("{what}-batch-{batch}.json"), &plan)?;
                Ok(Box::new(super::state::FileReview::new(
                    plan,
                    format!("{what} of batch {batch} (kept in {path})"),
                    notes,
                )))
            })();
            let _ = tx.send(Action::Review(result));
        });
    }

    pub(super) fn run(&self, effect: Effect) {
        match effect {
            Effect::Filter(req) => self.worker.submit(req),
            Effect::Breakdown(req) => self.breakdowns.submit(req),
            Effect::ListDir { request, dir } => paths::list_dir(self.tx.clone(), request, dir),
            Effect::LoadQueue => {
                let (tx, store, scope) = (self.tx.clone(), self.store.clone(), self.scope.clone());
                tokio::task::spawn_blocking(move || {
                    let mut notice = None;
                    let result = with_store(&store, &mut notice, |s| {
                        crate::plan::queue_store::load(s.connection(), &scope)
                            .map_err(|e| e.to_string())
                    });
                    let _ = tx.send(Action::QueueLoaded(result));
                });
            }
            Effect::SaveQueue(queue) => {
                let (tx, store, scope) = (self.tx.clone(), self.store.clone(), self.scope.clone());
                tokio::task::spawn_blocking(move || {
                    let mut notice = None;
                    let result = with_store(&store, &mut notice, |s| {
                        crate::plan::queue_store::save(s.connection(), &scope, &queue)
                            .map_err(|e| e.to_string())
                    });
                    if let Err(e) = result {
                        let _ = tx.send(Action::Notice(
                            Level::Error,
                            format!("the queue was not saved: {e}"),
                        ));
                    }
                });
            }
            Effect::BuildPlan {
                generation,
                directory,
                queue,
                context,
            } => {
                let (tx, client) = (self.tx.clone(), self.client.clone());
                let runtime = tokio::runtime::Handle::current();
                tokio::task::spawn_blocking(move || {
                    let mut context = context;
                    // Direct grants the user list cannot show (users who also hold the
                    // product through a group): without them the plan overstates seats freed.
                    if let Some(client) = client {
                        let wanted = crate::plan::needing_lookup(&directory, &queue, &context);
                        let grants = runtime.block_on(crate::atlassian::grants::direct_grants_for(
                            &client,
                            &directory.org_id,
                            &wanted,
                        ));
                        // As `seats plan`: no plan rather than one that counts seats
                        // freed that a direct grant keeps.
                        match grants {
                            Ok(grants) => context.direct_grants = grants,
                            Err(e) => {
                                let view = Err(format!(
                                    "the plan could not be made: direct grants could not be read ({e}); A tries again"
                                ));
                                let _ = tx.send(Action::Planned { generation, view });
                                return;
                            }
                        }
                    }
                    let view = Ok(super::plan_view::view(crate::plan::build_plan(
                        &directory, &queue, &context,
                    )));
                    let _ = tx.send(Action::Planned { generation, view });
                });
            }
            Effect::WritePlan {
                path,
                file,
                overwrite,
            } => paths::write_plan(self.tx.clone(), path, file, overwrite),
            Effect::ReadPlan(path) => {
                let (tx, org) = (self.tx.clone(), self.org_id.clone());
                tokio::task::spawn_blocking(move || {
                    let result = crate::plan::PlanFile::read(&path, Some(&org))
                        .map(Box::new)
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Action::PlanRead(result));
                });
            }
            Effect::Execute {
                file,
                dry_run,
                source,
            } => {
                if let Some(run) = self.batch_job() {
                    tokio::spawn(run.run(Start::New {
                        file,
                        dry_run,
                        source,
                    }));
                }
            }
            Effect::ResumeBatch(batch) => {
                if let Some(run) = self.batch_job() {
                    tokio::spawn(run.run(Start::Resume(batch)));
                }
            }
            Effect::StopBatch(batch) => {
                // Paused, the executor sends nothing new; the requests in flight come back
                // and are recorded, and the batch stays open for a resume.
                if let Ok(guard) = self.control.lock()
                    && let Some(c) = guard.as_ref()
                {
                    c.pause();
                }
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    if let Some(batch) = batch {
                        wait_for_in_flight(batch);
                    }
                    let _ = tx.send(Action::BatchStopped);
                });
            }
            Effect::SavePlan { name, file } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Action::PlanWritten(save_plan(&name, &file)));
                });
            }
            Effect::PauseBatch(paused) => {
                if let Ok(guard) = self.control.lock()
                    && let Some(c) = guard.as_ref()
                {
                    if paused { c.pause() } else { c.resume() }
                }
            }
            Effect::CancelBatch => {
                if let Ok(guard) = self.control.lock()
                    && let Some(c) = guard.as_ref()
                {
                    c.cancel();
                }
            }
            Effect::LoadHistory => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let result = Journal::open_default()
                        .and_then(|j| j.batches())
                        .map(|mut b| {
                            b.sort_by_key(|x| std::cmp::Reverse(x.id));
                            b
                        })
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Action::History(result));
                });
            }
            // History's items and the Queue's order (io/history.rs).
            e @ (Effect::LoadBatchItems { .. } | Effect::SortQueue { .. }) => {
                history::run(self.tx.clone(), e)
            }
            Effect::LoadRules => {
                let (tx, config) = (self.tx.clone(), self.config.clone());
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Action::RulesLoaded(
                        rules::load_rules(&config).map(Arc::new),
                    ));
                });
            }
            Effect::LoadSavings => {
                let (tx, org_id, currency) = (
                    self.tx.clone(),
                    self.org_id.clone(),
                    self.config.prices.currency.clone(),
                );
                tokio::task::spawn_blocking(move || {
                    let result = rules::load_savings(&org_id, &currency).map(Arc::new);
                    let _ = tx.send(Action::SavingsLoaded(result));
                });
            }
            Effect::WriteUndo(batch) => self.write_review_plan(batch, true),
            Effect::WriteGiveBack { batch, who } => {
                rules::write_give_back(self.tx.clone(), batch, who)
            }
            Effect::WriteRetry(batch) => self.write_review_plan(batch, false),
            Effect::LoadSnapshot => {
                let (tx, store, scope, config) = (
                    self.tx.clone(),
                    self.store.clone(),
                    self.scope.clone(),
                    self.config.clone(),
                );
                tokio::task::spawn_blocking(move || {
                    let mut notice = None;
                    let result = with_store(&store, &mut notice, |s| {
                        s.load_snapshot(&scope).map_err(|e| e.to_string())
                    });
                    let (loaded, notice) = match result {
                        Ok(dir) => (
                            dir.map(|d| Loaded::new(Arc::new(d), Origin::Snapshot, &config)),
                            notice,
                        ),
                        Err(e) => (None, Some(format!("{e} (no snapshot this time)"))),
                    };
                    let _ = tx.send(Action::SnapshotLoaded { loaded, notice });
                });
            }
            Effect::SaveSnapshot(dir) => {
                let (tx, store, scope) = (self.tx.clone(), self.store.clone(), self.scope.clone());
                tokio::task::spawn_blocking(move || {
                    let mut notice = None;
                    let result = with_store(&store, &mut notice, |s| {
                        s.save_snapshot(&scope, &dir).map_err(|e| e.to_string())
                    });
                    let _ = tx.send(Action::SnapshotSaved(result));
                });
            }
            Effect::Fetch => {
                let Some(client) = self.client.clone() else {
                    let _ = self
                        .tx
                        .send(Action::Fetched(Err("offline: no connection".into())));
                    return;
                };
                let (tx, org_id, config) =
                    (self.tx.clone(), self.org_id.clone(), self.config.clone());
                tokio::spawn(fetch(client, org_id, config, tx));
            }
        }
    }
}

/// Writes a plan file into the data dir's `plans/` (private, through the one writer); its path.
pub(super) fn save_plan(name: &str, plan: &crate::plan::PlanFile) -> Result<String, String> {
    let dir = crate::paths::data_dir()
        .ok_or_else(|| "no data directory: set HOME or SEATS_DATA_DIR".to_owned())?
        .join("plans");
    crate::output::create_private_dir(&dir)
        .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    let path = dir.join(name);
    plan.write(&path).map_err(|e| e.to_string())?;
    Ok(path.display().to_string())
}

/// Longest wait for the requests in flight when quitting during a batch.
const STOP_WAIT: Duration = Duration::from_secs(30);

/// Blocks until no item of `batch` is `sent` (twice in a row, a little apart, so an item the
/// executor was just handing out is seen), or [`STOP_WAIT`] passes. An item still `sent` then
/// is re-read by the resume, so nothing is sent twice either way.
fn wait_for_in_flight(batch: i64) {
    let Ok(journal) = Journal::open_default() else {
        return;
    };
    let started = Instant::now();
    let mut settled = 0;
    while started.elapsed() < STOP_WAIT && settled < 2 {
        std::thread::sleep(Duration::from_millis(150));
        let in_flight = journal
            .open_items(batch)
            .map(|items| {
                items
                    .iter()
                    .filter(|i| i.state == crate::exec::ItemState::Sent)
                    .count()
            })
            .unwrap_or(0);
        settled = if in_flight == 0 { settled + 1 } else { 0 };
    }
}

/// At most this often are pages arriving during a fetch shown.
const PARTIAL_EVERY: Duration = Duration::from_millis(500);
/// At most this many users in a partial view: a first screenful and more to search, not a
/// second copy of a 100,000-user directory while the fetch holds its own.
const PARTIAL_USERS: usize = 5_000;

/// A confirmed batch: journaled, then run by the executor, its events reported as actions.
struct BatchJob {
    tx: UnboundedSender<Action>,
    client: Client,
    org_id: String,
    operator: String,
    config: Config,
    myself: Vec<String>,
    control: Arc<Mutex<Option<Control>>>,
}

/// How a batch starts: a new one from a confirmed plan, or an interrupted one resumed.
enum Start {
    New {
        file: Box<crate::plan::PlanFile>,
        dry_run: bool,
        source: String,
    },
    Resume(i64),
}

impl BatchJob {
    /// Records a new batch in the journal through the one admission point (plan refusal,
    /// batch cap, step limit, plan identity), as `seats apply` does.
    async fn create(
        &self,
        shared: &SharedJournal,
        file: crate::plan::PlanFile,
        dry_run: bool,
        source: String,
    ) -> Result<i64, String> {
        let meta = NewBatch::from_plan(&file, self.operator.clone(), source, dry_run);
        let admission = crate::exec::Admission::from_config(&self.config);
        crate::exec::admit::submit_shared(shared, file, meta, admission)
            .await
            .map_err(|e| e.to_string())
    }

    async fn run(self, start: Start) {
        let started = async {
            let journal = tokio::task::spawn_blocking(Journal::open_default)
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?;
            let shared: SharedJournal = Arc::new(Mutex::new(journal));
            let batch = match start {
                Start::New {
                    file,
                    dry_run,
                    source,
                } => self.create(&shared, *file, dry_run, source).await?,
                // The executor's resume path: it takes over the dead process's lease and
                // runs only the open items, re-reading those left `sent`. The limits are
                // checked again first, as `seats apply --resume` does.
                Start::Resume(batch) => {
                    let admission = crate::exec::Admission::from_config(&self.config);
                    crate::exec::executor::with_journal(&shared, move |j| j.items(batch))
                        .await
                        .map_err(|e| e.to_string())
                        .and_then(|items| {
                            crate::exec::check_batch(&items, &admission).map_err(|e| e.to_string())
                        })?;
                    batch
                }
            };
            let myself: Vec<&str> = self.myself.iter().map(String::as_str).collect();
            let options = ExecOptions {
                concurrency: self.config.api.concurrency.max(1) as usize,
                protection: Protection::new(&self.config.protected, &myself),
                ..ExecOptions::default()
            };
            let target = Arc::new(Target::new(OrgApi::new(
                self.client.clone(),
                self.org_id.clone(),
            )));
            let running = crate::exec::start(shared, target, batch, options)
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>((batch, running))
        };
        let mut running = match started.await {
            Ok((batch, running)) => {
                let _ = self.tx.send(Action::BatchStarted(Ok(batch)));
                running
            }
            Err(e) => {
                let _ = self.tx.send(Action::BatchStarted(Err(e)));
                return;
            }
        };
        if let Ok(mut c) = self.control.lock() {
            *c = Some(running.control.clone());
        }
        while let Some(ev) = running.events.recv().await {
            let _ = self.tx.send(Action::Exec(ev));
        }
        let _ = running.task.await;
        if let Ok(mut c) = self.control.lock() {
            *c = None;
        }
    }
}

/// Fetches the directory, reporting progress and (while nothing else is on screen) the users
/// so far, and derives the views' data off the UI thread.
async fn fetch(client: Client, org_id: String, config: Config, tx: UnboundedSender<Action>) {
    let (ptx, mut prx) = unbounded_channel::<FetchEvent>();
    let progress_tx = tx.clone();
    let progress = tokio::spawn(async move {
        let (mut users, mut total, mut groups) = (0, None, None);
        while let Some(ev) = prx.recv().await {
            match ev {
                FetchEvent::UsersExpected { total: t } => total = Some(t),
                FetchEvent::Users { fetched } => users = fetched,
                FetchEvent::Groups { fetched, total } => groups = Some((fetched, total)),
                _ => continue,
            }
            let _ = progress_tx.send(Action::FetchProgress {
                fetched: users,
                total,
                groups,
            });
        }
    });
    // Pages as they arrive: the table is usable before the last one. Only the first
    // PARTIAL_USERS are kept for it: past that the partial view would be a second copy of the
    // directory beside the fetch's own, so it stays as it is until the complete one swaps in.
    let (pages_tx, mut pages_rx) = unbounded_channel::<Vec<crate::domain::User>>();
    let (partial_tx, partial_org, partial_config) = (tx.clone(), org_id.clone(), config.clone());
    let partial = tokio::spawn(async move {
        let mut users: Vec<crate::domain::User> = Vec::new();
        let mut shown = 0;
        let mut last = Instant::now();
        while let Some(page) = pages_rx.recv().await {
            if shown >= PARTIAL_USERS {
                // Dropping the receiver tells the fetch to stop copying pages for it.
                break;
            }
            users.extend(page);
            // Each partial view copies the users and rebuilds the filter's index: show one
            // only when the count has doubled, so a big org costs a few copies, not hundreds.
            if users.len() >= (shown * 2).max(1) && last.elapsed() >= PARTIAL_EVERY {
                if users.len() > PARTIAL_USERS {
                    users.truncate(PARTIAL_USERS);
                }
                shown = users.len();
                last = Instant::now();
                let dir = crate::domain::Directory {
                    org_id: partial_org.clone(),
                    fetched_at: chrono::Utc::now(),
                    users: if shown >= PARTIAL_USERS {
                        std::mem::take(&mut users)
                    } else {
                        users.clone()
                    },
                    groups: Vec::new(),
                    seats: Vec::new(),
                };
                let config = partial_config.clone();
                let loaded = tokio::task::spawn_blocking(move || {
                    Loaded::new(Arc::new(dir), Origin::Partial, &config)
                })
                .await;
                if let Ok(l) = loaded {
                    let _ = partial_tx.send(Action::Partial(l));
                }
            }
        }
    });
    let opts = FetchOptions {
        progress: Some(ptx),
        pages: Some(pages_tx),
        page_size: config.api.page_size,
        ..FetchOptions::everything()
    };
    let result = fetch_directory(&client, &org_id, opts).await;
    let _ = progress.await;
    let _ = partial.await;
    let action = match result {
        Ok(dir) => {
            let derived = tokio::task::spawn_blocking(move || {
                Loaded::new(Arc::new(dir), Origin::Live, &config)
            })
            .await;
            match derived {
                Ok(l) => Action::Fetched(Ok(l)),
                Err(e) => Action::Fetched(Err(format!("could not prepare the data: {e}"))),
            }
        }
        Err(e) => Action::Fetched(Err(e.to_string())),
    };
    let _ = tx.send(action);
}
