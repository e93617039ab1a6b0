//! A seeded org directory for benches and tests: the same size and seed give the same org.
//!
//! Shaped like a real company: mostly active employees on the company domain, a few
//! contractor domains, app and customer accounts, product groups, department groups, one
//! group owned by the identity provider, and product activity spread over a year with about
//! one holder in seven who never used the product. Dates are `fetched_at` minus seeded ages.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::{
    AccountType, Directory, Group, GroupRef, Product, ProductAccess, Seats, SeatsSource, User,
    UserStatus,
};

/// The company's own domain; `eu.` accounts sit on a subdomain of it.
pub const SAMPLE_COMPANY_DOMAIN: &str = "acme.example";
const EU_DOMAIN: &str = "eu.acme.example";
const CONTRACTOR_DOMAINS: [&str; 3] = [
    "contractor.example",
    "partner-agency.example",
    "freelance.example",
];
const CUSTOMER_DOMAIN: &str = "customer.example";

/// Product groups and the product each grants.
const PRODUCT_GROUPS: [(&str, &str); 3] = [
    ("jira-software-users", "jira-software"),
    ("confluence-users", "confluence"),
    ("jira-servicemanagement-users", "jira-servicedesk"),
];
/// The group the identity provider owns.
pub const SAMPLE_SYNCED_GROUP: &str = "okta-all-employees";
const ADMIN_GROUP: &str = "administrators";
/// Department groups; `eng platform` has a space, as real group names sometimes do.
const DEPARTMENTS: [&str; 10] = [
    "eng",
    "eng platform",
    "product",
    "design",
    "support",
    "it",
    "sales",
    "marketing",
    "finance",
    "people",
];

const FIRST: [&str; 48] = [
    "John",
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Radia",
    "Donald",
    "Hedy",
    "Tim",
    "Katherine",
    "Sophie",
    "Guido",
    "Anita",
    "Bjarne",
    "Joan",
    "Niklaus",
    "Leslie",
    "Mary",
    "James",
    "Elena",
    "Omar",
    "Priya",
    "Chen",
    "Yuki",
    "Lars",
    "Ingrid",
    "Mateo",
    "Lucia",
    "Kwame",
    "Amara",
    "Noah",
    "Olivia",
    "Ivan",
    "Fatima",
    "Diego",
    "Hana",
    "Sven",
    "Aisha",
    "Pierre",
    "Mei",
    "Johanna",
    "Jonas",
];
const LAST: [&str; 48] = [
    "Smith",
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Knuth",
    "Lamarr",
    "Johnson",
    "McCarthy",
    "Wilson",
    "Rossum",
    "Borg",
    "Stroustrup",
    "Clarke",
    "Wirth",
    "Lamport",
    "Keller",
    "Gosling",
    "Petrova",
    "Haddad",
    "Sharma",
    "Wang",
    "Tanaka",
    "Nilsson",
    "Berg",
    "Garcia",
    "Rossi",
    "Mensah",
    "Okafor",
    "Schmidt",
    "Dubois",
    "Kowalski",
    "Novak",
    "Silva",
    "Kim",
    "Larsen",
    "Ahmed",
    "Moreau",
    "Li",
    "Horvat",
    "Smithers",
];
const APPS: [&str; 6] = [
    "Automation for Jira",
    "Slack",
    "GitHub for Jira",
    "Statuspage",
    "Opsgenie",
    "Zoom for Jira",
];

/// SplitMix64: tiny, fast and the same on every platform and crate version.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

fn group_ref(name: &str) -> GroupRef {
    GroupRef {
        id: format!("group-{}", name.replace(' ', "-")).into(),
        name: name.into(),
    }
}

/// Last activity on a product: ~15% never; otherwise mostly recent, a long tail to 400 days.
fn last_active(rng: &mut Rng, fetched_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if rng.chance(15) {
        return None;
    }
    // Squaring a uniform draw skews towards recent activity.
    let u = rng.below(1_000_000) as f64 / 1_000_000.0;
    let secs = (u * u * 400.0 * 86_400.0) as i64;
    Some(fetched_at - Duration::seconds(secs))
}

/// Cloud id of the sample org's one site.
pub const SAMPLE_CLOUD_ID: &str = "c0ffee00-0000-4000-8000-000000000001";

/// A deterministic, realistic org of `users` accounts.
pub fn sample_directory(users: usize, seed: u64, fetched_at: DateTime<Utc>) -> Directory {
    let mut rng = Rng(seed ^ 0x5eed_5eed_5eed_5eed);
    let mut taken: HashMap<String, u32> = HashMap::new();
    let mut out = Vec::with_capacity(users);
    for i in 0..users {
        out.push(sample_user(i, &mut rng, &mut taken, fetched_at));
    }

    let mut groups: Vec<Group> = Vec::new();
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for u in &out {
        for g in &u.groups {
            *counts.entry(g.name.as_str()).or_default() += 1;
        }
    }
    let mut names: Vec<&str> = PRODUCT_GROUPS.iter().map(|(g, _)| *g).collect();
    names.extend([SAMPLE_SYNCED_GROUP, ADMIN_GROUP]);
    names.extend(DEPARTMENTS);
    for name in names {
        let grants = match name {
            ADMIN_GROUP => PRODUCT_GROUPS
                .iter()
                .map(|(_, p)| (*p).to_owned())
                .collect(),
            _ => PRODUCT_GROUPS
                .iter()
                .filter(|(g, _)| *g == name)
                .map(|(_, p)| (*p).to_owned())
                .collect(),
        };
        groups.push(Group {
            id: group_ref(name).id.into(),
            name: name.to_owned(),
            synced: name == SAMPLE_SYNCED_GROUP,
            grants,
            member_count: Some(counts.get(name).copied().unwrap_or(0)),
        });
    }

    let mut dir = Directory {
        org_id: format!("sample-org-{seed}"),
        fetched_at,
        users: out,
        groups,
        seats: Vec::new(),
    };
    dir.seats = PRODUCT_GROUPS
        .iter()
        .map(|(_, key)| {
            let used = dir.holders(key);
            // A licence with some headroom, rounded to the tier of 50 above.
            let limit = (used + 10).div_ceil(50) * 50;
            let source = if key.starts_with("jira") {
                SeatsSource::JiraApplicationRole
            } else {
                SeatsSource::Workspace
            };
            Seats::new(Product::new(*key), Some(limit), used, source)
        })
        .collect();
    dir
}

fn sample_user(
    i: usize,
    rng: &mut Rng,
    taken: &mut HashMap<String, u32>,
    fetched_at: DateTime<Utc>,
) -> User {
    let account_id = format!("712020:{:016x}{:08x}", rng.next(), i);
    let roll = rng.below(100);
    if roll < 2 {
        // App accounts: no email, no seat, no groups.
        let name = rng.pick(&APPS).to_owned();
        return User {
            account_id,
            name,
            email: None,
            account_type: AccountType::App,
            status: UserStatus::Active,
            groups: Vec::new(),
            product_access: Vec::new(),
            managed: false,
            synced: false,
            org_admin: false,
            site_admin: false,
        };
    }
    let first = rng.pick(&FIRST);
    let last = rng.pick(&LAST);
    let name = format!("{first} {last}");
    let local = format!("{}.{}", first.to_lowercase(), last.to_lowercase());
    let n = taken.entry(local.clone()).or_insert(0);
    *n += 1;
    let local = if *n == 1 {
        local
    } else {
        format!("{local}{}", *n - 1)
    };

    if roll < 3 {
        // A customer of the service desk: a portal account, no seat.
        return User {
            account_id,
            name,
            email: Some(format!("{local}@{CUSTOMER_DOMAIN}")),
            account_type: AccountType::Customer,
            status: UserStatus::Active,
            groups: Vec::new(),
            product_access: Vec::new(),
            managed: false,
            synced: false,
            org_admin: false,
            site_admin: false,
        };
    }

    let domain_roll = rng.below(100);
    let (domain, employee) = match domain_roll {
        0..=84 => (SAMPLE_COMPANY_DOMAIN, true),
        85..=89 => (EU_DOMAIN, true),
        _ => (rng.pick(&CONTRACTOR_DOMAINS), false),
    };
    let status = match rng.below(100) {
        0..=87 => UserStatus::Active,
        88..=91 => UserStatus::Suspended,
        92..=95 => UserStatus::NotInvited,
        96..=98 => UserStatus::Deactivated,
        _ => UserStatus::ForDeletion,
    };
    let org_admin = i < 2 || rng.below(2_000) == 0;
    let site_admin = org_admin || rng.below(1_000) == 0;
    let synced = employee && rng.chance(40);

    let mut groups = Vec::new();
    let mut product_access = Vec::new();
    let product_odds = [70, 80, 25];
    for ((group, product), odds) in PRODUCT_GROUPS.iter().zip(product_odds) {
        if site_admin || rng.chance(odds) {
            groups.push(group_ref(group));
            let last_active = if status == UserStatus::NotInvited {
                None
            } else {
                last_active(rng, fetched_at)
            };
            product_access.push(ProductAccess {
                product: (*product).into(),
                last_active,
                resource: Some(format!("ari:cloud:{product}::site/{SAMPLE_CLOUD_ID}").into()),
            });
        }
    }
    if employee {
        groups.push(group_ref(rng.pick(&DEPARTMENTS)));
    }
    if synced {
        groups.push(group_ref(SAMPLE_SYNCED_GROUP));
    }
    if site_admin {
        groups.push(group_ref(ADMIN_GROUP));
    }

    // Exact sizes, as a fetch or a snapshot gives them.
    groups.shrink_to_fit();
    product_access.shrink_to_fit();
    User {
        account_id,
        name,
        email: Some(format!("{local}@{domain}")),
        account_type: AccountType::Atlassian,
        status,
        groups,
        product_access,
        managed: employee,
        synced,
        org_admin,
        site_admin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap()
    }

    #[test]
    fn same_seed_same_org_other_seed_other_org() {
        let a = sample_directory(500, 7, at());
        let b = sample_directory(500, 7, at());
        let c = sample_directory(500, 8, at());
        assert_eq!(a.users, b.users);
        assert_eq!(a.groups, b.groups);
        assert_ne!(a.users, c.users);
        assert_eq!(a.users.len(), 500);
    }

    #[test]
    fn the_org_has_the_shapes_tests_rely_on() {
        let dir = sample_directory(5_000, 1, at());
        let users = &dir.users;
        let emails: std::collections::HashSet<_> =
            users.iter().filter_map(|u| u.email.as_deref()).collect();
        assert_eq!(
            emails.len(),
            users.iter().filter(|u| u.email.is_some()).count(),
            "emails are unique"
        );
        let share = |f: &dyn Fn(&User) -> bool| {
            users.iter().filter(|u| f(u)).count() as f64 / users.len() as f64
        };
        assert!(share(&|u| u.status == UserStatus::Active) > 0.8);
        assert!(share(&|u| u.status == UserStatus::Suspended) > 0.01);
        assert!(share(&|u| u.account_type == AccountType::App) > 0.005);
        assert!(share(&|u| u.synced) > 0.2);
        assert!(users.iter().any(|u| u.org_admin));
        let accesses: Vec<_> = users.iter().flat_map(|u| &u.product_access).collect();
        let never = accesses.iter().filter(|a| a.last_active.is_none()).count() as f64
            / accesses.len() as f64;
        assert!((0.12..0.25).contains(&never), "never share {never}");
        assert!(
            accesses
                .iter()
                .filter_map(|a| a.last_active)
                .any(|t| at() - t > Duration::days(300))
        );
        // Groups and seats agree with the users.
        for g in &dir.groups {
            let members = users
                .iter()
                .filter(|u| u.groups.iter().any(|r| r.name == g.name))
                .count() as u64;
            assert_eq!(g.member_count, Some(members), "{}", g.name);
        }
        assert!(
            dir.groups
                .iter()
                .any(|g| g.synced && g.name == SAMPLE_SYNCED_GROUP)
        );
        for s in &dir.seats {
            assert_eq!(s.used, dir.holders(&s.product.key));
            assert!(s.limit.is_some_and(|l| l >= s.used));
        }
        assert_eq!(dir.seats.len(), 3);
    }
}
