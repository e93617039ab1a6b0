//! The facets' sets against the row-by-row checks: the same users for random queries over
//! random directories (tests only).
use chrono::TimeZone;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::index::SearchIndex;
use super::matching::{Compiled, Scorer, pass};
use super::query::{parse_in, quote_value};

fn token(rng: &mut StdRng, idx: &SearchIndex) -> String {
    let v = idx.vocabulary();
    let pick = |rng: &mut StdRng, xs: &[String]| {
        if xs.is_empty() || rng.gen_bool(0.1) {
            "nothing-like-it".to_owned()
        } else {
            xs[rng.gen_range(0..xs.len())].clone()
        }
    };
    let days = [0u32, 1, 7, 30, 90, 180, 365, 1000, 100_000];
    let t = match rng.gen_range(0..12) {
        0 => format!("product:{}", pick(rng, &v.products)),
        1 | 2 => format!("idle:{}", days[rng.gen_range(0..days.len())]),
        3 => "never".to_owned(),
        4 => {
            let s = [
                "active",
                "suspended",
                "not_invited",
                "deactivated",
                "for_deletion",
            ];
            format!("status:{}", s[rng.gen_range(0..s.len())])
        }
        5 => format!(
            "type:{}",
            ["atlassian", "app", "customer"][rng.gen_range(0..3)]
        ),
        6 => {
            let d = [
                "acme.example",
                "example",
                "eu.acme.example",
                "freelance.example",
                "x.io",
            ];
            format!("domain:{}", d[rng.gen_range(0..d.len())])
        }
        7 | 8 => format!("group:{}", quote_value(&pick(rng, &v.groups))),
        9 => "admin".to_owned(),
        10 => "synced".to_owned(),
        _ => ["jo", "a", "an", "e"][rng.gen_range(0..4)].to_owned(),
    };
    if rng.gen_bool(0.3) {
        format!("!{t}")
    } else {
        t
    }
}

/// The facets' sets admit exactly the users the row-by-row checks do, and a whole query
/// answers the same through them, over many random queries, directories and seeds.
#[test]
fn facet_sets_agree_with_the_row_by_row_checks() {
    let at = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
    let scorer = Scorer::new();
    let mut checked = 0;
    for seed in 0..12u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let n = rng.gen_range(1..2_500);
        let mut dir = crate::domain::sample_directory(n, seed, at);
        // A product listed twice for one user, and users without any product.
        if let Some(u) = dir.users.first_mut()
            && let Some(a) = u.product_access.first().cloned()
        {
            u.product_access.push(crate::domain::ProductAccess {
                last_active: None,
                ..a
            });
        }
        for u in dir.users.iter_mut().skip(1).step_by(17) {
            u.product_access.clear();
        }
        let idx = SearchIndex::build(&dir);
        for _ in 0..60 {
            let text: Vec<String> = (0..rng.gen_range(1..5))
                .map(|_| token(&mut rng, &idx))
                .collect();
            let text = text.join(" ");
            let Ok(q) = parse_in(&text, idx.vocabulary()) else {
                continue;
            };
            let compiled = Compiled::new(&q, &idx, false);
            let row_by_row: Vec<u32> = (0..idx.len() as u32)
                .filter(|r| compiled.facets_hold(&idx, *r))
                .collect();
            match compiled.facet_rows(&idx) {
                Some(set) => assert_eq!(set.rows().collect::<Vec<_>>(), row_by_row, "{text:?}"),
                None => assert_eq!(row_by_row.len(), idx.len(), "{text:?}"),
            }
            for scored in [false, true] {
                let whole = pass(
                    &idx,
                    &Compiled::new(&q, &idx, scored),
                    &scorer,
                    0..idx.len() as u32,
                    &mut || false,
                );
                let mut sieved = Compiled::new(&q, &idx, scored);
                let rows = sieved.sieve(&idx, (0..idx.len() as u32).collect());
                let quick = pass(&idx, &sieved, &scorer, rows.into_iter(), &mut || false);
                assert_eq!(quick, whole, "{text:?}");
                // From a previous answer's rows (a narrowing query), too.
                let some: Vec<u32> = (0..idx.len() as u32).filter(|r| r % 3 != 0).collect();
                let mut sieved = Compiled::new(&q, &idx, scored);
                let rows = sieved.sieve(&idx, some.clone());
                let quick = pass(&idx, &sieved, &scorer, rows.into_iter(), &mut || false);
                let slow = pass(
                    &idx,
                    &Compiled::new(&q, &idx, scored),
                    &scorer,
                    some.into_iter(),
                    &mut || false,
                );
                assert_eq!(quick, slow, "{text:?}");
            }
            checked += 1;
        }
    }
    assert!(checked > 500, "{checked} queries checked");
}
