//! A seeded org that looks like a real one: the same seed and size give the same org.
//!
//! Everything comes from the seed except the clock: dates are `now` minus seeded ages, so
//! "inactive for 90 days" stays true whatever day the tests run.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::state::{
    AccountStatus, AccountType, Grant, Group, GroupIx, Membership, OrgState, Product,
    ProductLicence, Resource, Role, User, UserIx,
};

/// The company's own (verified, managed) domain.
pub const COMPANY_DOMAIN: &str = "acme.example";
/// Domains of contractors: their accounts are not managed by the org.
pub const CONTRACTOR_DOMAINS: [&str; 3] = [
    "contractors.example",
    "partner-agency.example",
    "freelance.example",
];
/// Names of the product-access groups and the admin group.
pub const ADMIN_GROUP: &str = "administrators";
pub const JIRA_SOFTWARE_GROUP: &str = "jira-software-users";
pub const JSM_GROUP: &str = "jira-servicemanagement-users";
pub const CONFLUENCE_GROUP: &str = "confluence-users";
/// The group the identity provider owns (`externalSynced`).
pub const SYNCED_GROUP: &str = "okta-all-employees";

const FIRST: &[&str] = &[
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
    "John",
    "Sophie",
    "Guido",
    "Anita",
    "Bjarne",
    "Joan",
    "Niklaus",
    "Shafi",
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
    "Tomas",
    "Zara",
    "Ravi",
];
const LAST: &[&str] = &[
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
    "Berners-Lee",
    "Johnson",
    "McCarthy",
    "Wilson",
    "Rossum",
    "Borg",
    "Stroustrup",
    "Clarke",
    "Wirth",
    "Goldwasser",
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
    "Costa",
    "Patel",
];
/// Departments with a job title each; the first few work in Jira daily.
const DEPARTMENTS: &[(&str, &str)] = &[
    ("engineering", "Software Engineer"),
    ("product", "Product Manager"),
    ("design", "Product Designer"),
    ("support", "Support Engineer"),
    ("it", "IT Administrator"),
    ("operations", "Operations Analyst"),
    ("sales", "Account Executive"),
    ("marketing", "Marketing Manager"),
    ("finance", "Financial Analyst"),
    ("people", "People Partner"),
    ("legal", "Counsel"),
];
const LOCATIONS: &[(&str, &str)] = &[
    ("New York", "America/New_York"),
    ("San Francisco", "America/Los_Angeles"),
    ("Sydney", "Australia/Sydney"),
    ("Amsterdam", "Europe/Amsterdam"),
    ("Bengaluru", "Asia/Kolkata"),
    ("Austin", "America/Chicago"),
];
const APPS: &[&str] = &[
    "Automation for Jira",
    "Slack",
    "Microsoft Teams for Jira",
    "GitHub for Jira",
    "Statuspage",
    "Opsgenie",
    "Zoom for Jira",
];
const CUSTOMER_DOMAINS: &[&str] = &["customer-one.example", "bigclient.example", "gmail.example"];

/// How the generated org is made: the org id, the site admin's email and the clock.
#[derive(Debug, Clone)]
pub struct GeneratorInput<'a> {
    /// Accounts in the org, apps and customers included (at least 1: the site admin).
    pub users: usize,
    pub seed: u64,
    pub org_id: &'a str,
    /// Email of the site admin (the account behind the site API token).
    pub admin_email: &'a str,
    /// Dates are this minus seeded ages.
    pub now: DateTime<Utc>,
}

/// A UUID-shaped id (version 4 bits set) from the seeded generator.
fn uuid(rng: &mut StdRng) -> String {
    let v: u128 = rng.r#gen();
    let v = (v & !(0xf << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
    let h = format!("{v:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn days_ago(now: DateTime<Utc>, rng: &mut StdRng, min: i64, max: i64) -> DateTime<Utc> {
    let secs = rng.gen_range(min * 86_400..max * 86_400);
    now - Duration::seconds(secs)
}

enum Kind {
    Person,
    ScriptBot,
    App,
    ServiceAccount,
    Customer,
}

/// Generates the org: users, groups, grants, activity and seat limits.
pub fn generate(input: &GeneratorInput<'_>) -> OrgState {
    let mut rng = StdRng::seed_from_u64(input.seed);
    let now = input.now;
    let cloud_id = uuid(&mut rng);
    let directory_id = uuid(&mut rng);

    // Groups first: their indices are fixed below.
    let mut groups: Vec<Group> = Vec::new();
    let mut new_group = |rng: &mut StdRng,
                         name: &str,
                         description: &str,
                         synced: bool,
                         grants: Vec<Grant>|
     -> GroupIx {
        groups.push(Group {
            id: uuid(rng),
            name: name.to_string(),
            description: Some(description.to_string()),
            external_synced: synced,
            members: BTreeSet::new(),
            grants,
        });
        (groups.len() - 1) as GroupIx
    };
    let user_of = |p: Product| Grant {
        resource: Resource::Product(p),
        role: Role::User,
    };
    let mut admin_grants = vec![Grant {
        resource: Resource::Site,
        role: Role::SiteAdmin,
    }];
    admin_grants.extend(Product::ALL.map(|p| Grant {
        resource: Resource::Product(p),
        role: Role::Admin,
    }));
    let g_admin = new_group(
        &mut rng,
        ADMIN_GROUP,
        "Site administrators: admin of every product",
        false,
        admin_grants,
    );
    let g_jsw = new_group(
        &mut rng,
        JIRA_SOFTWARE_GROUP,
        "Grants access to Jira Software",
        false,
        vec![user_of(Product::JiraSoftware)],
    );
    let g_jsm = new_group(
        &mut rng,
        JSM_GROUP,
        "Grants access to Jira Service Management (agents)",
        false,
        vec![user_of(Product::JiraServiceManagement)],
    );
    let g_conf = new_group(
        &mut rng,
        CONFLUENCE_GROUP,
        "Grants access to Confluence",
        false,
        vec![user_of(Product::Confluence)],
    );
    let g_synced = new_group(
        &mut rng,
        SYNCED_GROUP,
        "Every employee, synced from Okta (SCIM)",
        true,
        vec![user_of(Product::Confluence)],
    );
    let g_contractors = new_group(
        &mut rng,
        "contractors",
        "External contractors",
        false,
        Vec::new(),
    );
    let dept_groups: Vec<GroupIx> = DEPARTMENTS
        .iter()
        .map(|(dept, _)| {
            // Engineering also grants Jira Software: a second path to the same seat.
            let grants = if *dept == "engineering" {
                vec![user_of(Product::JiraSoftware)]
            } else {
                Vec::new()
            };
            new_group(
                &mut rng,
                dept,
                &format!("The {dept} department"),
                false,
                grants,
            )
        })
        .collect();

    let total = input.users.max(1);
    let mut users: Vec<User> = Vec::with_capacity(total);
    let mut taken: HashMap<String, u32> = HashMap::with_capacity(total);
    let mut bot_n = 0u32;
    for i in 0..total {
        let kind = if i == 0 {
            Kind::Person
        } else {
            match rng.gen_range(0..1000) {
                0..=9 => Kind::Customer,
                10..=12 => Kind::App,
                13..=14 => Kind::ServiceAccount,
                15..=16 => Kind::ScriptBot,
                _ => Kind::Person,
            }
        };
        let account_id = format!("712020:{}", uuid(&mut rng));
        let (loc, tz) = LOCATIONS[rng.gen_range(0..LOCATIONS.len())];
        let mut user = User {
            account_id,
            account_type: AccountType::Atlassian,
            name: String::new(),
            nickname: String::new(),
            email: None,
            email_verified: true,
            membership: Membership::Active,
            account_status: AccountStatus::Active,
            removed: false,
            managed: false,
            synced: false,
            invited_pending: false,
            mfa_enabled: rng.gen_bool(0.6),
            added_to_org: days_ago(now, &mut rng, 30, 2000),
            job_title: None,
            department: None,
            location: Some(loc.to_string()),
            time_zone: tz.to_string(),
            groups: BTreeSet::new(),
            direct_grants: Vec::new(),
            last_active: [None; 3],
        };
        let mut groups_of: Vec<GroupIx> = Vec::new();
        match kind {
            Kind::Customer => {
                let first = FIRST[rng.gen_range(0..FIRST.len())];
                let last = LAST[rng.gen_range(0..LAST.len())];
                let domain = CUSTOMER_DOMAINS[rng.gen_range(0..CUSTOMER_DOMAINS.len())];
                user.account_type = AccountType::Customer;
                user.name = format!("{first} {last}");
                user.nickname = first.to_string();
                user.email = Some(unique_email(
                    &mut taken,
                    &format!("{}.{}", first, last).to_lowercase(),
                    domain,
                ));
                user.membership = Membership::None;
                user.location = None;
            }
            Kind::App => {
                let name = APPS[rng.gen_range(0..APPS.len())];
                user.account_type = AccountType::App;
                user.name = name.to_string();
                user.nickname = name.to_string();
                user.email_verified = false;
                user.membership = Membership::None;
                user.mfa_enabled = false;
                user.location = None;
            }
            Kind::ServiceAccount => {
                bot_n += 1;
                user.account_type = AccountType::App;
                user.name = format!("svc-integration-{bot_n}");
                user.nickname = user.name.clone();
                user.email = Some(format!(
                    "svc-integration-{bot_n}@serviceaccount.atlassian.com"
                ));
                user.membership = Membership::None;
                user.mfa_enabled = false;
                user.location = None;
            }
            Kind::ScriptBot => {
                // A normal account driven by scripts: it takes seats and never "looks" active.
                bot_n += 1;
                user.name = format!("Build Bot {bot_n}");
                user.nickname = format!("build-bot-{bot_n}");
                user.email = Some(format!("build-bot-{bot_n}@{COMPANY_DOMAIN}"));
                user.managed = true;
                user.mfa_enabled = false;
                groups_of.push(g_jsw);
                if rng.gen_bool(0.5) {
                    groups_of.push(g_conf);
                }
            }
            Kind::Person => {
                let first = FIRST[rng.gen_range(0..FIRST.len())];
                let last = LAST[rng.gen_range(0..LAST.len())];
                user.name = format!("{first} {last}");
                user.nickname = first.to_string();
                let contractor = i != 0 && rng.gen_bool(0.15);
                let domain = if contractor {
                    CONTRACTOR_DOMAINS[rng.gen_range(0..CONTRACTOR_DOMAINS.len())]
                } else {
                    COMPANY_DOMAIN
                };
                user.email = Some(if i == 0 {
                    input.admin_email.to_string()
                } else {
                    unique_email(
                        &mut taken,
                        &format!("{first}.{last}").to_lowercase(),
                        domain,
                    )
                });
                user.managed = !contractor;
                let d = rng.gen_range(0..DEPARTMENTS.len());
                let (dept, title) = DEPARTMENTS[d];
                user.department = Some(dept.to_string());
                user.job_title = Some(title.to_string());
                groups_of.push(dept_groups[d]);
                if contractor {
                    groups_of.push(g_contractors);
                } else if i != 0 && rng.gen_bool(0.4) {
                    user.synced = true;
                    groups_of.push(g_synced);
                }
                let daily_jira = d < 6;
                if rng.gen_bool(if daily_jira { 0.85 } else { 0.35 }) {
                    groups_of.push(g_jsw);
                }
                if rng.gen_bool(0.75) {
                    groups_of.push(g_conf);
                }
                let jsm = match dept {
                    "support" => 0.95,
                    "it" => 0.6,
                    _ => 0.03,
                };
                if rng.gen_bool(jsm) {
                    groups_of.push(g_jsm);
                }
                if i == 0 {
                    user.name = "Sandbox Admin".to_string();
                    user.nickname = "admin".to_string();
                    user.direct_grants.push(Grant {
                        resource: Resource::Org,
                        role: Role::OrgAdmin,
                    });
                    groups_of.push(g_admin);
                } else {
                    match rng.gen_range(0..1000) {
                        0..=1 => user.direct_grants.push(Grant {
                            resource: Resource::Org,
                            role: Role::OrgAdmin,
                        }),
                        2..=4 => groups_of.push(g_admin),
                        5..=9 => {
                            let p = Product::ALL[rng.gen_range(0..3)];
                            user.direct_grants.push(Grant {
                                resource: Resource::Product(p),
                                role: Role::User,
                            });
                        }
                        _ => {}
                    }
                    match rng.gen_range(0..100) {
                        0..=4 => user.membership = Membership::Suspended,
                        5..=8 => user.invited_pending = true,
                        9 if user.managed => user.account_status = AccountStatus::Inactive,
                        _ => {}
                    }
                }
            }
        }
        let ix = users.len() as UserIx;
        for g in groups_of {
            user.groups.insert(g);
            groups[g as usize].members.insert(ix);
        }
        users.push(user);
    }

    // Activity, per product the user can use (or could, before suspension).
    for (ix, user) in users.iter_mut().enumerate() {
        if user.account_type != AccountType::Atlassian
            || user.invited_pending
            || user.name.starts_with("Build Bot")
        {
            continue;
        }
        let mut has = [false; 3];
        for grant in user.direct_grants.iter().chain(
            user.groups
                .iter()
                .flat_map(|g| groups[*g as usize].grants.iter()),
        ) {
            if let Resource::Product(p) = grant.resource {
                has[p.index()] = grant.role.grants_access() || has[p.index()];
            }
        }
        let dormant = user.membership == Membership::Suspended
            || user.account_status != AccountStatus::Active;
        let mut oldest = 0i64;
        for p in Product::ALL {
            if !has[p.index()] || (ix == 0 && p == Product::JiraServiceManagement) {
                continue;
            }
            let r: f64 = rng.r#gen();
            let age_days = if dormant {
                rng.gen_range(60..700)
            } else if r < 0.08 {
                continue; // never active in this product
            } else if r < 0.31 {
                rng.gen_range(90..720)
            } else {
                // Most active people were in recently.
                let u: f64 = rng.r#gen();
                (u * u * 89.0) as i64
            };
            let age = Duration::seconds(age_days * 86_400 + rng.gen_range(0..86_400));
            oldest = oldest.max(age.num_days() + 1);
            user.last_active[p.index()] = Some(now - age);
        }
        if ix == 0 {
            // The site admin works in every product it holds.
            for p in [Product::JiraSoftware, Product::Confluence] {
                user.last_active[p.index()] = Some(now - Duration::hours(2));
            }
        }
        // Nobody was active before joining.
        let joined = now - Duration::days(oldest);
        if user.added_to_org > joined {
            user.added_to_org = joined - Duration::days(rng.gen_range(1..200));
        }
    }

    let licences = Product::ALL
        .map(|p| ProductLicence {
            product: p,
            seat_limit: u32::MAX,
        })
        .to_vec();
    let mut state = OrgState::new(
        input.org_id.to_string(),
        "Acme Corporation".to_string(),
        directory_id,
        cloud_id,
        "acme-sandbox".to_string(),
        licences,
        users,
        groups,
    );
    // Seat limits: a little headroom over what is used, rounded up like a licence tier.
    let limits: Vec<u32> = Product::ALL
        .iter()
        .map(|p| {
            let used = state.seats_used(*p);
            (used + (used / 20).max(5)).div_ceil(10) * 10
        })
        .collect();
    for (licence, limit) in state.licences.iter_mut().zip(limits) {
        licence.seat_limit = limit;
    }
    state
}

fn unique_email(taken: &mut HashMap<String, u32>, local: &str, domain: &str) -> String {
    let local = local.replace(' ', "");
    let key = format!("{local}@{domain}");
    let n = taken.entry(key.clone()).or_insert(0);
    *n += 1;
    if *n == 1 {
        key
    } else {
        format!("{local}{n}@{domain}")
    }
}
