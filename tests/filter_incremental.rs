//! The engine's shortcuts give the rows a full pass gives, and the worker answers the newest
//! query.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use seats::domain::{Directory, sample_directory};
use seats::filter::{
    Engine, FilterRequest, FilterResult, PassKind, SearchIndex, Sort, SortKey, Worker, select_in,
};

fn directory(users: usize) -> Arc<Directory> {
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
    Arc::new(sample_directory(users, 3, at))
}

/// Runs `steps` through one engine and checks every answer against a fresh full pass.
fn check_steps(
    dir: &Arc<Directory>,
    index: &SearchIndex,
    steps: &[(String, Sort)],
) -> Vec<PassKind> {
    let mut engine = Engine::new();
    let mut kinds = Vec::new();
    let mut last_rows: Arc<Vec<u32>> = Arc::new(Vec::new());
    for (q, sort) in steps {
        let full = select_in(index, q, sort);
        match (engine.run(dir, q, sort), full) {
            (Ok(rows), Ok(want)) => {
                assert_eq!(*rows, want, "{q:?}");
                last_rows = rows;
            }
            (Err(e), Err(want)) => {
                assert_eq!(e, want, "{q:?}");
                // A bad query keeps the rows of the last good one.
                assert_eq!(engine.rows(), last_rows, "{q:?}");
            }
            (got, want) => panic!("{q:?}: engine {got:?}, full pass {want:?}"),
        }
        kinds.push(engine.last_pass());
    }
    kinds
}

/// Every prefix of `text`, then deleting back to empty.
fn type_and_delete(text: &str) -> Vec<String> {
    let cuts: Vec<usize> = text.char_indices().map(|(i, c)| i + c.len_utf8()).collect();
    let mut steps: Vec<String> = cuts.iter().map(|&i| text[..i].to_owned()).collect();
    steps.extend(cuts.iter().rev().skip(1).map(|&i| text[..i].to_owned()));
    steps.push(String::new());
    steps
}

#[test]
fn typing_and_deleting_gives_the_full_pass_rows() {
    let dir = directory(5_000);
    let index = SearchIndex::build(&dir);
    let texts = [
        "johnsmith",
        "john smith",
        "ada lovelace product:confluence",
        "alan.turing@acme",
        "group:eng !synced jo",
        "product:jira-software idle:90 gra",
        "idle:30 product:confluence !idle:60 li",
        r#"group:"eng platform" never ma"#,
        "!synced lars",
        "status:active domain:contractor.example ke",
        "jo !jira",
        // The product token arrives after idle: and changes what idle: means.
        "idle:90 product:confluence",
        "!idle:90 product:confluence",
        "!never product:jira-software !synced",
    ];
    let sorts = [
        Sort::default(),
        Sort {
            key: SortKey::Inactivity("confluence".into()),
            descending: true,
        },
        Sort {
            key: SortKey::Email,
            descending: false,
        },
    ];
    let mut narrowed = 0;
    for text in texts {
        for sort in &sorts {
            let steps: Vec<(String, Sort)> = type_and_delete(text)
                .into_iter()
                .map(|q| (q, sort.clone()))
                .collect();
            let kinds = check_steps(&dir, &index, &steps);
            narrowed += kinds.iter().filter(|k| **k == PassKind::Narrowed).count();
        }
    }
    // The shortcut was actually taken, many times.
    assert!(narrowed > 100, "narrowed {narrowed} times");
}

#[test]
fn jumps_between_queries_give_the_full_pass_rows() {
    // Pasted or edited in the middle: one step, not a character at a time.
    let dir = directory(5_000);
    let index = SearchIndex::build(&dir);
    let pairs = [
        // A product token re-scopes idle: and never; negated they would select more.
        ("!idle:90", "!idle:90 product:confluence"),
        ("!never", "product:jira-software !never"),
        ("idle:90", "product:confluence idle:90"),
        (
            "product:confluence idle:90",
            "product:confluence product:jira-software idle:90",
        ),
        ("jo", "jo !synced"),
        ("john", "jhn"),
        ("synced", "!synced"),
        ("group:eng", "group:eng group:\"eng platform\""),
    ];
    for (a, b) in pairs {
        let steps = [a, b, a].map(|q| (q.to_owned(), Sort::default()));
        check_steps(&dir, &index, &steps);
    }
}

/// SplitMix64 for the random edits.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) % n as u64) as usize
    }
}

#[test]
fn random_edits_give_the_full_pass_rows() {
    let dir = directory(5_000);
    let index = SearchIndex::build(&dir);
    let pieces = [
        "a",
        "e",
        "j",
        "o",
        "n",
        "s",
        "m",
        "i",
        "t",
        "h",
        " ",
        " ",
        "!",
        "@",
        ".",
        "product:",
        "confluence ",
        "jira-software ",
        "idle:",
        "90 ",
        "30 ",
        "never ",
        "synced ",
        "admin ",
        "group:eng ",
        "status:active ",
        "domain:acme.example ",
        "\"",
        "é",
    ];
    let mut rng = Rng(17);
    let mut text = String::new();
    let mut steps = Vec::new();
    for _ in 0..600 {
        if !text.is_empty() && rng.below(3) == 0 {
            // Backspace one character, or several.
            for _ in 0..1 + rng.below(3) {
                text.pop();
            }
        } else {
            text.push_str(pieces[rng.below(pieces.len())]);
        }
        if text.len() > 60 {
            text.clear();
        }
        // Now and then the sort changes: scores come and go with a relevance sort.
        let sort = match rng.below(8) {
            0 => Sort {
                key: SortKey::Name,
                descending: false,
            },
            1 => Sort {
                key: SortKey::Inactivity("jira-software".into()),
                descending: true,
            },
            _ => Sort::default(),
        };
        steps.push((text.clone(), sort));
    }
    let kinds = check_steps(&dir, &index, &steps);
    for kind in [
        PassKind::Full,
        PassKind::Narrowed,
        PassKind::Resorted,
        PassKind::Failed,
    ] {
        assert!(kinds.contains(&kind), "no {kind:?} pass in the walk");
    }
}

#[test]
fn a_new_directory_means_a_new_index() {
    let a = directory(2_000);
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
    let b = Arc::new(sample_directory(1_000, 99, at));
    let mut engine = Engine::new();
    let sort = Sort::default();
    let on_a = engine.run(&a, "jo", &sort).unwrap();
    assert_eq!(
        *on_a,
        select_in(&SearchIndex::build(&a), "jo", &sort).unwrap()
    );
    // Narrowing must not carry a's hits over to b.
    let on_b = engine.run(&b, "jon", &sort).unwrap();
    assert_eq!(engine.last_pass(), PassKind::Full);
    assert_eq!(
        *on_b,
        select_in(&SearchIndex::build(&b), "jon", &sort).unwrap()
    );
    // A bad query on a new directory keeps no rows of the old one.
    let _ = engine.run(&a, "jo", &sort).unwrap();
    assert!(engine.run(&b, "idle:x", &sort).is_err());
    assert!(engine.rows().is_empty());
}

/// Results up to the final (not provisional) one of `generation`.
fn recv_until(rx: &mpsc::Receiver<FilterResult>, generation: u64) -> Vec<FilterResult> {
    let mut got = Vec::new();
    loop {
        let r = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the worker answers");
        let done = r.generation == generation && !r.provisional;
        got.push(r);
        if done {
            return got;
        }
    }
}

#[test]
fn the_newest_query_wins() {
    let dir = directory(20_000);
    let (tx, rx) = mpsc::channel();
    let worker = Worker::spawn(move |r| {
        let _ = tx.send(r);
    });
    let typed = "margaret hamilton group:eng";
    let mut last = 0;
    for round in 0..5u64 {
        for (i, _) in typed.char_indices() {
            last = round * 100 + i as u64 + 1;
            worker.submit(FilterRequest {
                generation: last,
                directory: dir.clone(),
                query: typed[..=i].to_owned(),
                sort: Sort::default(),
            });
        }
    }
    let got = recv_until(&rx, last);
    let finals: Vec<u64> = got
        .iter()
        .filter(|r| !r.provisional)
        .map(|r| r.generation)
        .collect();
    assert!(finals.windows(2).all(|w| w[0] < w[1]), "{finals:?}");
    // A provisional result comes before its own final one, or before a newer query's.
    for w in got.windows(2) {
        if w[0].provisional {
            assert!(
                w[1].generation >= w[0].generation,
                "{:?}",
                (w[0].generation, w[1].generation)
            );
        } else {
            assert!(w[1].generation > w[0].generation);
        }
    }
    assert!(
        finals.len() < 5 * typed.len(),
        "stale requests were answered"
    );
    let final_result = got.last().unwrap();
    assert!(final_result.error.is_none());
    let want = select_in(&SearchIndex::build(&dir), typed, &Sort::default()).unwrap();
    assert_eq!(*final_result.rows, want);
    // Nothing else arrives after the newest.
    assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
}

#[test]
fn the_worker_keeps_rows_on_a_bad_query_and_drops_older_generations() {
    let dir = directory(2_000);
    let (tx, rx) = mpsc::channel();
    let worker = Worker::spawn(move |r| {
        let _ = tx.send(r);
    });
    let req = |generation: u64, query: &str| FilterRequest {
        generation,
        directory: dir.clone(),
        query: query.into(),
        sort: Sort::default(),
    };
    worker.submit(req(10, "product:confluence"));
    let good = recv_until(&rx, 10).pop().unwrap();
    assert!(good.error.is_none() && !good.rows.is_empty());

    worker.submit(req(11, "product:confluence idle:"));
    let bad = recv_until(&rx, 11).pop().unwrap();
    let err = bad.error.expect("an error for the query line");
    assert!(err.message.contains("idle: needs a number of days"));
    assert_eq!(bad.rows, good.rows);

    // An older generation after a newer answer is never answered.
    worker.submit(req(3, "john"));
    worker.submit(req(12, "ada"));
    let next = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(next.generation, 12);
}
