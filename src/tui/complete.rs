//! What the `:` line offers while it is typed and what Tab inserts, from the command catalogue
//! (`tui::commands`): command names, product keys, group names, batches and file paths.
//!
//! Cost per keystroke: O(commands), O(products) or O(groups), never O(users). File names come
//! from a directory listing read off the UI thread when Tab asks for it (`Effect::ListDir`),
//! kept here and narrowed without I/O while the directory part stays the same.

use crate::domain::{PRODUCTS, product_name};

use super::commands::{ArgKind, Context, Spec, arg_ranges, catalogue, find};
use crate::output::words::plural;

/// Rows the popup keeps; more matches are counted ("… 1,234 more: type to narrow").
pub const MAX_SUGGESTIONS: usize = 100;

/// One thing Tab can insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// What replaces the word being completed.
    pub insert: String,
    /// The popup's left column (`remove-group NAME`, a group's name).
    pub label: String,
    /// The popup's right column: one line of help.
    pub help: String,
    /// Inserted alone, the line goes on with a space (another argument follows) or not (a
    /// directory, which Tab lists next).
    pub then_space: bool,
}

/// The popup over the `:` line: where the completed word starts and what may replace it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suggestions {
    /// Char index in the line where the word being completed starts.
    pub word_start: usize,
    pub items: Vec<Suggestion>,
    /// Matches left out of `items`.
    pub more: usize,
    /// The command's usage and what the argument under the cursor is, once a command is named.
    pub heading: Option<String>,
    /// A file argument whose directory has not been listed: Tab asks for it.
    pub wants_listing: Option<String>,
}

/// A directory read for file completion: names and whether each is a directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// As typed (`""` is the working directory, `plans/` a folder in it).
    pub dir: String,
    pub entries: Vec<(String, bool)>,
}

/// The `:` line's completion state: the popup, Tab's cycle and the directory listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completion {
    pub suggestions: Suggestions,
    /// (text, cursor) the suggestions were made for: made again when the line changes.
    pub made_for: Option<(String, usize)>,
    /// Tab is cycling: the item inserted now.
    pub cycling: Option<usize>,
    pub listing: Option<Listing>,
    /// The directory listing this line waits for (`AppState::listings_requested` when it
    /// was asked); other answers are dropped.
    pub asked: u64,
    /// A Tab is waiting for the listing: it completes when the listing lands.
    pub tab_waiting: bool,
}

/// `(char index, byte index)` helpers: the line is edited by chars.
fn byte_at(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}

/// The suggestions for `text` with the cursor at `cursor` (chars): the command word while it
/// is typed, else the argument under the cursor.
pub fn suggest(text: &str, cursor: usize, cx: &Context, listing: Option<&Listing>) -> Suggestions {
    let head = &text[..byte_at(text, cursor)];
    let lead = head.len() - head.trim_start().len();
    let body = &head[lead..];
    let Some((word, rest)) = body.split_once(char::is_whitespace) else {
        return commands(body, lead);
    };
    let Some(spec) = find(word) else {
        return Suggestions {
            word_start: cursor,
            heading: Some(format!("unknown command :{word}")),
            ..Suggestions::default()
        };
    };
    if spec.args.is_empty() {
        return Suggestions {
            word_start: cursor,
            heading: Some(format!("{}: {}", spec.usage(), spec.help)),
            ..Suggestions::default()
        };
    }
    // Which argument the cursor is in: the last one the line has, or, after a space, the
    // next one (the last argument takes the rest of the line, spaces and all).
    let ranges = arg_ranges(rest, spec.args.len());
    let after_space = rest.is_empty() || rest.ends_with(char::is_whitespace);
    let (index, start) = match ranges.last() {
        Some(r) if !(after_space && ranges.len() < spec.args.len()) => (ranges.len() - 1, r.start),
        _ => (ranges.len(), rest.len()),
    };
    let at = head.len() - rest.len() + start;
    let Some(&arg) = spec.args.get(index) else {
        return Suggestions::default();
    };
    let typed = &head[at..];
    let word_start = head[..at].chars().count();
    let mut out = Suggestions {
        word_start,
        heading: Some(format!("{} · {}: {}", spec.usage(), arg.name, arg.what)),
        ..Suggestions::default()
    };
    let more_args = index + 1 < spec.args.len();
    let (items, more) = match arg.kind {
        ArgKind::Product => capped(products(typed, cx).into_iter(), |(key, help)| Suggestion {
            insert: key.clone(),
            label: key,
            help,
            then_space: more_args,
        }),
        ArgKind::Group => capped(groups(typed, cx).into_iter(), |g| Suggestion {
            insert: g.name.clone(),
            label: g.name.clone(),
            help: group_help(g),
            then_space: more_args,
        }),
        ArgKind::Batch => capped(
            cx.batches
                .iter()
                .map(|b| (b, b.id.to_string()))
                .filter(|(_, id)| id.starts_with(typed)),
            |(b, id)| Suggestion {
                insert: id.clone(),
                label: id,
                help: format!("{}: {}", b.status.as_str(), b.source),
                then_space: more_args,
            },
        ),
        ArgKind::User => (Vec::new(), 0),
        ArgKind::File => {
            let (dir, name) = match typed.rfind('/') {
                Some(i) => typed.split_at(i + 1),
                None => ("", typed),
            };
            match listing.filter(|l| l.dir == dir) {
                Some(l) => {
                    let hidden_too = name.starts_with('.');
                    let wanted = l.entries.iter().filter(|(entry, _)| {
                        entry.starts_with(name) && (hidden_too || !entry.starts_with('.'))
                    });
                    capped(wanted, |(entry, is_dir)| {
                        let shown = if *is_dir {
                            format!("{entry}/")
                        } else {
                            entry.clone()
                        };
                        Suggestion {
                            insert: format!("{dir}{shown}"),
                            label: shown,
                            help: if *is_dir {
                                "folder".into()
                            } else {
                                String::new()
                            },
                            then_space: more_args && !is_dir,
                        }
                    })
                }
                None => {
                    out.wants_listing = Some(dir.to_owned());
                    (Vec::new(), 0)
                }
            }
        }
    };
    out.items = items;
    out.more = more;
    out
}

/// The first [`MAX_SUGGESTIONS`] made into suggestions; the rest only counted (thousands of
/// matching groups do not each get a help line nobody sees).
fn capped<T>(
    mut all: impl Iterator<Item = T>,
    make: impl FnMut(T) -> Suggestion,
) -> (Vec<Suggestion>, usize) {
    let items = all.by_ref().take(MAX_SUGGESTIONS).map(make).collect();
    (items, all.count())
}

/// Groups whose name starts with `typed` (any case), then those containing it; by name.
/// One pass over the groups.
fn groups<'a>(typed: &str, cx: &Context<'a>) -> Vec<&'a crate::domain::Group> {
    let Some(d) = cx.data else {
        return Vec::new();
    };
    let t = typed.to_lowercase();
    let mut prefixed = Vec::new();
    let mut inside = Vec::new();
    for g in d
        .derived
        .groups_by_name
        .iter()
        .filter_map(|&i| d.dir.groups.get(i))
    {
        let l = g.name.to_lowercase();
        if l.starts_with(&t) {
            prefixed.push(g);
        } else if l.contains(&t) {
            inside.push(g);
        }
    }
    prefixed.extend(inside);
    prefixed
}

/// "7 members; grants Jira Software; synced: held out".
fn group_help(g: &crate::domain::Group) -> String {
    let mut parts = Vec::new();
    if let Some(n) = g.member_count {
        parts.push(plural(n as usize, "member"));
    }
    if !g.grants.is_empty() {
        let names: Vec<String> = g.grants.iter().map(|p| product_name(p)).collect();
        parts.push(format!("grants {}", names.join(", ")));
    }
    if g.synced {
        parts.push("synced: held out".to_owned());
    }
    parts.join("; ")
}

/// Tab on the `/` query line: facet names (`prod` → `product:`, `!` kept), then their values
/// (product keys, group names quoted as the parser wants them, statuses, account types,
/// domains, day counts). Plain words are names to search, not completed (that would be a pass
/// over the users).
pub fn suggest_query(text: &str, cursor: usize, cx: &Context) -> Suggestions {
    let head = &text[..byte_at(text, cursor)];
    // The word starts after the last space outside double quotes (`group:"eng pl`).
    let mut quoted = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in head.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => start = i + c.len_utf8(),
            _ => {}
        }
    }
    let word = &head[start..];
    let (neg, bare) = match word.strip_prefix('!') {
        Some(rest) => ("!", rest),
        None => ("", word),
    };
    let mut out = Suggestions {
        word_start: head[..start].chars().count(),
        ..Suggestions::default()
    };
    let mut items = Vec::new();
    let facets = crate::filter::facet_tokens();
    match bare.split_once(':') {
        None => {
            for f in facets
                .iter()
                .filter(|f| !bare.is_empty() && f.token.starts_with(bare))
            {
                items.push(Suggestion {
                    insert: format!("{neg}{}", f.token),
                    label: f.syntax.to_owned(),
                    help: f.description.to_owned(),
                    then_space: !f.takes_value(),
                });
            }
        }
        Some((name, value)) => {
            let token = format!("{name}:");
            let value_of = |v: String, help: String| Suggestion {
                insert: format!("{neg}{token}{v}"),
                label: v,
                help,
                then_space: true,
            };
            match token.as_str() {
                "product:" => {
                    items.extend(products(value, cx).into_iter().map(|(k, h)| value_of(k, h)))
                }
                "group:" => {
                    let typed = value.trim_start_matches('"').replace("\\\"", "\"");
                    items.extend(
                        groups(&typed, cx)
                            .into_iter()
                            .map(|g| value_of(crate::filter::quote_value(&g.name), group_help(g))),
                    );
                }
                "domain:" => {
                    if let Some(d) = cx.data {
                        let v = value.to_lowercase();
                        items.extend(
                            d.derived
                                .domains
                                .iter()
                                .filter(|(dom, _)| dom.starts_with(&v))
                                .map(|(dom, n)| value_of(dom.clone(), plural(*n, "user"))),
                        );
                    }
                }
                "idle:" => items.extend(
                    ["30", "60", "90", "180", "365"]
                        .into_iter()
                        .filter(|d| d.starts_with(value))
                        .map(|d| {
                            value_of(
                                d.to_owned(),
                                format!("inactive at least {d} days, or never"),
                            )
                        }),
                ),
                _ => {
                    if let Some(f) = facets.iter().find(|f| f.token == token) {
                        items.extend(
                            f.values
                                .iter()
                                .filter(|v| v.starts_with(value))
                                .map(|v| value_of((*v).to_owned(), f.description.to_owned())),
                        );
                    }
                }
            }
        }
    }
    out.more = items.len().saturating_sub(MAX_SUGGESTIONS);
    items.truncate(MAX_SUGGESTIONS);
    out.items = items;
    out
}

/// Commands whose name or alias starts with `word`, then those containing it.
fn commands(word: &str, word_start: usize) -> Suggestions {
    let w = word.to_lowercase();
    let names = |s: &Spec| {
        std::iter::once(s.name)
            .chain(s.aliases.iter().copied())
            .collect::<Vec<_>>()
    };
    let prefixed = catalogue()
        .iter()
        .filter(|s| names(s).iter().any(|n| n.starts_with(&w)));
    let inside = catalogue().iter().filter(|s| {
        !names(s).iter().any(|n| n.starts_with(&w)) && names(s).iter().any(|n| n.contains(&w))
    });
    let items = prefixed
        .chain(inside)
        .map(|s| {
            let aliases = if s.aliases.is_empty() {
                String::new()
            } else {
                format!(" (:{})", s.aliases.join(", :"))
            };
            Suggestion {
                insert: s.name.to_owned(),
                label: s.usage(),
                help: format!("{}{aliases}", s.help),
                then_space: !s.args.is_empty(),
            }
        })
        .collect();
    Suggestions {
        word_start,
        items,
        ..Suggestions::default()
    }
}

/// Product keys for a typed prefix: the keys the org's data carries first, then the rest of
/// the product table; a key matches by itself, a spelling, an alias or its display name.
fn products(typed: &str, cx: &Context) -> Vec<(String, String)> {
    let t = crate::domain::normalize_product_key(typed);
    let held = cx.held_products();
    let entry_of = |key: &str| {
        PRODUCTS
            .iter()
            .find(|p| p.key == key || p.spellings.contains(&key))
    };
    let matches = |key: &str| {
        key.starts_with(&t)
            || entry_of(key).is_some_and(|p| {
                p.aliases
                    .iter()
                    .chain(p.spellings)
                    .any(|a| a.starts_with(&t))
                    || crate::domain::normalize_product_key(p.name).starts_with(&t)
            })
    };
    let describe = |key: &str, here: bool| {
        let aliases = entry_of(key)
            .map(|p| p.aliases)
            .filter(|a| !a.is_empty())
            .map(|a| format!(" ({})", a.join(", ")))
            .unwrap_or_default();
        let note = if here { "" } else { "; nobody here holds it" };
        format!("{}{aliases}{note}", product_name(key))
    };
    let mut out: Vec<(String, String)> = held
        .iter()
        .filter(|k| matches(k))
        .map(|k| ((*k).to_owned(), describe(k, true)))
        .collect();
    for p in PRODUCTS {
        let carried = held.iter().any(|k| *k == p.key || p.spellings.contains(k));
        if !carried && matches(p.key) {
            out.push((p.key.to_owned(), describe(p.key, false)));
        }
    }
    out
}

/// The longest prefix every insert shares.
pub fn common_prefix(items: &[Suggestion]) -> String {
    let Some(first) = items.first() else {
        return String::new();
    };
    let mut end = first.insert.len();
    for s in &items[1..] {
        end = first
            .insert
            .char_indices()
            .zip(s.insert.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(end);
    }
    first.insert[..end].to_owned()
}

/// `text` with the chars `from..to` replaced by `with`; the cursor after it.
pub fn replace(text: &str, from: usize, to: usize, with: &str) -> (String, usize) {
    let (a, b) = (byte_at(text, from), byte_at(text, to));
    let mut out = String::with_capacity(text.len() + with.len());
    out.push_str(&text[..a]);
    out.push_str(with);
    out.push_str(&text[b..]);
    (out, from + with.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(insert: &str) -> Suggestion {
        Suggestion {
            insert: insert.into(),
            label: String::new(),
            help: String::new(),
            then_space: false,
        }
    }

    #[test]
    fn common_prefix_of_inserts() {
        assert_eq!(common_prefix(&[s("plans/"), s("plan.json")]), "plan");
        assert_eq!(common_prefix(&[s("écrit"), s("écrire")]), "écri");
        assert_eq!(common_prefix(&[s("a"), s("b")]), "");
        assert_eq!(common_prefix(&[]), "");
    }

    #[test]
    fn replace_by_chars() {
        assert_eq!(replace("w pl x", 2, 4, "plans/"), ("w plans/ x".into(), 8));
        assert_eq!(replace("é", 0, 1, "ab"), ("ab".into(), 2));
    }
}
