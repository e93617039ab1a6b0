//! The facet part of a query answered from sets built once per directory: a bitset per
//! status, account type, admin and synced; the sorted members of every group and domain; and
//! per product its holders ordered by days inactive (most idle first), so `idle:N` is a prefix
//! of that order. A query's facets become one bitset (intersections, `!` as a difference) and
//! only the users in it are tried against the fuzzy words.
//!
//! The row-by-row checks in `matching` stay the definition: the tests compare the two.

/// Inactivity value for "never active".
pub(crate) const NEVER: u32 = u32::MAX;
/// A status or account type outside the orders below.
pub(crate) const OTHER: u8 = u8::MAX;
/// The domain id of a user without an email.
pub(crate) const NO_DOMAIN: u32 = u32::MAX;
pub(crate) const STATUS_ORDER: [&str; 5] = [
    "active",
    "suspended",
    "not_invited",
    "deactivated",
    "for_deletion",
];
pub(crate) const TYPE_ORDER: [&str; 3] = ["atlassian", "app", "customer"];

/// One bit per user row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    pub(crate) fn empty(len: usize) -> Bits {
        Bits {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    pub(crate) fn full(len: usize) -> Bits {
        let mut b = Bits {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        b.trim();
        b
    }

    /// Clears the bits past `len` in the last word.
    fn trim(&mut self) {
        let rest = self.len % 64;
        if rest != 0
            && let Some(last) = self.words.last_mut()
        {
            *last &= (1u64 << rest) - 1;
        }
    }

    pub(crate) fn set(&mut self, row: u32) {
        let i = row as usize;
        if let Some(w) = self.words.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    pub(crate) fn contains(&self, row: u32) -> bool {
        let i = row as usize;
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    fn from_rows(len: usize, rows: &[u32]) -> Bits {
        let mut b = Bits::empty(len);
        for &r in rows {
            b.set(r);
        }
        b
    }

    /// Keeps the rows also in `other` (or, with `negate`, not in it).
    fn keep(&mut self, other: &Bits, negate: bool) {
        let flip = if negate { u64::MAX } else { 0 };
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b ^ flip;
        }
    }

    /// The rows in the set, ascending.
    pub(crate) fn rows(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let bit = w.trailing_zeros();
                w &= w - 1;
                Some((i * 64) as u32 + bit)
            })
        })
    }
}

/// Rows grouped by a key: the rows of key `k` are `rows[start[k]..start[k + 1]]`.
#[derive(Debug, Default)]
struct Lists {
    start: Vec<u32>,
    rows: Vec<u32>,
}

impl Lists {
    /// From (key, row) pairs, keys below `keys`; rows ascending and distinct within a key.
    fn build(keys: usize, pairs: impl Iterator<Item = (u32, u32)>) -> Lists {
        // One integer per pair sorts by key, then row.
        let mut packed: Vec<u64> = pairs
            .filter(|(k, _)| (*k as usize) < keys)
            .map(|(k, r)| (u64::from(k) << 32) | u64::from(r))
            .collect();
        packed.sort_unstable();
        packed.dedup();
        let mut start = Vec::with_capacity(keys + 1);
        let mut at = 0;
        for k in 0..keys as u64 {
            start.push(at as u32);
            while at < packed.len() && packed[at] >> 32 == k {
                at += 1;
            }
        }
        start.push(at as u32);
        let rows = packed.iter().map(|p| *p as u32).collect();
        Lists { start, rows }
    }

    fn of(&self, key: usize) -> &[u32] {
        match (self.start.get(key), self.start.get(key + 1)) {
            (Some(&a), Some(&b)) => &self.rows[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// Holders ordered by days inactive, most idle first (never active before every date).
#[derive(Debug, Default)]
struct ByIdle {
    rows: Vec<u32>,
    /// Per distinct number of days, most first: (days, holders idle at least that long). A
    /// few thousand values at most, where a number per holder would cost 4 bytes a user.
    steps: Vec<(u32, u32)>,
}

impl ByIdle {
    fn build(mut holders: Vec<(u32, u32)>) -> ByIdle {
        // (row, days): most idle first, then by row.
        holders.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut steps: Vec<(u32, u32)> = Vec::new();
        for (i, h) in holders.iter().enumerate() {
            match steps.last_mut() {
                Some(last) if last.0 == h.1 => last.1 = i as u32 + 1,
                _ => steps.push((h.1, i as u32 + 1)),
            }
        }
        ByIdle {
            rows: holders.iter().map(|h| h.0).collect(),
            steps,
        }
    }

    /// The holders inactive at least `n` days (never active included): a prefix.
    fn idle_at_least(&self, n: u32) -> &[u32] {
        let k = self.steps.partition_point(|&(d, _)| d >= n);
        let end = k.checked_sub(1).map_or(0, |i| self.steps[i].1 as usize);
        &self.rows[..end]
    }

    fn never(&self) -> &[u32] {
        self.idle_at_least(NEVER)
    }

    fn all(&self) -> &[u32] {
        &self.rows
    }
}

/// The precomputed sets of one index.
#[derive(Debug, Default)]
pub(crate) struct FacetSets {
    len: usize,
    status: Vec<Bits>,
    account_type: Vec<Bits>,
    admin: Bits,
    synced: Bits,
    groups: Lists,
    domains: Lists,
    /// Per product id: its holders by their days inactive on it.
    products: Vec<ByIdle>,
    /// Holders of any product by their most idle product.
    any_product: ByIdle,
}

/// What the index knows per user, borrowed for the build.
pub(crate) struct Columns<'a> {
    pub status: &'a [u8],
    pub account_type: &'a [u8],
    pub admin: &'a [bool],
    pub synced: &'a [bool],
    pub domain: &'a [u32],
    pub domain_count: usize,
    /// (group id, row) of every membership, rows ascending.
    pub memberships: Vec<(u32, u32)>,
    pub group_count: usize,
    pub access_start: &'a [u32],
    pub access: &'a [(u16, u32)],
    pub product_count: usize,
}

fn codes(len: usize, values: &[u8], count: usize) -> Vec<Bits> {
    let mut sets = vec![Bits::empty(len); count];
    for (row, &v) in values.iter().enumerate() {
        if v != OTHER
            && let Some(set) = sets.get_mut(v as usize)
        {
            set.set(row as u32);
        }
    }
    sets
}

fn flags(len: usize, values: &[bool]) -> Bits {
    let mut b = Bits::empty(len);
    for (row, _) in values.iter().enumerate().filter(|(_, v)| **v) {
        b.set(row as u32);
    }
    b
}

impl FacetSets {
    pub(crate) fn build(c: Columns<'_>) -> FacetSets {
        let len = c.status.len();
        let domain_pairs = c
            .domain
            .iter()
            .enumerate()
            .filter(|(_, d)| **d != NO_DOMAIN)
            .map(|(row, &d)| (d, row as u32));
        // Per product and user the most idle entry (a product listed twice counts once).
        let mut per_product: Vec<Vec<(u32, u32)>> = vec![Vec::new(); c.product_count];
        let mut any = Vec::new();
        for row in 0..len {
            let (a, b) = (
                c.access_start[row] as usize,
                c.access_start[row + 1] as usize,
            );
            let mut most: Option<u32> = None;
            for &(p, days) in &c.access[a..b] {
                let Some(list) = per_product.get_mut(p as usize) else {
                    continue;
                };
                match list.last_mut() {
                    Some(last) if last.0 == row as u32 => last.1 = last.1.max(days),
                    _ => list.push((row as u32, days)),
                }
                most = Some(most.map_or(days, |m| m.max(days)));
            }
            if let Some(m) = most {
                any.push((row as u32, m));
            }
        }
        FacetSets {
            len,
            status: codes(len, c.status, STATUS_ORDER.len()),
            account_type: codes(len, c.account_type, TYPE_ORDER.len()),
            admin: flags(len, c.admin),
            synced: flags(len, c.synced),
            groups: Lists::build(c.group_count, c.memberships.into_iter()),
            domains: Lists::build(c.domain_count, domain_pairs),
            products: per_product.into_iter().map(ByIdle::build).collect(),
            any_product: ByIdle::build(any),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn status(&self, code: u8) -> Bits {
        self.coded(&self.status, code)
    }

    pub(crate) fn account_type(&self, code: u8) -> Bits {
        self.coded(&self.account_type, code)
    }

    fn coded(&self, sets: &[Bits], code: u8) -> Bits {
        sets.get(code as usize)
            .cloned()
            .unwrap_or_else(|| Bits::empty(self.len))
    }

    pub(crate) fn admin(&self) -> Bits {
        self.admin.clone()
    }

    pub(crate) fn synced(&self) -> Bits {
        self.synced.clone()
    }

    /// Whether `row` is a member of group `id` (the row-by-row check).
    pub(crate) fn in_group(&self, id: u32, row: u32) -> bool {
        self.groups.of(id as usize).binary_search(&row).is_ok()
    }

    pub(crate) fn group(&self, id: Option<u32>) -> Bits {
        let rows = id.map_or(&[][..], |g| self.groups.of(g as usize));
        Bits::from_rows(self.len, rows)
    }

    /// Users whose email domain is one of those `matching` marks.
    pub(crate) fn domains(&self, matching: &[bool]) -> Bits {
        let mut b = Bits::empty(self.len);
        for (d, _) in matching.iter().enumerate().filter(|(_, m)| **m) {
            for &r in self.domains.of(d) {
                b.set(r);
            }
        }
        b
    }

    fn product(&self, id: Option<u16>) -> Option<&ByIdle> {
        id.and_then(|p| self.products.get(p as usize))
    }

    pub(crate) fn holders(&self, id: Option<u16>) -> Bits {
        let rows = self.product(id).map_or(&[][..], ByIdle::all);
        Bits::from_rows(self.len, rows)
    }

    /// `idle:N` (`days` = N) or `never` (`days` = None) on any product held (`products` =
    /// None) or on every named product.
    pub(crate) fn idle(&self, days: Option<u32>, products: Option<&[Option<u16>]>) -> Bits {
        fn prefix(by: &ByIdle, days: Option<u32>) -> &[u32] {
            match days {
                Some(n) => by.idle_at_least(n),
                None => by.never(),
            }
        }
        match products {
            None => Bits::from_rows(self.len, prefix(&self.any_product, days)),
            Some(ids) => {
                let mut acc = Bits::full(self.len);
                for id in ids {
                    let rows = self.product(*id).map_or(&[][..], |by| prefix(by, days));
                    acc.keep(&Bits::from_rows(self.len, rows), false);
                }
                acc
            }
        }
    }
}

/// The rows every facet admits: each facet's set kept (or, negated, taken away) in turn.
pub(crate) fn sieve(len: usize, sets: impl IntoIterator<Item = (bool, Bits)>) -> Bits {
    let mut acc = Bits::full(len);
    for (negated, set) in sets {
        acc.keep(&set, negated);
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_hold_what_was_set_and_nothing_past_the_end() {
        for len in [0usize, 1, 63, 64, 65, 130] {
            let full = Bits::full(len);
            assert_eq!(full.rows().count(), len);
            assert!(full.rows().eq(0..len as u32));
            let rows: Vec<u32> = (0..len as u32).filter(|r| r % 3 == 1).collect();
            let some = Bits::from_rows(len, &rows);
            assert!(some.rows().eq(rows.iter().copied()));
            let mut rest = Bits::full(len);
            rest.keep(&some, true);
            assert!(rest.rows().eq((0..len as u32).filter(|r| r % 3 != 1)));
            assert!(!rest.contains(len as u32));
        }
    }

    #[test]
    fn idle_is_a_prefix_of_the_most_idle_first_order() {
        let by = ByIdle::build(vec![(4, 10), (1, NEVER), (2, 90), (3, 90), (0, 0)]);
        assert_eq!(by.all(), [1, 2, 3, 4, 0]);
        assert_eq!(by.never(), [1]);
        assert_eq!(by.idle_at_least(90), [1, 2, 3]);
        assert_eq!(by.idle_at_least(91), [1]);
        assert_eq!(by.idle_at_least(0), [1, 2, 3, 4, 0]);
    }
}
