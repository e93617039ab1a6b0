//! A relevance-sorted query that matches many users is answered twice: its matches in name
//! order at once (the count on screen does not wait for fuzzy scores), then in score order.
//! Both answers hold exactly the rows a full pass gives, and the console never lets the early
//! answer replace the final one.

#[path = "support/console.rs"]
mod console;

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use seats::domain::{Directory, sample_directory};
use seats::filter::{Engine, FilterResult, PROVISIONAL_MIN, SearchIndex, Sort, SortKey, select_in};
use seats::tui::action::Action;
use seats::tui::update::update;

fn directory(users: usize) -> Arc<Directory> {
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
    Arc::new(sample_directory(users, 5, at))
}

fn by_name() -> Sort {
    Sort {
        key: SortKey::Name,
        descending: false,
    }
}

/// Runs `query` staged; returns (provisional rows if any, final rows).
fn staged(engine: &mut Engine, dir: &Arc<Directory>, query: &str) -> (Option<Vec<u32>>, Vec<u32>) {
    let mut early = None;
    let rows = engine
        .run_staged(dir, query, &Sort::default(), &mut |r| {
            early = Some((*r).clone())
        })
        .unwrap();
    (early, (*rows).clone())
}

#[test]
fn many_matches_come_first_in_name_order_then_scored() {
    let dir = directory(8_000);
    let index = SearchIndex::build(&dir);
    let mut engine = Engine::new();
    let _ = engine.run(&dir, "", &Sort::default());
    // Typing from empty, as the console does: each step narrows the last.
    for query in ["j", "jo", "joh", "john"] {
        let (early, fin) = staged(&mut engine, &dir, query);
        let want = select_in(&index, query, &Sort::default()).unwrap();
        assert_eq!(fin, want, "{query:?}: the final rows are the full pass's");
        match early {
            Some(early) => {
                assert!(want.len() > PROVISIONAL_MIN, "{query:?}");
                assert_eq!(
                    early,
                    select_in(&index, query, &by_name()).unwrap(),
                    "{query:?}: the early rows are the same users in name order"
                );
                let a: BTreeSet<u32> = early.into_iter().collect();
                let b: BTreeSet<u32> = fin.into_iter().collect();
                assert_eq!(a, b);
            }
            None => assert!(want.len() <= PROVISIONAL_MIN, "{query:?}: {}", want.len()),
        }
    }
    // The first letter alone matches most of the org: it had an early answer.
    let (early, _) = staged(&mut Engine::new(), &dir, "a");
    assert!(early.is_some());
}

#[test]
fn few_matches_or_no_relevance_sort_answer_once() {
    let dir = directory(8_000);
    let index = SearchIndex::build(&dir);
    let mut engine = Engine::new();
    let (early, fin) = staged(&mut engine, &dir, "ada lovelace");
    assert!(early.is_none());
    assert_eq!(
        fin,
        select_in(&index, "ada lovelace", &Sort::default()).unwrap()
    );
    // Sorted by name, scores are never needed: one answer.
    let mut early = false;
    let rows = engine
        .run_staged(&dir, "a", &by_name(), &mut |_| early = true)
        .unwrap();
    assert!(!early);
    assert_eq!(*rows, select_in(&index, "a", &by_name()).unwrap());
    // Facets alone have no scores either.
    let rows = engine
        .run_staged(&dir, "product:confluence", &Sort::default(), &mut |_| {
            early = true
        })
        .unwrap();
    assert!(!early);
    assert!(rows.len() > PROVISIONAL_MIN);
}

fn result(generation: u64, rows: Vec<u32>, provisional: bool) -> Action {
    let set = Arc::new(seats::tui::marks::RowSet::from_rows(&rows));
    Action::Filtered(
        FilterResult {
            generation,
            rows: Arc::new(rows),
            error: None,
            took: std::time::Duration::ZERO,
            provisional,
        },
        set,
    )
}

#[test]
fn the_console_takes_the_final_answer_after_the_early_one_never_before() {
    let mut s = console::state((80, 24), true);
    let g = s.users.shown + 1;
    s.users.requested = g;
    update(&mut s, result(g, vec![2, 0, 1], true));
    assert_eq!(*s.users.rows, vec![2, 0, 1], "the early answer is shown");
    assert!(
        !s.users.pending(),
        "the count is final: the frame need not wait"
    );
    update(&mut s, result(g, vec![1, 2, 0], false));
    assert_eq!(*s.users.rows, vec![1, 2, 0], "the final answer replaces it");
    update(&mut s, result(g, vec![0], true));
    assert_eq!(
        *s.users.rows,
        vec![1, 2, 0],
        "an early answer never replaces a final one"
    );
    update(&mut s, result(g - 1, vec![0], false));
    assert_eq!(*s.users.rows, vec![1, 2, 0], "an older generation is stale");
}
