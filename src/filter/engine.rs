//! The state that makes typing cheap: the index of the current directory and the hits of the
//! last query. When a new query only narrows the last one (words grew, tokens were added), only
//! the last hits are re-scored; anything else is a full pass.

use std::sync::Arc;

use super::index::{SearchIndex, in_name_order};
use super::matching::{Compiled, Hit, Scorer, is_subsequence, pass};
use super::query::{Facet, Query, QueryError, parse, parse_in};
use super::sort::{Sort, SortKey};
use crate::domain::Directory;

/// What the last [`Engine::run`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassKind {
    /// Every user was checked.
    Full,
    /// Only the previous query's hits were checked.
    Narrowed,
    /// Same query as before: the hits were only sorted again.
    Resorted,
    /// The query did not parse; nothing changed.
    Failed,
    /// A new directory already in name order, the empty query sorted by name: its rows are
    /// the users as they are, counted before the index is built (see [`Engine::prepare`]).
    Presorted,
}

/// A relevance-sorted query matching more users than this is answered twice: the matches in
/// name order at once, then in score order. Below it, scoring them takes a few milliseconds
/// at most (skim scores about a million words a second).
pub const PROVISIONAL_MIN: usize = 1_000;

struct LastQuery {
    query: Query,
    hits: Vec<Hit>,
    /// The hits carry fuzzy scores (they were wanted for a relevance sort).
    scored: bool,
}

/// Runs queries against one directory at a time, reusing the index and the previous hits.
pub struct Engine {
    scorer: Scorer,
    /// Held (not just its address) so a new directory can never reuse the old one's address.
    directory: Option<Arc<Directory>>,
    index: Option<SearchIndex>,
    last: Option<LastQuery>,
    rows: Arc<Vec<u32>>,
    kind: PassKind,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

/// True when every user matching `new` also matches `prev`, so `new` can run over `prev`'s hits.
pub(crate) fn narrows(prev: &Query, new: &Query) -> bool {
    // A word that grew (or gained letters anywhere) matches a subset: skim matches exactly
    // when the word is a subsequence of the haystack.
    let words = prev.words.len() <= new.words.len()
        && prev
            .words
            .iter()
            .zip(&new.words)
            .all(|(p, n)| is_subsequence(n, p));
    let facets = prev.facets.iter().all(|f| new.facets.contains(f));
    let excluded = prev
        .excluded_words
        .iter()
        .all(|w| new.excluded_words.contains(w));
    // `idle:` and `never` mean something else once the product tokens change.
    let scoped = new
        .facets
        .iter()
        .any(|(_, f)| matches!(f, Facet::Idle(_) | Facet::Never));
    let scope_kept = !scoped || {
        let (mut a, mut b) = (prev.scope_products(), new.scope_products());
        a.sort_unstable();
        b.sort_unstable();
        a == b
    };
    words && facets && excluded && scope_kept
}

impl Engine {
    pub fn new() -> Engine {
        Engine {
            scorer: Scorer::new(),
            directory: None,
            index: None,
            last: None,
            rows: Arc::new(Vec::new()),
            kind: PassKind::Full,
        }
    }

    /// The rows of `query` over `dir` in `sort` order. On an error the previous rows stay (and
    /// are empty after a change of directory: old rows would point into the old one).
    pub fn run(
        &mut self,
        dir: &Arc<Directory>,
        query: &str,
        sort: &Sort,
    ) -> Result<Arc<Vec<u32>>, QueryError> {
        match self.run_until(dir, query, sort, &mut || false) {
            Some(result) => result,
            None => Ok(self.rows.clone()),
        }
    }

    /// Like [`Engine::run`], handing `provisional` the matches in name order first when
    /// scoring them would take a while, as the worker does.
    pub fn run_staged(
        &mut self,
        dir: &Arc<Directory>,
        query: &str,
        sort: &Sort,
        provisional: &mut dyn FnMut(Arc<Vec<u32>>),
    ) -> Result<Arc<Vec<u32>>, QueryError> {
        let mut early = |rows: Arc<Vec<u32>>| {
            provisional(rows);
            true
        };
        match self.run_in_steps(dir, query, sort, &mut || false, &mut early) {
            Some(result) => result,
            None => Ok(self.rows.clone()),
        }
    }

    /// Builds the index of the current directory if a [`PassKind::Presorted`] answer left it
    /// unbuilt: the worker calls it once the answer is out, so the next keystroke finds it.
    pub fn prepare(&mut self) {
        if self.index.is_some() {
            return;
        }
        let Some(dir) = &self.directory else {
            return;
        };
        let started = std::time::Instant::now();
        self.index = Some(SearchIndex::build(dir));
        tracing::debug!(
            users = dir.users.len(),
            took_ms = started.elapsed().as_millis() as u64,
            "search index built"
        );
    }

    /// The empty query by name over a directory already in name order: every user as they
    /// are (reversed for a descending sort), without building the index: the same rows the
    /// index would give, since its name order is then the directory's own. None otherwise.
    fn presorted(
        &mut self,
        dir: &Arc<Directory>,
        text: &str,
        sort: &Sort,
    ) -> Option<Arc<Vec<u32>>> {
        let by_name = matches!(sort.key, SortKey::Name | SortKey::Relevance);
        if !by_name || !text.trim().is_empty() || !in_name_order(dir) {
            return None;
        }
        let query = parse("").ok()?;
        let n = dir.users.len() as u32;
        let mut rows: Vec<u32> = (0..n).collect();
        if sort.descending {
            rows.reverse();
        }
        let rows = Arc::new(rows);
        self.last = Some(LastQuery {
            query,
            hits: (0..n).map(|r| (r, 0)).collect(),
            scored: false,
        });
        self.rows = rows.clone();
        self.kind = PassKind::Presorted;
        Some(rows)
    }

    /// What the last run did.
    pub fn last_pass(&self) -> PassKind {
        self.kind
    }

    /// The rows of the last successful run.
    pub fn rows(&self) -> Arc<Vec<u32>> {
        self.rows.clone()
    }

    /// Like [`Engine::run`], but None (and no change) when `interrupt` returns true mid-pass.
    pub(crate) fn run_until(
        &mut self,
        dir: &Arc<Directory>,
        text: &str,
        sort: &Sort,
        interrupt: &mut dyn FnMut() -> bool,
    ) -> Option<Result<Arc<Vec<u32>>, QueryError>> {
        self.run_in_steps(dir, text, sort, interrupt, &mut |_| true)
    }

    /// Like [`Engine::run_until`]; when the query needs fuzzy scores for a relevance sort and
    /// matches more than [`PROVISIONAL_MIN`] users, it first hands `provisional` the matching
    /// rows in name order (the count and the set are final, only the order is not), then
    /// scores them unless `provisional` returns false (a newer query came). Scoring is most of
    /// a pass over many users, and the count on screen should not wait for it.
    pub(crate) fn run_in_steps(
        &mut self,
        dir: &Arc<Directory>,
        text: &str,
        sort: &Sort,
        interrupt: &mut dyn FnMut() -> bool,
        provisional: &mut dyn FnMut(Arc<Vec<u32>>) -> bool,
    ) -> Option<Result<Arc<Vec<u32>>, QueryError>> {
        let same_dir = self.directory.as_ref().is_some_and(|d| Arc::ptr_eq(d, dir));
        if !same_dir {
            self.index = None;
            self.directory = Some(dir.clone());
            self.last = None;
            self.rows = Arc::new(Vec::new());
            if let Some(rows) = self.presorted(dir, text, sort) {
                return Some(Ok(rows));
            }
        }
        self.prepare();
        let idx = self.index.as_ref()?;
        let query = match parse_in(text, idx.vocabulary()) {
            Ok(q) => q,
            Err(e) => {
                self.kind = PassKind::Failed;
                return Some(Err(e));
            }
        };
        let scored = sort.needs_scores(&query);
        let candidates: Option<(Vec<u32>, PassKind)> = match &self.last {
            Some(last) if last.query == query && (last.scored || !scored) => None,
            Some(last) if narrows(&last.query, &query) => {
                Some((last.hits.iter().map(|h| h.0).collect(), PassKind::Narrowed))
            }
            _ => Some(((0..idx.len() as u32).collect(), PassKind::Full)),
        };
        let (hits, kind) = match candidates {
            None => (self.last.as_ref()?.hits.clone(), PassKind::Resorted),
            Some((rows, kind)) if query.is_empty() => {
                (rows.into_iter().map(|r| (r, 0)).collect(), kind)
            }
            Some((rows, kind)) if !scored => {
                let mut compiled = Compiled::new(&query, idx, false);
                let rows = compiled.sieve(idx, rows);
                (
                    pass(idx, &compiled, &self.scorer, rows.into_iter(), interrupt)?,
                    kind,
                )
            }
            Some((rows, kind)) => {
                // Which users match is cheap (facets from their sets, then a subsequence
                // test); scoring them is not. Match first, show that, then score the matches.
                let mut matching = Compiled::new(&query, idx, false);
                let rows = matching.sieve(idx, rows);
                let matched = pass(idx, &matching, &self.scorer, rows.into_iter(), interrupt)?;
                let candidates = if matched.len() > PROVISIONAL_MIN {
                    let rows = Arc::new(sort.order(idx, &matched, false));
                    self.rows = rows.clone();
                    self.last = Some(LastQuery {
                        query: query.clone(),
                        hits: matched,
                        scored: false,
                    });
                    self.kind = kind;
                    if !provisional(rows) {
                        return None;
                    }
                    self.last.as_ref()?.hits.iter().map(|h| h.0).collect()
                } else {
                    matched.into_iter().map(|h| h.0).collect::<Vec<u32>>()
                };
                let mut compiled = Compiled::new(&query, idx, true);
                // The matches passed the facets already.
                compiled.skip_facets();
                (
                    pass(
                        idx,
                        &compiled,
                        &self.scorer,
                        candidates.into_iter(),
                        interrupt,
                    )?,
                    kind,
                )
            }
        };
        let rows = Arc::new(sort.order(idx, &hits, scored));
        self.last = Some(LastQuery {
            query,
            hits,
            scored,
        });
        self.rows = rows.clone();
        self.kind = kind;
        Some(Ok(rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::parse;

    fn q(s: &str) -> Query {
        parse(s).unwrap()
    }

    #[test]
    fn what_narrows() {
        let cases = [
            ("", "j", true),
            ("j", "jo", true),
            ("jo", "j", false),
            ("john", "john s", true),
            ("john s", "john", false),
            ("jn", "john", true),
            ("john", "product:confluence john", true),
            ("product:confluence", "product:confluence idle:90", true),
            ("idle:90", "product:confluence idle:90", false),
            ("product:confluence idle:90", "idle:90", false),
            ("synced", "!synced", false),
            ("j", "j !synced", true),
            ("!j", "!jo", false),
            ("!jo", "!jo !x", true),
            ("group:eng", "group:en", false),
        ];
        for (prev, new, expected) in cases {
            assert_eq!(narrows(&q(prev), &q(new)), expected, "{prev:?} -> {new:?}");
        }
    }
}

#[cfg(test)]
mod presorted_tests {
    use super::*;
    use crate::filter::select_in;
    use chrono::TimeZone;

    fn directory(sorted: bool) -> Arc<Directory> {
        let at = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        let mut dir = crate::domain::sample_directory(3_000, 7, at);
        if sorted {
            // The fetch's order.
            dir.users.sort_by_cached_key(|u| {
                (
                    u.name.to_lowercase(),
                    u.email.as_deref().map(str::to_lowercase),
                    u.account_id.clone(),
                )
            });
        }
        Arc::new(dir)
    }

    #[test]
    fn a_directory_in_name_order_is_counted_before_its_index() {
        let dir = directory(true);
        assert!(in_name_order(&dir));
        let index = SearchIndex::build(&dir);
        for sort in [
            Sort::default(),
            Sort {
                key: SortKey::Name,
                descending: true,
            },
        ] {
            let mut engine = Engine::new();
            let rows = engine.run(&dir, "", &sort).unwrap();
            assert_eq!(engine.last_pass(), PassKind::Presorted);
            assert!(engine.index.is_none(), "no index built for the count");
            assert_eq!(*rows, select_in(&index, "", &sort).unwrap());
            // The next query builds the index and narrows from every user.
            engine.prepare();
            assert!(engine.index.is_some());
            let jo = engine.run(&dir, "jo", &sort).unwrap();
            assert_eq!(engine.last_pass(), PassKind::Narrowed);
            assert_eq!(*jo, select_in(&index, "jo", &sort).unwrap());
        }
    }

    #[test]
    fn other_orders_and_queries_take_the_index() {
        let shuffled = directory(false);
        assert!(!in_name_order(&shuffled));
        let mut engine = Engine::new();
        let rows = engine.run(&shuffled, "", &Sort::default()).unwrap();
        assert_eq!(engine.last_pass(), PassKind::Full);
        assert_eq!(
            *rows,
            select_in(&SearchIndex::build(&shuffled), "", &Sort::default()).unwrap()
        );
        let sorted = directory(true);
        let by_email = Sort {
            key: SortKey::Email,
            descending: false,
        };
        let mut engine = Engine::new();
        let rows = engine.run(&sorted, "", &by_email).unwrap();
        assert_eq!(engine.last_pass(), PassKind::Full);
        assert_eq!(
            *rows,
            select_in(&SearchIndex::build(&sorted), "", &by_email).unwrap()
        );
        let mut engine = Engine::new();
        let _ = engine.run(&sorted, "ada", &Sort::default()).unwrap();
        assert_eq!(engine.last_pass(), PassKind::Full);
    }
}
