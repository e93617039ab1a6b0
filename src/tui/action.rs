//! What happens to the console (`Action`: keys, mouse, results of background work) and what
//! it asks the outside world to do (`Effect`: run in tasks that report back as actions).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyEvent, MouseEvent};

use super::loaded::Loaded;
use super::marks::RowSet;
use crate::domain::Directory;
use std::path::PathBuf;

use super::state::{FileReview, Level, PlanView};
use crate::exec::{BatchInfo, ExecEvent};
use crate::filter::{FilterRequest, FilterResult};
use crate::plan::{PlanContext, PlanFile, Queue};

#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// The clock, once a second: data ages and messages expire.
    Tick(DateTime<Utc>),
    /// The local snapshot was read (None: there is none). `notice` says what the store did,
    /// e.g. set a corrupt file aside.
    SnapshotLoaded {
        loaded: Option<Loaded>,
        notice: Option<String>,
    },
    FetchProgress {
        fetched: usize,
        total: Option<usize>,
        groups: Option<(usize, usize)>,
    },
    /// Users so far, while a fetch runs and nothing else is on screen.
    Partial(Loaded),
    Fetched(Result<Loaded, String>),
    SnapshotSaved(Result<(), String>),
    /// A filter pass finished; the set is its rows, built on the worker's thread.
    Filtered(FilterResult, Arc<RowSet>),
    /// The queue kept from the last session.
    QueueLoaded(Result<Queue, String>),
    /// The plan of the queue, or why it could not be made (a look-up it needs failed: a plan
    /// without it would overstate the seats freed, so none is shown).
    Planned {
        generation: u64,
        view: Result<PlanView, String>,
    },
    /// A plan file was written (its path) or not (why).
    PlanWritten(Result<String, String>),
    /// Something background work has to tell the admin that is no result of its own: a queue
    /// not saved, direct grants not read. Shown in the status line.
    Notice(Level, String),
    PlanRead(Result<Box<PlanFile>, String>),
    /// The confirmed batch is in the journal (its id) or could not be started (why).
    BatchStarted(Result<i64, String>),
    Exec(ExecEvent),
    History(Result<Vec<BatchInfo>, String>),
    /// A batch's items were read for History; an answer to an older load is stale.
    BatchItems {
        generation: u64,
        result: Result<Arc<super::batch_items::BatchItems>, String>,
    },
    /// The Queue view's targets in their order, made off the UI thread.
    QueueRows {
        generation: u64,
        rows: Arc<super::queue_view::QueueRows>,
    },
    /// An undo or retry plan built from History, ready for the confirm dialog.
    Review(Result<Box<FileReview>, String>),
    /// The rules' lifecycles were read (for the Rules view and Details).
    RulesLoaded(Result<Arc<super::rules::RulesData>, String>),
    /// Seats over time and money saved per month were read (the Activity view's chart).
    SavingsLoaded(Result<Arc<super::rules::SavingsView>, String>),
    /// Which groups give a selection its product, counted off the UI thread.
    Breakdown(Arc<super::breakdown::Breakdown>),
    /// The batch stopped for quitting: the requests in flight came back and are recorded.
    BatchStopped,
    /// A directory was listed for the `:` line's file completion (`request` is the
    /// `Effect::ListDir` it answers; an older one is dropped).
    DirListed {
        request: u64,
        listing: Result<super::complete::Listing, String>,
    },
}

#[derive(Debug)]
pub enum Effect {
    LoadSnapshot,
    /// Fetch the whole directory in the background, with progress and partial pages.
    Fetch,
    SaveSnapshot(Arc<Directory>),
    Filter(FilterRequest),
    /// Count which groups give a selection its product (`tui::breakdown::compute`).
    Breakdown(Box<super::breakdown::BreakdownRequest>),
    /// List a directory for the `:` line's file completion (`dir` as typed, `""` the working
    /// directory), bounded, off the UI thread.
    ListDir {
        request: u64,
        dir: String,
    },
    LoadQueue,
    SaveQueue(Arc<Queue>),
    /// Build the plan for the queue against the data on screen.
    BuildPlan {
        generation: u64,
        directory: Arc<Directory>,
        queue: Arc<Queue>,
        context: Box<PlanContext>,
    },
    WritePlan {
        path: PathBuf,
        file: Box<PlanFile>,
        /// `:w!`: replace a file that exists (else it is refused).
        overwrite: bool,
    },
    ReadPlan(PathBuf),
    /// Run the confirmed plan (or, with `dry_run`, record what it would do); `source` is
    /// what the journal says it came from.
    Execute {
        file: Box<PlanFile>,
        dry_run: bool,
        source: String,
    },
    /// Write a plan file into the data dir's `plans/` (a dry run's plan).
    SavePlan {
        name: String,
        file: Box<PlanFile>,
    },
    /// Finish an interrupted batch of the journal (through the executor's resume).
    ResumeBatch(i64),
    /// Stop the running batch for quitting: no new requests; report `BatchStopped` once the
    /// ones in flight are recorded. The batch stays open for a resume.
    StopBatch(Option<i64>),
    PauseBatch(bool),
    CancelBatch,
    LoadHistory,
    /// Read a batch's items from the journal (History, Enter).
    LoadBatchItems {
        batch: i64,
        generation: u64,
    },
    /// Order and filter the queue's targets for the Queue view (`queue_view::rows`).
    SortQueue {
        generation: u64,
        queue: Arc<Queue>,
        plan: Option<Arc<crate::plan::Plan>>,
        directory: Option<Arc<Directory>>,
        sort: super::queue_view::QueueSort,
        filter: super::queue_view::QueueFilter,
    },
    /// Read the lifecycles of the configured rules from the local database.
    LoadRules,
    /// Read seats used per product over time and money saved per month (the last year).
    LoadSavings,
    /// Build the inverse plan of a batch (undo) or its failed items (retry), keep it in the
    /// data dir, and open it in the confirm dialog.
    WriteUndo(i64),
    /// Build the plan that gives one user (account id or email) back what a batch took,
    /// keep it in the data dir, and open it in the confirm dialog.
    WriteGiveBack {
        batch: i64,
        who: String,
    },
    WriteRetry(i64),
}
