//! The console at 100,000 users (`sample_directory`): what one keystroke costs from the key to
//! the drawn frame (the reducer, the filter pass the worker runs, the reducer taking its
//! result, drawing one 160x48 frame), drawing alone, and the start from a local snapshot to
//! the first frame. Before the criterion groups it prints per-keystroke median and p99 while
//! typing a query, and the resident memory with the snapshot, the derived data and the
//! filter's index loaded.
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
use seats::domain::{Directory, Protection, sample_directory};
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

fn summary(dir: &Arc<Directory>) {
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
    println!(
        "local snapshot to first frame at {USERS} users: {elapsed:?}; RSS {:.0} MB before, {:.0} MB with the snapshot, its derived data and the filter index (the bench's own copy of the org included)",
        before.unwrap_or(0.0),
        rss_mb().unwrap_or(0.0)
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
    group.finish();
}

criterion_group!(console, benches);
criterion_main!(console);
