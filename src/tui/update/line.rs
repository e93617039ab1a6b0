//! The query line and the `:` command line: what typed text does.

#[allow(unused_imports)]
use super::*;

/// A `:` line: validated against the command catalogue (`tui::commands`) before anything
/// runs; what is wrong goes to the status line with what was meant, and the line stays open
/// with the text to mend it.
pub(super) fn run_command(state: &mut AppState, line: &str) -> Vec<Effect> {
    let cx = Context {
        data: state.data.as_ref(),
        batches: &state.history.batches,
    };
    let run = match validate(line, &cx) {
        Ok(Some(run)) => run,
        Ok(None) => return vec![],
        Err(why) => {
            state.input = Some(QueryInput::command(line));
            flash(state, Level::Error, why);
            return vec![];
        }
    };
    match run {
        Run::Quit => self::run(state, Command::Quit, false),
        Run::Help => {
            state.overlay = Some(Overlay::Help {
                scroll: 0,
                filter: Default::default(),
            });
            vec![]
        }
        Run::Queue(kind) => enqueue(state, kind),
        Run::ClearQueue => ask_or_edit(state, QueueEdit::Clear),
        Run::GiveBack { batch, who } => give_back(state, batch, who),
        Run::Read(path) => vec![Effect::ReadPlan(path)],
        Run::Write(path, overwrite) => match state.queue.plan.as_ref() {
            Some(view) if !state.queue.plan_pending() => {
                let file = PlanFile::new(
                    &view.plan,
                    &state.queue.ops,
                    state.session.profile.clone(),
                    state.queue.ops.query().map(str::to_owned),
                    state.now,
                );
                vec![Effect::WritePlan {
                    path,
                    file: Box::new(file),
                    overwrite,
                }]
            }
            _ => {
                flash(
                    state,
                    Level::Warn,
                    "nothing planned yet: queue an action first",
                );
                vec![]
            }
        },
    }
}

/// Makes the `:` line's popup again when its text or cursor moved (not while Tab cycles: the
/// choices stay those of the word Tab started from). O(commands), O(products) or O(groups).
pub(super) fn refresh_suggestions(state: &mut AppState) {
    if state
        .input
        .as_ref()
        .is_some_and(|i| i.kind == InputKind::Command)
    {
        make_suggestions(state);
    }
}

/// The suggestions for the line as it is (the `/` line's only on Tab: its popup would cover
/// the rows being filtered).
fn make_suggestions(state: &mut AppState) {
    let Some(input) = state.input.as_mut() else {
        return;
    };
    if input.complete.cycling.is_some() {
        return;
    }
    let current = |(text, cursor): &(String, usize)| *text == input.text && *cursor == input.cursor;
    if input.complete.made_for.as_ref().is_some_and(current) {
        return;
    }
    let cx = Context {
        data: state.data.as_ref(),
        batches: &state.history.batches,
    };
    input.complete.suggestions = match input.kind {
        InputKind::Command => suggest(
            &input.text,
            input.cursor,
            &cx,
            input.complete.listing.as_ref(),
        ),
        InputKind::Query => suggest_query(&input.text, input.cursor, &cx),
    };
    input.complete.made_for = Some((input.text.clone(), input.cursor));
}

/// Tab (`back`: Shift-Tab) on the `:` line: one choice is inserted (with a space when another
/// argument follows); several share a longer prefix: that; else the first, and Tab again
/// cycles. A file argument whose folder is not listed yet asks for the listing and completes
/// when it lands.
pub(super) fn tab(state: &mut AppState, back: bool) -> Vec<Effect> {
    make_suggestions(state);
    let Some(input) = state.input.as_mut() else {
        return vec![];
    };
    let c = &mut input.complete;
    let items = &c.suggestions.items;
    let start = c.suggestions.word_start;
    if let Some(i) = c.cycling {
        let n = items.len().max(1);
        let next = if back { (i + n - 1) % n } else { (i + 1) % n };
        if let Some(item) = items.get(next) {
            let (text, cursor) = replace(&input.text, start, input.cursor, &item.insert);
            input.text = text;
            input.cursor = cursor;
            c.cycling = Some(next);
        }
        return vec![];
    }
    if items.is_empty() {
        if let Some(dir) = c.suggestions.wants_listing.clone() {
            state.listings_requested += 1;
            c.asked = state.listings_requested;
            c.tab_waiting = true;
            return vec![Effect::ListDir {
                request: c.asked,
                dir,
            }];
        }
        return vec![];
    }
    let typed: String = input
        .text
        .chars()
        .skip(start)
        .take(input.cursor.saturating_sub(start))
        .collect();
    let (insert, cycle) = if items.len() == 1 {
        let item = &items[0];
        let space = if item.then_space { " " } else { "" };
        (format!("{}{space}", item.insert), None)
    } else {
        let prefix = common_prefix(items);
        // Only a prefix of what was typed: `js` is no prefix of `jira-s` (an alias matched).
        if prefix.chars().count() > typed.chars().count()
            && prefix.to_lowercase().starts_with(&typed.to_lowercase())
        {
            (prefix, None)
        } else {
            let first = if back { items.len() - 1 } else { 0 };
            (items[first].insert.clone(), Some(first))
        }
    };
    let (text, cursor) = replace(&input.text, start, input.cursor, &insert);
    input.text = text;
    input.cursor = cursor;
    c.cycling = cycle;
    vec![]
}

/// The folder listing for file completion arrived: kept for narrowing without I/O, and a Tab
/// that waited for it completes now.
pub(super) fn on_dir_listed(
    state: &mut AppState,
    request: u64,
    listing: Result<Listing, String>,
) -> Vec<Effect> {
    let Some(input) = state
        .input
        .as_mut()
        .filter(|i| i.kind == InputKind::Command && i.complete.asked == request)
    else {
        return vec![];
    };
    let waiting = std::mem::take(&mut input.complete.tab_waiting);
    match listing {
        Ok(listing) => {
            input.complete.listing = Some(listing);
            input.complete.made_for = None;
            if waiting {
                return tab(state, false);
            }
        }
        Err(why) => flash(state, Level::Warn, why),
    }
    vec![]
}

pub(super) fn on_query_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let Some(input) = state.input.as_mut() else {
        return vec![];
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let len = input.text.chars().count();
    let byte_at = |text: &str, chars: usize| {
        text.char_indices()
            .nth(chars)
            .map_or(text.len(), |(i, _)| i)
    };
    let mut changed = false;
    let command = input.kind == InputKind::Command;
    let bound = command_in(&key, Scope::Line);
    match bound {
        Some(Command::Complete | Command::CompleteBack) => {
            let effects = tab(state, bound == Some(Command::CompleteBack));
            if command {
                return effects;
            }
            // The query line: what Tab wrote applies like typed text.
            return apply_query(state).into_iter().chain(effects).collect();
        }
        // Any other key ends Tab's cycle: the choice stays, the popup follows the line.
        _ => input.complete.cycling = None,
    }
    // The lines' scope of the keymap; a character no row binds is typed.
    match (bound, key.code) {
        (Some(Command::Open), _) if command => {
            let line = input.text.clone();
            state.input = None;
            return run_command(state, &line);
        }
        (Some(Command::Back), _) if command => {
            state.input = None;
            return vec![];
        }
        (Some(Command::Open), _) => {
            state.input = None;
            return vec![];
        }
        (Some(Command::Back), _) => {
            state.input = None;
            if state.users.query.is_empty() {
                return vec![];
            }
            state.users.query.clear();
            return filter(state).into_iter().collect();
        }
        (Some(Command::Down), _) => {
            move_by(state, 1);
            return vec![];
        }
        (Some(Command::Up), _) => {
            move_by(state, -1);
            return vec![];
        }
        (Some(Command::ClearLine), _) => {
            input.text.clear();
            input.cursor = 0;
            changed = true;
        }
        (Some(Command::DeleteWord), _) => {
            let at = byte_at(&input.text, input.cursor);
            let head = input.text[..at].trim_end();
            let cut = head.rfind(' ').map_or(0, |i| i + 1);
            input.text.replace_range(cut..at, "");
            input.cursor = input.text[..cut].chars().count();
            changed = true;
        }
        (Some(Command::DeleteBack), _) if input.cursor > 0 => {
            let at = byte_at(&input.text, input.cursor - 1);
            input.text.remove(at);
            input.cursor -= 1;
            changed = true;
        }
        (Some(Command::DeleteForward), _) if input.cursor < len => {
            let at = byte_at(&input.text, input.cursor);
            input.text.remove(at);
            changed = true;
        }
        (Some(Command::Left), _) => input.cursor = input.cursor.saturating_sub(1),
        (Some(Command::Right), _) => input.cursor = (input.cursor + 1).min(len),
        (Some(Command::Top), _) => input.cursor = 0,
        (Some(Command::Bottom), _) => input.cursor = len,
        (None, KeyCode::Char(c)) if !ctrl => {
            let at = byte_at(&input.text, input.cursor);
            input.text.insert(at, c);
            input.cursor += 1;
            changed = true;
        }
        _ => {}
    }
    if !changed || command {
        return vec![];
    }
    apply_query(state).into_iter().collect()
}

/// The `/` line's text becomes the users query, from the top (nothing when it is unchanged).
fn apply_query(state: &mut AppState) -> Option<Effect> {
    let input = state.input.as_ref()?;
    if input.kind != InputKind::Query || input.text == state.users.query {
        return None;
    }
    state.users.query = input.text.clone();
    state.users.cursor = 0;
    state.users.offset = 0;
    filter(state)
}
