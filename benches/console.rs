//! The console at 100,000 users (`sample_directory`): what one keystroke costs from the key to
//! the drawn frame (the reducer, the filter pass the worker runs, the reducer taking its
//! result, drawing one 160x48 frame), drawing alone, and the start from a local snapshot to
//! the first frame. Before the criterion groups it prints the directory's bytes per user by
//! part (now, and as it was when every user owned its strings), keystroke to the frame that
//! shows the new count (median, p90) while typing name queries, per-keystroke median and p99
//! while typing a facet query, and the resident memory (and peak) with the snapshot, the
//! derived data and the filter's index loaded.
//!
//! Run: `cargo bench --bench console -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use seats::config::Config;
use seats::domain::{Directory, GroupRef, ProductAccess, Protection, User, sample_directory};
use seats::filter::{Engine, FilterResult};
use seats::store::Store;
use seats::tui::action::{Action, Effect};
use seats::tui::loaded::{Loaded, Origin};
use seats::tui::marks::RowSet;
use seats::tui::state::{AppState, SessionInfo, Theme};
use seats::tui::update::update;

const USERS: usize = 100_000;
const SIZE: (u16, u16) = (160, 48);
const TYPED: &str = "/product:jira-software idle:90 john";
/// Name queries as an admin types them, Esc between them.
const NAMES: &str = "/john\x1b/ada lo\x1b/grace\x1b/mary\x1b/turing\x1b";

fn directory() -> Arc<Directory> {
    let at = Utc
        .with_ymd_and_hms(2026, 12, 1, 12, 0, 0)
        .single()
        .unwrap_or_default();
    Arc::new(sample_directory(USERS, 42, at))
}

fn new_state(dir: Arc<Directory>) -> AppState {
    let config = Config::default();
    let mut s = AppState::new(
        SessionInfo {
            label: "bench".into(),
            org_id: dir.org_id.clone(),
            profile: None,
            myself: vec![],
            online: false,
            dry_run: false,
        },
        config.clone(),
        Protection::default(),
        dir.fetched_at,
        SIZE,
        Theme { color: true },
    );
    let loaded = Loaded::new(dir, Origin::Snapshot, &config);
    let _ = update(
        &mut s,
        Action::SnapshotLoaded {
            loaded: Some(loaded),
            notice: None,
        },
    );
    s
}

/// One keystroke end to end: reducer, the filter pass (as the worker runs it), the reducer
/// with the result, one frame drawn.
fn keystroke(
    state: &mut AppState,
    engine: &mut Engine,
    terminal: &mut Terminal<TestBackend>,
    c: char,
) {
    let effects = update(
        state,
        Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
    );
    for e in effects {
        if let Effect::Filter(req) = e {
            let start = Instant::now();
            let (rows, error) = match engine.run(&req.directory, &req.query, &req.sort) {
                Ok(rows) => (rows, None),
                Err(e) => (engine.rows(), Some(e)),
            };
            let set = Arc::new(RowSet::from_rows(&rows));
            let result = FilterResult {
                generation: req.generation,
                rows,
                error,
                took: start.elapsed(),
                provisional: false,
            };
            let _ = update(state, Action::Filtered(result, set));
        }
    }
    let _ = terminal.draw(|f| seats::tui::ui::draw(state, f));
}

fn terminal() -> Terminal<TestBackend> {
    match Terminal::new(TestBackend::new(SIZE.0, SIZE.1)) {
        Ok(t) => t,
        Err(e) => panic!("test terminal: {e}"),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len().saturating_sub(1))]
}

fn rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// glibc's chunk for a request of `n` bytes (n + 8 rounded up to 16, at least 32): what a
/// heap allocation really takes.
fn chunk(n: usize) -> usize {
    if n == 0 {
        0
    } else {
        (n + 8).div_ceil(16).max(2) * 16
    }
}

/// Bytes per user of the directory, by part, counted from the data itself: what the lean
/// model takes, and what the same users took when every user owned its strings.
fn memory_breakdown(dir: &Directory) {
    use std::collections::HashSet;
    use std::mem::size_of;
    let n = dir.users.len().max(1) as f64;
    let (mut own, mut groups, mut access) = (0usize, 0usize, 0usize);
    let mut shared: HashSet<usize> = HashSet::new();
    let (mut shared_bytes, mut unshared_bytes) = (0usize, 0usize);
    let mut sym = |s: &seats::domain::Sym| {
        // A Sym is an Arc<str>: two counters before the text.
        if shared.insert(s.as_str().as_ptr() as usize) {
            shared_bytes += chunk(s.len() + 16);
        }
        unshared_bytes += chunk(s.len());
    };
    for u in &dir.users {
        own += chunk(u.account_id.capacity())
            + chunk(u.name.capacity())
            + u.email.as_ref().map_or(0, |e| chunk(e.capacity()));
        groups += chunk(u.groups.capacity() * size_of::<GroupRef>());
        access += chunk(u.product_access.capacity() * size_of::<ProductAccess>());
        for g in &u.groups {
            sym(&g.id);
            sym(&g.name);
        }
        for a in &u.product_access {
            sym(&a.product);
            if let Some(r) = &a.resource {
                sym(r);
            }
        }
    }
    let refs: usize = dir.users.iter().map(|u| u.groups.len()).sum();
    let accesses: usize = dir.users.iter().map(|u| u.product_access.len()).sum();
    // A String is 8 bytes wider than a Sym: the model before had Strings in each ref.
    let before_groups = groups + refs * 2 * 8;
    let before_access = access + accesses * 2 * 8;
    let user = size_of::<User>() as f64;
    let per = |b: usize| b as f64 / n;
    println!(
        "directory bytes per user at {} users ({:.1} groups, {:.1} products each):",
        dir.users.len(),
        refs as f64 / n,
        accesses as f64 / n
    );
    println!("  {:<38} {:>8} {:>8}", "", "now", "owned");
    println!("  {:<38} {:>8.0} {:>8.0}", "User struct", user, user);
    println!(
        "  {:<38} {:>8.0} {:>8.0}",
        "account id, name, email",
        per(own),
        per(own)
    );
    println!(
        "  {:<38} {:>8.0} {:>8.0}",
        "group refs",
        per(groups),
        per(before_groups)
    );
    println!(
        "  {:<38} {:>8.0} {:>8.0}",
        "product access",
        per(access),
        per(before_access)
    );
    println!(
        "  {:<38} {:>8.1} {:>8.0}",
        "group ids and names, product keys, ARIs",
        per(shared_bytes),
        per(unshared_bytes)
    );
    println!(
        "  {:<38} {:>8.0} {:>8.0}",
        "total",
        user + per(own + groups + access + shared_bytes),
        user + per(own + before_groups + before_access + unshared_bytes)
    );
}

fn hwm_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// One keystroke to the first frame that shows the new count: the reducer, the worker's
/// matching (and its provisional result, when there is one), the reducer, one frame. Then the
/// final, scored order is taken in too, so the next keystroke starts where the console would.
fn keystroke_to_count(
    state: &mut AppState,
    engine: &mut Engine,
    terminal: &mut Terminal<TestBackend>,
    c: char,
) -> Duration {
    let start = Instant::now();
    let mut to_count = None;
    let code = if c == '\x1b' {
        KeyCode::Esc
    } else {
        KeyCode::Char(c)
    };
    let effects = update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    for e in effects {
        if let Effect::Filter(req) = e {
            let generation = req.generation;
            let take = |state: &mut AppState, rows: Arc<Vec<u32>>, error, provisional| {
                let set = Arc::new(RowSet::from_rows(&rows));
                let result = FilterResult {
                    generation,
                    rows,
                    error,
                    took: start.elapsed(),
                    provisional,
                };
                let _ = update(state, Action::Filtered(result, set));
            };
            let outcome = {
                // What the console draws while the worker goes on to score the matches.
                let mut early = |rows: Arc<Vec<u32>>| {
                    take(state, rows, None, true);
                    let _ = terminal.draw(|f| seats::tui::ui::draw(state, f));
                    to_count = Some(start.elapsed());
                };
                engine.run_staged(&req.directory, &req.query, &req.sort, &mut early)
            };
            match outcome {
                Ok(rows) => take(state, rows, None, false),
                Err(e) => take(state, engine.rows(), Some(e), false),
            }
        }
    }
    let _ = terminal.draw(|f| seats::tui::ui::draw(state, f));
    to_count.unwrap_or_else(|| start.elapsed())
}

fn summary(dir: &Arc<Directory>) {
    memory_breakdown(dir);
    let mut to_count: Vec<Duration> = Vec::new();
    for _ in 0..15 {
        let mut state = new_state(dir.clone());
        let mut engine = Engine::new();
        let mut term = terminal();
        let _ = engine.run(dir, "", &Default::default());
        for c in NAMES.chars() {
            to_count.push(keystroke_to_count(&mut state, &mut engine, &mut term, c));
        }
    }
    to_count.sort();
    println!(
        "keystroke to the frame with the new count at {USERS} users, typing {NAMES:?} ({} keystrokes): median {:?}, p90 {:?}, max {:?}",
        to_count.len(),
        percentile(&to_count, 0.5),
        percentile(&to_count, 0.9),
        to_count.last().copied().unwrap_or_default()
    );

    let mut all: Vec<Duration> = Vec::new();
    for _ in 0..15 {
        let mut state = new_state(dir.clone());
        let mut engine = Engine::new();
        let mut term = terminal();
        // The index is built once per directory, when data arrives, not per keystroke.
        let _ = engine.run(dir, "", &Default::default());
        for c in TYPED.chars() {
            let t = Instant::now();
            keystroke(&mut state, &mut engine, &mut term, c);
            all.push(t.elapsed());
        }
    }
    all.sort();
    println!(
        "keystroke to drawn frame at {USERS} users, typing {TYPED:?} ({} keystrokes): median {:?}, p99 {:?}, max {:?}",
        all.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        all.last().copied().unwrap_or_default()
    );

    let dir_path = std::env::temp_dir().join(format!("seats-bench-console-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir_path);
    let db = dir_path.join("seats.db");
    if let Ok((mut store, _)) = Store::open(&db) {
        let _ = store.save_snapshot("bench", dir);
    }
    let before = rss_mb();
    let start = Instant::now();
    let first = (|| {
        let (store, _) = Store::open(&db).ok()?;
        let loaded = store.load_snapshot("bench").ok()??;
        let state = new_state(Arc::new(loaded));
        let mut term = terminal();
        let _ = term.draw(|f| seats::tui::ui::draw(&state, f));
        Some(state)
    })();
    let elapsed = start.elapsed();
    let mut engine = Engine::new();
    if let Some(s) = &first
        && let Some(d) = &s.data
    {
        let _ = engine.run(&d.dir, "john", &Default::default());
    }
    let after = rss_mb().unwrap_or(0.0);
    let before = before.unwrap_or(0.0);
    println!(
        "local snapshot to first frame at {USERS} users: {elapsed:?}; RSS {before:.0} MB before, {after:.0} MB with the snapshot, its derived data and the filter index (the bench's own copy of the org included): {:.0} bytes a user; peak RSS of the bench {:.0} MB",
        (after - before) * 1024.0 * 1024.0 / USERS as f64,
        hwm_mb().unwrap_or(0.0)
    );
    let _ = std::fs::remove_dir_all(&dir_path);
}

fn benches(c: &mut Criterion) {
    let dir = directory();
    // Only under `cargo bench`: `cargo test --all-targets` runs each bench once, in debug.
    if std::env::args().any(|a| a == "--bench") {
        summary(&dir);
    }
    let mut group = c.benchmark_group("console_100k");
    group.sample_size(20);
    let state = new_state(dir.clone());
    group.bench_function("draw one 160x48 frame", |b| {
        let mut term = terminal();
        b.iter(|| {
            let _ = term.draw(|f| seats::tui::ui::draw(black_box(&state), f));
        })
    });
    // The same frame under a fuzzy query: the highlight runs skim on the rows on screen only.
    let mut highlighted = new_state(dir.clone());
    highlighted.users.query = "ada lo".into();
    highlighted.users.rows =
        Arc::new(seats::filter::select(&dir, "ada lo", &Default::default()).unwrap_or_default());
    group.bench_function("draw one 160x48 frame, fuzzy words highlighted", |b| {
        let mut term = terminal();
        b.iter(|| {
            let _ = term.draw(|f| seats::tui::ui::draw(black_box(&highlighted), f));
        })
    });
    group.bench_function("keystroke 'j' to drawn frame", |b| {
        let mut term = terminal();
        b.iter_batched(
            || {
                let mut s = new_state(dir.clone());
                let mut e = Engine::new();
                let _ = e.run(&dir, "", &Default::default());
                let _ = update(
                    &mut s,
                    Action::Key(KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE)),
                );
                (s, e)
            },
            |(mut s, mut e)| keystroke(&mut s, &mut e, &mut term, 'j'),
            criterion::BatchSize::LargeInput,
        )
    });
    group.bench_function("keystroke 'j' to the frame with the new count", |b| {
        let mut term = terminal();
        b.iter_batched(
            || {
                let mut s = new_state(dir.clone());
                let mut e = Engine::new();
                let _ = e.run(&dir, "", &Default::default());
                let _ = update(
                    &mut s,
                    Action::Key(KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE)),
                );
                (s, e)
            },
            |(mut s, mut e)| keystroke_to_count(&mut s, &mut e, &mut term, 'j'),
            criterion::BatchSize::LargeInput,
        )
    });
    // A queue of 100,000 targets (every user suspended, half also removed: 50,000
    // conflicts): a key in the Queue view and its frame read counts and conflicts made once
    // per queue change, and copy no queue.
    let mut queue = seats::plan::Queue::new();
    let ids: Vec<String> = dir.users.iter().map(|u| u.account_id.clone()).collect();
    let _ = queue.add(seats::plan::OperationKind::Suspend, ids.iter().cloned());
    let _ = queue.add(
        seats::plan::OperationKind::RemoveFromDirectory,
        ids.iter().step_by(2).cloned(),
    );
    let mut queued = new_state(dir.clone());
    queued.queue.set(queue.clone());
    let _ = update(
        &mut queued,
        Action::Key(KeyEvent::new(KeyCode::Char('4'), KeyModifiers::NONE)),
    );
    group.bench_function(
        "keystroke 'j' in the Queue view of 100,000 targets, drawn",
        |b| {
            let mut term = terminal();
            b.iter(|| {
                let _ = update(
                    &mut queued,
                    Action::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)),
                );
                let _ = term.draw(|f| seats::tui::ui::draw(black_box(&queued), f));
            })
        },
    );
    // What a queue edit pays now, once per change: the conflicts and the counts.
    let shared = Arc::new(queue.clone());
    group.bench_function(
        "queue of 100,000 targets: counts and conflicts of one edit",
        |b| b.iter(|| queued.queue.set(shared.clone())),
    );
    // What that key and frame paid before: the counts twice in the key's footprint and twice
    // in the frame, the conflicts once in the frame.
    group.bench_function(
        "queue of 100,000 targets: 4 counts + conflicts (old per key)",
        |b| {
            b.iter(|| {
                for _ in 0..4 {
                    black_box(queue.counts());
                }
                black_box(queue.conflicts());
            })
        },
    );
    group.bench_function(
        "queue of 100,000 targets: one copy (old per sort, save, plan)",
        |b| b.iter(|| black_box(queue.clone())),
    );
    // Facet-heavy queries as a whole pass over every user (a query typed from scratch or
    // pasted): the facets come from the index's precomputed sets, then the words are tried on
    // the users left.
    let index = seats::filter::SearchIndex::build(&dir);
    let group_name = index
        .vocabulary()
        .groups
        .first()
        .cloned()
        .unwrap_or_default();
    let facet_queries = [
        "product:jira-software idle:90".to_string(),
        "product:confluence never !admin".to_string(),
        "status:active type:atlassian !synced idle:180".to_string(),
        format!(
            "group:{} !product:confluence",
            seats::filter::quote_value(&group_name)
        ),
        "domain:acme.example idle:30 jo".to_string(),
        "!status:active !synced".to_string(),
    ];
    for q in &facet_queries {
        group.bench_function(format!("facet query {q:?}"), |b| {
            b.iter(|| seats::filter::select_in(&index, black_box(q), &Default::default()))
        });
    }
    group.finish();
}

criterion_group!(console, benches);
criterion_main!(console);
