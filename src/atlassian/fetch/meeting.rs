//! Two cursor streams over one user search, one sorted ascending and one descending by
//! nickname, and the moment together they have read every user: the rule, without I/O.
//!
//! Why the rule is safe, whatever the server's collation and tie order. Let `K` be the key the
//! server sorts by. The ascending stream has read every user whose key is below that of the last
//! user it read (`a`); the descending stream every user whose key is above its last (`d`). Once
//! both have read some user `x`, `K(d) <= K(x) <= K(a)`. If moreover `K(d) != K(a)`, then
//! `K(d) < K(a)` and every key is below `K(a)` or above `K(d)`: nobody is missed. Users with
//! equal keys may come in any order in either direction, so equal keys at the boundary are
//! never enough: the streams go on until one of them leaves the tie. Equal keys are judged
//! conservatively (`possibly_tied`): names the server might sort together count as tied.
//!
//! Users without a nickname have no known place (a server may put them last both ways), so they
//! take no part in the proof. The server's own count of the search covers them: the streams stop
//! only when they hold at least that many users. If the order says "done" and the count says
//! "more", the count wins and the ascending stream alone reads on to its end. A stream that
//! reaches its end has read the whole search by itself.

use foldhash::HashSet;

/// Which stream of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Asc,
    Desc,
}

#[derive(Debug, Default)]
struct Stream {
    seen: HashSet<String>,
    /// The folded nickname of the last named user read.
    last_named: Option<String>,
}

/// What a pair of streams has read so far, and whether that is everything.
#[derive(Debug)]
pub struct Meeting {
    /// The server's count of the search, if it gave one.
    expected: Option<u64>,
    asc: Stream,
    desc: Stream,
    /// Both streams have read one same named user.
    met: bool,
    /// Distinct users read by either stream.
    union: u64,
    /// The order said "done" and the count said "more": only the ascending stream goes on.
    asc_only: bool,
    complete: bool,
}

/// A nickname as a key that every plausible collation maps equal names to (case, spacing and
/// punctuation ignored); `None` for a missing or blank nickname.
fn fold(nickname: Option<&str>) -> Option<String> {
    let folded: String = nickname?
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    (!folded.is_empty()).then_some(folded)
}

impl Meeting {
    pub fn new(expected: Option<u64>) -> Meeting {
        Meeting {
            expected,
            asc: Stream::default(),
            desc: Stream::default(),
            met: false,
            union: 0,
            asc_only: false,
            complete: false,
        }
    }

    fn streams(&mut self, side: Side) -> (&mut Stream, &Stream) {
        match side {
            Side::Asc => (&mut self.asc, &self.desc),
            Side::Desc => (&mut self.desc, &self.asc),
        }
    }

    /// One page read by `side`, in its order: `(account id, nickname)` per user.
    pub fn page<'a>(
        &mut self,
        side: Side,
        users: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    ) {
        if !self.wants(side) {
            return;
        }
        let mut met = false;
        let mut added = 0;
        let (this, other) = self.streams(side);
        for (id, nickname) in users {
            let in_other = other.seen.contains(id);
            if this.seen.insert(id.to_owned()) && !in_other {
                added += 1;
            }
            if let Some(folded) = fold(nickname) {
                met |= in_other;
                this.last_named = Some(folded);
            }
        }
        self.union += added;
        self.met |= met;
        self.decide();
    }

    /// `side` has no more pages: it has read the whole search by itself.
    pub fn ended(&mut self, side: Side) {
        if self.wants(side) {
            self.complete = true;
        }
    }

    fn decide(&mut self) {
        let crossed = self.met
            && match (&self.asc.last_named, &self.desc.last_named) {
                (Some(a), Some(d)) => a != d,
                _ => false,
            };
        if !crossed {
            return;
        }
        match self.expected {
            Some(n) if self.union < n => self.asc_only = true,
            _ => self.complete = true,
        }
    }

    /// Whether `side` should read another page.
    pub fn wants(&self, side: Side) -> bool {
        !self.complete && (side == Side::Asc || !self.asc_only)
    }

    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// The nickname order and the server's count disagreed (worth a warning).
    pub fn count_disagreed(&self) -> bool {
        self.asc_only
    }

    /// Distinct users read by either stream.
    pub fn read(&self) -> u64 {
        self.union
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use foldhash::HashSetExt;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    #[derive(Clone)]
    struct U {
        id: String,
        nick: Option<String>,
    }

    /// Where a server puts users without a nickname, per direction.
    #[derive(Clone, Copy, Debug)]
    enum Nulls {
        Smallest,
        Largest,
        LastBothWays,
        FirstBothWays,
    }

    /// How a server orders a search: its collation key, tie order and null placement.
    #[derive(Clone, Copy, Debug)]
    struct Server {
        case_insensitive: bool,
        /// Ties keep the same order in both directions (else desc is the exact reverse).
        ties_same_way: bool,
        nulls: Nulls,
    }

    impl Server {
        fn key(&self, nick: &str) -> String {
            if self.case_insensitive {
                nick.to_lowercase()
            } else {
                nick.to_owned()
            }
        }

        fn order(&self, users: &[U], side: Side) -> Vec<U> {
            let (named, unnamed): (Vec<U>, Vec<U>) =
                users.iter().cloned().partition(|u| u.nick.is_some());
            let mut named = named;
            // Ties broken by id, ascending.
            named.sort_by(|a, b| {
                let (ka, kb) = (
                    self.key(a.nick.as_deref().unwrap()),
                    self.key(b.nick.as_deref().unwrap()),
                );
                let by_key = if side == Side::Desc {
                    kb.cmp(&ka)
                } else {
                    ka.cmp(&kb)
                };
                let tie = if side == Side::Desc && !self.ties_same_way {
                    b.id.cmp(&a.id)
                } else {
                    a.id.cmp(&b.id)
                };
                by_key.then(tie)
            });
            let nulls_first = matches!(
                (self.nulls, side),
                (Nulls::Smallest, Side::Asc)
                    | (Nulls::Largest, Side::Desc)
                    | (Nulls::FirstBothWays, _)
            );
            if nulls_first {
                unnamed.into_iter().chain(named).collect()
            } else {
                named.into_iter().chain(unnamed).collect()
            }
        }
    }

    fn directory(rng: &mut StdRng, n: usize, names: &[&str], null_share: f64) -> Vec<U> {
        (0..n)
            .map(|i| U {
                id: format!("id-{i:05}-{}", rng.gen_range(0..1000)),
                nick: (!rng.gen_bool(null_share))
                    .then(|| names[rng.gen_range(0..names.len())].to_owned()),
            })
            .collect()
    }

    /// Runs a pair to completion with pages of `size`, the two streams answering in a random
    /// interleaving, and returns what they read together and how many pages that took.
    fn run(
        rng: &mut StdRng,
        server: Server,
        users: &[U],
        expected: Option<u64>,
        size: usize,
    ) -> (HashSet<String>, usize) {
        let asc = server.order(users, Side::Asc);
        let desc = server.order(users, Side::Desc);
        let mut m = Meeting::new(expected);
        let mut pos = [0usize, 0];
        let mut read = HashSet::new();
        let mut pages = 0;
        while !m.is_complete() {
            let side = if !m.wants(Side::Desc) || rng.gen_bool(0.5) {
                Side::Asc
            } else {
                Side::Desc
            };
            let (order, p) = match side {
                Side::Asc => (&asc, &mut pos[0]),
                Side::Desc => (&desc, &mut pos[1]),
            };
            if *p >= order.len() && *p > 0 {
                m.ended(side);
                continue;
            }
            let page = &order[*p..(*p + size).min(order.len())];
            *p += size;
            pages += 1;
            read.extend(page.iter().map(|u| u.id.clone()));
            m.page(
                side,
                page.iter().map(|u| (u.id.as_str(), u.nick.as_deref())),
            );
            if *p >= order.len() {
                m.ended(side);
            }
            assert!(pages < 10_000, "never completes");
        }
        (read, pages)
    }

    const NAMES: &[&str] = &[
        "Ada", "ada", "Alan", "Grace", "grace ", "Linus", "Zoë", "Ken", "A-da", "Bo",
    ];

    #[test]
    fn with_the_count_nobody_is_missed_under_any_server_order() {
        let mut rng = StdRng::seed_from_u64(7);
        for case in 0..400 {
            let n = rng.gen_range(0..300);
            let names = &NAMES[..rng.gen_range(1..=NAMES.len())];
            let null_share = [0.0, 0.0, 0.05, 0.5, 1.0][case % 5];
            let users = directory(&mut rng, n, names, null_share);
            let server = Server {
                case_insensitive: rng.gen_bool(0.5),
                ties_same_way: rng.gen_bool(0.5),
                nulls: [
                    Nulls::Smallest,
                    Nulls::Largest,
                    Nulls::LastBothWays,
                    Nulls::FirstBothWays,
                ][rng.gen_range(0..4)],
            };
            let size = rng.gen_range(1..40);
            let all: HashSet<String> = users.iter().map(|u| u.id.clone()).collect();
            let (read, _) = run(&mut rng, server, &users, Some(n as u64), size);
            assert_eq!(
                read, all,
                "case {case}: {server:?}, {n} users, pages of {size}"
            );
        }
    }

    #[test]
    fn without_a_count_every_named_user_is_read() {
        let mut rng = StdRng::seed_from_u64(11);
        for case in 0..400 {
            let n = rng.gen_range(0..300);
            let users = directory(&mut rng, n, NAMES, 0.1);
            let server = Server {
                case_insensitive: rng.gen_bool(0.5),
                ties_same_way: rng.gen_bool(0.5),
                nulls: [Nulls::Smallest, Nulls::Largest, Nulls::FirstBothWays][rng.gen_range(0..3)],
            };
            let size = rng.gen_range(1..40);
            let all: HashSet<String> = users.iter().map(|u| u.id.clone()).collect();
            let (read, _) = run(&mut rng, server, &users, None, size);
            assert_eq!(read, all, "case {case}: {server:?}");
        }
    }

    #[test]
    fn a_count_that_is_too_low_does_not_stop_the_streams_early() {
        let mut rng = StdRng::seed_from_u64(3);
        let users = directory(&mut rng, 500, NAMES, 0.0);
        let server = Server {
            case_insensitive: true,
            ties_same_way: true,
            nulls: Nulls::Largest,
        };
        let all: HashSet<String> = users.iter().map(|u| u.id.clone()).collect();
        let (read, _) = run(&mut rng, server, &users, Some(10), 20);
        assert_eq!(read, all);
    }

    #[test]
    fn distinct_names_meet_in_the_middle_in_about_half_the_pages() {
        let mut rng = StdRng::seed_from_u64(5);
        let users: Vec<U> = (0..1000)
            .map(|i| U {
                id: format!("{i:04}"),
                nick: Some(format!("user {i:04}")),
            })
            .collect();
        let server = Server {
            case_insensitive: true,
            ties_same_way: false,
            nulls: Nulls::Largest,
        };
        let (read, pages) = run(&mut rng, server, &users, Some(1000), 100);
        assert_eq!(read.len(), 1000);
        // 10 pages one way; the pair needs its half of them plus at most one each past the middle.
        assert!(pages <= 12, "{pages} pages");
    }

    #[test]
    fn a_server_that_ignores_the_sort_is_caught_by_the_count() {
        let users: Vec<U> = (0..250)
            .map(|i| U {
                id: format!("{i:04}"),
                nick: Some(format!("n{}", i % 7)),
            })
            .collect();
        let mut m = Meeting::new(Some(250));
        // Both directions answer in the default order (desc with pages of 49).
        let first: Vec<(&str, Option<&str>)> = users[..50]
            .iter()
            .map(|u| (u.id.as_str(), u.nick.as_deref()))
            .collect();
        m.page(Side::Asc, first.clone());
        m.page(Side::Desc, first[..49].to_vec());
        assert!(!m.is_complete());
        assert!(m.count_disagreed() && !m.wants(Side::Desc) && m.wants(Side::Asc));
        m.page(
            Side::Asc,
            users[50..]
                .iter()
                .map(|u| (u.id.as_str(), u.nick.as_deref())),
        );
        assert!(m.is_complete());
        assert_eq!(m.read(), 250);
    }

    #[test]
    fn equal_names_at_the_boundary_are_not_a_meeting() {
        let mut m = Meeting::new(None);
        m.page(Side::Asc, [("1", Some("Ada")), ("2", Some("Bo"))]);
        m.page(Side::Desc, [("3", Some("Cy")), ("2", Some("bo"))]);
        // Met on "2", but both last names fold to "bo": users named Bo may remain.
        assert!(!m.is_complete());
        m.page(Side::Desc, [("4", Some("B-O")), ("1", Some("Ada"))]);
        assert!(m.is_complete());
        assert_eq!(fold(Some(" A-da ")), Some("ada".into()));
        assert_eq!(fold(Some(" - ")), None);
    }
}
