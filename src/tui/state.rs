//! `AppState`: everything the console shows, as plain data. No tokio, no terminal, no I/O:
//! `update` changes it, `ui::draw` reads it.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::loaded::Loaded;
use super::marks::{Marks, RowSet};
use super::menu::Menu;
pub use super::messages::{Flash, LOG_CAPACITY, Level, LogEntry, MessageLog};
use crate::config::Config;
use crate::domain::Protection;
use crate::filter::{QueryError, Sort};

pub use super::breakdown::{BreakdownSlot, Breakdowns};
pub use super::presets::{PRESETS, Preset};

pub use super::accounts::OrgAccounts;

/// The main views, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Users,
    Groups,
    Activity,
    Queue,
    History,
    Rules,
}

impl View {
    pub const ALL: [View; 6] = [
        View::Users,
        View::Groups,
        View::Activity,
        View::Queue,
        View::History,
        View::Rules,
    ];

    pub fn title(self) -> &'static str {
        match self {
            View::Users => "Users",
            View::Groups => "Groups",
            View::Activity => "Activity",
            View::Queue => "Queue",
            View::History => "History",
            View::Rules => "Rules",
        }
    }
}

/// Who and what the console runs against (plain data from the `Session`).
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub label: String,
    pub org_id: String,
    pub profile: Option<String>,
    /// The signed-in admin (email, account id): protected from every plan.
    pub myself: Vec<String>,
    pub online: bool,
    pub dry_run: bool,
}

/// The fetch in the background, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    Idle,
    Running {
        fetched: usize,
        total: Option<usize>,
        groups: Option<(usize, usize)>,
    },
    Failed(String),
}

/// The users table: the applied query, its rows and where the cursor is.
#[derive(Debug, Clone)]
pub struct UsersTable {
    /// The query the rows answer (the query line edits a copy).
    pub query: String,
    /// Indices into the directory's users, in display order.
    pub rows: Arc<Vec<u32>>,
    /// The same rows as a set, for counting hidden marks.
    pub shown_set: Arc<RowSet>,
    pub cursor: usize,
    /// First row on screen.
    pub offset: usize,
    pub sort: Sort,
    /// Newest filter request sent; results of older ones are dropped.
    pub requested: u64,
    /// Generation the rows come from.
    pub shown: u64,
    pub error: Option<QueryError>,
    pub took: Option<Duration>,
    /// Ctrl-a came while a filter pass was out: mark its rows when it lands.
    pub mark_all_pending: bool,
    /// The rows are limited to these users (a rule's state from the Rules view), with a label.
    pub only: Option<OnlyUsers>,
}

/// An explicit set of users the users table is limited to, named on screen.
#[derive(Debug, Clone)]
pub struct OnlyUsers {
    /// e.g. "rule idle-jira: in grace".
    pub label: String,
    pub ids: Arc<Vec<String>>,
    /// The same users as rows of the data on screen (remade with new data).
    pub set: Arc<RowSet>,
}

/// The Rules view: the rules' lifecycles (loaded off the UI thread), the rule under the cursor
/// and the state chosen.
#[derive(Debug, Clone, Default)]
pub struct RulesPanel {
    pub data: Option<Arc<super::rules::RulesData>>,
    pub error: Option<String>,
    pub list: ListCursor,
    /// Index into `State::ALL`.
    pub state: usize,
}

impl UsersTable {
    /// A result for the newest request is still out.
    pub fn pending(&self) -> bool {
        self.shown < self.requested
    }
}

/// A list with a cursor (groups, the activity products).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListCursor {
    pub cursor: usize,
    pub offset: usize,
}

/// The Activity view: which product and which bucket or preset is chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityPanel {
    pub product: usize,
    /// 0..6 are the histogram's buckets, then the presets (`PRESETS`).
    pub choice: usize,
}

/// Buckets plus presets.
pub const ACTIVITY_CHOICES: usize = 6 + PRESETS.len();

/// What the line at the bottom is typing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InputKind {
    /// `/`: the users query, applied as it is typed.
    #[default]
    Query,
    /// `:`: a command, run on Enter.
    Command,
}

/// The query or command line while it is open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryInput {
    pub text: String,
    /// Cursor position in chars.
    pub cursor: usize,
    pub kind: InputKind,
    /// The `:` line: the popup of commands or arguments, Tab's cycle, the directory listing.
    pub complete: super::complete::Completion,
}

impl QueryInput {
    /// The `:` line holding `text`, the cursor at its end.
    pub fn command(text: impl Into<String>) -> QueryInput {
        let text = text.into();
        QueryInput {
            cursor: text.chars().count(),
            text,
            kind: InputKind::Command,
            complete: Default::default(),
        }
    }

    /// The `/` line holding `text`, the cursor at its end.
    pub fn query(text: impl Into<String>) -> QueryInput {
        let text = text.into();
        QueryInput {
            cursor: text.chars().count(),
            text,
            kind: InputKind::Query,
            complete: Default::default(),
        }
    }
}

/// A plan built from the queue, with a note per queued target (held out, no-op, steps) and
/// the figures and summaries the screens show, all made off the UI thread with the plan.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub plan: Arc<crate::plan::Plan>,
    /// (operation id, account id) to what the plan does with that target.
    pub notes: Arc<std::collections::HashMap<(crate::plan::OperationId, String), String>>,
    /// The summary operation by operation, and the compact one for small terminals.
    pub summary: Arc<[String]>,
    pub compact: Arc<[String]>,
    pub affected: usize,
    pub steps: usize,
    pub held_out: usize,
    pub no_ops: usize,
    pub irreversible: bool,
}

/// The queue of operations and the plan made of it.
#[derive(Debug, Clone, Default)]
pub struct QueueState {
    /// The queued operations (what `A` reviews and runs). Shared with the tasks that save,
    /// plan and sort it (a queue of 100,000 targets is not copied per key); change it only
    /// through [`QueueState::set`] and [`QueueState::edit`], which keep `counts` and
    /// `conflicts` current.
    pub ops: Arc<crate::plan::Queue>,
    /// The queue's counts and conflicts, made once per change: drawing and the key footprint
    /// read them instead of a pass over every target.
    pub counts: crate::plan::QueueCounts,
    pub conflicts: Arc<[crate::plan::Conflict]>,
    pub list: ListCursor,
    pub plan: Option<PlanView>,
    /// Newest plan asked for; an older plan is stale.
    pub requested: u64,
    pub shown: u64,
    /// The queue before the last edit (one level, `z`).
    pub undo: Option<Arc<crate::plan::Queue>>,
    /// How the Queue view sorts and filters the targets (a view: the queue stays as it is).
    pub view: super::queue_view::QueueView,
    /// `A` came while the plan was being built: the review opens when it lands (Esc forgets).
    pub review_wanted: bool,
}

/// A queue edit that drops targets: asked first when it drops more than a handful.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueEdit {
    RemoveOperation(crate::plan::OperationId),
    RemoveTarget(crate::plan::OperationId, String),
    Clear,
}

/// The confirm dialog: focus starts on Cancel; irreversible plans need the count typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Confirm {
    pub on_run: bool,
    pub typed: String,
    pub scroll: usize,
    pub subject: Subject,
    /// Run was chosen once on a plan built from a partial directory: a second Enter runs it.
    pub partial_ok: bool,
}

/// What the confirm dialog reviews.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Subject {
    /// The queue's plan.
    #[default]
    Queue,
    /// A plan file with fixed steps (`AppState::review`): an undo or retry plan from History,
    /// or a file `:read` that holds no queue.
    File,
}

/// A plan file under review: its steps go out as they are, through the same dialog.
#[derive(Debug, Clone)]
pub struct FileReview {
    pub file: Arc<crate::plan::PlanFile>,
    /// Where it came from, for the title and the journal ("undo of batch 3").
    pub source: String,
    /// What the plan leaves out, said plainly (changes that cannot be undone).
    pub notes: Vec<String>,
    /// Its summary, with the notes (made once, not per frame).
    pub summary: Arc<[String]>,
    /// Distinct users with a step: the count a typed confirmation asks for.
    pub affected: usize,
    /// Some step seats cannot undo.
    pub irreversible: bool,
}

impl FileReview {
    pub fn new(file: crate::plan::PlanFile, source: String, notes: Vec<String>) -> FileReview {
        let mut summary = crate::plan::file_summary(&file);
        for n in notes.iter().take(3) {
            summary.push(format!("Not undone: {n}"));
        }
        if notes.len() > 3 {
            summary.push(format!("… and {} more not undone", notes.len() - 3));
        }
        let affected = file
            .steps
            .iter()
            .map(|s| s.account_id.as_str())
            .collect::<std::collections::HashSet<_>>()
            .len();
        let irreversible = file.steps.iter().any(|s| s.change.inverse().is_none());
        FileReview {
            file: Arc::new(file),
            source,
            notes,
            summary: summary.into(),
            affected,
            irreversible,
        }
    }
}

/// What covers the view.
#[derive(Debug, Clone)]
pub enum Overlay {
    Help {
        scroll: usize,
        /// Typed text narrowing the keys and commands listed.
        filter: super::menu::Narrow,
    },
    Details {
        user: u32,
        scroll: usize,
    },
    Menu(Menu),
    Confirm(Confirm),
    /// The message log (`L`): `back` entries up from the newest, which sits at the bottom.
    Log {
        back: usize,
    },
    /// `q` or Ctrl-C with a queue or a batch: asks first.
    QuitConfirm,
    /// A queue edit that drops more than a handful of targets: asks first.
    AskQueueEdit {
        edit: QueueEdit,
        text: String,
    },
}

/// Monochrome when `NO_COLOR` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

#[derive(Debug, Clone)]
pub struct AppState {
    pub session: SessionInfo,
    pub config: Config,
    pub protection: Protection,
    /// The org's accounts beyond the directory, when known (the demo).
    pub accounts: Option<OrgAccounts>,
    pub data: Option<Loaded>,
    pub fetch: Fetch,
    pub view: View,
    pub users: UsersTable,
    pub marks: Marks,
    /// Marks the filter hides (kept current by `update`, so frames do not count them).
    pub marks_hidden: usize,
    /// The marks revision and shown rows `marks_hidden` was counted for.
    pub marks_hidden_for: Option<(u64, Arc<RowSet>)>,
    /// Directory listings asked for by the `:` line this session: never reset, so a listing
    /// asked by an earlier line cannot pass for the answer to a new line's.
    pub listings_requested: u64,
    pub groups: ListCursor,
    pub activity: ActivityPanel,
    pub breakdowns: Breakdowns,
    pub queue: QueueState,
    /// The batch running now (or the last one, until the next starts).
    pub batch: Option<BatchRun>,
    /// The plan file the confirm dialog reviews when its subject is a file.
    pub review: Option<FileReview>,
    /// Quit was confirmed during a batch: it stops after the requests in flight, then the
    /// console exits.
    pub quitting: bool,
    pub history: HistoryState,
    pub rules: RulesPanel,
    /// The Activity view's chart of seats and savings over time (None until read).
    pub savings: Option<Arc<super::rules::SavingsView>>,
    pub input: Option<QueryInput>,
    pub overlay: Option<Overlay>,
    /// The newest message (status line) and every message so far (`L`).
    pub flash: Option<Flash>,
    pub log: MessageLog,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    pub now: DateTime<Utc>,
    /// `g` was pressed: a second `g` goes to the top.
    pub pending_g: bool,
    pub theme: Theme,
    pub quit: bool,
}

impl AppState {
    pub fn new(
        session: SessionInfo,
        config: Config,
        protection: Protection,
        now: DateTime<Utc>,
        size: (u16, u16),
        theme: Theme,
    ) -> AppState {
        AppState {
            session,
            config,
            protection,
            accounts: None,
            data: None,
            fetch: Fetch::Idle,
            view: View::Users,
            users: UsersTable {
                query: String::new(),
                rows: Arc::new(Vec::new()),
                shown_set: Arc::new(RowSet::default()),
                cursor: 0,
                offset: 0,
                sort: Sort::default(),
                requested: 0,
                shown: 0,
                error: None,
                took: None,
                mark_all_pending: false,
                only: None,
            },
            marks: Marks::default(),
            marks_hidden: 0,
            marks_hidden_for: None,
            listings_requested: 0,
            groups: ListCursor::default(),
            activity: ActivityPanel::default(),
            breakdowns: Breakdowns::default(),
            queue: QueueState::default(),
            batch: None,
            review: None,
            quitting: false,
            history: HistoryState::default(),
            rules: RulesPanel::default(),
            savings: None,
            input: None,
            overlay: None,
            flash: None,
            log: MessageLog::default(),
            size,
            now,
            pending_g: false,
            theme,
            quit: false,
        }
    }

    /// Users in the directory (0 before any data).
    pub fn total_users(&self) -> usize {
        self.data.as_ref().map_or(0, |d| d.dir.users.len())
    }

    /// The user under the cursor in the Users view.
    pub fn current_user(&self) -> Option<u32> {
        self.users.rows.get(self.users.cursor).copied()
    }
}

/// A row of the Queue view: an operation, or one of its targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueRow<'a> {
    Operation(&'a crate::plan::QueuedOperation),
    Target(&'a crate::plan::QueuedOperation, &'a str),
}

/// A batch the console runs: progress, the latest errors, pause and cancel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchRun {
    /// None until the journal has recorded it.
    pub id: Option<i64>,
    pub done: u64,
    pub failed: u64,
    pub skipped: u64,
    pub total: u64,
    pub rate_per_min: f64,
    pub eta_secs: Option<u64>,
    pub paused: bool,
    pub cancelling: bool,
    pub dry_run: bool,
    /// Started from the queue's plan: the queue empties once the journal has the batch.
    pub from_queue: bool,
    /// The newest failures and run errors, newest last (at most [`BATCH_ERRORS`]).
    pub errors: Vec<String>,
    /// How it ended, once it has.
    pub finished: Option<String>,
    /// Each distinct failure said in full once, and how many more items failed with it
    /// (said once, when the batch ends): thousands of failures do not flood the log.
    pub failure_kinds: Vec<(String, u64)>,
    /// Failures past [`FAILURE_KINDS`] distinct errors, counted only.
    pub failures_other: u64,
}

/// Errors a running batch keeps on screen.
pub const BATCH_ERRORS: usize = 5;

/// Distinct failure errors a batch says in full.
pub const FAILURE_KINDS: usize = 10;

impl BatchRun {
    pub fn running(&self) -> bool {
        self.finished.is_none()
    }
}

impl AppState {
    /// Batches in the journal that were started, not finished and that nobody runs: this
    /// console runs at most one, and a running batch whose process died is one of these.
    pub fn is_interrupted(&self, b: &crate::exec::BatchInfo) -> bool {
        let ours = self
            .batch
            .as_ref()
            .is_some_and(|r| r.running() && r.id == Some(b.id));
        b.is_unfinished() && !ours
    }

    /// Why fewer users are listed than the org has accounts (`accounts::note`).
    pub fn accounts_note(&self) -> Option<String> {
        super::accounts::note(self.accounts, self.data.as_ref())
    }

    /// "based on 279 of 1,970 users; seat figures are partial" while the directory on screen
    /// is a partial fetch.
    pub fn partial_note(&self) -> Option<String> {
        let d = self.data.as_ref()?;
        if d.origin != super::loaded::Origin::Partial {
            return None;
        }
        let have = super::format::thousands(d.dir.users.len());
        Some(match &self.fetch {
            Fetch::Running { total: Some(t), .. } => format!(
                "based on {have} of {} users; seat figures are partial (the fetch is still running)",
                super::format::thousands(*t)
            ),
            Fetch::Running { .. } => format!(
                "based on {have} users so far; seat figures are partial (the fetch is still running)"
            ),
            _ => format!(
                "based on {have} users, part of the directory; seat figures are partial (r fetches it again)"
            ),
        })
    }
}

/// The History view: batches from the journal, newest first.
#[derive(Debug, Clone, Default)]
pub struct HistoryState {
    pub batches: Vec<crate::exec::BatchInfo>,
    pub list: ListCursor,
    /// Interrupted batches were announced in the status line this session.
    pub announced: bool,
    /// Enter on a batch: its items, until Esc.
    pub items: Option<super::batch_items::ItemsPanel>,
    /// Newest items load asked for (answers to older ones are stale).
    pub items_requested: u64,
}
