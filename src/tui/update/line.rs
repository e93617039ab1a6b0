//! The query line and the `:` command line: what typed text does.

#[allow(unused_imports)]
use super::*;

/// `:` commands. Unknown ones say what exists.
pub(super) fn run_command(state: &mut AppState, line: &str) -> Vec<Effect> {
    let line = line.trim();
    let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
    let rest = rest.trim();
    // The actions without a parameter, by their catalogue name (`OperationKind::name`).
    if let Some(kind) = OperationKind::without_parameter(word) {
        return enqueue(state, kind);
    }
    match word {
        "" => vec![],
        "q" | "quit" => run(state, Command::Quit, false),
        "w" | "write" => {
            if rest.is_empty() {
                flash(
                    state,
                    Level::Error,
                    ":write needs a file name, e.g. :write plan.json",
                );
                return vec![];
            }
            match state.queue.plan.as_ref() {
                Some(view) if !state.queue.plan_pending() => {
                    let file = PlanFile::new(
                        &view.plan,
                        &state.queue.ops,
                        state.session.profile.clone(),
                        state.queue.ops.query().map(str::to_owned),
                        state.now,
                    );
                    vec![Effect::WritePlan {
                        path: rest.into(),
                        file: Box::new(file),
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
            }
        }
        "r" | "read" => {
            if rest.is_empty() {
                flash(
                    state,
                    Level::Error,
                    ":read needs a file name, e.g. :read plan.json",
                );
                return vec![];
            }
            vec![Effect::ReadPlan(rest.into())]
        }
        "remove-product" | "remove-product-access" => {
            let known = state
                .data
                .as_ref()
                .map(|d| d.dir.product_keys())
                .unwrap_or_default();
            // The one alias table (jsw, jsm, ...), as the query language and `--product`.
            let product =
                crate::domain::resolve_product_key(rest, known.iter().map(String::as_str))
                    .filter(|k| known.contains(k));
            if let Some(product) = product {
                enqueue(state, OperationKind::RemoveProductAccess { product })
            } else {
                flash(
                    state,
                    Level::Error,
                    format!(":remove-product needs one of: {}", known.join(", ")),
                );
                vec![]
            }
        }
        "remove-group" => {
            let group = state.data.as_ref().and_then(|d| {
                d.dir
                    .groups
                    .iter()
                    .find(|g| g.name.eq_ignore_ascii_case(rest))
                    .map(|g| (g.id.clone(), g.name.clone()))
            });
            match group {
                Some((group_id, group_name)) => enqueue(
                    state,
                    OperationKind::RemoveFromGroup {
                        group_id,
                        group_name,
                    },
                ),
                None => {
                    flash(state, Level::Error, format!("no group named {rest:?}"));
                    vec![]
                }
            }
        }
        "clear-queue" => ask_or_edit(state, QueueEdit::Clear),
        "give-back" => give_back_command(state, rest),
        other => {
            flash(
                state,
                Level::Error,
                format!(
                    "unknown command :{other}; commands: write FILE, read FILE, suspend, restore, \
                     remove-product KEY, remove-group NAME, remove-from-directory, deactivate, \
                     reactivate, clear-queue, quit"
                ),
            );
            vec![]
        }
    }
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
    // The lines' scope of the keymap; a character no row binds is typed.
    match (command_in(&key, Scope::Line), key.code) {
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
    state.users.query = input.text.clone();
    state.users.cursor = 0;
    state.users.offset = 0;
    filter(state).into_iter().collect()
}
