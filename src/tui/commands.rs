//! The `:` commands in one catalogue: name, aliases, arguments and a line of help each.
//! Parsing and validation ([`validate`]), Tab completion (`tui::complete`) and the help screen
//! all read [`catalogue`], so a command cannot run without being listed, or be listed without
//! being completed. The bulk actions come from the action catalogue (`OperationKind::examples`).

use std::path::PathBuf;
use std::sync::LazyLock;

use crate::domain::{PRODUCTS, product_name, resolve_product_key};
use crate::exec::BatchInfo;
use crate::output::words::nearest;
use crate::plan::OperationKind;

use super::loaded::Loaded;

/// What an argument is, for completion and validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// A file path (completed from a directory listing read off the UI thread).
    File,
    /// A product key, a spelling or an alias (`jsw`), resolved through the one product table.
    Product,
    /// A group of the loaded directory (the last argument: the rest of the line, spaces kept).
    Group,
    /// A batch number from History.
    Batch,
    /// A user's account id or email.
    User,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arg {
    /// As the usage line writes it (`NAME`).
    pub name: &'static str,
    pub kind: ArgKind,
    /// What it is, as a noun phrase ("the group to remove the marked users from").
    pub what: &'static str,
}

/// What a command does once its arguments are valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    Write,
    Read,
    /// Queue a bulk action for the marked users (the kind's parameter comes from the argument).
    Queue(OperationKind),
    ClearQueue,
    GiveBack,
    Help,
    Quit,
}

/// One command of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub args: &'static [Arg],
    pub help: &'static str,
    pub verb: Verb,
}

impl Spec {
    /// `remove-group NAME`.
    pub fn usage(&self) -> String {
        let mut out = self.name.to_owned();
        for a in self.args {
            out.push(' ');
            out.push_str(a.name);
        }
        out
    }

    /// What the command needs when `arg` is missing: "remove-group NAME: the group to remove
    /// the marked users from".
    pub fn needs(&self, arg: &Arg) -> String {
        if self.args.len() == 1 {
            format!("{}: {}", self.usage(), arg.what)
        } else {
            format!("{}: {} is {}", self.usage(), arg.name, arg.what)
        }
    }

    fn named(&self, word: &str) -> bool {
        self.name == word || self.aliases.contains(&word)
    }
}

const FILE_OUT: Arg = Arg {
    name: "FILE",
    kind: ArgKind::File,
    what: "the file name to write the queue's plan to (JSON), e.g. plan.json",
};
const FILE_IN: Arg = Arg {
    name: "FILE",
    kind: ArgKind::File,
    what: "the file name of a plan seats wrote (a queue's plan, an undo or retry plan)",
};
const PRODUCT: Arg = Arg {
    name: "PRODUCT",
    kind: ArgKind::Product,
    what: "the product to take from the marked users (a key or alias: jsw, jsm, conf)",
};
const GROUP: Arg = Arg {
    name: "NAME",
    kind: ArgKind::Group,
    what: "the group to remove the marked users from",
};
const BATCH: Arg = Arg {
    name: "BATCH",
    kind: ArgKind::Batch,
    what: "a batch number from History",
};
const USER: Arg = Arg {
    name: "USER",
    kind: ArgKind::User,
    what: "the user's account id or email",
};

/// The `:` form of a bulk action: aliases, argument and help. Exhaustive, so a new action kind
/// does not compile until it has its command.
fn action(kind: OperationKind) -> Spec {
    let (aliases, args, help): (&'static [&'static str], &'static [Arg], &'static str) = match &kind
    {
        OperationKind::RemoveProductAccess { .. } => (
            &["remove-product"],
            &[PRODUCT],
            "remove a product from the marked users (every group that grants it)",
        ),
        OperationKind::RemoveFromGroup { .. } => {
            (&[], &[GROUP], "remove the marked users from a group")
        }
        OperationKind::Suspend => (
            &[],
            &[],
            "suspend the marked users (frees every seat, keeps content)",
        ),
        OperationKind::Restore => (&[], &[], "restore the marked suspended users"),
        OperationKind::RemoveFromDirectory => (
            &[],
            &[],
            "remove the marked users from the directory (irreversible)",
        ),
        OperationKind::Deactivate => (
            &[],
            &[],
            "deactivate the marked Atlassian accounts (managed only)",
        ),
        OperationKind::Reactivate => (&[], &[], "reactivate the marked Atlassian accounts"),
    };
    Spec {
        name: kind.name(),
        aliases,
        args,
        help,
        verb: Verb::Queue(kind),
    }
}

static CATALOGUE: LazyLock<Vec<Spec>> = LazyLock::new(|| {
    let spec = |name, aliases, args, help, verb| Spec {
        name,
        aliases,
        args,
        help,
        verb,
    };
    let mut all = vec![
        spec(
            "write",
            &["w"][..],
            &[FILE_OUT][..],
            "write the queue's plan to a file (for seats apply)",
            Verb::Write,
        ),
        spec(
            "read",
            &["r"],
            &[FILE_IN],
            "read a plan file into the queue, or review its steps",
            Verb::Read,
        ),
    ];
    all.extend(OperationKind::examples().into_iter().map(action));
    all.extend([
        spec(
            "clear-queue",
            &[],
            &[],
            "empty the queue (asks first when it holds more than a handful)",
            Verb::ClearQueue,
        ),
        spec(
            "give-back",
            &[],
            &[BATCH, USER],
            "review the plan that gives one user back what a batch took",
            Verb::GiveBack,
        ),
        spec(
            "help",
            &["h"],
            &[],
            "the help screen: keys, these commands, the query language",
            Verb::Help,
        ),
        spec(
            "quit",
            &["q"],
            &[],
            "quit (asks first with a queue or a running batch)",
            Verb::Quit,
        ),
    ]);
    all
});

/// Every `:` command, in the order the popup and help list them.
pub fn catalogue() -> &'static [Spec] {
    &CATALOGUE
}

/// The command a word names (its name or an alias).
pub fn find(word: &str) -> Option<&'static Spec> {
    catalogue().iter().find(|s| s.named(word))
}

/// What the `:` line knows about the console: the data on screen and History.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub data: Option<&'a Loaded>,
    pub batches: &'a [BatchInfo],
}

impl Context<'_> {
    /// The product keys the org's data carries (from the derived histograms: O(products)).
    pub fn held_products(&self) -> Vec<&str> {
        self.data
            .map(|d| d.product_keys().collect())
            .unwrap_or_default()
    }
}

/// Why `:w FILE` wrote nothing: the file is there already.
pub fn exists_message(path: &std::path::Path) -> String {
    format!(
        "{} exists: use :w! {} to overwrite",
        path.display(),
        path.display()
    )
}

/// A command ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run {
    /// The path, and whether an existing file may be replaced (`:w!`).
    Write(PathBuf, bool),
    Read(PathBuf),
    Queue(OperationKind),
    ClearQueue,
    GiveBack {
        batch: i64,
        who: String,
    },
    Help,
    Quit,
}

/// Splits `line` into the command word and its arguments: one word each, the last one takes
/// the rest of the line (group names and paths keep their spaces).
pub fn split_args(rest: &str, args: usize) -> Vec<&str> {
    arg_ranges(rest, args)
        .into_iter()
        .map(|r| &rest[r])
        .collect()
}

/// Where each argument of `rest` is, as byte ranges (the one splitter: running a line and
/// completing the argument under the cursor read it the same way). At most `args`; the last
/// takes the rest of the line, its trailing spaces left out.
pub fn arg_ranges(rest: &str, args: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut at = rest.len() - rest.trim_start().len();
    while at < rest.len() && out.len() + 1 < args {
        let end = rest[at..]
            .find(char::is_whitespace)
            .map_or(rest.len(), |e| at + e);
        out.push(at..end);
        let tail = &rest[end..];
        at = end + (tail.len() - tail.trim_start().len());
    }
    let last = rest[at..].trim_end();
    if !last.is_empty() {
        out.push(at..at + last.len());
    }
    out
}

/// Parses and validates a `:` line before anything runs. `Ok(None)`: an empty line. An error
/// says what is wrong and, where it can, what was meant.
pub fn validate(line: &str, cx: &Context) -> Result<Option<Run>, String> {
    let line = line.trim();
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    if word.is_empty() {
        return Ok(None);
    }
    // `:w!` (vim's): write over a file that exists.
    let (word, bang) = match word.strip_suffix('!') {
        Some(w) if !w.is_empty() => (w, true),
        _ => (word, false),
    };
    let Some(spec) = find(word) else {
        let names = catalogue()
            .iter()
            .flat_map(|s| std::iter::once(s.name).chain(s.aliases.iter().copied()));
        let near = nearest(word, names);
        let hint = match near.first() {
            Some(n) => format!(" (did you mean :{n}?)"),
            None => String::new(),
        };
        return Err(format!(
            "unknown command :{word}{hint}; : lists the commands, :help explains them"
        ));
    };
    if bang && !matches!(spec.verb, Verb::Write) {
        return Err(format!(":{}! : only :write! (:w!) takes a !", spec.name));
    }
    let args = split_args(rest, spec.args.len());
    if spec.args.is_empty() && !rest.trim().is_empty() {
        return Err(format!(
            ":{} takes no argument (got {:?}): {}",
            spec.name,
            rest.trim(),
            spec.help
        ));
    }
    if let Some(missing) = spec.args.get(args.len()) {
        return Err(spec.needs(missing));
    }
    let arg = |i: usize| args.get(i).copied().unwrap_or_default();
    Ok(Some(match &spec.verb {
        Verb::Write => Run::Write(arg(0).into(), bang),
        Verb::Read => Run::Read(arg(0).into()),
        Verb::ClearQueue => Run::ClearQueue,
        Verb::Help => Run::Help,
        Verb::Quit => Run::Quit,
        Verb::GiveBack => Run::GiveBack {
            batch: batch(arg(0), cx, spec)?,
            who: arg(1).to_owned(),
        },
        Verb::Queue(kind) => Run::Queue(match kind {
            OperationKind::RemoveProductAccess { .. } => OperationKind::RemoveProductAccess {
                product: product(arg(0), cx)?,
            },
            OperationKind::RemoveFromGroup { .. } => {
                let (group_id, group_name) = group(arg(0), cx)?;
                OperationKind::RemoveFromGroup {
                    group_id,
                    group_name,
                }
            }
            OperationKind::Suspend
            | OperationKind::Restore
            | OperationKind::RemoveFromDirectory
            | OperationKind::Deactivate
            | OperationKind::Reactivate => kind.clone(),
        }),
    }))
}

/// A product the org's data carries, by key, spelling, alias or name.
fn product(value: &str, cx: &Context) -> Result<String, String> {
    let held = cx.held_products();
    let here = if held.is_empty() {
        "nobody here holds a product yet".to_owned()
    } else {
        format!("products here: {}", held.join(", "))
    };
    match resolve_product_key(value, held.iter().copied()) {
        Some(k) if held.contains(&k.as_str()) => Ok(k),
        Some(k) => Err(format!(
            "nobody here holds {} ({k}); {here}",
            product_name(&k)
        )),
        None => {
            let names = held.iter().copied().chain(
                PRODUCTS
                    .iter()
                    .flat_map(|p| std::iter::once(p.key).chain(p.aliases.iter().copied())),
            );
            let hint = match nearest(&value.to_lowercase(), names).first() {
                Some(n) => format!(" (did you mean {n}?)"),
                None => String::new(),
            };
            Err(format!("unknown product {value:?}{hint}; {here}"))
        }
    }
}

/// A group of the loaded directory, by name in any case: (id, name). O(groups), on Enter.
fn group(value: &str, cx: &Context) -> Result<(String, String), String> {
    let Some(d) = cx.data else {
        return Err("no directory loaded yet: groups are known once it is".into());
    };
    // The query index's case rule (`group:` facets), so a name the line takes the query
    // takes too.
    let lower = value.to_lowercase();
    if let Some(g) = d.dir.groups.iter().find(|g| g.name.to_lowercase() == lower) {
        return Ok((g.id.clone(), g.name.clone()));
    }
    let near = nearest(value, d.dir.groups.iter().map(|g| g.name.as_str()));
    let hint = if near.is_empty() {
        " (Tab lists the groups)".to_owned()
    } else {
        format!(" (did you mean {}?)", near.join(", "))
    };
    Err(format!("no group named {value:?}{hint}"))
}

fn batch(value: &str, cx: &Context, spec: &Spec) -> Result<i64, String> {
    let Ok(id) = value.parse::<i64>() else {
        return Err(spec.needs(&BATCH));
    };
    // History arrives in the background: before it has, the journal itself says.
    if !cx.batches.is_empty() && !cx.batches.iter().any(|b| b.id == id) {
        return Err(format!("no batch {id} in History (5 lists them)"));
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_and_alias_is_one_command() {
        let mut seen = std::collections::HashSet::new();
        for s in catalogue() {
            for n in std::iter::once(s.name).chain(s.aliases.iter().copied()) {
                assert!(seen.insert(n), "{n} names two commands");
            }
        }
    }

    #[test]
    fn the_last_argument_takes_the_rest_of_the_line() {
        assert_eq!(
            split_args("  12  ada@x.example ", 2),
            ["12", "ada@x.example"]
        );
        assert_eq!(split_args("site admins ", 1), ["site admins"]);
        assert_eq!(split_args("12", 2), ["12"]);
        assert!(split_args("   ", 1).is_empty());
        assert_eq!(split_args("a  b c  ", 2), ["a", "b c"]);
        assert_eq!(arg_ranges(" é  b ", 2), [1..3, 5..6]);
    }
}
