//! One pass of a query over an index: facets as cheap exact checks first, then the fuzzy
//! words, scored by skim (fuzzy-matcher's `SkimMatcherV2`). The matcher is used only here, so
//! a faster crate would touch this file alone.
//!
//! A word matches a user when it matches their `name email`; its score is skim's. Group names
//! are not in that text: with them, `jo` matched 64,000 of 98,000 users through
//! "jira-software-users", and every pass scored each member's groups too (benches/filter.rs
//! prints the counts and times); `group:NAME` finds a group's members exactly. Without a
//! relevance sort no score is computed at all.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use super::facets::{Bits, sieve};
use super::index::{NEVER, NO_DOMAIN, OTHER, STATUS_ORDER, SearchIndex, TYPE_ORDER, char_mask};
use super::query::{Facet, Query};

/// A matching user: (row in `directory.users`, summed fuzzy score; 0 without words).
pub(crate) type Hit = (u32, i64);

/// How often a pass asks whether a newer query is waiting.
const INTERRUPT_EVERY: usize = 256;

/// Where `idle:` and `never` look.
enum Scope {
    /// Some product the user holds.
    AnyHeld,
    /// Every named product (None: nobody in the directory holds it).
    Products(Vec<Option<u16>>),
}

enum Check {
    Product(Option<u16>),
    Idle(u32, Scope),
    Never(Scope),
    Status(u8),
    Type(u8),
    /// Per domain id: does it match.
    Domain(Vec<bool>),
    Group(Option<u32>),
    Admin,
    Synced,
}

/// A query bound to one index: facet names turned into ids.
pub(crate) struct Compiled<'q> {
    checks: Vec<(bool, Check)>,
    words: &'q [String],
    /// The characters of all words together: a user whose text lacks one cannot match.
    words_mask: u64,
    excluded: &'q [String],
    /// Compute scores (for a relevance sort); else a word only has to match.
    scored: bool,
    /// The candidates were sieved by the facets' sets already (see [`Compiled::sieve`]).
    sieved: bool,
}

fn scope(q: &Query, idx: &SearchIndex) -> Scope {
    let named = q.scope_products();
    if named.is_empty() {
        Scope::AnyHeld
    } else {
        Scope::Products(
            named
                .iter()
                .map(|p| idx.product_by_key.get(*p).copied())
                .collect(),
        )
    }
}

impl<'q> Compiled<'q> {
    pub(crate) fn new(q: &'q Query, idx: &SearchIndex, scored: bool) -> Compiled<'q> {
        let code = |order: &[&str], v: &str| {
            order
                .iter()
                .position(|s| *s == v)
                .map_or(OTHER, |p| p as u8)
        };
        let checks = q
            .facets
            .iter()
            .map(|(neg, f)| {
                let check = match f {
                    Facet::Product(p) => Check::Product(idx.product_by_key.get(p).copied()),
                    Facet::Idle(days) => Check::Idle(*days, scope(q, idx)),
                    Facet::Never => Check::Never(scope(q, idx)),
                    Facet::Status(s) => Check::Status(code(&STATUS_ORDER, s)),
                    Facet::Type(t) => Check::Type(code(&TYPE_ORDER, t)),
                    Facet::Domain(d) => {
                        let sub = format!(".{d}");
                        Check::Domain(
                            idx.domains
                                .iter()
                                .map(|x| x == d || x.ends_with(&sub))
                                .collect(),
                        )
                    }
                    Facet::Group(g) => {
                        Check::Group(idx.group_by_name.get(&g.to_lowercase()).copied())
                    }
                    Facet::Admin => Check::Admin,
                    Facet::Synced => Check::Synced,
                };
                (*neg, check)
            })
            .collect();
        Compiled {
            checks,
            words: &q.words,
            words_mask: q.words.iter().fold(0, |m, w| m | char_mask(w)),
            excluded: &q.excluded_words,
            scored,
            sieved: false,
        }
    }

    /// The rows the facets admit, from the index's precomputed sets; None without facets.
    pub(crate) fn facet_rows(&self, idx: &SearchIndex) -> Option<Bits> {
        if self.checks.is_empty() {
            return None;
        }
        let f = &idx.facets;
        fn ids(scope: &Scope) -> Option<&[Option<u16>]> {
            match scope {
                Scope::AnyHeld => None,
                Scope::Products(ids) => Some(ids),
            }
        }
        let sets = self.checks.iter().map(|(neg, check)| {
            let set = match check {
                Check::Product(id) => f.holders(*id),
                Check::Idle(n, scope) => f.idle(Some(*n), ids(scope)),
                Check::Never(scope) => f.idle(None, ids(scope)),
                Check::Status(code) => f.status(*code),
                Check::Type(code) => f.account_type(*code),
                Check::Domain(matching) => f.domains(matching),
                Check::Group(id) => f.group(*id),
                Check::Admin => f.admin(),
                Check::Synced => f.synced(),
            };
            (*neg, set)
        });
        Some(sieve(f.len(), sets))
    }

    /// For candidates that passed the facets already.
    pub(crate) fn skip_facets(&mut self) {
        self.sieved = true;
    }

    /// The candidates the facets admit (in their order), from the sets: the pass that
    /// follows tries only the words on them.
    pub(crate) fn sieve(&mut self, idx: &SearchIndex, candidates: Vec<u32>) -> Vec<u32> {
        let Some(admitted) = self.facet_rows(idx) else {
            return candidates;
        };
        self.sieved = true;
        if candidates.len() == idx.len() && candidates.iter().copied().eq(0..idx.len() as u32) {
            admitted.rows().collect()
        } else {
            candidates
                .into_iter()
                .filter(|r| admitted.contains(*r))
                .collect()
        }
    }

    /// An excluded word matches the user's name or email.
    fn excluded(&self, idx: &SearchIndex, row: u32) -> bool {
        let hay = idx.hay(row);
        self.excluded.iter().any(|w| is_subsequence(hay, w))
    }

    /// Summed score of every word on name-and-email, None when a word does not match.
    fn score(&self, idx: &SearchIndex, scorer: &Scorer, row: u32) -> Option<i64> {
        if idx.masks[row as usize] & self.words_mask != self.words_mask {
            return None;
        }
        let hay = idx.hay(row);
        if !self.scored {
            return self
                .words
                .iter()
                .all(|w| is_subsequence(hay, w))
                .then_some(0);
        }
        let mut total = 0i64;
        for w in self.words {
            total = total.saturating_add(scorer.score_word(hay, w)?);
        }
        Some(total)
    }

    /// Every facet checked on one user: the definition the sets must agree with.
    pub(crate) fn facets_hold(&self, idx: &SearchIndex, row: u32) -> bool {
        self.checks
            .iter()
            .all(|(neg, check)| check_holds(check, idx, row) != *neg)
    }
}

fn in_scope(scope: &Scope, idx: &SearchIndex, row: u32, pred: impl Fn(u32) -> bool) -> bool {
    let access = idx.access_of(row);
    match scope {
        Scope::AnyHeld => access.iter().any(|&(_, days)| pred(days)),
        Scope::Products(ids) => ids
            .iter()
            .all(|id| id.is_some_and(|id| access.iter().any(|&(p, days)| p == id && pred(days)))),
    }
}

fn check_holds(check: &Check, idx: &SearchIndex, row: u32) -> bool {
    let i = row as usize;
    match check {
        Check::Product(id) => id.is_some_and(|id| idx.access_of(row).iter().any(|&(p, _)| p == id)),
        Check::Idle(n, scope) => in_scope(scope, idx, row, |days| days >= *n),
        Check::Never(scope) => in_scope(scope, idx, row, |days| days == NEVER),
        Check::Status(code) => idx.status[i] == *code && *code != OTHER,
        Check::Type(code) => idx.account_type[i] == *code && *code != OTHER,
        Check::Domain(matching) => {
            let d = idx.domain[i];
            d != NO_DOMAIN && matching[d as usize]
        }
        Check::Group(id) => id.is_some_and(|id| idx.facets.in_group(id, row)),
        Check::Admin => idx.admin[i],
        Check::Synced => idx.synced[i],
    }
}

/// True when `word`'s characters appear in `hay` in order: exactly when skim finds a match
/// (it rejects on the same test), without skim's per-call copying of both into `Vec<char>`.
pub(crate) fn is_subsequence(hay: &str, word: &str) -> bool {
    if word.is_ascii() {
        // An ASCII byte only ever equals the same ASCII character in UTF-8.
        let mut rest = hay.as_bytes();
        for b in word.bytes() {
            match rest.iter().position(|&h| h == b) {
                Some(p) => rest = &rest[p + 1..],
                None => return false,
            }
        }
        true
    } else {
        let mut hay = hay.chars();
        word.chars().all(|w| hay.any(|h| h == w))
    }
}

/// The fuzzy scorer. Haystacks and words are both lower case, so it matches case exactly.
pub(crate) struct Scorer {
    skim: SkimMatcherV2,
}

impl Scorer {
    pub(crate) fn new() -> Scorer {
        Scorer {
            skim: SkimMatcherV2::default().respect_case(),
        }
    }

    /// Skim's score of one word on one text; None unless the word is a subsequence.
    fn score_word(&self, hay: &str, word: &str) -> Option<i64> {
        if !is_subsequence(hay, word) {
            return None;
        }
        self.skim.fuzzy_match(hay, word)
    }
}

/// Where the query's fuzzy `words` match a user, as char positions in the name and in the
/// email (sorted, each once): what the console highlights. The same text (`name email`, lower
/// case) and matcher the filter scores with, so the highlight is the match the filter made; a
/// word that does not match adds nothing. For the rows on screen only: one skim call per word.
pub fn match_positions(
    name: &str,
    email: Option<&str>,
    words: &[String],
) -> (Vec<usize>, Vec<usize>) {
    // The haystack char by char, each with where it came from (None: the space between).
    let mut hay = String::with_capacity(name.len() + email.map_or(0, str::len) + 1);
    let mut origin: Vec<Option<(bool, usize)>> = Vec::with_capacity(hay.capacity());
    for (i, c) in name.chars().enumerate() {
        for l in c.to_lowercase() {
            hay.push(l);
            origin.push(Some((false, i)));
        }
    }
    if let Some(e) = email {
        hay.push(' ');
        origin.push(None);
        for (i, c) in e.chars().enumerate() {
            for l in c.to_lowercase() {
                hay.push(l);
                origin.push(Some((true, i)));
            }
        }
    }
    let scorer = Scorer::new();
    let (mut in_name, mut in_email) = (Vec::new(), Vec::new());
    for w in words {
        if !is_subsequence(&hay, w) {
            continue;
        }
        let Some((_, at)) = scorer.skim.fuzzy_indices(&hay, w) else {
            continue;
        };
        for p in at {
            match origin.get(p).copied().flatten() {
                Some((false, i)) => in_name.push(i),
                Some((true, i)) => in_email.push(i),
                None => {}
            }
        }
    }
    for v in [&mut in_name, &mut in_email] {
        v.sort_unstable();
        v.dedup();
    }
    (in_name, in_email)
}

/// Runs the compiled query over `candidates`. None when `interrupt` said a newer query waits.
pub(crate) fn pass(
    idx: &SearchIndex,
    q: &Compiled<'_>,
    scorer: &Scorer,
    candidates: impl Iterator<Item = u32>,
    interrupt: &mut dyn FnMut() -> bool,
) -> Option<Vec<Hit>> {
    let mut hits = Vec::new();
    for (n, row) in candidates.enumerate() {
        if n % INTERRUPT_EVERY == INTERRUPT_EVERY - 1 && interrupt() {
            return None;
        }
        if !q.sieved && !q.facets_hold(idx, row) {
            continue;
        }
        if !q.excluded.is_empty() && q.excluded(idx, row) {
            continue;
        }
        if q.words.is_empty() {
            hits.push((row, 0));
        } else if let Some(score) = q.score(idx, scorer, row) {
            hits.push((row, score));
        }
    }
    Some(hits)
}

/// Every user the query selects (scored when `scored`). An empty query is every user,
/// unscored, without a pass.
pub(crate) fn full_pass(
    idx: &SearchIndex,
    q: &Query,
    scored: bool,
    scorer: &Scorer,
    interrupt: &mut dyn FnMut() -> bool,
) -> Option<Vec<Hit>> {
    let rows = 0..idx.len() as u32;
    if q.is_empty() {
        return Some(rows.map(|r| (r, 0)).collect());
    }
    let mut compiled = Compiled::new(q, idx, scored);
    let rows = compiled.sieve(idx, rows.collect());
    pass(idx, &compiled, scorer, rows.into_iter(), interrupt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_positions_point_at_the_matched_characters_of_name_and_email() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // "lovel" in the name, "acme" in the email (written in upper case there).
        let (n, e) = match_positions("Ada Lovelace", Some("ada@acme.example"), &words(&["lovel"]));
        assert_eq!(n, vec![4, 5, 6, 7, 8]);
        assert!(e.is_empty());
        let (n, e) = match_positions("Ada Lovelace", Some("ada@ACME.example"), &words(&["acme"]));
        assert!(n.is_empty(), "{n:?}");
        assert_eq!(e, vec![4, 5, 6, 7]);
        // Two words: both highlighted; a word that does not match adds nothing.
        let (n, e) = match_positions(
            "Ada Lovelace",
            Some("ada@acme.example"),
            &words(&["love", "zz"]),
        );
        assert_eq!(n, vec![4, 5, 6, 7]);
        assert!(e.is_empty());
        // Positions count chars, not bytes.
        let (n, _) = match_positions("Zoë Müller", None, &words(&["mül"]));
        assert_eq!(n, vec![4, 5, 6]);
    }

    #[test]
    fn subsequence_agrees_with_skim() {
        let skim = SkimMatcherV2::default().respect_case();
        let hays = [
            "alan turing alan.turing@acme.example eng",
            "zoë müller zoe@acme.example",
            "",
            "j",
            "x a_b-9.z@y.example",
        ];
        let words = [
            "gra", "alan", "zz", "ë", "mül", "j", "turingx", "@acme", "e e", "a_b-9.", "müller",
        ];
        for h in hays {
            for w in words {
                assert_eq!(
                    is_subsequence(h, w),
                    skim.fuzzy_match(h, w).is_some(),
                    "{w:?} in {h:?}"
                );
                // The character masks never rule out a match.
                let (hm, wm) = (char_mask(h), char_mask(w));
                if is_subsequence(h, w) {
                    assert_eq!(hm & wm, wm, "{w:?} in {h:?}");
                }
            }
        }
    }
}
