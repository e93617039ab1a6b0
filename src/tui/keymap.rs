//! Keys and what they do, in one table: dispatch, the help screen and the status-line hints
//! all read it, so they cannot disagree (k9s and yazi conventions, which admins know).
//!
//! Long: the table is one row per key of every scope, and rustfmt writes a long row over
//! seven lines; split, the one table would be several again.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::batch_items::ItemFilter;
use super::state::{PRESETS, View};

/// What a key asks for, before the current view decides what that means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Down,
    Up,
    /// `g`: a second `g` goes to the top.
    GotoPrefix,
    Top,
    Bottom,
    PageDown,
    PageUp,
    Left,
    Right,
    Search,
    Facets,
    Sort,
    NextView,
    PrevView,
    Show(View),
    Open,
    Refresh,
    Help,
    Back,
    Quit,
    Mark,
    MarkRange,
    MarkAll,
    ClearMarks,
    /// The action menu for the marked users (or the current one).
    Actions,
    /// The `:` command line.
    CommandLine,
    /// Review and confirm the queue.
    Review,
    /// Remove the queue item under the cursor.
    Remove,
    /// Pause or resume the running batch.
    Pause,
    /// Cancel the running batch (calls in flight finish and are recorded).
    Cancel,
    /// History: write the batch's undo plan.
    Undo,
    /// History: write a plan of the batch's failed items.
    Retry,
    /// History: finish an interrupted batch.
    Resume,
    /// Details or History: review the plan that gives back what a reclaim batch took.
    GiveBack,
    /// Queue: undo the last queue edit (again: redo it).
    UndoQueueEdit,
    /// The message log (every message, newest last).
    Log,
    /// History: the batch's items, shown through this filter (again: every item).
    Items(ItemFilter),
    /// Queue: the next order of the targets (as queued, action, user, state).
    QueueSort,
    /// Queue: the next filter (every target, held out, each operation).
    QueueFilter,
    /// Activity: the users of a preset (an index into `state::PRESETS`), at once.
    Preset(usize),
    /// Confirm dialog: between Cancel and Run.
    Toggle,
    /// Yes to a question (quit, a big queue edit).
    Yes,
    /// Lines: clear the line.
    ClearLine,
    /// Lines: delete the word before the cursor.
    DeleteWord,
    /// Lines and the typed count: delete the character before the cursor.
    DeleteBack,
    /// Lines: delete the character under the cursor.
    DeleteForward,
    /// The `:` line: complete the word (again: the next choice).
    Complete,
    /// The `:` line: the previous choice.
    CompleteBack,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    Users,
    Groups,
    Activity,
    Queue,
    History,
    Rules,
    /// A pop-up menu (facets, sort, actions).
    Menu,
    /// Help and the details pane: scrolling text.
    Reading,
    /// The confirm dialog.
    Dialog,
    /// A yes-or-no question (quit, a big queue edit): any other key is no.
    Question,
    /// The query line and the `:` command line; other characters are typed.
    Line,
}

impl Scope {
    pub fn title(self) -> &'static str {
        match self {
            Scope::Everywhere => "Everywhere",
            Scope::Users => "Users",
            Scope::Groups => "Groups",
            Scope::Activity => "Activity",
            Scope::Queue => "Queue",
            Scope::History => "History",
            Scope::Rules => "Rules",
            Scope::Menu => "Menus",
            Scope::Reading => "Help and details",
            Scope::Dialog => "Confirm dialog",
            Scope::Question => "Questions",
            Scope::Line => "Query and command lines",
        }
    }

    pub fn of(view: View) -> Scope {
        match view {
            View::Users => Scope::Users,
            View::Groups => Scope::Groups,
            View::Activity => Scope::Activity,
            View::Queue => Scope::Queue,
            View::History => Scope::History,
            View::Rules => Scope::Rules,
        }
    }
}

pub struct Binding {
    pub code: KeyCode,
    pub mods: KeyModifiers,
    /// How the help screen writes the key.
    pub label: &'static str,
    pub command: Command,
    pub scope: Scope,
    pub help: &'static str,
    /// Shown in the status line of its scope.
    pub hint: bool,
}

const fn bind(
    code: KeyCode,
    label: &'static str,
    command: Command,
    scope: Scope,
    help: &'static str,
    hint: bool,
) -> Binding {
    Binding {
        code,
        mods: KeyModifiers::NONE,
        label,
        command,
        scope,
        help,
        hint,
    }
}

/// A binding with Ctrl held.
const fn ctrl(
    code: KeyCode,
    label: &'static str,
    command: Command,
    scope: Scope,
    help: &'static str,
) -> Binding {
    Binding {
        code,
        mods: KeyModifiers::CONTROL,
        label,
        command,
        scope,
        help,
        hint: false,
    }
}

use Command as C;
use KeyCode as K;
use Scope as S;

pub const BINDINGS: &[Binding] = &[
    bind(
        K::Char('j'),
        "j/↓",
        C::Down,
        S::Everywhere,
        "move down",
        false,
    ),
    bind(K::Down, "", C::Down, S::Everywhere, "", false),
    bind(K::Char('k'), "k/↑", C::Up, S::Everywhere, "move up", false),
    bind(K::Up, "", C::Up, S::Everywhere, "", false),
    bind(
        K::Char('g'),
        "gg",
        C::GotoPrefix,
        S::Everywhere,
        "first row",
        false,
    ),
    bind(K::Home, "", C::Top, S::Everywhere, "", false),
    bind(
        K::Char('G'),
        "G",
        C::Bottom,
        S::Everywhere,
        "last row",
        false,
    ),
    bind(K::End, "", C::Bottom, S::Everywhere, "", false),
    bind(
        K::PageDown,
        "PgDn",
        C::PageDown,
        S::Everywhere,
        "page down",
        false,
    ),
    bind(
        K::PageUp,
        "PgUp",
        C::PageUp,
        S::Everywhere,
        "page up",
        false,
    ),
    bind(
        K::Tab,
        "Tab",
        C::NextView,
        S::Everywhere,
        "next view",
        false,
    ),
    bind(
        K::BackTab,
        "S-Tab",
        C::PrevView,
        S::Everywhere,
        "previous view",
        false,
    ),
    bind(
        K::Char('1'),
        "1",
        C::Show(View::Users),
        S::Everywhere,
        "Users view",
        false,
    ),
    bind(
        K::Char('2'),
        "2",
        C::Show(View::Groups),
        S::Everywhere,
        "Groups view",
        false,
    ),
    bind(
        K::Char('3'),
        "3",
        C::Show(View::Activity),
        S::Everywhere,
        "Activity view",
        false,
    ),
    bind(
        K::Char('r'),
        "r",
        C::Refresh,
        S::Everywhere,
        "refresh from Atlassian",
        false,
    ),
    bind(K::Char('?'), "?", C::Help, S::Everywhere, "this help", true),
    bind(
        K::Esc,
        "Esc",
        C::Back,
        S::Everywhere,
        "close, clear or step back (never quits)",
        false,
    ),
    bind(K::Char('q'), "q", C::Quit, S::Everywhere, "quit", true),
    ctrl(K::Char('c'), "", C::Quit, S::Everywhere, ""),
    ctrl(K::Char('d'), "", C::PageDown, S::Everywhere, ""),
    ctrl(K::Char('u'), "", C::PageUp, S::Everywhere, ""),
    bind(
        K::Char('/'),
        "/",
        C::Search,
        S::Users,
        "search: words and facets (Enter keeps, Esc clears)",
        true,
    ),
    // From the other views too, where their query line offers it (Groups stays, the others
    // open Users): out of their hints, which have more pressing keys.
    bind(K::Char('/'), "", C::Search, S::Everywhere, "", false),
    bind(
        K::Char('f'),
        "f",
        C::Facets,
        S::Users,
        "facet menu: writes filter tokens",
        true,
    ),
    bind(
        K::Char('s'),
        "s",
        C::Sort,
        S::Users,
        "sort by a column",
        true,
    ),
    bind(
        K::Enter,
        "Enter",
        C::Open,
        S::Users,
        "details of the user",
        true,
    ),
    bind(
        K::Char(' '),
        "Space",
        C::Mark,
        S::Users,
        "mark or unmark, and move down",
        true,
    ),
    bind(
        K::Char('V'),
        "V",
        C::MarkRange,
        S::Users,
        "start a range; V again marks it",
        false,
    ),
    ctrl(
        K::Char('a'),
        "C-a",
        C::MarkAll,
        S::Users,
        "mark every user the filter shows",
    ),
    bind(
        K::Char('\\'),
        "\\",
        C::ClearMarks,
        S::Users,
        "clear every mark",
        false,
    ),
    bind(
        K::Enter,
        "Enter",
        C::Open,
        S::Groups,
        "narrow to the group's members, adding group:NAME to the query",
        true,
    ),
    bind(
        K::Char('h'),
        "h/←",
        C::Left,
        S::Activity,
        "previous bucket or preset",
        true,
    ),
    bind(K::Left, "", C::Left, S::Activity, "", false),
    bind(
        K::Char('l'),
        "l/→",
        C::Right,
        S::Activity,
        "next bucket or preset",
        true,
    ),
    bind(K::Right, "", C::Right, S::Activity, "", false),
    bind(
        K::Enter,
        "Enter",
        C::Open,
        S::Activity,
        "users in the chosen bucket or preset",
        true,
    ),
    // The presets' keys, shown on each preset: one key from the Activity view to its users.
    bind(
        K::Char(PRESETS[0].key),
        "a…e",
        C::Preset(0),
        S::Activity,
        "users of a preset at once: a ≥30 days idle, b ≥60, c ≥90, d ≥180, e never active",
        true,
    ),
    bind(
        K::Char(PRESETS[1].key),
        "",
        C::Preset(1),
        S::Activity,
        "",
        false,
    ),
    bind(
        K::Char(PRESETS[2].key),
        "",
        C::Preset(2),
        S::Activity,
        "",
        false,
    ),
    bind(
        K::Char(PRESETS[3].key),
        "",
        C::Preset(3),
        S::Activity,
        "",
        false,
    ),
    bind(
        K::Char(PRESETS[4].key),
        "",
        C::Preset(4),
        S::Activity,
        "",
        false,
    ),
    bind(
        K::Char('4'),
        "4",
        C::Show(View::Queue),
        S::Everywhere,
        "Queue view",
        false,
    ),
    bind(
        K::Char(':'),
        ":",
        C::CommandLine,
        S::Everywhere,
        "command line: lists the commands as you type, Tab completes",
        false,
    ),
    bind(
        K::Char('A'),
        "A",
        C::Review,
        S::Everywhere,
        "review and confirm the queue",
        true,
    ),
    bind(
        K::Char('a'),
        "a",
        C::Actions,
        S::Users,
        "queue an action for the marked users (or this one)",
        true,
    ),
    bind(
        K::Char('d'),
        "d",
        C::Remove,
        S::Queue,
        "remove the target, or the whole operation",
        true,
    ),
    bind(K::Delete, "", C::Remove, S::Queue, "", false),
    bind(
        K::Char('5'),
        "5",
        C::Show(View::History),
        S::Everywhere,
        "History view",
        false,
    ),
    bind(
        K::Char('6'),
        "6",
        C::Show(View::Rules),
        S::Everywhere,
        "Rules view",
        false,
    ),
    bind(
        K::Char('p'),
        "p",
        C::Pause,
        S::Everywhere,
        "pause or resume the running batch",
        false,
    ),
    bind(
        K::Char('X'),
        "X",
        C::Cancel,
        S::Everywhere,
        "cancel the running batch (calls in flight finish)",
        false,
    ),
    bind(
        K::Char('u'),
        "u",
        C::Undo,
        S::History,
        "review and run the batch's undo plan",
        true,
    ),
    bind(
        K::Char('R'),
        "R",
        C::Retry,
        S::History,
        "review and run the batch's failed items again",
        true,
    ),
    bind(
        K::Char('c'),
        "c",
        C::Resume,
        S::History,
        "resume the interrupted batch",
        true,
    ),
    bind(
        K::Char('b'),
        "b",
        C::GiveBack,
        S::History,
        "give back to one user what the batch took (:give-back BATCH USER)",
        true,
    ),
    bind(
        K::Char('z'),
        "z",
        C::UndoQueueEdit,
        S::Queue,
        "undo the last queue edit (z again redoes it)",
        true,
    ),
    bind(K::Char('u'), "", C::UndoQueueEdit, S::Queue, "", false),
    // The message log, a batch's items, the Queue's order and filter.
    bind(
        K::Char('L'),
        "L",
        C::Log,
        S::Everywhere,
        "message log: every message, whole, newest last",
        false,
    ),
    bind(
        K::Char('s'),
        "s",
        C::QueueSort,
        S::Queue,
        "sort: as queued, action, user, state",
        true,
    ),
    bind(
        K::Char('f'),
        "f",
        C::QueueFilter,
        S::Queue,
        "filter: all, held out, one action",
        true,
    ),
    bind(
        K::Enter,
        "Enter",
        C::Items(ItemFilter::All),
        S::History,
        "the batch's items (Esc back to the batches)",
        true,
    ),
    bind(
        K::Char('f'),
        "f",
        C::Items(ItemFilter::Failed),
        S::History,
        "failed items only (again: all)",
        true,
    ),
    bind(
        K::Char('s'),
        "s",
        C::Items(ItemFilter::Skipped),
        S::History,
        "skipped items only (again: all)",
        false,
    ),
    bind(
        K::Char('a'),
        "a",
        C::Items(ItemFilter::All),
        S::History,
        "every item",
        false,
    ),
    bind(
        K::Char('L'),
        "L",
        C::Log,
        S::Reading,
        "close the message log",
        false,
    ),
    bind(
        K::Char('h'),
        "h/←",
        C::Left,
        S::Rules,
        "previous state",
        true,
    ),
    bind(K::Left, "", C::Left, S::Rules, "", false),
    bind(K::Char('l'), "l/→", C::Right, S::Rules, "next state", true),
    bind(K::Right, "", C::Right, S::Rules, "", false),
    bind(
        K::Enter,
        "Enter",
        C::Open,
        S::Rules,
        "users of the rule in the chosen state",
        true,
    ),
    // Overlays and lines: only their own rows apply (no Everywhere keys inside a menu).
    bind(K::Char('j'), "j/↓", C::Down, S::Menu, "next item", false),
    bind(K::Down, "", C::Down, S::Menu, "", false),
    bind(K::Char('k'), "k/↑", C::Up, S::Menu, "previous item", false),
    bind(K::Up, "", C::Up, S::Menu, "", false),
    bind(
        K::PageDown,
        "PgDn",
        C::PageDown,
        S::Menu,
        "page down",
        false,
    ),
    bind(K::PageUp, "PgUp", C::PageUp, S::Menu, "page up", false),
    bind(K::Enter, "Enter/l", C::Open, S::Menu, "choose", false),
    bind(K::Char('l'), "", C::Open, S::Menu, "", false),
    bind(K::Right, "", C::Open, S::Menu, "", false),
    bind(
        K::Esc,
        "Esc/h",
        C::Back,
        S::Menu,
        "clear the filter, else back to the menu before",
        false,
    ),
    bind(K::Char('h'), "", C::Back, S::Menu, "", false),
    bind(K::Char('q'), "q", C::Quit, S::Menu, "close", false),
    // Typing narrows menus and help: any character no row binds starts the filter, `/`
    // starts it for j, k, h, l and q too.
    bind(
        K::Char('/'),
        "/",
        C::Search,
        S::Menu,
        "filter: type to narrow the items (any other letter starts it too)",
        false,
    ),
    bind(
        K::Backspace,
        "Bksp",
        C::DeleteBack,
        S::Menu,
        "widen the filter; with none, back",
        false,
    ),
    bind(
        K::Char('/'),
        "/",
        C::Search,
        S::Reading,
        "help: filter the keys and commands (typing starts it too)",
        false,
    ),
    bind(
        K::Backspace,
        "Bksp",
        C::DeleteBack,
        S::Reading,
        "help: widen the filter",
        false,
    ),
    bind(
        K::Tab,
        "Tab",
        C::Complete,
        S::Line,
        "complete a command, an argument or a facet; again: the next choice",
        false,
    ),
    bind(
        K::BackTab,
        "S-Tab",
        C::CompleteBack,
        S::Line,
        "the previous choice",
        false,
    ),
    bind(
        K::Char('j'),
        "j/↓",
        C::Down,
        S::Reading,
        "scroll down",
        false,
    ),
    bind(K::Down, "", C::Down, S::Reading, "", false),
    bind(K::Char('k'), "k/↑", C::Up, S::Reading, "scroll up", false),
    bind(
        K::Char('b'),
        "b",
        C::GiveBack,
        S::Reading,
        "details: give back what the rule's reclaim took from the user",
        false,
    ),
    bind(K::Up, "", C::Up, S::Reading, "", false),
    bind(
        K::PageDown,
        "PgDn",
        C::PageDown,
        S::Reading,
        "page down",
        false,
    ),
    bind(K::PageUp, "PgUp", C::PageUp, S::Reading, "page up", false),
    bind(
        K::Esc,
        "Esc/q",
        C::Back,
        S::Reading,
        "close (help: clear the filter first)",
        false,
    ),
    bind(K::Char('q'), "", C::Quit, S::Reading, "", false),
    bind(K::Char('?'), "?", C::Help, S::Reading, "close help", false),
    bind(
        K::Tab,
        "Tab/←/→",
        C::Toggle,
        S::Dialog,
        "between Cancel and Run",
        false,
    ),
    bind(K::BackTab, "", C::Toggle, S::Dialog, "", false),
    bind(K::Left, "", C::Toggle, S::Dialog, "", false),
    bind(K::Right, "", C::Toggle, S::Dialog, "", false),
    bind(K::Char('h'), "h", C::Left, S::Dialog, "Cancel", false),
    bind(K::Char('l'), "l", C::Right, S::Dialog, "Run", false),
    bind(
        K::Char('j'),
        "j/↓",
        C::Down,
        S::Dialog,
        "scroll down",
        false,
    ),
    bind(K::Down, "", C::Down, S::Dialog, "", false),
    bind(K::Char('k'), "k/↑", C::Up, S::Dialog, "scroll up", false),
    bind(K::Up, "", C::Up, S::Dialog, "", false),
    bind(
        K::PageDown,
        "PgDn",
        C::PageDown,
        S::Dialog,
        "page down",
        false,
    ),
    bind(K::PageUp, "PgUp", C::PageUp, S::Dialog, "page up", false),
    bind(
        K::Backspace,
        "Bksp",
        C::DeleteBack,
        S::Dialog,
        "delete a typed digit",
        false,
    ),
    bind(
        K::Enter,
        "Enter",
        C::Open,
        S::Dialog,
        "the button chosen",
        false,
    ),
    bind(K::Esc, "Esc/q", C::Back, S::Dialog, "cancel", false),
    bind(K::Char('q'), "", C::Quit, S::Dialog, "", false),
    bind(
        K::Char('y'),
        "y",
        C::Yes,
        S::Question,
        "yes (any other key: no)",
        false,
    ),
    bind(K::Char('Y'), "", C::Yes, S::Question, "", false),
    bind(
        K::Enter,
        "Enter",
        C::Open,
        S::Line,
        "keep the query, or run the command",
        false,
    ),
    bind(
        K::Esc,
        "Esc",
        C::Back,
        S::Line,
        "close (the query line: clear it)",
        false,
    ),
    bind(K::Down, "↓", C::Down, S::Line, "move down the table", false),
    bind(K::Up, "↑", C::Up, S::Line, "move up the table", false),
    ctrl(K::Char('u'), "C-u", C::ClearLine, S::Line, "clear the line"),
    ctrl(
        K::Char('w'),
        "C-w",
        C::DeleteWord,
        S::Line,
        "delete the word before",
    ),
    bind(
        K::Backspace,
        "Bksp",
        C::DeleteBack,
        S::Line,
        "delete before",
        false,
    ),
    bind(
        K::Delete,
        "Del",
        C::DeleteForward,
        S::Line,
        "delete under",
        false,
    ),
    bind(K::Left, "←", C::Left, S::Line, "cursor left", false),
    bind(K::Right, "→", C::Right, S::Line, "cursor right", false),
    bind(K::Home, "Home", C::Top, S::Line, "start of line", false),
    bind(K::End, "End", C::Bottom, S::Line, "end of line", false),
];

/// The command bound to a key in this view, if any. View bindings win over global ones.
/// Ctrl and Alt must be as the table says; Shift is part of the character (`G`, `V`).
pub fn command_for(key: &KeyEvent, view: View) -> Option<Command> {
    let held = key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
    let scope = Scope::of(view);
    let matches = |b: &&Binding| b.code == key.code && b.mods == held;
    BINDINGS
        .iter()
        .filter(matches)
        .find(|b| b.scope == scope)
        .or_else(|| {
            BINDINGS
                .iter()
                .filter(matches)
                .find(|b| b.scope == S::Everywhere)
        })
        .map(|b| b.command)
}

/// The command a key has in one scope only (overlays and lines: no Everywhere keys there).
pub fn command_in(key: &KeyEvent, scope: Scope) -> Option<Command> {
    let held = key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
    BINDINGS
        .iter()
        .find(|b| b.scope == scope && b.code == key.code && b.mods == held)
        .map(|b| b.command)
}

/// The scopes in the order help shows them: each once (the current view's moves first).
pub const SCOPES: &[Scope] = &[
    Scope::Everywhere,
    Scope::Users,
    Scope::Groups,
    Scope::Activity,
    Scope::Queue,
    Scope::History,
    Scope::Rules,
    Scope::Menu,
    Scope::Reading,
    Scope::Dialog,
    Scope::Question,
    Scope::Line,
];

/// Help lines: (scope title, key label, what it does), grouped by scope (each heading once):
/// `view`'s keys first, then everywhere, the other views, menus, dialogs and lines; table
/// order within a scope, aliases left out.
pub fn help_lines(view: View) -> Vec<(&'static str, &'static str, &'static str)> {
    let first = Scope::of(view);
    std::iter::once(first)
        .chain(SCOPES.iter().copied().filter(|s| *s != first))
        .flat_map(|scope| {
            BINDINGS
                .iter()
                .filter(move |b| b.scope == scope && !b.label.is_empty())
                .map(|b| (b.scope.title(), b.label, b.help))
        })
        .collect()
}

/// The hints the status line shows in a view.
pub fn hints(view: View) -> Vec<(&'static str, &'static str)> {
    let scope = Scope::of(view);
    let mut out: Vec<(&str, &str)> = BINDINGS
        .iter()
        .filter(|b| b.hint && b.scope == scope)
        .map(|b| (b.label, short(b.help)))
        .collect();
    out.extend(
        BINDINGS
            .iter()
            .filter(|b| b.hint && b.scope == S::Everywhere)
            .map(|b| (b.label, short(b.help))),
    );
    out
}

/// The first words of a help text, for the status line.
fn short(help: &'static str) -> &'static str {
    help.split([':', ',']).next().unwrap_or(help)
}
