//! Issue 13: the console acts only on what the admin saw, with the same guards as `seats plan`.
//! Reducer tables per point, the property that the console's plan is `seats plan`'s, and the
//! review dialog at 80x24 with a long plan.

#[path = "support/console.rs"]
mod console;
use console::screen as render;

use std::sync::Arc;

use chrono::Duration;
use console::{answer, ctrl, key, press, state};
use ratatui::crossterm::event::KeyCode;
use seats::exec::{BatchInfo, BatchStatus, Counts, ExecEvent, RunOutcome};
use seats::plan::{OperationKind, PlanFile, context_for};
use seats::tui::action::{Action, Effect};
use seats::tui::loaded::{Loaded, Origin};
use seats::tui::state::{AppState, FileReview, Overlay, Subject, View};
use seats::tui::update::update;

const SIZE: (u16, u16) = (120, 40);

fn flash(s: &AppState) -> String {
    s.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default()
}

/// The plan file of `:write`: what the console would run.
fn written(s: &mut AppState) -> Option<Box<PlanFile>> {
    press(s, ":write /tmp/seats-console-trust.json\n")
        .into_iter()
        .find_map(|e| match e {
            Effect::WritePlan { file, .. } => Some(file),
            _ => None,
        })
}

/// The plan file as JSON without its creation time.
fn comparable(file: &PlanFile) -> serde_json::Value {
    let mut v = serde_json::to_value(file).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("created_at");
    }
    v
}

/// A small deterministic generator, so a failure names its case.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

const TOKENS: &[&str] = &[
    "idle:30",
    "idle:60",
    "idle:90",
    "idle:180",
    "product:jira-software",
    "product:confluence",
    "domain:acme.example",
    "domain:contractors.example",
    "!status:suspended",
    "status:active",
    "type:atlassian",
    "group:jira-software-users",
    "group:confluence-users",
    "a",
    "ken",
];

/// (the `:` command, the kind `seats plan` gets for it)
fn actions() -> Vec<(&'static str, OperationKind)> {
    vec![
        ("suspend", OperationKind::Suspend),
        ("restore", OperationKind::Restore),
        ("remove-from-directory", OperationKind::RemoveFromDirectory),
        ("deactivate", OperationKind::Deactivate),
        ("reactivate", OperationKind::Reactivate),
        (
            "remove-product jira-software",
            OperationKind::RemoveProductAccess {
                product: console::JSW.into(),
            },
        ),
        (
            "remove-product confluence",
            OperationKind::RemoveProductAccess {
                product: console::CONF.into(),
            },
        ),
        (
            "remove-group jira-software-users",
            OperationKind::RemoveFromGroup {
                group_id: "g-jira-software-users".into(),
                group_name: "jira-software-users".into(),
            },
        ),
    ]
}

// ---- Point 1: one plan builder ----

#[test]
fn the_console_plan_is_seats_plans_plan_for_random_queries_and_actions() {
    let dir = console::directory();
    let config = console::config();
    let ctx = context_for(&config, &["ken@acme.example"]);
    let mut rng = Lcg(13);
    let mut compared = 0;
    for case in 0..300 {
        let words = 1 + rng.next(3);
        let query: Vec<&str> = (0..words).map(|_| TOKENS[rng.next(TOKENS.len())]).collect();
        let query = query.join(" ");
        let (command, kind) = actions().swap_remove(rng.next(actions().len()));
        let mut s = state(SIZE, true);
        press(&mut s, &format!("/{query}\n"));
        let effects = update(&mut s, ctrl('a'));
        answer(&mut s, effects);
        // Sometimes unmark one matched row: the rest still come from the query.
        if rng.next(3) == 0 && s.users.rows.len() > 1 {
            press(&mut s, " ");
        }
        let marked: Vec<String> = s.marks.ids.iter().cloned().collect();
        press(&mut s, &format!(":{command}\n"));
        let cli = seats::commands::plan::plan_for_query(&dir, &query, kind.clone(), &ctx);
        let Ok((mut queue, _)) = cli else {
            panic!("case {case}: seats plan refused {query:?}");
        };
        if marked.is_empty() {
            assert!(s.queue.ops.is_empty(), "case {case}: {query:?}");
            assert!(queue.is_empty(), "case {case}: {query:?}");
            continue;
        }
        // The console's targets are the marks; seats plan's the query's rows (the same, less
        // any row unmarked above).
        if let Some(op) = queue.operations().first().map(|o| o.id) {
            let all: Vec<String> = queue.operations()[0].targets.clone();
            for t in all.iter().filter(|t| !marked.contains(t)) {
                queue.remove_target(op, t);
            }
        }
        let plan = seats::plan::build_plan(&dir, &queue, &ctx);
        let want = PlanFile::new(&plan, &queue, None, Some(query.clone()), s.now);
        let Some(got) = written(&mut s) else {
            panic!("case {case}: no plan from the console for {query:?} {command}");
        };
        assert_eq!(
            comparable(&got),
            comparable(&want),
            "case {case}: /{query} then :{command}"
        );
        assert_eq!(got.query.as_deref(), Some(query.as_str()));
        compared += 1;
    }
    assert!(compared > 100, "only {compared} cases had targets");
}

#[test]
fn the_freelance_style_suspend_holds_out_users_active_within_the_query_threshold() {
    // idle:30 matches users idle 30+ days on some product; suspending them must still hold
    // out anyone active on any product within 30 days, as `seats plan` does.
    let mut s = state(SIZE, true);
    press(&mut s, "/idle:30\n");
    let effects = update(&mut s, ctrl('a'));
    answer(&mut s, effects);
    press(&mut s, ":suspend\n");
    let file = written(&mut s).expect("a plan");
    assert_eq!(file.query.as_deref(), Some("idle:30"));
    let dir = console::directory();
    for step in &file.steps {
        let guard = step.guard.as_ref().expect("a guard on each step");
        let since = guard.inactive_since.expect("the threshold's date");
        assert_eq!(since, dir.fetched_at - Duration::days(30));
        let user = dir
            .users
            .iter()
            .find(|u| u.account_id == step.account_id)
            .expect("a user");
        assert!(
            user.product_access
                .iter()
                .all(|a| a.last_active.is_none_or(|t| t <= since)),
            "{} was active within 30 days",
            user.name
        );
    }
    // Ken (the admin, Jira today) is held out; Barbara (Jira 45 days ago, Confluence 61) is
    // suspended only if idle 30+ everywhere: she is, so she is in; Ada used Jira 3 days ago.
    assert!(file.held_out.iter().any(|h| h.account_id == "acc-000"));
}

#[test]
fn hand_picked_marks_use_the_configs_inactive_days_and_say_so() {
    let mut rng = Lcg(7);
    let dir = console::directory();
    for case in 0..60 {
        let mut s = state(SIZE, true);
        let picks = 1 + rng.next(5);
        for _ in 0..picks {
            s.users.cursor = rng.next(10);
            press(&mut s, " ");
        }
        press(&mut s, ":suspend\n");
        let view = s.queue.plan.clone().expect("a plan");
        let op = &view.plan.operations[0];
        let t = op.threshold.expect("a threshold for hand-picked targets");
        assert_eq!(t.days, 90, "case {case}");
        let since = dir.fetched_at - Duration::days(90);
        for step in view.plan.steps() {
            assert_eq!(
                step.guard.as_ref().and_then(|g| g.inactive_since),
                Some(since),
                "case {case}"
            );
        }
        let summary = seats::plan::summary(&view.plan).join("\n");
        assert!(
            summary.contains("90 days") && summary.contains("picked by hand"),
            "{summary}"
        );
    }
}

// ---- Point 2: an invalid query ----

#[test]
fn an_invalid_query_shows_no_rows_and_refuses_marking_and_queueing() {
    // (keys before the bad query, what to try after it)
    let cases: &[(&str, &str)] = &[
        ("", "ctrl-a"),
        ("", "a"),
        ("", ":suspend"),
        ("j j ", ":suspend"), // hand marks made before the bad query
    ];
    for (before, attempt) in cases {
        let mut s = state(SIZE, true);
        press(&mut s, "/product:jira-software\n");
        press(&mut s, before);
        let queued = s.queue.ops.clone();
        let marks = s.marks.len();
        press(&mut s, "/ idle:9x\n");
        assert!(s.users.error.is_some(), "{before:?}");
        assert!(s.users.rows.is_empty(), "no stale rows on screen");
        match *attempt {
            "ctrl-a" => {
                let effects = update(&mut s, ctrl('a'));
                answer(&mut s, effects);
            }
            "a" => {
                press(&mut s, "a");
            }
            cmd => {
                press(&mut s, &format!("{cmd}\n"));
            }
        }
        assert_eq!(s.marks.len(), marks, "{attempt}: nothing marked");
        assert_eq!(s.queue.ops, queued, "{attempt}: nothing queued");
        assert!(s.overlay.is_none(), "{attempt}: no action menu");
        assert!(
            flash(&s).contains("does not parse") || flash(&s).contains("no user"),
            "{attempt}: {}",
            flash(&s)
        );
        // Once it parses again, the same keys work.
        press(&mut s, "\x1b");
        assert!(s.users.error.is_none());
    }
}

#[test]
fn ctrl_a_while_the_filter_runs_marks_the_new_querys_rows() {
    let mut s = state(SIZE, true);
    // Type a query without answering the filter: the rows on screen are the old ones.
    let mut held = Vec::new();
    held.extend(update(&mut s, key(KeyCode::Char('/'))));
    for c in "domain:contractors.example".chars() {
        held.extend(update(&mut s, key(KeyCode::Char(c))));
    }
    held.extend(update(&mut s, key(KeyCode::Enter)));
    assert!(s.users.pending());
    assert_eq!(s.users.rows.len(), 10, "still every user on screen");
    update(&mut s, ctrl('a'));
    assert!(s.marks.is_empty(), "nothing marked from stale rows");
    press(&mut s, ":suspend\n");
    assert!(s.queue.ops.is_empty(), "nothing queued while it runs");
    answer(&mut s, held);
    assert_eq!(s.users.rows.len(), 1);
    assert_eq!(
        s.marks.ids.iter().cloned().collect::<Vec<_>>(),
        vec!["acc-003".to_string()],
        "Linus, the one match"
    );
    assert_eq!(
        s.marks.from_query.as_deref(),
        Some("domain:contractors.example")
    );
}

// ---- Point 3: the review dialog on a small terminal ----

/// The fixture's people eight times over (distinct ids and emails): a plan longer than the
/// dialog.
fn state_of_80(size: (u16, u16)) -> AppState {
    let mut s = state(size, true);
    let mut dir = console::directory();
    let people = dir.users.clone();
    for copy in 1..8 {
        for u in &people {
            let mut u = u.clone();
            u.account_id = format!("{}-{copy}", u.account_id);
            u.email = u.email.map(|e| e.replace('@', &format!("{copy}@")));
            u.name = format!("{} {copy}", u.name);
            dir.users.push(u);
        }
    }
    use seats::domain::{Product, Seats, SeatsSource};
    // Seats used, eight times the fixture's too.
    dir.seats = vec![
        Seats::new(
            Product::new(console::JSW),
            Some(80),
            56,
            SeatsSource::JiraApplicationRole,
        ),
        Seats::new(
            Product::new(console::CONF),
            Some(64),
            48,
            SeatsSource::Workspace,
        ),
    ];
    let loaded = Loaded::new(Arc::new(dir), Origin::Live, &console::config());
    let effects = update(&mut s, Action::Fetched(Ok(loaded)));
    answer(&mut s, effects);
    s
}

/// Three operations over most of the fixture.
fn long_plan(size: (u16, u16)) -> AppState {
    let mut s = state_of_80(size);
    // Three queries, three operations on users who do not overlap (no conflicts).
    for (query, cmd) in [
        ("group:eng-platform", ":suspend\n"),
        ("group:confluence-users", ":remove-product confluence\n"),
        ("domain:contractors.example", ":remove-from-directory\n"),
    ] {
        press(&mut s, &format!("\x1b/{query}\n"));
        let effects = update(&mut s, ctrl('a'));
        answer(&mut s, effects);
        press(&mut s, cmd);
    }
    press(&mut s, "A");
    s
}

#[test]
fn the_review_at_80x24_keeps_the_whole_summary_and_shrinks_the_step_list() {
    let s = long_plan((80, 24));
    assert_eq!(s.queue.ops.operations().len(), 3);
    let screen = render(&s);
    for want in [
        "Changes ",
        "Held out ",
        "Total: ",
        "Confluence: ",
        "Type ",
        "What will be sent: steps 1-",
        " Cancel ",
    ] {
        assert!(screen.contains(want), "{want:?} missing:\n{screen}");
    }
    insta::assert_snapshot!("review_long_plan_80x24", screen);
    // Larger, the full summary per operation shows.
    let big = render(&long_plan((160, 48)));
    assert!(big.contains("Effect on seats:"), "{big}");
    // At the smallest size seats draws, what is cut is said, and the buttons stay.
    let tiny = render(&long_plan((60, 12)));
    assert!(tiny.contains("more summary lines"), "{tiny}");
    assert!(tiny.contains(" Cancel "), "{tiny}");
}

#[test]
fn the_queue_header_says_when_nothing_is_freed_and_who_keeps_a_product() {
    let mut s = state(SIZE, true);
    // Alan leaves eng-platform but keeps Jira Software through jira-software-users.
    s.users.cursor = 1;
    press(&mut s, ":remove-group eng-platform\n4");
    let screen = render(&s);
    assert!(screen.contains("0 seats freed"), "{screen}");
    assert!(
        screen.contains("keeps Jira Software through group jira-software-users"),
        "{screen}"
    );
}

// ---- Point 4: quitting while a batch runs ----

fn running(s: &mut AppState) {
    press(s, "j:suspend\n");
    press(s, "A\t\n");
    update(s, Action::BatchStarted(Ok(3)));
}

#[test]
fn quit_and_ctrl_c_during_a_batch_go_through_one_dialog_and_stop_safely() {
    // (case, keys that open the dialog, keys that confirm it; C is Ctrl-C)
    let cases: &[(&str, &str, &str)] = &[
        ("q then y", "q", "y"),
        ("Ctrl-C then y", "C", "y"),
        ("Ctrl-C twice", "C", "C"),
    ];
    let act = |c: char| {
        if c == 'C' {
            ctrl('c')
        } else {
            key(KeyCode::Char(c))
        }
    };
    for (name, open, confirm) in cases {
        let mut s = state(SIZE, true);
        running(&mut s);
        for c in open.chars() {
            update(&mut s, act(c));
        }
        assert!(matches!(s.overlay, Some(Overlay::QuitConfirm)), "{name}");
        assert!(!s.quit, "{name}: asks first");
        let screen = render(&s);
        assert!(screen.contains("Batch 3 is running"), "{name}:\n{screen}");
        assert!(screen.contains("requests in flight"), "{name}");
        assert!(screen.contains("resume"), "{name}");
        assert!(
            !screen.contains("Nothing has been changed"),
            "{name}: not while a batch runs"
        );
        let mut effects = Vec::new();
        for c in confirm.chars() {
            effects.extend(update(&mut s, act(c)));
        }
        assert!(
            matches!(&effects[..], [Effect::StopBatch(Some(3))]),
            "{name}: {effects:?}"
        );
        assert!(!s.quit, "{name}: waits for the requests in flight");
        assert!(s.quitting);
        update(&mut s, Action::BatchStopped);
        assert!(s.quit, "{name}");
    }
    // Nothing running, nothing queued: Ctrl-C quits at once; with a queue it asks.
    let mut s = state(SIZE, true);
    update(&mut s, ctrl('c'));
    assert!(s.quit);
    let mut s = state(SIZE, true);
    press(&mut s, ":suspend\n");
    update(&mut s, ctrl('c'));
    assert!(!s.quit && matches!(s.overlay, Some(Overlay::QuitConfirm)));
    assert!(render(&s).contains("Nothing has been changed"));
}

fn batch(id: i64, status: BatchStatus, counts: Counts) -> BatchInfo {
    BatchInfo {
        id,
        created_at: console::fetched_at(),
        finished_at: None,
        operator: "ken@acme.example".into(),
        profile: None,
        org_id: "org-1".into(),
        query: None,
        source: "console".into(),
        dry_run: false,
        status,
        counts,
    }
}

#[test]
fn history_shows_interrupted_batches_and_resumes_them_with_one_key() {
    let mut s = state(SIZE, true);
    let open = Counts {
        pending: 3,
        sent: 1,
        done: 2,
        ..Counts::default()
    };
    let done = Counts {
        done: 5,
        ..Counts::default()
    };
    update(
        &mut s,
        Action::History(Ok(vec![
            batch(8, BatchStatus::Running, open),
            batch(7, BatchStatus::Finished, done),
        ])),
    );
    assert!(
        flash(&s).contains("batch 8 was interrupted"),
        "{}",
        flash(&s)
    );
    press(&mut s, "5");
    let screen = render(&s);
    assert!(screen.contains("interrupted"), "{screen}");
    // A finished batch has nothing to resume.
    press(&mut s, "j");
    assert!(press(&mut s, "c").is_empty());
    let effects = press(&mut s, "kc");
    assert!(
        matches!(&effects[..], [Effect::ResumeBatch(8)]),
        "{effects:?}"
    );
    let b = s.batch.clone().expect("the resumed batch");
    assert_eq!((b.id, b.done, b.total), (Some(8), 2, 6));
    // Running again, it is not "interrupted"; its start leaves the queue alone.
    press(&mut s, ":suspend\n");
    update(&mut s, Action::BatchStarted(Ok(8)));
    assert!(!s.queue.ops.is_empty(), "a resume is not the queue's batch");
    assert!(!render(&s).contains("interrupted (c)"));
    // Offline, resuming says why instead.
    let mut s = state(SIZE, false);
    update(
        &mut s,
        Action::History(Ok(vec![batch(8, BatchStatus::Running, open)])),
    );
    press(&mut s, "5");
    assert!(press(&mut s, "c").is_empty());
    assert!(flash(&s).contains("offline"));
}

// ---- Point 5: undo and retry plans from History, and :read of any plan file ----

fn undo_file() -> PlanFile {
    let mut q = seats::plan::Queue::new();
    q.add(OperationKind::Restore, ["acc-004".to_string()]);
    let plan = seats::plan::build_plan(
        &console::directory(),
        &q,
        &context_for(&console::config(), &[]),
    );
    let mut file = PlanFile::new(
        &plan,
        &q,
        None,
        Some("undo of batch 9".into()),
        console::fetched_at(),
    );
    // What undo writes: fixed steps and no queue.
    file.queue = None;
    file
}

#[test]
fn an_undo_plan_opens_in_the_confirm_dialog_and_runs_as_its_own_batch() {
    let mut s = state(SIZE, true);
    update(
        &mut s,
        Action::History(Ok(vec![batch(9, BatchStatus::Finished, Counts::default())])),
    );
    press(&mut s, "5");
    assert!(matches!(&press(&mut s, "u")[..], [Effect::WriteUndo(9)]));
    press(&mut s, ":suspend\n");
    let queued = s.queue.ops.clone();
    update(
        &mut s,
        Action::Review(Ok(Box::new(FileReview::new(
            undo_file(),
            "undo of batch 9".into(),
            vec!["Linus (remove from directory): cannot be restored".into()],
        )))),
    );
    match &s.overlay {
        Some(Overlay::Confirm(c)) => {
            assert_eq!(c.subject, Subject::File);
            assert!(!c.on_run, "on Cancel");
        }
        other => panic!("no confirm dialog: {other:?}"),
    }
    let screen = render(&s);
    assert!(screen.contains("undo of batch 9"), "{screen}");
    assert!(screen.contains("Not undone: Linus"), "{screen}");
    assert!(screen.contains("restore"), "{screen}");
    let effects = press(&mut s, "\t\n");
    let (file, source) = effects
        .iter()
        .find_map(|e| match e {
            Effect::Execute { file, source, .. } => Some((file.clone(), source.clone())),
            _ => None,
        })
        .expect("an execute effect");
    assert_eq!(file.steps, undo_file().steps);
    assert!(source.contains("undo of batch 9"), "{source}");
    update(&mut s, Action::BatchStarted(Ok(10)));
    assert_eq!(s.queue.ops, queued, "the queue is not this batch's");
}

#[test]
fn read_accepts_a_plan_file_without_a_queue() {
    let mut s = state(SIZE, true);
    update(&mut s, Action::PlanRead(Ok(Box::new(undo_file()))));
    assert!(matches!(
        &s.overlay,
        Some(Overlay::Confirm(c)) if c.subject == Subject::File
    ));
    assert!(!flash(&s).contains("another tool"));
    // Esc leaves it unrun.
    assert!(press(&mut s, "\x1b").is_empty());
    assert!(s.overlay.is_none());
}

// ---- Point 6: dry run ----

#[test]
fn a_dry_run_shows_its_badge_keeps_its_plan_and_reports_what_would_be_sent() {
    let mut s = state(SIZE, true);
    s.session.dry_run = true;
    assert!(render(&s).contains("DRY RUN"));
    press(&mut s, "j:suspend\n");
    let effects = press(&mut s, "A\t\n");
    let saved = effects.iter().find_map(|e| match e {
        Effect::SavePlan { name, file } => Some((name.clone(), file.steps.len())),
        _ => None,
    });
    let (name, steps) = saved.expect("the dry run's plan file");
    assert!(
        name.starts_with("dry-run-") && name.ends_with(".json"),
        "{name}"
    );
    assert_eq!(steps, 1);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Execute { dry_run: true, .. }))
    );
    update(&mut s, Action::BatchStarted(Ok(4)));
    let counts = Counts {
        dry_run: 1,
        ..Counts::default()
    };
    let effects = update(
        &mut s,
        Action::Exec(ExecEvent::Finished {
            batch: 4,
            outcome: RunOutcome::Completed,
            counts,
        }),
    );
    assert!(flash(&s).contains("1 would be sent"), "{}", flash(&s));
    assert!(!flash(&s).contains("0 done"));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Fetch)),
        "nothing changed: no refresh"
    );
}

// ---- Point 7: a partial directory ----

#[test]
fn a_plan_on_a_partial_directory_says_so_and_needs_a_second_enter() {
    let mut s = state(SIZE, true);
    press(&mut s, "r");
    update(
        &mut s,
        Action::FetchProgress {
            fetched: 4,
            total: Some(1970),
            groups: None,
        },
    );
    let mut partial = console::directory();
    partial.users.truncate(4);
    let loaded = Loaded::new(Arc::new(partial), Origin::Partial, &console::config());
    // The snapshot on screen is replaced only when nothing else is: start from none.
    s.data = None;
    let effects = update(&mut s, Action::Partial(loaded));
    answer(&mut s, effects);
    press(&mut s, "j:suspend\n");
    press(&mut s, "A");
    let screen = render(&s);
    assert!(
        screen.contains("based on 4 of 1,970 users; seat figures are partial"),
        "{screen}"
    );
    let effects = press(&mut s, "\t\n");
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Execute { .. })),
        "the first Enter waits"
    );
    assert!(flash(&s).contains("Enter again"), "{}", flash(&s));
    assert!(render(&s).contains("Run on partial data"));
    let effects = press(&mut s, "\n");
    assert!(effects.iter().any(|e| matches!(e, Effect::Execute { .. })));

    // Once the fetch completes the plan is built again, and runs with one Enter.
    let mut s = state(SIZE, true);
    press(&mut s, "r");
    s.data = None;
    let mut partial = console::directory();
    partial.users.truncate(4);
    let effects = update(
        &mut s,
        Action::Partial(Loaded::new(
            Arc::new(partial),
            Origin::Partial,
            &console::config(),
        )),
    );
    answer(&mut s, effects);
    press(&mut s, "j:suspend\nA");
    let full = Loaded::new(
        Arc::new(console::directory()),
        Origin::Live,
        &console::config(),
    );
    let effects = update(&mut s, Action::Fetched(Ok(full)));
    // The new plan is not in yet: Run waits for it.
    let held = effects;
    assert!(
        !press(&mut s, "\t\n")
            .iter()
            .any(|e| matches!(e, Effect::Execute { .. }))
    );
    answer(&mut s, held);
    assert!(s.partial_note().is_none());
    assert!(
        press(&mut s, "\n")
            .iter()
            .any(|e| matches!(e, Effect::Execute { .. }))
    );
}

// ---- Point 8: queue edits ask and can be undone ----

#[test]
fn queue_edits_ask_before_dropping_many_and_z_undoes_the_last() {
    // (what, keys in the Queue view, asks first)
    let cases: &[(&str, &str, bool)] = &[
        ("d on a big operation", "ggd", true),
        ("d on a target", "ggjd", false),
        (":clear-queue", ":clear-queue\n", true),
    ];
    for (what, keys, asks) in cases {
        let mut s = state(SIZE, true);
        let effects = update(&mut s, ctrl('a'));
        answer(&mut s, effects);
        press(&mut s, ":suspend\n4");
        let before = s.queue.ops.clone();
        assert_eq!(before.operations()[0].targets.len(), 10);
        press(&mut s, keys);
        if *asks {
            assert!(
                matches!(s.overlay, Some(Overlay::AskQueueEdit { .. })),
                "{what}"
            );
            assert!(render(&s).contains("10 targets"), "{what}");
            press(&mut s, "n");
            assert_eq!(s.queue.ops, before, "{what}: n keeps it");
            press(&mut s, keys);
            press(&mut s, "y");
        }
        assert_ne!(s.queue.ops, before, "{what}: done");
        press(&mut s, "z");
        assert_eq!(s.queue.ops, before, "{what}: z undoes it");
        press(&mut s, "u");
        assert_ne!(s.queue.ops, before, "{what}: again redoes it");
    }
    // A small operation goes without a question.
    let mut s = state(SIZE, true);
    press(&mut s, "j:suspend\n4ggd");
    assert!(s.queue.ops.is_empty() && s.overlay.is_none());
    press(&mut s, "z");
    assert_eq!(s.queue.ops.operations().len(), 1);
    assert_eq!(s.view, View::Queue);
    // A batch takes the queue; z does not bring back what was sent.
    press(&mut s, "A\t\n");
    update(&mut s, Action::BatchStarted(Ok(5)));
    assert!(s.queue.ops.is_empty());
    press(&mut s, "z");
    assert!(s.queue.ops.is_empty(), "nothing to undo after a batch");
}
