//! Who must never be queued: the accounts a careless bulk change would hurt most.
//!
//! The console marks them, and the plan holds them out with the reason. Whether a reason
//! holds out every action (an org admin) or only some (an IdP-synced user can still be
//! suspended) is the plan's decision; this module only says why an account is special.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{AccountType, User};

/// Who is protected by rule: domain data that the config's `[protected]` section fills
/// (`config::Protected` is this type), so the domain depends on no configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProtectionRules {
    /// Group names whose members are never planned for removal.
    pub groups: Vec<String>,
    /// Account ids or emails.
    pub users: Vec<String>,
    /// Email domains, e.g. `partner.example`.
    pub domains: Vec<String>,
}

/// Why an account is protected, in the words the plan shows next to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "reason", content = "detail", rename_all = "snake_case")]
pub enum ProtectionReason {
    OrgAdmin,
    SiteAdmin,
    /// The admin running seats.
    Myself,
    /// App, bot or service account: takes no seat, looks inactive.
    AppAccount,
    /// Provisioned by an identity provider: change it there.
    Synced,
    ProtectedGroup(String),
    ProtectedUser,
    ProtectedDomain(String),
}

impl ProtectionReason {
    pub fn describe(&self) -> String {
        match self {
            ProtectionReason::OrgAdmin => "org admin".into(),
            ProtectionReason::SiteAdmin => "site admin".into(),
            ProtectionReason::Myself => "the signed-in admin".into(),
            ProtectionReason::AppAccount => "app or service account (takes no seat)".into(),
            ProtectionReason::Synced => "synced from the identity provider: removal from the \
                 directory and deactivation happen there, so change this in your identity \
                 provider (seats can still suspend them and change groups made in Atlassian)"
                .into(),
            ProtectionReason::ProtectedGroup(g) => format!("member of protected group {g}"),
            ProtectionReason::ProtectedUser => "protected user (config)".into(),
            ProtectionReason::ProtectedDomain(d) => format!("protected domain {d}"),
        }
    }
}

/// The configured protections plus who the admin is.
#[derive(Debug, Clone, Default)]
pub struct Protection {
    groups: HashSet<String>,
    /// Account ids and emails, lower case.
    users: HashSet<String>,
    /// Lower case, without a leading `@`.
    domains: Vec<String>,
    /// The signed-in admin's account id or email, lower case.
    myself: Vec<String>,
}

impl Protection {
    /// `myself` holds whatever identifies the admin (email, account id); empty when unknown.
    pub fn new(config: &ProtectionRules, myself: &[&str]) -> Protection {
        let lower = |s: &String| s.trim().to_lowercase();
        Protection {
            groups: config.groups.iter().map(|g| g.trim().to_owned()).collect(),
            users: config.users.iter().map(lower).collect(),
            domains: config
                .domains
                .iter()
                .map(|d| d.trim().trim_start_matches('@').to_lowercase())
                .collect(),
            myself: myself
                .iter()
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty())
                .collect(),
        }
    }

    /// Every reason that applies to the user, most serious first; empty when none.
    pub fn reasons(&self, user: &User) -> Vec<ProtectionReason> {
        let mut out = Vec::new();
        let id = user.account_id.to_lowercase();
        let email = user.email.as_deref().map(str::to_lowercase);
        if user.org_admin {
            out.push(ProtectionReason::OrgAdmin);
        }
        if user.site_admin {
            out.push(ProtectionReason::SiteAdmin);
        }
        let is = |s: &str| self.myself.iter().any(|m| m == s);
        if is(&id) || email.as_deref().is_some_and(is) {
            out.push(ProtectionReason::Myself);
        }
        if user.account_type != AccountType::Atlassian && user.account_type != AccountType::Customer
        {
            out.push(ProtectionReason::AppAccount);
        }
        if user.synced {
            out.push(ProtectionReason::Synced);
        }
        if let Some(g) = user
            .groups
            .iter()
            .find(|g| self.groups.contains(g.name.as_str()))
        {
            out.push(ProtectionReason::ProtectedGroup(g.name.to_string()));
        }
        if self.users.contains(&id) || email.as_ref().is_some_and(|e| self.users.contains(e)) {
            out.push(ProtectionReason::ProtectedUser);
        }
        if let Some(domain) = email
            .as_deref()
            .and_then(|e| e.rsplit_once('@'))
            .map(|(_, d)| d)
            && let Some(d) = self.domains.iter().find(|d| *d == domain)
        {
            out.push(ProtectionReason::ProtectedDomain(d.clone()));
        }
        out
    }

    /// True when any reason applies (for the console's marker column).
    pub fn is_protected(&self, user: &User) -> bool {
        !self.reasons(user).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{GroupRef, UserStatus};

    fn user(email: &str) -> User {
        User {
            account_id: format!("id-{email}"),
            name: email.into(),
            email: Some(email.into()),
            account_type: AccountType::Atlassian,
            status: UserStatus::Active,
            groups: vec![GroupRef {
                id: "g1".into(),
                name: "agents".into(),
            }],
            product_access: vec![],
            managed: true,
            synced: false,
            org_admin: false,
            site_admin: false,
        }
    }

    #[test]
    fn each_reason_is_found() {
        let cfg = ProtectionRules {
            groups: vec!["agents".into()],
            users: vec!["Bot@Acme.example".into()],
            domains: vec!["@partner.example".into()],
        };
        let p = Protection::new(&cfg, &["me@acme.example"]);
        assert_eq!(
            p.reasons(&user("bot@acme.example")),
            vec![
                ProtectionReason::ProtectedGroup("agents".into()),
                ProtectionReason::ProtectedUser
            ]
        );
        let mut u = user("x@partner.example");
        u.groups.clear();
        assert_eq!(
            p.reasons(&u),
            vec![ProtectionReason::ProtectedDomain("partner.example".into())]
        );
        let mut me = user("ME@acme.example");
        me.groups.clear();
        me.org_admin = true;
        assert_eq!(
            p.reasons(&me),
            vec![ProtectionReason::OrgAdmin, ProtectionReason::Myself]
        );
        let mut app = user("app@x.example");
        app.groups.clear();
        app.account_type = AccountType::App;
        app.synced = true;
        assert_eq!(
            p.reasons(&app),
            vec![ProtectionReason::AppAccount, ProtectionReason::Synced]
        );
        let mut plain = user("plain@acme.example");
        plain.groups.clear();
        assert!(!p.is_protected(&plain));
    }
}
