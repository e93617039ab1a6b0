//! Does the plan still hold? The pure decision made for every step just before it is sent
//! (and again after a request that got no clear answer), from a fresh read of the user.

use chrono::{DateTime, Utc};

use crate::domain::{Protection, User, UserStatus};
use crate::plan::{Change, Guard, Step};

/// The role a direct product grant is (`RevokeProductRole`, `AssignProductRole`).
pub const PRODUCT_USER_ROLE: &str = "atlassian/user";

/// What a fresh read shows of the user a step is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub user: User,
    /// Resource ARIs on which the user holds `atlassian/user` directly; read only for steps that
    /// grant or revoke a role (`None` when not read).
    pub direct_grants: Option<Vec<String>>,
}

/// The decision for one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Send the change.
    Send,
    /// What the change would do is already so (someone did it, or our own unanswered request).
    AlreadyDone(String),
    /// The plan no longer holds: do not send, with the reason.
    Skip(String),
}

fn guard_broken(guard: &Guard, user: &User) -> Option<String> {
    let since = guard.inactive_since?;
    let newer = |p: &crate::domain::ProductAccess| {
        p.last_active
            .filter(|t| *t > since)
            .map(|t| (p.product.to_string(), t))
    };
    let active: Option<(String, DateTime<Utc>)> = match &guard.product {
        Some(product) => user.access(product).and_then(newer),
        None => user
            .product_access
            .iter()
            .filter_map(newer)
            .max_by_key(|(_, t)| *t),
    };
    active.map(|(product, t)| {
        format!(
            "active again since the plan: used {} on {}",
            crate::domain::product_name(&product),
            t.format("%Y-%m-%d %H:%M UTC")
        )
    })
}

/// The step names another person than the account it targets (a plan file edited by hand, or
/// an email changed since the plan): the review, History and the audit log would name the wrong
/// person, so it is not sent. The email is the identity where the account shows one; a name
/// only for accounts without one (a name may change, an email of a real user rarely does).
fn someone_else(step: &Step, user: &User) -> Option<String> {
    let same = match (&user.email, &step.email) {
        (Some(now), Some(planned)) => now.eq_ignore_ascii_case(planned),
        (Some(_), None) => false,
        (None, _) => user.name == step.name,
    };
    let who = |name: &str, email: Option<&str>| match email {
        Some(e) => format!("{name} <{e}>"),
        None => name.to_owned(),
    };
    (!same).then(|| {
        format!(
            "the plan names {}, but this account is {}: not sent (make a new plan)",
            who(&step.name, step.email.as_deref()),
            who(&user.name, user.email.as_deref())
        )
    })
}

/// Decides one step from what was just read (`None`: the user is not in the directory).
pub fn assess(step: &Step, seen: Option<&Seen>, protection: &Protection) -> Verdict {
    let Some(seen) = seen else {
        return match step.change {
            Change::RemoveFromDirectory => {
                Verdict::AlreadyDone("no longer in the directory".into())
            }
            Change::Suspend
            | Change::Restore
            | Change::RemoveFromGroup { .. }
            | Change::AddToGroup { .. }
            | Change::RevokeProductRole { .. }
            | Change::AssignProductRole { .. }
            | Change::Deactivate
            | Change::Reactivate => Verdict::Skip("no longer in the org's directory".into()),
        };
    };
    let user = &seen.user;
    if let Some(why) = someone_else(step, user) {
        return Verdict::Skip(why);
    }
    let deactivated = user.status == UserStatus::Deactivated;
    let in_group = |id: &str| user.groups.iter().any(|g| g.id == id);
    let has_grant = |resource: &str| {
        seen.direct_grants
            .as_ref()
            .map(|grants| grants.iter().any(|g| g == resource))
    };

    // Already so: nothing to send whatever the guard says.
    let already = match &step.change {
        Change::Suspend if user.status == UserStatus::Suspended => Some("already suspended".into()),
        Change::Suspend if deactivated => {
            return Verdict::Skip("account deactivated: it holds no seat".into());
        }
        Change::Restore if deactivated => {
            return Verdict::Skip("account deactivated: reactivate it first".into());
        }
        Change::Restore if user.status != UserStatus::Suspended => Some("already active".into()),
        Change::RemoveFromGroup {
            group_id,
            group_name,
        } if !in_group(group_id) => Some(format!("no longer a member of {group_name}")),
        Change::AddToGroup {
            group_id,
            group_name,
        } if in_group(group_id) => Some(format!("already a member of {group_name}")),
        Change::RevokeProductRole { product, resource } if has_grant(resource) == Some(false) => {
            Some(format!(
                "no direct {} grant left",
                crate::domain::product_name(product)
            ))
        }
        Change::AssignProductRole { product, resource } if has_grant(resource) == Some(true) => {
            Some(format!(
                "already granted {} directly",
                crate::domain::product_name(product)
            ))
        }
        Change::Deactivate if deactivated => Some("account already deactivated".into()),
        Change::Reactivate if !deactivated => Some("account already active".into()),
        // Every change listed, no wildcard: a new change must say when it is already done.
        Change::Suspend
        | Change::Restore
        | Change::RemoveFromDirectory
        | Change::RemoveFromGroup { .. }
        | Change::AddToGroup { .. }
        | Change::RevokeProductRole { .. }
        | Change::AssignProductRole { .. }
        | Change::Deactivate
        | Change::Reactivate => None,
    };
    if let Some(reason) = already {
        return Verdict::AlreadyDone(reason);
    }

    // The plan's rule (`Change::held_out_by`), read again now: an account protected since the
    // plan, or a step the plan never held out (a hand-edited plan file), is not sent.
    if let Some(reason) = protection
        .reasons(user)
        .into_iter()
        .find(|r| step.change.held_out_by(r))
    {
        return Verdict::Skip(format!("now protected: {}", reason.describe()));
    }
    if step.change.takes_away()
        && let Some(guard) = &step.guard
        && let Some(reason) = guard_broken(guard, user)
    {
        return Verdict::Skip(reason);
    }
    Verdict::Send
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Protected;
    use crate::domain::{AccountType, GroupRef, ProductAccess};
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, day, 12, 0, 0).unwrap()
    }

    fn user(status: UserStatus) -> User {
        User {
            account_id: "u1".into(),
            name: "Ada".into(),
            email: Some("ada@example.com".into()),
            account_type: AccountType::Atlassian,
            status,
            groups: vec![GroupRef {
                id: "g1".into(),
                name: "jira-users".into(),
            }],
            product_access: vec![ProductAccess {
                product: "jira-software".into(),
                last_active: Some(at(10)),
                resource: Some("ari:cloud:jira-software::site/c".into()),
            }],
            managed: true,
            synced: false,
            org_admin: false,
            site_admin: false,
        }
    }

    fn step(change: Change, guard: Option<Guard>) -> Step {
        Step {
            account_id: "u1".into(),
            name: "Ada".into(),
            email: Some("Ada@Example.com".into()),
            change,
            guard,
        }
    }

    fn seen(u: User) -> Seen {
        Seen {
            user: u,
            direct_grants: Some(vec!["ari:cloud:jira-software::site/c".into()]),
        }
    }

    fn guard(since: u32, product: Option<&str>) -> Option<Guard> {
        Some(Guard {
            inactive_since: Some(at(since)),
            product: product.map(str::to_owned),
        })
    }

    fn remove_g1() -> Change {
        Change::RemoveFromGroup {
            group_id: "g1".into(),
            group_name: "jira-users".into(),
        }
    }

    #[test]
    fn verdicts() {
        let none = Protection::default();
        let active = seen(user(UserStatus::Active));
        let suspended = seen(user(UserStatus::Suspended));
        let deactivated = seen(user(UserStatus::Deactivated));
        let mut admin = seen(user(UserStatus::Active));
        admin.user.org_admin = true;
        let mut left_group = seen(user(UserStatus::Active));
        left_group.user.groups.clear();
        let revoke = Change::RevokeProductRole {
            product: "jira-software".into(),
            resource: "ari:cloud:jira-software::site/c".into(),
        };
        let revoke_other = Change::RevokeProductRole {
            product: "confluence".into(),
            resource: "ari:cloud:confluence::site/c".into(),
        };
        let admin_suspended = admin_suspended();
        use Verdict::*;
        let cases: Vec<(Step, Option<&Seen>, Verdict)> = vec![
            (step(Change::Suspend, None), Some(&active), Send),
            (
                step(Change::Suspend, None),
                Some(&suspended),
                AlreadyDone("already suspended".into()),
            ),
            (
                step(Change::Suspend, None),
                None,
                Skip("no longer in the org's directory".into()),
            ),
            (
                step(Change::Suspend, None),
                Some(&deactivated),
                Skip("account deactivated: it holds no seat".into()),
            ),
            // Activity after the plan's premise: skip; activity before it: go.
            (
                step(Change::Suspend, guard(9, None)),
                Some(&active),
                Skip(
                    "active again since the plan: used Jira Software on 2026-06-10 12:00 UTC"
                        .into(),
                ),
            ),
            (step(Change::Suspend, guard(11, None)), Some(&active), Send),
            (
                step(Change::Suspend, guard(9, Some("confluence"))),
                Some(&active),
                Send,
            ),
            (
                step(Change::Suspend, None),
                Some(&admin),
                Skip("now protected: org admin".into()),
            ),
            // Giving back is never held out by protection or guard.
            (
                step(Change::Restore, guard(9, None)),
                Some(&admin_suspended),
                Send,
            ),
            (
                step(Change::Restore, None),
                Some(&active),
                AlreadyDone("already active".into()),
            ),
            (step(remove_g1(), None), Some(&active), Send),
            (
                step(remove_g1(), None),
                Some(&left_group),
                AlreadyDone("no longer a member of jira-users".into()),
            ),
            (
                step(
                    Change::AddToGroup {
                        group_id: "g1".into(),
                        group_name: "jira-users".into(),
                    },
                    None,
                ),
                Some(&active),
                AlreadyDone("already a member of jira-users".into()),
            ),
            (
                step(
                    Change::AddToGroup {
                        group_id: "g1".into(),
                        group_name: "jira-users".into(),
                    },
                    None,
                ),
                Some(&left_group),
                Send,
            ),
            (step(revoke.clone(), None), Some(&active), Send),
            (
                step(revoke_other, None),
                Some(&active),
                AlreadyDone("no direct Confluence grant left".into()),
            ),
            (
                step(Change::RemoveFromDirectory, None),
                None,
                AlreadyDone("no longer in the directory".into()),
            ),
            (
                step(Change::Deactivate, None),
                Some(&deactivated),
                AlreadyDone("account already deactivated".into()),
            ),
            (
                step(Change::Reactivate, None),
                Some(&active),
                AlreadyDone("account already active".into()),
            ),
            (step(Change::Reactivate, None), Some(&deactivated), Send),
        ];
        for (i, (s, seen, want)) in cases.into_iter().enumerate() {
            assert_eq!(assess(&s, seen, &none), want, "case {i}: {:?}", s.change);
        }
    }

    fn admin_suspended() -> Seen {
        let mut s = seen(user(UserStatus::Suspended));
        s.user.org_admin = true;
        s
    }

    #[test]
    fn a_step_naming_someone_else_is_not_sent() {
        let none = Protection::default();
        let ada = seen(user(UserStatus::Active));
        // The same email in another case is the same person.
        assert_eq!(
            assess(&step(Change::Suspend, None), Some(&ada), &none),
            Verdict::Send
        );
        let mut other = step(Change::Suspend, None);
        other.name = "Build Bot 1".into();
        other.email = Some("build-bot-1@acme.example".into());
        let verdict = assess(&other, Some(&ada), &none);
        assert_eq!(
            verdict,
            Verdict::Skip(
                "the plan names Build Bot 1 <build-bot-1@acme.example>, but this account is \
                 Ada <ada@example.com>: not sent (make a new plan)"
                    .into()
            )
        );
        // No email in the plan for an account that has one: not the same either.
        other.email = None;
        other.name = "Ada".into();
        assert!(matches!(
            assess(&other, Some(&ada), &none),
            Verdict::Skip(_)
        ));
        // Accounts without an email are known by name; a renamed email user is still sent.
        let mut app = seen(user(UserStatus::Active));
        app.user.email = None;
        assert!(matches!(assess(&other, Some(&app), &none), Verdict::Send));
        other.name = "Someone".into();
        assert!(matches!(
            assess(&other, Some(&app), &none),
            Verdict::Skip(_)
        ));
        let mut renamed = step(Change::Suspend, None);
        renamed.name = "Ada Lovelace".into();
        assert_eq!(assess(&renamed, Some(&ada), &none), Verdict::Send);
    }

    #[test]
    fn configured_protection_holds_out_removals() {
        let protection = Protection::new(
            &Protected {
                groups: vec!["jira-users".into()],
                ..Protected::default()
            },
            &[],
        );
        let active = seen(user(UserStatus::Active));
        assert_eq!(
            assess(&step(Change::Suspend, None), Some(&active), &protection),
            Verdict::Skip("now protected: member of protected group jira-users".into())
        );
        let mut synced = seen(user(UserStatus::Active));
        synced.user.synced = true;
        let none = Protection::default();
        assert_eq!(
            assess(&step(Change::Suspend, None), Some(&synced), &none),
            Verdict::Send
        );
        // The IdP owns the account: as in the plan, removal and deactivation are not sent.
        for change in [Change::RemoveFromDirectory, Change::Deactivate] {
            let verdict = assess(&step(change, None), Some(&synced), &none);
            assert!(
                matches!(&verdict, Verdict::Skip(why) if why.starts_with("now protected: synced from the identity provider")),
                "{verdict:?}"
            );
        }
        let mut deactivated = seen(user(UserStatus::Deactivated));
        deactivated.user.synced = true;
        assert!(matches!(
            assess(&step(Change::Reactivate, None), Some(&deactivated), &none),
            Verdict::Skip(_)
        ));
    }
}
