//! A rule's decisions on a hand-built snapshot: who is warned (and the cap), who stays in
//! grace, who becomes due and only at the deadline, and every exit with its evidence (kept,
//! claimed, excluded, gone); a claim holds for the query's idle window. Through
//! `rules::run::preview`, the same call `seats rules` and `seats rules run` make.

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use seats::config::{Config, Rule};
use seats::domain::{AccountType, Directory, Group, GroupRef, ProductAccess, User, UserStatus};
use seats::plan::PlanContext;
use seats::rules::run::preview;
use seats::rules::{Comment, Row, State};

const JIRA: &str = "jira-software";

fn day0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap()
}

fn user(id: &str, last_active: Option<DateTime<Utc>>) -> User {
    User {
        account_id: id.into(),
        name: format!("User {id}"),
        email: Some(format!("{id}@acme.example")),
        account_type: AccountType::Atlassian,
        status: UserStatus::Active,
        groups: vec![GroupRef {
            id: "gid-jira-users".into(),
            name: "jira-users".into(),
        }],
        product_access: vec![ProductAccess {
            product: JIRA.into(),
            last_active,
            resource: Some(format!("ari:cloud:{JIRA}::site/cloud-1").into()),
        }],
        managed: true,
        synced: false,
        org_admin: false,
        site_admin: false,
    }
}

fn dir(users: Vec<User>, at: DateTime<Utc>) -> Directory {
    Directory {
        org_id: "org-1".into(),
        fetched_at: at,
        users,
        groups: vec![Group {
            id: "gid-jira-users".into(),
            name: "jira-users".into(),
            synced: false,
            grants: vec![JIRA.into()],
            member_count: None,
        }],
        seats: vec![],
    }
}

fn config(cap: u32) -> Config {
    let text = format!(
        r#"
[protected]
users = ["keep@acme.example"]

[[rules]]
name = "idle jira"
query = "product:jira-software idle:90"
action = "remove-product-access"
grace_days = 14
cap = {cap}
claims = "comment"
channels = [{{ type = "jira-notify", issue = "OPS-12" }}]
"#
    );
    toml::from_str(&text).unwrap()
}

fn rule(c: &Config) -> Rule {
    c.rules[0].clone()
}

fn ctx(c: &Config) -> PlanContext {
    PlanContext::new(c, &["me@acme.example"])
}

fn idle() -> Option<DateTime<Utc>> {
    Some(day0() - Duration::days(200))
}

fn warned(id: &str, at: DateTime<Utc>) -> Row {
    Row {
        rule: "idle jira".into(),
        account_id: id.into(),
        cycle: 1,
        state: State::Warned,
        name: Some(format!("User {id}")),
        email: Some(format!("{id}@acme.example")),
        last_active: idle(),
        since: at,
        warned_at: Some(at),
        channel: Some("jira-notify:OPS-12".into()),
        reference: Some("jira-notify:OPS-12".into()),
        deadline: Some(at + Duration::days(14)),
        batch_id: None,
        evidence: None,
        closed_at: None,
    }
}

fn rows(list: Vec<Row>) -> HashMap<String, Row> {
    list.into_iter()
        .map(|r| (r.account_id.clone(), r))
        .collect()
}

fn ids(rows: &[Row]) -> Vec<&str> {
    rows.iter().map(|r| r.account_id.as_str()).collect()
}

#[test]
fn idle_users_are_warned_longest_idle_first_within_the_cap_and_protected_ones_never() {
    let c = config(2);
    let mut users = vec![
        user("a", Some(day0() - Duration::days(100))),
        user("b", None),
        user("c", Some(day0() - Duration::days(300))),
        user("active", Some(day0() - Duration::days(5))),
    ];
    let mut keep = user("keep", None);
    keep.email = Some("keep@acme.example".into());
    users.push(keep);
    let d = dir(users, day0());
    let p = preview(&rule(&c), &d, &ctx(&c), &HashMap::new(), &[], day0()).unwrap();
    // Never used sorts first (None < Some), then the oldest use; "a" waits for the next run.
    assert_eq!(ids(&p.decisions.to_warn), ["b", "c"]);
    assert_eq!(p.decisions.over_cap, 1);
    assert!(
        p.decisions
            .to_warn
            .iter()
            .all(|r| r.state == State::Candidate)
    );
    assert!(p.decisions.to_reclaim.is_empty() && p.decisions.in_grace.is_empty());
    // Each warned user would free one Jira seat once reclaimed.
    assert_eq!(p.warn_effect.seats_freed(), 2);
}

#[test]
fn a_warned_user_stays_in_grace_until_the_deadline_and_is_due_only_then() {
    let c = config(100);
    let r = rows(vec![warned("a", day0())]);
    for (days, due) in [(0, false), (13, false), (14, true), (20, true)] {
        let now = day0() + Duration::days(days);
        let d = dir(vec![user("a", idle())], now);
        let p = preview(&rule(&c), &d, &ctx(&c), &r, &[], now).unwrap();
        if due {
            assert_eq!(p.decisions.transitions.len(), 1, "day {days}");
            assert_eq!(p.decisions.transitions[0].0.state, State::Due);
            assert_eq!(p.decisions.transitions[0].1, "rule_due");
            assert!(p.decisions.in_grace.is_empty());
            // The same run reclaims them, not the next one.
            assert_eq!(ids(&p.decisions.to_reclaim), ["a"], "day {days}");
            assert_eq!(p.due_effect.seats_freed(), 1);
        } else {
            assert!(p.decisions.transitions.is_empty(), "day {days}");
            assert_eq!(ids(&p.decisions.in_grace), ["a"]);
            assert!(p.decisions.to_reclaim.is_empty(), "day {days}");
        }
        // Never warned twice in a cycle.
        assert!(p.decisions.to_warn.is_empty(), "day {days}");
    }
}

#[test]
fn exits_carry_their_evidence() {
    let c = config(100);
    let now = day0() + Duration::days(3);
    let active_at = day0() + Duration::days(2);
    let mut deact = user("deact", idle());
    deact.status = UserStatus::Deactivated;
    let mut protected = user("prot", idle());
    protected.email = Some("keep@acme.example".into());
    let mut dropped = user("dropped", idle());
    dropped.product_access.clear();
    dropped.groups.clear();
    let d = dir(
        vec![
            user("active", Some(active_at)),
            user("commenter", idle()),
            user("late", idle()),
            deact,
            protected,
            dropped,
            user("stays", idle()),
        ],
        now,
    );
    let r = rows(
        [
            "active",
            "commenter",
            "late",
            "left",
            "deact",
            "prot",
            "dropped",
            "stays",
        ]
        .iter()
        .map(|id| warned(id, day0()))
        .collect(),
    );
    let comments = vec![
        Comment {
            id: "10001".into(),
            author_account_id: "commenter".into(),
            created: day0() + Duration::days(1),
        },
        // Before the notice: not a claim.
        Comment {
            id: "10000".into(),
            author_account_id: "late".into(),
            created: day0() - Duration::days(1),
        },
    ];
    let p = preview(&rule(&c), &d, &ctx(&c), &r, &comments, now).unwrap();
    let got: HashMap<&str, (State, &str)> = p
        .decisions
        .transitions
        .iter()
        .map(|(r, _)| {
            (
                r.account_id.as_str(),
                (r.state, r.evidence.as_deref().unwrap_or("")),
            )
        })
        .collect();
    assert_eq!(got["active"], (State::Kept, "active 2026-12-03"));
    assert_eq!(got["commenter"], (State::Claimed, "comment 10001"));
    assert_eq!(got["left"], (State::Gone, "left the org"));
    assert_eq!(got["deact"].0, State::Gone);
    assert_eq!(got["prot"].0, State::Excluded);
    assert!(got["prot"].1.starts_with("protected"), "{:?}", got["prot"]);
    assert_eq!(
        got["dropped"],
        (State::Excluded, "no longer holds jira-software")
    );
    assert!(!got.contains_key("late") && !got.contains_key("stays"));
    assert_eq!(ids(&p.decisions.in_grace), ["late", "stays"]);
    assert!(
        p.decisions
            .transitions
            .iter()
            .all(|(r, _)| r.closed_at == Some(now))
    );
}

#[test]
fn a_claim_holds_for_the_idle_window_then_a_new_cycle_begins() {
    let c = config(100);
    let mut claimed = warned("a", day0());
    claimed.state = State::Claimed;
    claimed.closed_at = Some(day0() + Duration::days(3));
    let r = rows(vec![claimed]);
    let soon = day0() + Duration::days(30);
    let p = preview(
        &rule(&c),
        &dir(vec![user("a", idle())], soon),
        &ctx(&c),
        &r,
        &[],
        soon,
    )
    .unwrap();
    assert!(p.decisions.to_warn.is_empty());
    let later = day0() + Duration::days(94);
    let p = preview(
        &rule(&c),
        &dir(vec![user("a", idle())], later),
        &ctx(&c),
        &r,
        &[],
        later,
    )
    .unwrap();
    assert_eq!(ids(&p.decisions.to_warn), ["a"]);
    assert_eq!(p.decisions.to_warn[0].cycle, 2);
}

#[test]
fn a_candidate_whose_notice_failed_is_retried_before_new_ones() {
    let c = config(1);
    let mut failed = warned("z", day0());
    failed.state = State::Candidate;
    failed.warned_at = None;
    failed.deadline = None;
    let r = rows(vec![failed]);
    let now = day0() + Duration::days(1);
    let d = dir(vec![user("a", None), user("z", idle())], now);
    let p = preview(&rule(&c), &d, &ctx(&c), &r, &[], now).unwrap();
    assert_eq!(ids(&p.decisions.to_warn), ["z"]);
    assert_eq!(p.decisions.to_warn[0].cycle, 1);
    // A candidate is never due: no notice was delivered.
    let late = day0() + Duration::days(30);
    let p = preview(
        &rule(&c),
        &dir(vec![user("z", idle())], late),
        &ctx(&c),
        &r,
        &[],
        late,
    )
    .unwrap();
    assert!(p.decisions.to_reclaim.is_empty());
}
