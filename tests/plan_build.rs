//! The plan from a queue and a hand-built snapshot: every protection reason, every no-op,
//! conflicts, the expansion of product removal (several groups, a synced group, a direct grant),
//! guards, who keeps a product, the batch cap and the effect.

use chrono::{DateTime, Duration, TimeZone, Utc};
use seats::config::Config;
use seats::domain::{
    AccountType, Directory, Group, GroupRef, Product, ProductAccess, ProtectionReason, Seats,
    SeatsSource, User, UserStatus,
};
use seats::plan::{
    Change, ConflictKind, Guard, HoldReason, KeepPath, NoOpReason, OperationKind, Plan,
    PlanContext, Queue, Refusal, build_plan, summary,
};

const JIRA: &str = "jira-software";
const CONF: &str = "confluence";
const JIRA_ARI: &str = "ari:cloud:jira-software::site/cloud-1";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

/// A plain, idle, managed Atlassian account in the given groups, holding `products` (never used).
fn user(id: &str, groups: &[&str], products: &[&str]) -> User {
    User {
        account_id: id.into(),
        name: format!("User {id}"),
        email: Some(format!("{id}@acme.example")),
        account_type: AccountType::Atlassian,
        status: UserStatus::Active,
        groups: groups
            .iter()
            .map(|g| GroupRef {
                id: format!("gid-{g}").into(),
                name: (*g).into(),
            })
            .collect(),
        product_access: products
            .iter()
            .map(|p| ProductAccess {
                product: (*p).into(),
                last_active: None,
                resource: Some(format!("ari:cloud:{p}::site/cloud-1").into()),
            })
            .collect(),
        managed: true,
        synced: false,
        org_admin: false,
        site_admin: false,
    }
}

fn group(name: &str, synced: bool, grants: &[&str]) -> Group {
    Group {
        id: format!("gid-{name}"),
        name: name.into(),
        synced,
        grants: grants.iter().map(|g| (*g).into()).collect(),
        member_count: None,
    }
}

fn groups() -> Vec<Group> {
    vec![
        group("jira-users", false, &[JIRA]),
        group("jira-extra", false, &[JIRA]),
        group("idp-jira", true, &[JIRA]),
        group("conf-users", false, &[CONF]),
        group("agents", false, &["jira-servicedesk"]),
        group("plain", false, &[]),
        group("idp-plain", true, &[]),
    ]
}

fn dir(users: Vec<User>) -> Directory {
    Directory {
        org_id: "org-1".into(),
        fetched_at: now(),
        users,
        groups: groups(),
        seats: vec![],
    }
}

fn config() -> Config {
    let mut c = Config::default();
    c.protected.groups = vec!["agents".into()];
    c.protected.users = vec!["keep@acme.example".into()];
    c.protected.domains = vec!["partner.example".into()];
    c
}

fn ctx() -> PlanContext {
    PlanContext::new(&config(), &["me@acme.example"])
}

fn leave(name: &str) -> OperationKind {
    OperationKind::RemoveFromGroup {
        group_id: format!("gid-{name}"),
        group_name: name.into(),
    }
}

fn remove_jira() -> OperationKind {
    OperationKind::RemoveProductAccess {
        product: JIRA.into(),
    }
}

fn plan_one(users: Vec<User>, kind: OperationKind, targets: &[&str]) -> Plan {
    let mut q = Queue::new();
    q.add(kind, targets.iter().copied());
    build_plan(&dir(users), &q, &ctx())
}

/// What happened to `id`: its steps' changes, or its hold reason, or its no-op reason.
#[derive(Debug, PartialEq)]
enum Outcome {
    Steps(Vec<Change>),
    Held(HoldReason),
    NoOp(NoOpReason),
}

fn outcome(plan: &Plan, id: &str) -> Outcome {
    let steps: Vec<Change> = plan
        .steps()
        .filter(|s| s.account_id == id)
        .map(|s| s.change.clone())
        .collect();
    let held: Vec<&HoldReason> = plan
        .held_out()
        .filter(|h| h.account_id == id)
        .map(|h| &h.reason)
        .collect();
    let noop: Vec<&NoOpReason> = plan
        .no_ops()
        .filter(|n| n.account_id == id)
        .map(|n| &n.reason)
        .collect();
    match (steps.is_empty(), held.as_slice(), noop.as_slice()) {
        (false, [], []) => Outcome::Steps(steps),
        (true, [h], []) => Outcome::Held((*h).clone()),
        (true, [], [n]) => Outcome::NoOp((*n).clone()),
        other => panic!("{id}: more than one outcome: {other:?}"),
    }
}

fn protected(p: ProtectionReason) -> Outcome {
    Outcome::Held(HoldReason::Protected { protection: p })
}

#[test]
fn every_protection_reason_holds_the_user_out_with_the_reason() {
    let with = |f: fn(&mut User)| {
        let mut u = user("x", &["jira-users"], &[JIRA]);
        f(&mut u);
        u
    };
    type Case = (&'static str, User, OperationKind, Outcome);
    let cases: Vec<Case> = vec![
        (
            "org admin",
            with(|u| u.org_admin = true),
            OperationKind::Suspend,
            protected(ProtectionReason::OrgAdmin),
        ),
        (
            "site admin",
            with(|u| u.site_admin = true),
            remove_jira(),
            protected(ProtectionReason::SiteAdmin),
        ),
        (
            "the signed-in admin",
            with(|u| u.email = Some("ME@acme.example".into())),
            OperationKind::Suspend,
            protected(ProtectionReason::Myself),
        ),
        (
            "app account",
            with(|u| u.account_type = AccountType::App),
            remove_jira(),
            protected(ProtectionReason::AppAccount),
        ),
        (
            "synced user, removal from the directory",
            with(|u| u.synced = true),
            OperationKind::RemoveFromDirectory,
            protected(ProtectionReason::Synced),
        ),
        (
            "synced user, deactivation",
            with(|u| u.synced = true),
            OperationKind::Deactivate,
            protected(ProtectionReason::Synced),
        ),
        (
            "protected group",
            with(|u| {
                u.groups.push(GroupRef {
                    id: "gid-agents".into(),
                    name: "agents".into(),
                })
            }),
            OperationKind::Suspend,
            protected(ProtectionReason::ProtectedGroup("agents".into())),
        ),
        (
            "protected user",
            with(|u| u.email = Some("keep@acme.example".into())),
            leave("jira-users"),
            protected(ProtectionReason::ProtectedUser),
        ),
        (
            "protected domain",
            with(|u| u.email = Some("x@partner.example".into())),
            OperationKind::Suspend,
            protected(ProtectionReason::ProtectedDomain("partner.example".into())),
        ),
        (
            "active on the product within its threshold",
            with(|u| u.product_access[0].last_active = Some(now() - Duration::days(12))),
            remove_jira(),
            Outcome::Held(HoldReason::ActiveWithin {
                product: Some(JIRA.into()),
                days_ago: 12,
                threshold_days: 90,
            }),
        ),
        (
            "not managed, deactivation",
            with(|u| u.managed = false),
            OperationKind::Deactivate,
            Outcome::Held(HoldReason::NotManaged),
        ),
        (
            "synced group",
            with(|u| {
                u.groups.push(GroupRef {
                    id: "gid-idp-plain".into(),
                    name: "idp-plain".into(),
                })
            }),
            leave("idp-plain"),
            Outcome::Held(HoldReason::SyncedGroup {
                group: "idp-plain".into(),
            }),
        ),
        (
            "product kept through a synced group",
            with(|u| {
                u.groups.push(GroupRef {
                    id: "gid-idp-jira".into(),
                    name: "idp-jira".into(),
                })
            }),
            remove_jira(),
            Outcome::Held(HoldReason::KeepsThroughSyncedGroup {
                product: JIRA.into(),
                groups: vec!["idp-jira".into()],
            }),
        ),
        (
            "member of a group the snapshot does not describe",
            with(|u| {
                u.groups.push(GroupRef {
                    id: "gid-new".into(),
                    name: "new".into(),
                })
            }),
            remove_jira(),
            Outcome::Held(HoldReason::GroupsUnknown {
                groups: vec!["new".into()],
            }),
        ),
        // Not held: the same users for actions their protection does not cover.
        (
            "synced user can be suspended",
            with(|u| u.synced = true),
            OperationKind::Suspend,
            Outcome::Steps(vec![Change::Suspend]),
        ),
        (
            "an org admin can be restored",
            with(|u| {
                u.org_admin = true;
                u.status = UserStatus::Suspended
            }),
            OperationKind::Restore,
            Outcome::Steps(vec![Change::Restore]),
        ),
        (
            "active on another product does not hold product removal",
            with(|u| {
                u.product_access.push(ProductAccess {
                    product: CONF.into(),
                    last_active: Some(now()),
                    resource: None,
                })
            }),
            remove_jira(),
            Outcome::Steps(vec![Change::RemoveFromGroup {
                group_id: "gid-jira-users".into(),
                group_name: "jira-users".into(),
            }]),
        ),
    ];
    for (name, u, kind, want) in cases {
        let plan = plan_one(vec![u], kind, &["x"]);
        assert_eq!(outcome(&plan, "x"), want, "{name}");
        if let Outcome::Held(reason) = &want {
            assert!(!reason.describe().is_empty(), "{name}");
        }
    }
}

#[test]
fn synced_users_are_told_to_change_it_in_the_identity_provider() {
    let mut u = user("x", &[], &[]);
    u.synced = true;
    let plan = plan_one(vec![u], OperationKind::RemoveFromDirectory, &["x"]);
    let held = plan.held_out().next().unwrap();
    assert!(
        held.reason
            .describe()
            .contains("change this in your identity provider"),
        "{}",
        held.reason.describe()
    );
    assert_eq!(held.name, "User x");
}

#[test]
fn every_no_op_is_dropped_with_its_reason() {
    let with_status = |s: UserStatus| {
        let mut u = user("x", &[], &[]);
        u.status = s;
        u
    };
    let cases: Vec<(&str, User, OperationKind, NoOpReason)> = vec![
        (
            "already suspended",
            with_status(UserStatus::Suspended),
            OperationKind::Suspend,
            NoOpReason::AlreadySuspended,
        ),
        (
            "restore of an active user",
            with_status(UserStatus::Active),
            OperationKind::Restore,
            NoOpReason::NotSuspended,
        ),
        (
            "not a member",
            user("x", &["plain"], &[]),
            leave("jira-users"),
            NoOpReason::NotMember {
                group: "jira-users".into(),
            },
        ),
        (
            "no access",
            user("x", &["plain"], &[CONF]),
            remove_jira(),
            NoOpReason::NoAccess {
                product: JIRA.into(),
            },
        ),
        (
            "already deactivated",
            with_status(UserStatus::Deactivated),
            OperationKind::Deactivate,
            NoOpReason::AlreadyDeactivated,
        ),
        (
            "reactivation of an active account",
            with_status(UserStatus::Active),
            OperationKind::Reactivate,
            NoOpReason::NotDeactivated,
        ),
    ];
    for (name, u, kind, want) in cases {
        let plan = plan_one(vec![u], kind, &["x"]);
        assert_eq!(outcome(&plan, "x"), Outcome::NoOp(want), "{name}");
        assert_eq!(plan.steps().count(), 0, "{name}");
    }
    let gone = plan_one(vec![], OperationKind::Suspend, &["nobody"]);
    assert_eq!(
        outcome(&gone, "nobody"),
        Outcome::NoOp(NoOpReason::NotInDirectory)
    );
}

#[test]
fn a_no_op_wins_over_a_protection() {
    let mut u = user("x", &[], &[]);
    u.org_admin = true;
    u.status = UserStatus::Suspended;
    let plan = plan_one(vec![u], OperationKind::Suspend, &["x"]);
    assert_eq!(
        outcome(&plan, "x"),
        Outcome::NoOp(NoOpReason::AlreadySuspended)
    );
}

#[test]
fn conflicting_operations_hold_the_user_out_of_both_and_leave_the_rest() {
    let users = vec![user("a", &[], &[JIRA]), user("b", &[], &[JIRA])];
    let mut q = Queue::new();
    let mut suspended = users[0].clone();
    suspended.account_id = "c".into();
    suspended.status = UserStatus::Suspended;
    let mut all = users.clone();
    all.push(suspended);
    q.add(OperationKind::Suspend, ["a", "b"]);
    q.add(OperationKind::Restore, ["a", "c"]);
    q.add(OperationKind::RemoveFromDirectory, ["b"]);
    let plan = build_plan(&dir(all), &q, &ctx());
    let held_for = |op: usize, id: &str| {
        plan.operations[op]
            .held_out
            .iter()
            .find(|h| h.account_id == id)
            .map(|h| h.reason.clone())
    };
    assert_eq!(
        held_for(0, "a"),
        Some(HoldReason::Conflict {
            conflict: ConflictKind::SuspendAndRestore
        })
    );
    assert!(held_for(1, "a").is_some());
    assert!(held_for(0, "b").is_some() && held_for(2, "b").is_some());
    assert_eq!(outcome(&plan, "c"), Outcome::Steps(vec![Change::Restore]));
    assert_eq!(plan.steps().count(), 1, "only c's restore is left");
}

#[test]
fn product_removal_leaves_every_non_synced_granting_group_and_revokes_direct_grants() {
    let users = vec![
        user(
            "two-groups",
            &["jira-users", "jira-extra", "conf-users", "plain"],
            &[JIRA, CONF],
        ),
        user("direct", &["plain"], &[JIRA]),
        user("synced-path", &["jira-users", "idp-jira"], &[JIRA]),
    ];
    let plan = plan_one(
        users,
        remove_jira(),
        &["two-groups", "direct", "synced-path"],
    );
    let leave_change = |g: &str| Change::RemoveFromGroup {
        group_id: format!("gid-{g}"),
        group_name: g.into(),
    };
    assert_eq!(
        outcome(&plan, "two-groups"),
        Outcome::Steps(vec![leave_change("jira-users"), leave_change("jira-extra")])
    );
    assert_eq!(
        outcome(&plan, "direct"),
        Outcome::Steps(vec![Change::RevokeProductRole {
            product: JIRA.into(),
            resource: JIRA_ARI.into()
        }])
    );
    let held = plan.held_out().next().unwrap();
    assert!(
        held.reason
            .describe()
            .contains("keeps Jira Software through synced group idp-jira")
            && held.reason.describe().contains("cannot be freed here"),
        "{}",
        held.reason.describe()
    );
    // Every step carries the premise: not active on Jira since 90 days before the snapshot.
    for s in plan.steps() {
        assert_eq!(
            s.guard,
            Some(Guard {
                inactive_since: Some(now() - Duration::days(90)),
                product: Some(JIRA.into())
            })
        );
    }
    let jira = plan.effect.product(JIRA).unwrap();
    assert_eq!((jira.used_now, jira.freed, jira.used_after), (3, 2, 1));
    assert!(
        plan.effect.product(CONF).is_none(),
        "Confluence is untouched"
    );
}

#[test]
fn a_direct_grant_without_its_own_resource_uses_the_site_of_the_product() {
    let mut direct = user("direct", &[], &[JIRA]);
    direct.product_access[0].resource = None;
    let other = user("other", &["jira-users"], &[JIRA]);
    let plan = plan_one(vec![direct.clone(), other], remove_jira(), &["direct"]);
    assert_eq!(
        outcome(&plan, "direct"),
        Outcome::Steps(vec![Change::RevokeProductRole {
            product: JIRA.into(),
            resource: JIRA_ARI.into()
        }])
    );
    let alone = plan_one(vec![direct], remove_jira(), &["direct"]);
    assert_eq!(
        outcome(&alone, "direct"),
        Outcome::Held(HoldReason::NoResource {
            product: JIRA.into()
        })
    );
}

#[test]
fn leaving_a_group_says_who_keeps_its_products_and_through_what() {
    let users = vec![
        user("also-extra", &["jira-users", "jira-extra"], &[JIRA]),
        user("also-idp", &["jira-users", "idp-jira"], &[JIRA]),
        user("only", &["jira-users"], &[JIRA]),
    ];
    let plan = plan_one(
        users,
        leave("jira-users"),
        &["also-extra", "also-idp", "only"],
    );
    let keeps: Vec<String> = plan.operations[0]
        .keeps
        .iter()
        .map(|k| k.describe())
        .collect();
    assert_eq!(
        keeps,
        vec![
            "keeps Jira Software through group jira-extra".to_owned(),
            "keeps Jira Software through synced group idp-jira: the seat cannot be freed here"
                .to_owned()
        ]
    );
    assert!(matches!(
        plan.operations[0].keeps[1].path,
        KeepPath::Group { synced: true, .. }
    ));
    assert_eq!(plan.steps().count(), 3);
    assert_eq!(
        plan.effect.product(JIRA).unwrap().freed,
        1,
        "only 'only' frees a seat"
    );
}

#[test]
fn the_query_threshold_applies_to_suspension_and_product_removal() {
    let mut recent = user("recent", &["jira-users"], &[JIRA]);
    recent.product_access[0].last_active = Some(now() - Duration::days(40));
    let mut c = ctx();
    // Without idle:N, suspension checks no activity and its guard has no premise.
    let mut q = Queue::new();
    q.add(OperationKind::Suspend, ["recent"]);
    let plan = build_plan(&dir(vec![recent.clone()]), &q, &c);
    assert_eq!(
        outcome(&plan, "recent"),
        Outcome::Steps(vec![Change::Suspend])
    );
    assert_eq!(
        plan.steps().next().unwrap().guard,
        Some(Guard {
            inactive_since: None,
            product: None
        })
    );
    // idle:30 from the query: 40 days idle passes, and the guard says since when.
    c.idle_days = Some(30);
    let plan = build_plan(&dir(vec![recent.clone()]), &q, &c);
    assert_eq!(
        plan.steps().next().unwrap().guard,
        Some(Guard {
            inactive_since: Some(now() - Duration::days(30)),
            product: None
        })
    );
    // idle:60: active 40 days ago holds them out, naming the product.
    c.idle_days = Some(60);
    let plan = build_plan(&dir(vec![recent.clone()]), &q, &c);
    assert_eq!(
        outcome(&plan, "recent"),
        Outcome::Held(HoldReason::ActiveWithin {
            product: Some(JIRA.into()),
            days_ago: 40,
            threshold_days: 60
        })
    );
    // Product removal uses the query's threshold over the config's 90 days.
    c.idle_days = Some(30);
    let mut q = Queue::new();
    q.add(remove_jira(), ["recent"]);
    assert!(matches!(
        outcome(&build_plan(&dir(vec![recent.clone()]), &q, &c), "recent"),
        Outcome::Steps(_)
    ));
    c.idle_days = None;
    assert!(matches!(
        outcome(&build_plan(&dir(vec![recent]), &q, &c), "recent"),
        Outcome::Held(HoldReason::ActiveWithin {
            threshold_days: 90,
            ..
        })
    ));
}

#[test]
fn a_per_product_threshold_from_the_config_applies() {
    let mut cfg = config();
    cfg.inactivity.products.insert(JIRA.into(), 30);
    let mut u = user("x", &["jira-users"], &[JIRA]);
    u.product_access[0].last_active = Some(now() - Duration::days(40));
    let mut q = Queue::new();
    q.add(remove_jira(), ["x"]);
    let plan = build_plan(&dir(vec![u]), &q, &PlanContext::new(&cfg, &[]));
    assert!(matches!(outcome(&plan, "x"), Outcome::Steps(_)));
}

#[test]
fn the_batch_cap_refuses_bigger_plans_until_raised() {
    let users: Vec<User> = (0..5)
        .map(|i| user(&format!("u{i}"), &[], &[JIRA]))
        .collect();
    let ids: Vec<String> = users.iter().map(|u| u.account_id.clone()).collect();
    let mut q = Queue::new();
    q.add(OperationKind::Suspend, ids.clone());
    // A second operation on the same users does not count them twice.
    q.add(leave("plain"), ids);
    let mut c = ctx();
    c.batch_cap = 4;
    let plan = build_plan(&dir(users.clone()), &q, &c);
    assert_eq!(
        plan.refusal,
        Some(Refusal::BatchTooLarge { users: 5, cap: 4 })
    );
    assert!(!plan.can_run());
    assert!(summary(&plan).iter().any(|l| l.contains("batch_cap")));
    c.batch_cap = 5;
    let plan = build_plan(&dir(users), &q, &c);
    assert_eq!(plan.refusal, None);
    assert!(plan.can_run());
}

#[test]
fn the_effect_uses_licence_figures_and_prices() {
    let users: Vec<User> = (0..3)
        .map(|i| user(&format!("u{i}"), &["jira-users"], &[JIRA]))
        .collect();
    let mut d = dir(users);
    d.seats = vec![Seats::new(
        Product::new(JIRA),
        Some(50),
        40,
        SeatsSource::JiraApplicationRole,
    )];
    let mut q = Queue::new();
    q.add(remove_jira(), ["u0", "u1"]);
    q.add(OperationKind::Suspend, ["u2"]);
    let plan = build_plan(&d, &q, &ctx());
    let jira = plan.effect.product(JIRA).unwrap();
    assert_eq!((jira.used_now, jira.freed, jira.used_after), (40, 3, 37));
    assert_eq!(jira.monthly_saving, Some(25.80));
    assert!((plan.effect.yearly_saving - 3.0 * 8.60 * 12.0).abs() < 1e-9);
    let text = summary(&plan).join("\n");
    assert!(
        text.contains("USD 25.80 a month, USD 309.60 a year"),
        "{text}"
    );
    assert!(text.contains("end of the billing cycle"), "{text}");
    assert!(!plan.is_irreversible());
}

#[test]
fn removal_from_the_directory_makes_the_plan_irreversible() {
    let plan = plan_one(
        vec![user("x", &[], &[JIRA])],
        OperationKind::RemoveFromDirectory,
        &["x"],
    );
    assert!(plan.is_irreversible());
    assert_eq!(plan.affected_users(), 1);
}

#[test]
fn the_same_queue_and_snapshot_give_the_same_plan() {
    let users = vec![
        user("a", &["jira-users", "jira-extra"], &[JIRA]),
        user("b", &["idp-jira"], &[JIRA]),
        user("c", &[], &[JIRA]),
    ];
    let mut q = Queue::new();
    q.add(remove_jira(), ["c", "a", "b"]);
    let one = build_plan(&dir(users.clone()), &q, &ctx());
    let two = build_plan(&dir(users), &q, &ctx());
    assert_eq!(one, two);
    // Steps follow the queue's target order.
    let order: Vec<&str> = one.steps().map(|s| s.account_id.as_str()).collect();
    assert_eq!(order, ["c", "a", "a"]);
}

#[test]
fn direct_grants_looked_up_are_revoked_and_reported_as_kept_paths() {
    let users = vec![user("both", &["jira-users"], &[JIRA])];
    let mut c = ctx();
    c.direct_grants
        .entry("both".into())
        .or_default()
        .insert(JIRA_ARI.into());
    let mut q = Queue::new();
    q.add(remove_jira(), ["both"]);
    let plan = build_plan(&dir(users.clone()), &q, &c);
    assert_eq!(
        outcome(&plan, "both"),
        Outcome::Steps(vec![
            Change::RemoveFromGroup {
                group_id: "gid-jira-users".into(),
                group_name: "jira-users".into()
            },
            Change::RevokeProductRole {
                product: JIRA.into(),
                resource: JIRA_ARI.into()
            }
        ])
    );
    assert_eq!(plan.effect.product(JIRA).unwrap().freed, 1);
    // Leaving the group alone keeps Jira through the direct grant: no seat freed.
    let mut q = Queue::new();
    q.add(leave("jira-users"), ["both"]);
    let plan = build_plan(&dir(users.clone()), &q, &c);
    assert_eq!(
        plan.operations[0].keeps[0].describe(),
        "keeps Jira Software through a direct grant"
    );
    assert_eq!(plan.effect.product(JIRA).unwrap().freed, 0);
    // Without the look-up the plan would claim the seat.
    let plan = build_plan(&dir(users), &q, &ctx());
    assert_eq!(plan.effect.product(JIRA).unwrap().freed, 1);
}

#[test]
fn restoring_a_user_regains_their_seats_and_says_what_it_costs() {
    let mut u = user("back", &["jira-users"], &[]);
    // Suspended users show no product access; their groups still grant it.
    u.status = UserStatus::Suspended;
    let plan = plan_one(vec![u], OperationKind::Restore, &["back"]);
    let jira = plan.effect.product(JIRA).unwrap();
    assert_eq!((jira.used_now, jira.regained, jira.used_after), (0, 1, 1));
    assert_eq!(jira.monthly_saving, Some(-8.60));
    let text = summary(&plan).join("\n");
    assert!(text.contains("costs USD 8.60 more a month"), "{text}");
    assert!(
        text.contains("Total: 0 seats freed; costs USD 8.60 a month"),
        "{text}"
    );
}

/// Where each operation's activity threshold comes from (issue 13): the query its targets came
/// from, else the config's `inactive_days` for hand-picked targets, else the per-product days.
#[test]
fn each_operation_takes_its_threshold_from_its_origin() {
    use seats::plan::{QueuedOperation, Threshold, ThresholdFrom, context_for};
    let mut config = Config::default();
    config.inactivity.days = 60;
    config.inactivity.products.insert(CONF.into(), 30);
    let shared = context_for(&config, &[]);
    let legacy = PlanContext::new(&config, &[]);
    let product = |p: &str| OperationKind::RemoveProductAccess { product: p.into() };
    let t = |days, from| Some(Threshold { days, from });
    use ThresholdFrom as F;
    let cases: Vec<(OperationKind, Option<&str>, &PlanContext, Option<Threshold>)> = vec![
        (
            OperationKind::Suspend,
            Some("idle:180 domain:x.example"),
            &shared,
            t(180, F::Query),
        ),
        // A query without idle:N checks no activity, as `seats plan` always did.
        (
            OperationKind::Suspend,
            Some("domain:x.example"),
            &shared,
            None,
        ),
        (OperationKind::Suspend, None, &shared, t(60, F::HandPicked)),
        (
            OperationKind::RemoveFromDirectory,
            None,
            &shared,
            t(60, F::HandPicked),
        ),
        // Giving back is never held to activity.
        (OperationKind::Restore, None, &shared, None),
        (OperationKind::Reactivate, Some("idle:30"), &shared, None),
        (product(CONF), None, &shared, t(30, F::Config)),
        (product(JIRA), None, &shared, t(60, F::Config)),
        (product(CONF), Some("idle:90"), &shared, t(90, F::Query)),
        (product(CONF), Some("group:x"), &shared, t(30, F::Config)),
        // Contexts made without `context_for` keep the old rule for hand-picked targets.
        (OperationKind::Suspend, None, &legacy, None),
    ];
    for (kind, query, ctx, want) in cases {
        let op = QueuedOperation {
            id: 0,
            kind: kind.clone(),
            targets: vec!["u1".into()],
            query: query.map(str::to_owned),
        };
        assert_eq!(ctx.threshold_of(&op), want, "{kind:?} from {query:?}");
    }
}

/// Hand-picked targets held to the config's days: the active one is held out, the idle one
/// gets a step whose guard records the date, and the summary says which threshold was used.
#[test]
fn hand_picked_suspensions_hold_out_users_active_within_inactive_days() {
    let mut active = user("active", &["jira-users"], &[JIRA]);
    active.product_access[0].last_active = Some(now() - Duration::days(10));
    let idle = user("idle", &["jira-users"], &[JIRA]);
    let dir = Directory {
        org_id: "org-1".into(),
        fetched_at: now(),
        users: vec![active, idle],
        groups: vec![Group {
            id: "gid-jira-users".into(),
            name: "jira-users".into(),
            synced: false,
            grants: vec![JIRA.into()],
            member_count: Some(2),
        }],
        seats: vec![],
    };
    let mut q = Queue::new();
    q.add(OperationKind::Suspend, ["active", "idle"]);
    let plan = build_plan(&dir, &q, &seats::plan::context_for(&Config::default(), &[]));
    let op = &plan.operations[0];
    assert_eq!(op.held_out.len(), 1);
    assert_eq!(op.held_out[0].account_id, "active");
    assert!(matches!(
        op.held_out[0].reason,
        HoldReason::ActiveWithin {
            threshold_days: 90,
            ..
        }
    ));
    assert_eq!(op.steps.len(), 1);
    assert_eq!(
        op.steps[0].guard.as_ref().and_then(|g| g.inactive_since),
        Some(now() - Duration::days(90))
    );
    let text = summary(&plan).join("\n");
    assert!(
        text.contains("held out if active in the last 90 days"),
        "{text}"
    );
    assert!(text.contains("picked by hand"), "{text}");
}

#[test]
fn the_summaries_count_in_words_and_say_each_thing_once() {
    // One user suspended: one seat of Jira freed, one operation.
    let mut plan = plan_one(
        vec![user("a", &[], &[JIRA])],
        OperationKind::Suspend,
        &["a"],
    );
    assert_eq!(plan.effect.seats_freed() as usize, 1);
    let compact = seats::plan::compact_summary(&plan).join("\n");
    assert!(compact.contains("Total: 1 seat freed;"), "{compact}");
    // The operation's line says how many changed: the total does not repeat it.
    let full = summary(&plan).join("\n");
    assert_eq!(
        full.matches("1 user changed in 1 step").count(),
        1,
        "{full}"
    );
    // Two operations: the total is said as well.
    let mut second = plan.operations[0].clone();
    second.threshold = Some(seats::plan::Threshold {
        days: 90,
        from: seats::plan::ThresholdFrom::HandPicked,
    });
    plan.operations[0].threshold = Some(seats::plan::Threshold {
        days: 90,
        from: seats::plan::ThresholdFrom::Config,
    });
    plan.operations.push(second.clone());
    let full = summary(&plan).join("\n");
    assert!(
        full.lines().any(|l| l.starts_with("1 user changed in")),
        "{full}"
    );
    // The config's threshold, by product or for hand-picked targets, is one premise: once.
    let compact = seats::plan::compact_summary(&plan);
    let activity: Vec<&String> = compact
        .iter()
        .filter(|l| l.starts_with("Activity:"))
        .collect();
    assert_eq!(activity.len(), 1, "{compact:?}");
    assert!(
        activity[0].contains("the config's inactivity threshold"),
        "{compact:?}"
    );
    // A different threshold is a second line.
    second.threshold = Some(seats::plan::Threshold {
        days: 30,
        from: seats::plan::ThresholdFrom::Query,
    });
    plan.operations.push(second);
    let compact = seats::plan::compact_summary(&plan);
    assert_eq!(
        compact
            .iter()
            .filter(|l| l.starts_with("Activity:"))
            .count(),
        2,
        "{compact:?}"
    );
    // A plan of fixed steps (undo, retry, give-back) says why its effect is not counted.
    let mut file = seats::plan::PlanFile::new(&plan, &Queue::new(), None, None, now());
    file.effect = None;
    let text = seats::plan::file_summary(&file).join("\n");
    assert!(
        text.contains("Effect on seats: not counted: this plan's steps come from the journal"),
        "{text}"
    );
    // A refusal counts with thousands separators.
    let r = Refusal::BatchTooLarge {
        users: 19866,
        cap: 5000,
    };
    assert!(
        r.describe()
            .contains("this plan changes 19,866 users, more than the batch cap of 5,000"),
        "{}",
        r.describe()
    );
}

/// Actions that overlap for one user (a group removal beside the product removal that makes it,
/// the same action queued from two queries) plan each change once: admission refuses a plan
/// that repeats a step, so a repeat would stop a plan the console itself made.
#[test]
fn overlapping_actions_make_each_change_once() {
    let users = vec![user("a", &["jira-users"], &[JIRA])];
    let mut q = Queue::new();
    q.add(remove_jira(), ["a"]);
    q.add(leave("jira-users"), ["a"]);
    q.add_from(OperationKind::Suspend, Some("idle:90".into()), ["a"]);
    q.add_from(OperationKind::Suspend, None, ["a"]);
    let plan = build_plan(&dir(users), &q, &ctx());
    let mut seen = std::collections::HashSet::new();
    for s in plan.steps() {
        assert!(
            seen.insert((&s.account_id, &s.change)),
            "{:?} twice",
            s.change
        );
    }
    assert!(plan.operations[0].steps.iter().any(|s| s.change
        == Change::RemoveFromGroup {
            group_id: "gid-jira-users".into(),
            group_name: "jira-users".into(),
        }));
    assert_eq!(
        plan.operations[2]
            .steps
            .iter()
            .map(|s| &s.change)
            .collect::<Vec<_>>(),
        [&Change::Suspend]
    );
    for later in [1, 3] {
        assert!(plan.operations[later].steps.is_empty());
        assert_eq!(
            plan.operations[later]
                .no_ops
                .iter()
                .map(|n| &n.reason)
                .collect::<Vec<_>>(),
            [&NoOpReason::InEarlierAction]
        );
    }
}
