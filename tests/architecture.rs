//! The shape of the source, checked: no import circles between modules, the domain depends on
//! nothing above it, no file over ~600 lines without a reason in its opening comment, no
//! wildcard arm over the action and change enums. Read from the files in `src`, so a change
//! that breaks one of these fails here instead of in a reviewer's head.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Every library source file with its module path (`src/tui/update/mod.rs` → `tui::update`).
fn sources() -> Vec<(PathBuf, Vec<String>, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(&src).ok()?.with_extension("");
            let mut module: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if module.first().is_some_and(|m| m == "bin") || module == ["main"] {
                return None;
            }
            if module
                .last()
                .is_some_and(|m| m == "mod" || m == "lib" || m == "main")
            {
                module.pop();
            }
            let text = std::fs::read_to_string(&p).ok()?;
            Some((p, module, text))
        })
        .collect()
}

/// The text without `//` comments (doc comments mention paths that are no imports).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The module paths a file names through `crate::` and `super::`, absolute, as written
/// (`crate::{a::b, c}` gives `a::b` and `c`; a path may end in an item, not a module).
fn referenced(module: &[String], text: &str) -> Vec<Vec<String>> {
    let code = code(text);
    let bytes: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start_ok = i == 0 || !is_ident(bytes[i - 1]) && bytes[i - 1] != ':';
        let rest: String = bytes[i..bytes.len().min(i + 7)].iter().collect();
        let (base, len) = if start_ok && rest.starts_with("crate::") {
            (Vec::new(), 7)
        } else if start_ok && rest.starts_with("super::") {
            (module[..module.len().saturating_sub(1)].to_vec(), 7)
        } else {
            i += 1;
            continue;
        };
        i += len;
        let mut path = base;
        loop {
            if bytes.get(i) == Some(&'{') {
                // A group: the first segment of each item.
                let mut depth = 0;
                let mut item_start = true;
                while i < bytes.len() {
                    let c = bytes[i];
                    match c {
                        '{' => {
                            depth += 1;
                            item_start = depth == 1;
                        }
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        ',' if depth == 1 => item_start = true,
                        c if is_ident(c) && item_start => {
                            let s = i;
                            while i < bytes.len() && is_ident(bytes[i]) {
                                i += 1;
                            }
                            let seg: String = bytes[s..i].iter().collect();
                            let mut p = path.clone();
                            if seg != "self" {
                                p.push(seg);
                            }
                            out.push(p);
                            item_start = false;
                            continue;
                        }
                        _ => {}
                    }
                    i += 1;
                }
                break;
            }
            let s = i;
            while i < bytes.len() && is_ident(bytes[i]) {
                i += 1;
            }
            let seg: String = bytes[s..i].iter().collect();
            if seg == "super" {
                path.pop();
            } else if !seg.is_empty() {
                path.push(seg);
            }
            if bytes.get(i) == Some(&':') && bytes.get(i + 1) == Some(&':') {
                i += 2;
            } else {
                out.push(path);
                break;
            }
        }
    }
    out
}

/// The module a path names, cut to `depth` levels (`tui::update` at 2, `tui` at 1): the
/// nodes of the graph.
fn node(path: &[String], modules: &BTreeSet<Vec<String>>, depth: usize) -> Option<String> {
    let known = (1..=path.len())
        .rev()
        .map(|n| &path[..n])
        .find(|p| modules.contains(*p))?;
    Some(known[..known.len().min(depth)].join("::"))
}

type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

fn graph(depth: usize) -> Graph {
    let files = sources();
    let modules: BTreeSet<Vec<String>> = files.iter().map(|(_, m, _)| m.clone()).collect();
    // node → node it uses → the files that make the edge
    let mut edges: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (path, module, text) in &files {
        let Some(from) = node(module, &modules, depth) else {
            continue;
        };
        for r in referenced(module, text) {
            if let Some(to) = node(&r, &modules, depth)
                && to != from
            {
                edges
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_default()
                    .insert(path.display().to_string());
            }
        }
    }
    edges
}

/// A circle in the graph, as the nodes around it, if there is one.
fn find_circle(
    edges: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &Graph,
        done: &mut BTreeSet<String>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|s| s == n) {
            let mut circle = stack[at..].to_vec();
            circle.push(n.to_owned());
            return Some(circle);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_owned());
        for next in edges.get(n).into_iter().flat_map(|m| m.keys()) {
            if let Some(c) = visit(next, edges, done, stack) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|n| visit(n, edges, &mut done, &mut Vec::new()))
}

#[test]
fn no_import_circles_between_modules() {
    // The top level (`cli`, `commands`, `plan`, `exec`) and the level below (`tui::update`,
    // `tui::ui`, `plan::build`, `plan::effect`).
    for depth in [1, 2] {
        let edges = graph(depth);
        // The check itself sees imports: the console reads the plan, the commands open it.
        let (tui, commands) = match depth {
            1 => ("tui", "commands"),
            _ => ("tui::update", "commands::demo"),
        };
        assert!(edges[tui].contains_key("plan"), "{edges:#?}");
        assert!(edges[commands].contains_key("tui"), "{edges:#?}");
        if let Some(circle) = find_circle(&edges) {
            let why: Vec<String> = circle
                .windows(2)
                .map(|w| format!("{} -> {}: {:?}", w[0], w[1], edges[&w[0]][&w[1]]))
                .collect();
            panic!("import circle {}:\n{}", circle.join(" -> "), why.join("\n"));
        }
    }
}

#[test]
fn the_circle_check_finds_a_circle() {
    let modules: BTreeSet<Vec<String>> = [vec!["a".to_owned()], vec!["b".to_owned()]]
        .into_iter()
        .collect();
    let mut edges = Graph::new();
    for (module, text) in [
        ("a", "use crate::b::Thing;"),
        ("b", "use crate::{a::X, b};"),
    ] {
        for r in referenced(&[module.to_owned()], text) {
            if let Some(to) = node(&r, &modules, 1)
                && to != module
            {
                edges
                    .entry(module.to_owned())
                    .or_default()
                    .entry(to)
                    .or_default();
            }
        }
    }
    assert_eq!(
        find_circle(&edges),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
    // `super::` counts from the file's own module.
    let child = ["tui".to_owned(), "ui".to_owned(), "queue".to_owned()];
    assert_eq!(
        referenced(&child, "use super::super::update::x;"),
        vec![vec!["tui".to_owned(), "update".to_owned(), "x".to_owned()]]
    );
}

#[test]
fn the_domain_depends_on_nothing_above_it() {
    let edges = graph(2);
    let above: Vec<_> = edges
        .iter()
        .filter(|(from, _)| *from == "domain" || from.starts_with("domain::"))
        .flat_map(|(from, to)| {
            to.iter()
                .filter(|(t, _)| *t != "domain" && !t.starts_with("domain::"))
                .map(move |(t, files)| format!("{from} -> {t}: {files:?}"))
        })
        .collect();
    assert!(above.is_empty(), "{above:#?}");
}

#[test]
fn no_file_over_600_lines_without_a_reason() {
    let long: Vec<String> = sources()
        .into_iter()
        .filter(|(_, _, text)| text.lines().count() > 600)
        .filter(|(_, _, text)| {
            // The reason: a line of the opening comment that starts "Long:".
            !text
                .lines()
                .take_while(|l| l.starts_with("//!"))
                .any(|l| l.trim_start_matches("//!").trim().starts_with("Long:"))
        })
        .map(|(p, _, text)| format!("{} ({} lines)", p.display(), text.lines().count()))
        .collect();
    assert!(
        long.is_empty(),
        "give a reason (`//! Long: …`) or split: {long:#?}"
    );
}

/// `match` blocks whose arms name one of `enums` and also have a `_` arm: where a new variant
/// would fall through unseen. (file, line) of each.
fn wildcard_matches(text: &str, enums: &[&str]) -> Vec<usize> {
    let code: Vec<char> = code(text).chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i + 6 < code.len() {
        let word: String = code[i..i + 6].iter().collect();
        let starts = word == "match " && (i == 0 || !is_ident(code[i - 1]));
        if !starts {
            i += 1;
            continue;
        }
        let Some(open) = (i..code.len()).find(|&k| code[k] == '{') else {
            break;
        };
        // The arms at the match's own depth: patterns and what is not in a nested block.
        let mut depth = 0;
        let mut top = String::new();
        let mut k = open;
        while k < code.len() {
            match code[k] {
                '{' | '(' | '[' => depth += 1,
                '}' | ')' | ']' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                c if depth == 1 => top.push(c),
                _ => {}
            }
            k += 1;
        }
        let patterns: Vec<&str> = top
            .lines()
            .filter_map(|l| l.split_once("=>").map(|(p, _)| p.trim()))
            .collect();
        let names_enum = patterns
            .iter()
            .any(|p| enums.iter().any(|e| p.contains(&format!("{e}::"))));
        let wildcard = patterns.iter().any(|p| *p == "_" || p.starts_with("_ if "));
        if names_enum && wildcard {
            found.push(code[..i].iter().filter(|&&c| c == '\n').count() + 1);
        }
        i += 6;
    }
    found
}

const ACTION_ENUMS: &[&str] = &["OperationKind", "Change", "Action", "Effect", "Command"];

#[test]
fn no_wildcard_arm_over_action_or_change_enums() {
    let found: Vec<String> = sources()
        .into_iter()
        .flat_map(|(p, _, text)| {
            wildcard_matches(&text, ACTION_ENUMS)
                .into_iter()
                .map(move |line| format!("{}:{line}", p.display()))
        })
        .collect();
    assert!(
        found.is_empty(),
        "list the variants instead of `_ =>`: {found:#?}"
    );
}

#[test]
fn the_wildcard_check_finds_a_wildcard() {
    let text = "fn f(k: &OperationKind) -> bool {\n    match k {\n        OperationKind::Suspend => true,\n        _ => false,\n    }\n}\n";
    assert_eq!(wildcard_matches(text, ACTION_ENUMS), vec![2]);
    let listed = text.replace("_ => false", "OperationKind::Restore => false");
    assert!(wildcard_matches(&listed, ACTION_ENUMS).is_empty());
}
