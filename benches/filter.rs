//! The console's filter at 100,000 users (`sample_directory`): index build, full passes of
//! typical queries, and typing "johnsmith" one character at a time with narrowing.
//!
//! Run: `cargo bench --bench filter -- --warm-up-time 1 --measurement-time 3`. Before the
//! criterion groups it prints per-keystroke median and p99 over repeated typing.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use seats::domain::{Directory, sample_directory};
use seats::filter::{Engine, PassKind, SearchIndex, Sort, select_in};

const USERS: usize = 100_000;
const TYPED: &str = "johnsmith";
const QUERIES: [&str; 4] = [
    "j",
    "john",
    "product:jira-software idle:90",
    "group:eng idle:180 !synced",
];

fn directory() -> Arc<Directory> {
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
    Arc::new(sample_directory(USERS, 42, at))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Types TYPED from an empty query many times; prints median and p99 of each keystroke.
fn keystroke_summary(dir: &Arc<Directory>) {
    let sort = Sort::default();
    let mut engine = Engine::new();
    let rounds = 40;
    let mut times = vec![Vec::with_capacity(rounds); TYPED.len()];
    for _ in 0..rounds {
        let _ = engine.run(dir, "", &sort);
        for (k, slot) in times.iter_mut().enumerate() {
            let t = Instant::now();
            let rows = engine.run(dir, &TYPED[..=k], &sort).map(|r| r.len());
            slot.push(t.elapsed());
            black_box(rows.ok());
            assert_eq!(engine.last_pass(), PassKind::Narrowed);
        }
    }
    println!("typing {TYPED:?} at {USERS} users, narrowing ({rounds} rounds):");
    for (k, slot) in times.iter_mut().enumerate() {
        slot.sort_unstable();
        let rows = engine
            .run(dir, &TYPED[..=k], &sort)
            .map(|r| r.len())
            .unwrap_or(0);
        println!(
            "  {:<10} median {:>8.2?}  p99 {:>8.2?}  rows {rows}",
            &TYPED[..=k],
            percentile(slot, 0.5),
            percentile(slot, 0.99),
        );
    }
}

/// Whether plain words should also match group names: for name queries as admins type them,
/// the users matched and the time of a scored pass, with the words over `name email` alone
/// and over `name email` plus every group name of the user (the rule before).
fn group_words_summary(dir: &Directory) {
    let skim = SkimMatcherV2::default().respect_case();
    let hay: Vec<String> = dir
        .users
        .iter()
        .map(|u| format!("{} {}", u.name, u.email.as_deref().unwrap_or("")).to_lowercase())
        .collect();
    let groups: Vec<Vec<String>> = dir
        .users
        .iter()
        .map(|u| u.groups.iter().map(|g| g.name.to_lowercase()).collect())
        .collect();
    println!("plain words over name and email, or also over group names, at {USERS} users:");
    println!(
        "  {:<10} {:>12} {:>10} {:>14} {:>10}",
        "query", "name, email", "ms", "+ group names", "ms"
    );
    for q in [
        "j", "jo", "joh", "john", "ada", "grace h", "mar", "eng", "sales",
    ] {
        let words: Vec<&str> = q.split_whitespace().collect();
        let t = Instant::now();
        let own = (0..hay.len())
            .filter(|&i| words.iter().all(|w| skim.fuzzy_match(&hay[i], w).is_some()))
            .count();
        let own_ms = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        let with_groups = (0..hay.len())
            .filter(|&i| {
                words.iter().all(|w| {
                    skim.fuzzy_match(&hay[i], w).is_some()
                        || groups[i].iter().any(|g| skim.fuzzy_match(g, w).is_some())
                })
            })
            .count();
        let groups_ms = t.elapsed().as_secs_f64() * 1000.0;
        println!("  {q:<10} {own:>12} {own_ms:>10.1} {with_groups:>14} {groups_ms:>10.1}");
    }
}

fn bench(c: &mut Criterion) {
    let dir = directory();
    keystroke_summary(&dir);
    group_words_summary(&dir);
    let sort = Sort::default();

    let mut g = c.benchmark_group("filter_100k");
    g.sample_size(20);
    g.bench_function("index_build", |b| b.iter(|| SearchIndex::build(&dir)));
    let at = dir.fetched_at;
    g.bench_function("sample_directory", |b| {
        b.iter(|| sample_directory(USERS, 42, at).users.len())
    });
    let index = SearchIndex::build(&dir);
    for q in QUERIES {
        g.bench_function(format!("full_pass/{q}"), |b| {
            b.iter(|| select_in(&index, black_box(q), &sort).map(|r| r.len()))
        });
    }
    g.bench_function("full_pass/empty", |b| {
        b.iter(|| select_in(&index, "", &sort).map(|r| r.len()))
    });
    // The whole word typed from an empty query, narrowing at each keystroke.
    let mut engine = Engine::new();
    g.bench_function(format!("typing/{TYPED}"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let _ = engine.run(&dir, "", &sort);
                let t = Instant::now();
                for k in 0..TYPED.len() {
                    black_box(engine.run(&dir, &TYPED[..=k], &sort).map(|r| r.len()).ok());
                }
                total += t.elapsed();
            }
            total
        })
    });
    // The reference of the testing notes: plain skim over "name email" of every user, no
    // facets, no sort. Puts the numbers above in proportion on a loaded machine.
    let plain: Vec<String> = dir
        .users
        .iter()
        .map(|u| format!("{} {}", u.name, u.email.as_deref().unwrap_or("")))
        .collect();
    let skim = SkimMatcherV2::default();
    for q in ["j", "john"] {
        g.bench_function(format!("skim_reference/{q}"), |b| {
            b.iter(|| plain.iter().filter_map(|h| skim.fuzzy_match(h, q)).count())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
