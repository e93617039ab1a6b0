//! The sandbox state and generator, without HTTP: determinism, realism, consistency.

use chrono::{DateTime, Duration, Utc};
use seats::sandbox::generator::{
    self, CONFLUENCE_GROUP, GeneratorInput, JIRA_SOFTWARE_GROUP, SYNCED_GROUP,
};
use seats::sandbox::state::{
    AccountType, AssignmentMethod, Grant, OrgState, Product, Resource, Role, StateError,
};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-01T12:00:00Z")
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|_| Utc::now())
}

fn org(users: usize, seed: u64) -> OrgState {
    generator::generate(&GeneratorInput {
        users,
        seed,
        org_id: "org-1",
        admin_email: "admin@acme.example",
        now: now(),
    })
}

fn fingerprint(s: &OrgState) -> Vec<String> {
    s.users
        .iter()
        .map(|u| {
            format!(
                "{}|{}|{:?}|{:?}|{:?}|{:?}",
                u.account_id, u.name, u.email, u.groups, u.last_active, u.membership
            )
        })
        .chain(
            s.groups
                .iter()
                .map(|g| format!("{}|{}|{}", g.id, g.name, g.members.len())),
        )
        .collect()
}

#[test]
fn same_seed_gives_the_same_org_and_another_seed_another() {
    let a = org(500, 7);
    let b = org(500, 7);
    let c = org(500, 8);
    assert_eq!(fingerprint(&a), fingerprint(&b));
    assert_eq!(a.cloud_id, b.cloud_id);
    assert_ne!(fingerprint(&a), fingerprint(&c));
    assert_eq!(a.users.len(), 500);
}

#[test]
fn the_org_looks_like_a_real_one() {
    let s = org(5000, 7);
    let now = now();
    let mut holder_products = 0usize;
    let mut inactive_90 = 0usize;
    let mut never = 0usize;
    for ix in 0..s.users.len() as u32 {
        for p in s.product_access(ix) {
            holder_products += 1;
            match s.user(ix).last_active[p.index()] {
                None => never += 1,
                Some(t) if now - t >= Duration::days(90) => inactive_90 += 1,
                Some(_) => {}
            }
        }
    }
    let share = (inactive_90 + never) as f64 / holder_products as f64;
    assert!(
        (0.2..0.4).contains(&share),
        "inactive or never share {share}"
    );
    assert!(never > 0);
    let count =
        |f: &dyn Fn(&seats::sandbox::state::User) -> bool| s.users.iter().filter(|u| f(u)).count();
    assert!(count(&|u| u.account_type == AccountType::App) > 0);
    assert!(count(&|u| u.account_type == AccountType::Customer) > 0);
    assert!(count(&|u| u.status() == "suspended") > 100);
    assert!(count(&|u| u.invited_pending) > 50);
    assert!(count(&|u| u.synced) > 500);
    assert!(count(&|u| !u.managed && u.account_type == AccountType::Atlassian) > 300);
    assert!(
        count(&|u| u
            .direct_grants
            .iter()
            .any(|g| matches!(g.resource, Resource::Product(_))))
            > 5
    );
    let org_admins = (0..s.users.len() as u32)
        .filter(|ix| s.platform_roles(*ix).contains(&"atlassian/org-admin"))
        .count();
    let site_admins = (0..s.users.len() as u32)
        .filter(|ix| s.platform_roles(*ix).contains(&"atlassian/site-admin"))
        .count();
    assert!(
        org_admins >= 2 && site_admins >= 2,
        "{org_admins} org admins, {site_admins} site admins"
    );
    let synced = s.group(s.group_ix_by_name(SYNCED_GROUP).unwrap_or(0));
    assert!(synced.external_synced);
    assert!(synced.members.iter().all(|m| s.user(*m).synced));
    // Apps and service accounts hold no seats.
    for (ix, u) in s.users.iter().enumerate() {
        if u.account_type != AccountType::Atlassian {
            assert!(
                s.product_access(ix as u32).is_empty(),
                "{} holds a seat",
                u.name
            );
        }
    }
    for p in Product::ALL {
        assert!(s.seats_used(p) > 0 && s.seats_remaining(p) > 0, "{p:?}");
    }
}

/// A user who has Jira Software through the product group only.
fn jira_only_through_group(s: &OrgState) -> u32 {
    let g = s.group_ix_by_name(JIRA_SOFTWARE_GROUP).unwrap_or(0);
    (0..s.users.len() as u32)
        .find(|ix| {
            let a = s.role_assignments(*ix);
            s.user(*ix).groups.contains(&g)
                && s.product_access(*ix).contains(&Product::JiraSoftware)
                && a.iter()
                    .filter(|r| r.resource == Resource::Product(Product::JiraSoftware))
                    .all(|r| r.methods == vec![AssignmentMethod::GroupDirect])
                && s.user(*ix)
                    .groups
                    .iter()
                    .filter(|g| {
                        s.group_grants(**g)
                            .iter()
                            .any(|gr| gr.resource == Resource::Product(Product::JiraSoftware))
                    })
                    .count()
                    == 1
        })
        .unwrap_or(u32::MAX)
}

#[test]
fn removing_the_last_granting_group_frees_the_seat_and_logs_it() {
    let mut s = org(2000, 7);
    let ix = jira_only_through_group(&s);
    assert_ne!(ix, u32::MAX, "the generator makes such users");
    let id = s.user(ix).account_id.clone();
    let group = s
        .group(s.group_ix_by_name(JIRA_SOFTWARE_GROUP).unwrap_or(0))
        .id
        .clone();
    let used = s.seats_used(Product::JiraSoftware);
    assert_eq!(s.remove_from_group(&group, &id, "actor", now()), Ok(true));
    assert!(!s.product_access(ix).contains(&Product::JiraSoftware));
    assert_eq!(s.seats_used(Product::JiraSoftware), used - 1);
    let last = s
        .events
        .last()
        .map(|e| (e.action, e.user.clone(), e.group.clone()));
    assert_eq!(
        last,
        Some((
            "group_member_removed",
            Some(id.clone()),
            Some(group.clone())
        ))
    );
    // Removing again changes nothing and logs nothing.
    let events = s.events.len();
    assert_eq!(s.remove_from_group(&group, &id, "actor", now()), Ok(false));
    assert_eq!(s.events.len(), events);
    // Adding back takes the seat again.
    assert_eq!(s.add_to_group(&group, &id, "actor", now()), Ok(()));
    assert_eq!(s.seats_used(Product::JiraSoftware), used);
    assert!(matches!(
        s.add_to_group(&group, &id, "actor", now()),
        Err(StateError::AlreadyMember { .. })
    ));
}

#[test]
fn suspend_frees_every_seat_and_restore_gives_them_back() {
    let mut s = org(1000, 3);
    let ix = (0..s.users.len() as u32)
        .find(|ix| s.product_access(*ix).len() >= 2)
        .unwrap_or(0);
    let id = s.user(ix).account_id.clone();
    let before: Vec<u32> = Product::ALL.iter().map(|p| s.seats_used(*p)).collect();
    let products = s.product_access(ix);
    s.suspend(&id, "actor", now()).ok();
    assert!(s.product_access(ix).is_empty());
    for p in &products {
        assert_eq!(s.seats_used(*p), before[p.index()] - 1);
    }
    assert_eq!(s.user(ix).status(), "suspended");
    s.restore(&id, "actor", now()).ok();
    assert_eq!(s.product_access(ix), products);
    let after: Vec<u32> = Product::ALL.iter().map(|p| s.seats_used(*p)).collect();
    assert_eq!(before, after);
    let actions: Vec<&str> = s.events.iter().map(|e| e.action).collect();
    assert_eq!(actions, vec!["user_suspended", "user_restored"]);
}

#[test]
fn seat_limit_refuses_a_new_holder_and_synced_groups_refuse_writes() {
    let mut s = org(1000, 5);
    let conf = s
        .group(s.group_ix_by_name(CONFLUENCE_GROUP).unwrap_or(0))
        .id
        .clone();
    // Fill Confluence up with direct grants.
    let grant = Grant {
        resource: Resource::Product(Product::Confluence),
        role: Role::User,
    };
    let candidates: Vec<String> = (0..s.users.len() as u32)
        .filter(|ix| {
            s.user(*ix).can_sign_in() && !s.product_access(*ix).contains(&Product::Confluence)
        })
        .map(|ix| s.user(ix).account_id.clone())
        .collect();
    let free = s.seats_remaining(Product::Confluence) as usize;
    assert!(
        candidates.len() > free,
        "the test needs more candidates than seats"
    );
    for id in &candidates[..free] {
        assert_eq!(s.assign_role(id, grant, "actor", now()), Ok(()));
    }
    assert_eq!(s.seats_remaining(Product::Confluence), 0);
    let next = &candidates[free];
    assert!(matches!(
        s.assign_role(next, grant, "actor", now()),
        Err(StateError::SeatLimit { .. })
    ));
    assert!(matches!(
        s.add_to_group(&conf, next, "actor", now()),
        Err(StateError::SeatLimit { .. })
    ));
    let ix = s.user_ix(next).unwrap_or(0);
    assert!(!s.user(ix).groups.contains(&s.group_ix(&conf).unwrap_or(0)));
    assert!(
        !s.group(s.group_ix(&conf).unwrap_or(0))
            .members
            .contains(&ix)
    );
    // A synced group refuses writes.
    let synced = s
        .group(s.group_ix_by_name(SYNCED_GROUP).unwrap_or(0))
        .id
        .clone();
    assert!(matches!(
        s.add_to_group(&synced, next, "actor", now()),
        Err(StateError::GroupSynced(_))
    ));
}

#[test]
fn removal_from_directory_drops_groups_roles_and_lookups() {
    let mut s = org(500, 9);
    let ix = (1..s.users.len() as u32)
        .find(|ix| !s.product_access(*ix).is_empty())
        .unwrap_or(1);
    let id = s.user(ix).account_id.clone();
    s.remove_from_directory(&id, "actor", now()).ok();
    assert!(s.user(ix).groups.is_empty());
    assert!(s.product_access(ix).is_empty());
    assert!(s.groups.iter().all(|g| !g.members.contains(&ix)));
    assert!(matches!(
        s.suspend(&id, "actor", now()),
        Err(StateError::UserNotFound(_))
    ));
}
