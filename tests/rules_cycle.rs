//! A rule's whole cycle against the in-process sandbox, with the run's `now` moved by the test:
//! day 0 warns `cap` users (one notice each, on every channel, a JSONL line each); a rerun the
//! same day sends nothing; day 3 five of them use Jira and one comments: kept and claimed;
//! day 14 the rest are reclaimed as one batch through the journaled executor and the seat
//! count drops by that much; a run that dies right after submitting the batch leaves it for
//! the rerun, which finishes it with nothing sent twice; the preview is what the run does.
//!
//! Waiting for the sandbox's virtual clock and outbox (rsandbox): the same walk driven through
//! the real binary, `kill -9` in the middle of the day-14 batch.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use seats::atlassian::fetch::{FetchOptions, fetch_directory};
use seats::atlassian::org::OrgApi;
use seats::atlassian::{Client, Connection, Secret};
use seats::config::{Config, Rule};
use seats::domain::{Directory, Protection};
use seats::exec::{
    self, Admission, BatchId, ExecOptions, Journal, RunOutcome, SharedJournal, Target,
};
use seats::plan::PlanContext;
use seats::rules::run::{self, RunEnv};
use seats::rules::savings;
use seats::rules::{Actor, Comment, NoticeText, RulesStore, State, Transport};
use seats::sandbox::state::Product;
use seats::sandbox::{self, Sandbox, SandboxConfig};

const CAP: u32 = 40;

/// Records every notice; answers comments from a list the test fills.
#[derive(Default)]
struct Recorder {
    notices: Mutex<Vec<(String, String)>>,
    comments: Mutex<Vec<Comment>>,
}

impl Transport for Recorder {
    async fn notify_issue(
        &self,
        issue: &str,
        _notice: &NoticeText,
        account_id: &str,
    ) -> Result<String, String> {
        self.notices
            .lock()
            .unwrap()
            .push((issue.to_owned(), account_id.to_owned()));
        Ok(format!("jira-notify:{issue}"))
    }
    async fn issue_comments(&self, _issue: &str) -> Result<Vec<Comment>, String> {
        Ok(self.comments.lock().unwrap().clone())
    }
    async fn post_webhook(&self, _s: &str, _p: &serde_json::Value) -> Result<String, String> {
        Err("no webhook in this test".into())
    }
}

fn conn(sb: &Sandbox) -> Connection {
    let cfg = SandboxConfig::default();
    Connection {
        admin_url: Some(sb.base_url()),
        site_url: Some(sb.site_url()),
        org_id: Some(sb.org_id()),
        email: Some(cfg.site_email),
        org_api_key: Some(Secret::new(cfg.org_api_key)),
        site_token: Some(Secret::new(cfg.site_token)),
    }
}

fn config(file: &std::path::Path) -> Config {
    let text = format!(
        r#"
[[rules]]
name = "idle jira"
query = "product:jira-software idle:90"
action = "remove-product-access"
grace_days = 14
cap = {CAP}
claims = "comment"
channels = [
  {{ type = "jira-notify", issue = "OPS-12" }},
  {{ type = "file", path = "{}" }},
]
"#,
        file.display()
    );
    toml::from_str(&text).unwrap()
}

async fn fetch(client: &Client, sb: &Sandbox, now: DateTime<Utc>) -> Directory {
    let mut d = fetch_directory(client, &sb.org_id(), FetchOptions::everything())
        .await
        .unwrap();
    d.fetched_at = now;
    d
}

struct World {
    sb: Sandbox,
    client: Client,
    config: Config,
    rule: Rule,
    store: RulesStore,
    journal: SharedJournal,
    transport: Recorder,
    actor: Actor,
    notices_file: std::path::PathBuf,
    _tmp: tempfile::TempDir,
}

impl World {
    async fn new() -> World {
        let sb = sandbox::start(SandboxConfig {
            users: 600,
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let client = Client::new(&conn(&sb)).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let notices_file = tmp.path().join("notices.jsonl");
        let config = config(&notices_file);
        let rule = config.rules[0].clone();
        let db = tmp.path().join("seats.db");
        let store = RulesStore::open(&db).unwrap();
        let journal: SharedJournal = Arc::new(Mutex::new(Journal::open(&db).unwrap()));
        let actor = Actor {
            operator: "admin@test".into(),
            profile: None,
            org_id: sb.org_id(),
            dry_run: false,
        };
        World {
            sb,
            client,
            config,
            rule,
            store,
            journal,
            transport: Recorder::default(),
            actor,
            notices_file,
            _tmp: tmp,
        }
    }

    fn ctx(&self) -> PlanContext {
        PlanContext::new(&self.config, &[])
    }

    /// One run at `now`; `die_after_submit` stands for a run killed once its batch is in the
    /// journal (nothing of it executed).
    async fn run(&mut self, now: DateTime<Utc>, die_after_submit: bool) -> (run::Report, u8) {
        let dir = fetch(&self.client, &self.sb, now).await;
        let ctx = self.ctx();
        let org = OrgApi::new(self.client.clone(), self.sb.org_id());
        let journal = self.journal.clone();
        let mut env = RunEnv {
            store: &mut self.store,
            transport: &self.transport,
            client: &self.client,
            dir: &dir,
            ctx: &ctx,
            actor: &self.actor,
            profile: None,
            admission: Admission { batch_cap: 500 },
            journal: journal.clone(),
            now,
        };
        let rule = self.rule.clone();
        run::run_rule(&mut env, &rule, async |batch: BatchId| {
            if die_after_submit {
                return Ok(4);
            }
            let options = ExecOptions {
                protection: Protection::new(&Default::default(), &[]),
                ..ExecOptions::default()
            };
            let target = Arc::new(Target::new(org.clone()));
            let mut running = exec::start(journal.clone(), target, batch, options).await?;
            while running.events.recv().await.is_some() {}
            let outcome = running.task.await??;
            let counts = journal.lock().unwrap().batch(batch)?.counts;
            Ok(match outcome {
                RunOutcome::Completed if counts.open() == 0 && counts.failed == 0 => 0,
                RunOutcome::Completed if counts.open() == 0 => 3,
                _ => 4,
            })
        })
        .await
        .unwrap()
    }

    fn states(&self) -> HashMap<String, State> {
        self.store
            .latest(&self.rule.name)
            .unwrap()
            .into_iter()
            .map(|(k, r)| (k, r.state))
            .collect()
    }

    fn notices(&self) -> Vec<(String, String)> {
        self.transport.notices.lock().unwrap().clone()
    }
}

fn count(states: &HashMap<String, State>, s: State) -> usize {
    states.values().filter(|v| **v == s).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warn_wait_reclaim_on_a_moving_clock() {
    let mut w = World::new().await;
    let day0 = Utc::now();

    // What the rule can act on, from the plan builder: idle Jira users it does not hold out.
    let dir = fetch(&w.client, &w.sb, day0).await;
    let seats_before = dir.holders("jira-software");
    savings::record_snapshot(w.store.connection(), &dir).unwrap();
    let preview0 = run::preview(&w.rule, &dir, &w.ctx(), &HashMap::new(), &[], day0).unwrap();
    let (matched, protected) = run::scope(&w.rule, &dir, &w.ctx(), &HashMap::new()).unwrap();
    let eligible = matched
        .iter()
        .filter(|id| !protected.contains_key(*id))
        .count();
    assert!(
        eligible > CAP as usize,
        "the seed must give more than {CAP} idle users: {eligible}"
    );
    assert_eq!(preview0.decisions.to_warn.len(), CAP as usize);
    assert_eq!(preview0.decisions.over_cap, eligible - CAP as usize);

    // Day 0: one notice per warned user, the preview's users exactly.
    let (report, code) = w.run(day0, false).await;
    assert_eq!(code, 0);
    assert_eq!(report.warned, CAP as usize);
    let notices = w.notices();
    assert_eq!(notices.len(), CAP as usize);
    let notified: HashSet<&str> = notices.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(notified.len(), CAP as usize, "one notice each");
    let previewed: HashSet<&str> = preview0
        .decisions
        .to_warn
        .iter()
        .map(|r| r.account_id.as_str())
        .collect();
    assert_eq!(notified, previewed, "the preview is what the run does");
    let lines = std::fs::read_to_string(&w.notices_file).unwrap();
    assert_eq!(lines.lines().count(), CAP as usize);
    assert_eq!(count(&w.states(), State::Warned), CAP as usize);

    // A rerun the same day sends nothing new (the cap's next users wait for another day).
    let (report, _) = w.run(day0 + Duration::minutes(5), false).await;
    let warned_again = w.notices()[CAP as usize..]
        .iter()
        .filter(|(_, a)| notified.contains(a.as_str()))
        .count();
    assert_eq!(warned_again, 0, "nobody is warned twice in a cycle");
    assert_eq!(report.reclaim_batch, None);

    // Day 3: five of the warned use Jira, one comments on the review issue.
    let day3 = day0 + Duration::days(3);
    let mut first: Vec<String> = notified.iter().map(|s| (*s).to_owned()).collect();
    first.sort();
    let (active, commenter) = (&first[..5], first[5].clone());
    {
        let shared = w.sb.shared();
        let mut state = shared.write();
        for id in active {
            let ix = state.user_ix(id).unwrap();
            state.users[ix as usize].last_active[Product::JiraSoftware.index()] =
                Some(day3 - Duration::hours(1));
        }
    }
    w.transport.comments.lock().unwrap().push(Comment {
        id: "10042".into(),
        author_account_id: commenter.clone(),
        created: day3 - Duration::hours(2),
    });
    w.run(day3, false).await;
    let rows = w.store.latest(&w.rule.name).unwrap();
    for id in active {
        assert_eq!(rows[id].state, State::Kept, "{id}");
        assert!(rows[id].evidence.as_deref().unwrap().starts_with("active "));
    }
    assert_eq!(rows[&commenter].state, State::Claimed);
    assert_eq!(rows[&commenter].evidence.as_deref(), Some("comment 10042"));
    let reclaimable: Vec<String> = first
        .iter()
        .filter(|id| rows[*id].state == State::Warned)
        .cloned()
        .collect();
    assert_eq!(reclaimable.len(), CAP as usize - 6);

    // Day 13: still in grace, nothing reclaimed.
    let (report, _) = w.run(day0 + Duration::days(13), false).await;
    assert_eq!(report.reclaim_batch, None, "never before the deadline");

    // Day 14: the run dies right after its batch is in the journal.
    let day14 = day0 + Duration::days(14) + Duration::minutes(1);
    let (report, code) = w.run(day14, true).await;
    let (batch, users) = report.reclaim_batch.expect("a batch");
    assert_eq!(users, reclaimable.len());
    assert_eq!(code, 4);
    // The rerun finishes that batch and makes no other.
    let (report, code) = w.run(day14 + Duration::minutes(2), false).await;
    assert_eq!(code, 0, "{report:?}");
    assert_eq!(report.reclaim_batch, None);
    let batches = w.journal.lock().unwrap().batches().unwrap();
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0].id, batch);
    let rows = w.store.latest(&w.rule.name).unwrap();
    for id in &reclaimable {
        assert_eq!(rows[id].state, State::Reclaimed, "{id} {:?}", rows[id]);
        assert_eq!(rows[id].batch_id, Some(batch));
    }
    // Each reclaimed user's Jira access was taken once; seats drop by that much.
    let after = fetch(&w.client, &w.sb, day14).await;
    assert_eq!(
        seats_before - after.holders("jira-software"),
        reclaimable.len() as u64
    );
    // Savings over time: the two snapshots, and the batch's freed seats in its month.
    savings::record_snapshot(w.store.connection(), &after).unwrap();
    let since = (day0 - Duration::days(1)).date_naive();
    let (seats, months, _) = savings::history(w.store.connection(), &w.sb.org_id(), since).unwrap();
    let jira: Vec<u64> = seats
        .iter()
        .filter(|(_, p, _)| p == "jira-software")
        .map(|(_, _, n)| *n)
        .collect();
    assert_eq!(
        jira,
        [seats_before, seats_before - reclaimable.len() as u64]
    );
    let month = &months[&Utc::now().format("%Y-%m").to_string()];
    assert_eq!(month.batches, 1);
    assert_eq!(month.seats_freed.round() as usize, reclaimable.len());
    assert!(month.monthly_saving > 0.0);
    let text = savings::report_text(&seats, &months, "USD", since);
    assert!(
        text.contains("1 batch,") && text.contains(&format!("{} seats freed", reclaimable.len())),
        "{text}"
    );

    let again = w.run(day14 + Duration::minutes(3), false).await.0;
    assert_eq!(again.reclaim_batch, None);

    // Every transition is in the audit log.
    let audit = w.journal.lock().unwrap().audit().unwrap();
    let events = |e: &str| audit.iter().filter(|a| a.event == e).count();
    assert!(events("rule_warned") >= CAP as usize);
    assert_eq!(events("rule_kept"), 5);
    assert_eq!(events("rule_claimed"), 1);
    assert_eq!(events("rule_reclaimed"), reclaimable.len());
}
