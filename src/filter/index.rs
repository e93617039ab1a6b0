//! What every pass needs from a directory, computed once per directory instead of per
//! keystroke: lower-cased haystacks, interned groups, domains and products, inactivity in
//! days, and the ranks that turn every sort into an integer sort.

use std::collections::HashMap;

use super::facets::{Columns, FacetSets};
pub(crate) use super::facets::{NEVER, NO_DOMAIN, OTHER, STATUS_ORDER, TYPE_ORDER};
use super::query::Vocabulary;
use crate::domain::{Directory, Inactivity};

/// The search index of one directory. Build it with [`SearchIndex::build`]; the worker keeps
/// one per `Arc<Directory>`.
#[derive(Debug)]
pub struct SearchIndex {
    /// Lower-cased `name email` of every user, one after the other: the text fuzzy words
    /// match. User `i`'s is `text[hay_start[i]..hay_start[i + 1]]` (one allocation, not one
    /// per user).
    text: String,
    hay_start: Vec<u32>,
    /// Which characters occur in each user's text, one bit each (see [`char_mask`]): a word
    /// with a character the user's text lacks cannot match, and most users are ruled out by
    /// one AND instead of a scan of their text.
    pub(crate) masks: Vec<u64>,
    /// Position in `STATUS_ORDER`, `OTHER` for unknown wire values.
    pub(crate) status: Vec<u8>,
    /// Position in `TYPE_ORDER`, `OTHER` for unknown wire values.
    pub(crate) account_type: Vec<u8>,
    pub(crate) admin: Vec<bool>,
    pub(crate) synced: Vec<bool>,
    /// Id into `domains`, `NO_DOMAIN` without an email.
    pub(crate) domain: Vec<u32>,
    pub(crate) domains: Vec<String>,
    /// Number of groups of each user (the members of each group are listed in `facets`).
    pub(crate) group_count: Vec<u16>,
    /// Lower-cased group name to id.
    pub(crate) group_by_name: HashMap<String, u32>,
    /// Product access of user `i` is `access[access_start[i]..access_start[i + 1]]`:
    /// (product id, whole days inactive or `NEVER`).
    pub(crate) access_start: Vec<u32>,
    pub(crate) access: Vec<(u16, u32)>,
    pub(crate) product_by_key: HashMap<String, u16>,
    /// Rank of each user in (lower-cased name, email, index) order: unique, so ties never
    /// make an order depend on the sort algorithm.
    pub(crate) name_rank: Vec<u32>,
    /// Rows in name order: the inverse of `name_rank`.
    pub(crate) by_name: Vec<u32>,
    /// Rank in lower-cased email order; users without an email come last.
    pub(crate) email_rank: Vec<u32>,
    /// Users with an email: ranks from here on have none.
    emails: usize,
    vocabulary: Vocabulary,
    /// The facets' sets, so a query's facets are set operations, not a check per user.
    pub(crate) facets: FacetSets,
}

fn position(order: &[&str], value: &str) -> u8 {
    order
        .iter()
        .position(|s| *s == value)
        .map_or(OTHER, |p| p as u8)
}

fn intern(map: &mut HashMap<String, u32>, names: &mut Vec<String>, name: &str) -> u32 {
    // Looked up before anything is allocated: most calls find a name already there.
    if let Some(&id) = map.get(name) {
        return id;
    }
    let id = names.len() as u32;
    names.push(name.to_owned());
    map.insert(name.to_owned(), id);
    id
}

/// The bit of an ASCII letter, digit or `@._- ` (lower case); 0 for anything else, which
/// then rules nothing out.
fn char_bit(b: u8) -> u64 {
    match b {
        b'a'..=b'z' => 1 << (b - b'a'),
        b'0'..=b'9' => 1 << (26 + b - b'0'),
        b'@' => 1 << 36,
        b'.' => 1 << 37,
        b'_' => 1 << 38,
        b'-' => 1 << 39,
        b' ' => 1 << 40,
        _ => 0,
    }
}

/// The characters of `text` as bits: a text that contains every character of a word has all
/// of the word's bits.
pub(crate) fn char_mask(text: &str) -> u64 {
    text.bytes().fold(0, |m, b| m | char_bit(b))
}

/// `a` and `b` compared as their lower-cased forms (`str::to_lowercase`), without allocating
/// for ASCII text (where lower-casing is byte by byte).
fn cmp_lower(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
    } else {
        a.to_lowercase().cmp(&b.to_lowercase())
    }
}

/// True when `dir.users` is already in the index's name order (lower-cased name, then
/// lower-cased email, no email first, then position): the order a fetch leaves the users in
/// and a snapshot keeps. Then the empty query's rows are the users as they are, and the
/// console can count them before the index exists. One pass, no allocation for ASCII names.
pub(crate) fn in_name_order(dir: &Directory) -> bool {
    dir.users.windows(2).all(|w| {
        let (a, b) = (&w[0], &w[1]);
        cmp_lower(&a.name, &b.name)
            .then_with(|| match (a.email.as_deref(), b.email.as_deref()) {
                (Some(x), Some(y)) => cmp_lower(x, y),
                (x, y) => x.is_some().cmp(&y.is_some()),
            })
            .is_le()
    })
}

/// The first 8 bytes of `s`, zero-padded, as a big-endian number: `prefix(a) < prefix(b)`
/// implies `a < b`, and equal prefixes leave the order to the whole strings.
fn prefix(s: &str) -> u64 {
    let mut b = [0u8; 8];
    let n = s.len().min(8);
    b[..n].copy_from_slice(&s.as_bytes()[..n]);
    u64::from_be_bytes(b)
}

fn ranks(order: &[u32]) -> Vec<u32> {
    let mut rank = vec![0u32; order.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    rank
}

impl SearchIndex {
    pub fn build<'d>(dir: &'d Directory) -> SearchIndex {
        let n = dir.users.len();
        let mut text = String::with_capacity(n * 48);
        let mut hay_start = Vec::with_capacity(n + 1);
        let mut masks = Vec::with_capacity(n);
        let mut names_lower = Vec::with_capacity(n);
        let mut emails_lower: Vec<Option<String>> = Vec::with_capacity(n);
        let mut status = Vec::with_capacity(n);
        let mut account_type = Vec::with_capacity(n);
        let mut admin = Vec::with_capacity(n);
        let mut synced = Vec::with_capacity(n);
        let mut domain = Vec::with_capacity(n);
        let mut domain_ids = HashMap::new();
        let mut domains = Vec::new();
        let mut group_count: Vec<u16> = Vec::with_capacity(n);
        let mut memberships: Vec<(u32, u32)> = Vec::new();
        let mut group_by_name = HashMap::new();
        let mut group_names = Vec::new();
        let mut access_start = Vec::with_capacity(n + 1);
        let mut access = Vec::new();
        let mut product_by_key: HashMap<String, u16> = HashMap::new();

        // Group names as first written, for the vocabulary.
        let mut group_display: Vec<String> = Vec::new();
        // Names as written to ids: members repeat a few names, lower-cased once each.
        let mut seen: HashMap<&'d str, u32> = HashMap::new();
        let mut intern_group = |name: &'d str| {
            if let Some(&id) = seen.get(name) {
                return id;
            }
            let before = group_names.len();
            let id = intern(&mut group_by_name, &mut group_names, &name.to_lowercase());
            if group_names.len() > before {
                group_display.push(name.to_owned());
            }
            seen.insert(name, id);
            id
        };
        for g in &dir.groups {
            intern_group(&g.name);
        }
        for u in &dir.users {
            let name = u.name.to_lowercase();
            let email = u.email.as_deref().map(str::to_lowercase);
            let from = text.len();
            hay_start.push(from as u32);
            text.push_str(&name);
            if let Some(e) = &email {
                text.push(' ');
                text.push_str(e);
            }
            masks.push(char_mask(&text[from..]));
            let row = group_count.len() as u32;
            for g in &u.groups {
                memberships.push((intern_group(&g.name), row));
            }
            group_count.push(u16::try_from(u.groups.len()).unwrap_or(u16::MAX));

            domain.push(match email.as_deref().and_then(|e| e.rsplit_once('@')) {
                Some((_, d)) => intern(&mut domain_ids, &mut domains, d),
                None => NO_DOMAIN,
            });
            status.push(position(&STATUS_ORDER, u.status.as_str()));
            account_type.push(position(&TYPE_ORDER, u.account_type.as_str()));
            admin.push(u.org_admin || u.site_admin);
            synced.push(u.synced);

            access_start.push(access.len() as u32);
            for a in &u.product_access {
                let id = match product_by_key.get(a.product.as_str()) {
                    Some(&id) => id,
                    None => {
                        let id = product_by_key.len() as u16;
                        product_by_key.insert(a.product.to_string(), id);
                        id
                    }
                };
                let days = match a.inactivity(dir.fetched_at) {
                    Inactivity::Never => NEVER,
                    Inactivity::Days(d) => d.clamp(0, i64::from(NEVER - 1)) as u32,
                };
                access.push((id, days));
            }
            names_lower.push(name);
            emails_lower.push(email);
        }
        access_start.push(access.len() as u32);
        hay_start.push(text.len() as u32);
        text.shrink_to_fit();

        // The first 8 bytes as a number settle most comparisons without touching the strings
        // (the two sorts were most of building the index at 100,000 users).
        let name_key: Vec<u64> = names_lower.iter().map(|s| prefix(s)).collect();
        let mut by_name: Vec<u32> = (0..n as u32).collect();
        // A fetched (or snapshot) directory is kept in this order already: checked in one pass.
        let sorted = (1..n).all(|i| {
            (&names_lower[i - 1], &emails_lower[i - 1]) <= (&names_lower[i], &emails_lower[i])
        });
        if !sorted {
            by_name.sort_unstable_by(|&a, &b| {
                let (a, b) = (a as usize, b as usize);
                name_key[a]
                    .cmp(&name_key[b])
                    .then_with(|| names_lower[a].cmp(&names_lower[b]))
                    .then_with(|| emails_lower[a].cmp(&emails_lower[b]))
                    .then(a.cmp(&b))
            });
        }
        let name_rank = ranks(&by_name);
        group_display.sort_unstable();
        let mut products: Vec<String> = product_by_key.keys().cloned().collect();
        products.sort_unstable();
        let vocabulary = Vocabulary {
            products,
            groups: group_display,
        };
        let email_key: Vec<u64> = emails_lower
            .iter()
            .map(|e| e.as_deref().map_or(0, prefix))
            .collect();
        let mut by_email: Vec<u32> = (0..n as u32).collect();
        by_email.sort_unstable_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            let (ea, eb) = (&emails_lower[a], &emails_lower[b]);
            // None after every email, then by name.
            ea.is_none()
                .cmp(&eb.is_none())
                .then(email_key[a].cmp(&email_key[b]))
                .then_with(|| ea.cmp(eb))
                .then(name_rank[a].cmp(&name_rank[b]))
        });
        let email_rank = ranks(&by_email);
        let emails = emails_lower.iter().filter(|e| e.is_some()).count();
        let facets = FacetSets::build(Columns {
            status: &status,
            account_type: &account_type,
            admin: &admin,
            synced: &synced,
            domain: &domain,
            domain_count: domains.len(),
            memberships,
            group_count: group_by_name.len(),
            access_start: &access_start,
            access: &access,
            product_count: product_by_key.len(),
        });

        SearchIndex {
            text,
            hay_start,
            masks,
            status,
            account_type,
            admin,
            synced,
            domain,
            domains,
            group_count,
            group_by_name,
            access_start,
            access,
            product_by_key,
            name_rank,
            by_name,
            email_rank,
            emails,
            vocabulary,
            facets,
        }
    }

    /// Number of users indexed.
    pub fn len(&self) -> usize {
        self.hay_start.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Lower-cased `name email` of user `row`.
    pub(crate) fn hay(&self, row: u32) -> &str {
        let i = row as usize;
        &self.text[self.hay_start[i] as usize..self.hay_start[i + 1] as usize]
    }

    /// Product keys and group names of the directory, for [`super::parse_in`].
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    pub(crate) fn email_count(&self) -> usize {
        self.emails
    }

    /// How many groups user `row` is in.
    pub(crate) fn group_count_of(&self, row: u32) -> usize {
        self.group_count
            .get(row as usize)
            .map_or(0, |c| usize::from(*c))
    }

    pub(crate) fn access_of(&self, row: u32) -> &[(u16, u32)] {
        let i = row as usize;
        &self.access[self.access_start[i] as usize..self.access_start[i + 1] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AccountType, UserStatus};

    #[test]
    fn prefixes_agree_with_string_order() {
        let words = [
            "",
            "a",
            "ab",
            "abc",
            "abcdefgh",
            "abcdefgha",
            "abcdefghb",
            "b",
            "zoë",
            "zoe",
            "é",
            "john smith",
            "john smithson",
            "john.smith@acme.example",
        ];
        for a in words {
            for b in words {
                if prefix(a) != prefix(b) {
                    assert_eq!(prefix(a).cmp(&prefix(b)), a.cmp(b), "{a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn name_and_email_orders_follow_the_lower_cased_strings() {
        use chrono::TimeZone;
        let at = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        let dir = crate::domain::sample_directory(4_000, 21, at);
        let idx = SearchIndex::build(&dir);
        let key = |r: u32| {
            let u = &dir.users[r as usize];
            (
                u.name.to_lowercase(),
                u.email.as_deref().map(str::to_lowercase),
                r,
            )
        };
        assert!(idx.by_name.windows(2).all(|w| key(w[0]) < key(w[1])));
        let mut by_email: Vec<u32> = (0..4_000).collect();
        by_email.sort_by_key(|&r| idx.email_rank[r as usize]);
        let email = |r: u32| {
            dir.users[r as usize]
                .email
                .as_deref()
                .map(str::to_lowercase)
        };
        for w in by_email.windows(2) {
            let (a, b) = (email(w[0]), email(w[1]));
            match (&a, &b) {
                (Some(x), Some(y)) => assert!(x <= y, "{x} {y}"),
                (None, Some(_)) => panic!("no email before an email"),
                _ => {}
            }
            if a == b {
                assert!(idx.name_rank[w[0] as usize] < idx.name_rank[w[1] as usize]);
            }
        }
    }

    #[test]
    fn orders_know_every_wire_value_of_the_domain() {
        for s in [
            UserStatus::Active,
            UserStatus::Suspended,
            UserStatus::NotInvited,
            UserStatus::Deactivated,
            UserStatus::ForDeletion,
        ] {
            assert_ne!(position(&STATUS_ORDER, s.as_str()), OTHER, "{s:?}");
        }
        for t in [
            AccountType::Atlassian,
            AccountType::App,
            AccountType::Customer,
        ] {
            assert_ne!(position(&TYPE_ORDER, t.as_str()), OTHER, "{t:?}");
        }
        assert_eq!(position(&STATUS_ORDER, "weird"), OTHER);
    }
}

#[cfg(test)]
mod order_tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn in_name_order_agrees_with_the_index_order() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        let mut dir = crate::domain::sample_directory(2_000, 5, at);
        // Case, accents and missing emails among equal names.
        dir.users[0].name = "Émile Zola".into();
        dir.users[1].name = "émile zola".into();
        dir.users[2].name = "ÉMILE ZOLA".into();
        dir.users[2].email = None;
        dir.users[3].name = "Zoë".into();
        let idx = SearchIndex::build(&dir);
        assert_eq!(
            in_name_order(&dir),
            idx.by_name.iter().copied().eq(0..2_000)
        );
        let order = idx.by_name.clone();
        dir.users = order
            .iter()
            .map(|&i| dir.users[i as usize].clone())
            .collect();
        assert!(in_name_order(&dir));
        let idx = SearchIndex::build(&dir);
        assert!(idx.by_name.iter().copied().eq(0..2_000));
        dir.users.reverse();
        assert!(!in_name_order(&dir));
    }
}
