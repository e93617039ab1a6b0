//! build_plan at console scale: a 100,000-user directory, Jira Software removal queued for
//! every holder (about 60,000) plus a suspension of 5,000, with the effect. The console rebuilds
//! the plan on every queue change, so this has to stay well under a frame budget per 10,000
//! targets.
//!
//! Run: `cargo bench --bench plan`.

use chrono::{Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use seats::config::Config;
use seats::domain::{AccountType, Directory, Group, GroupRef, ProductAccess, User, UserStatus};
use seats::plan::{OperationKind, PlanContext, Queue, build_plan};

const USERS: usize = 100_000;

fn directory() -> Directory {
    let now = Utc::now();
    let groups: Vec<Group> = (0..40)
        .map(|i| Group {
            id: format!("g{i}"),
            name: format!("group-{i}"),
            synced: i % 10 == 9,
            grants: match i % 4 {
                0 => vec!["jira-software".into()],
                1 => vec!["confluence".into()],
                2 => vec!["jira-software".into(), "confluence".into()],
                _ => vec![],
            },
            member_count: None,
        })
        .collect();
    let users = (0..USERS)
        .map(|i| {
            let gs: Vec<usize> = vec![i % 40, (i / 40) % 40, (i * 7) % 40];
            let groups_of: Vec<GroupRef> = gs
                .iter()
                .map(|g| GroupRef {
                    id: format!("g{g}").into(),
                    name: format!("group-{g}").into(),
                })
                .collect();
            let mut product_access = Vec::new();
            for p in ["jira-software", "confluence"] {
                if gs.iter().any(|g| groups[*g].grants.iter().any(|k| k == p)) || i % 97 == 0 {
                    product_access.push(ProductAccess {
                        product: p.into(),
                        last_active: (i % 5 != 0).then(|| now - Duration::days((i % 400) as i64)),
                        resource: Some(format!("ari:cloud:{p}::site/c").into()),
                    });
                }
            }
            User {
                account_id: format!("u{i}"),
                name: format!("User {i}"),
                email: Some(format!("user{i}@acme.example")),
                account_type: AccountType::Atlassian,
                status: UserStatus::Active,
                groups: groups_of,
                product_access,
                managed: true,
                synced: i % 3 == 0,
                org_admin: i < 3,
                site_admin: false,
            }
        })
        .collect();
    Directory {
        org_id: "o".into(),
        fetched_at: now,
        users,
        groups,
        seats: vec![],
    }
}

fn bench(c: &mut Criterion) {
    let dir = directory();
    let mut q = Queue::new();
    q.add(
        OperationKind::RemoveProductAccess {
            product: "jira-software".into(),
        },
        dir.users
            .iter()
            .filter(|u| u.access("jira-software").is_some())
            .map(|u| u.account_id.clone()),
    );
    q.add(
        OperationKind::Suspend,
        dir.users.iter().step_by(20).map(|u| u.account_id.clone()),
    );
    let mut config = Config::default();
    config.protected.groups = vec!["group-3".into()];
    config.plan.batch_cap = 1_000_000;
    let ctx = PlanContext::new(&config, &["user7@acme.example"]);
    let targets: usize = q.operations().iter().map(|o| o.targets.len()).sum();
    let plan = build_plan(&dir, &q, &ctx);
    eprintln!(
        "{USERS} users, {targets} targets: {} steps, {} held out",
        plan.steps().count(),
        plan.held_out().count()
    );
    c.bench_function("build_plan 100k users", |b| {
        b.iter(|| build_plan(&dir, &q, &ctx))
    });
    c.bench_function("queue conflicts 100k users", |b| b.iter(|| q.conflicts()));
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
