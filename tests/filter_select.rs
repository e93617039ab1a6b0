//! What each query selects and in what order, over a small hand-built directory (case tables),
//! and over a seeded org against predicates written straight from the domain types.

use chrono::{DateTime, Duration, TimeZone, Utc};
use seats::domain::{
    AccountType, Directory, Group, GroupRef, Inactivity, ProductAccess, User, UserStatus,
    sample_directory,
};
use seats::filter::{SearchIndex, Sort, SortKey, select, select_in};

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap()
}

struct Spec {
    name: &'static str,
    email: Option<&'static str>,
    status: UserStatus,
    account_type: AccountType,
    groups: &'static [&'static str],
    /// (product, days since last active; None = never)
    access: &'static [(&'static str, Option<i64>)],
    org_admin: bool,
    site_admin: bool,
    synced: bool,
}

fn spec(name: &'static str, email: Option<&'static str>) -> Spec {
    Spec {
        name,
        email,
        status: UserStatus::Active,
        account_type: AccountType::Atlassian,
        groups: &[],
        access: &[],
        org_admin: false,
        site_admin: false,
        synced: false,
    }
}

const JS: &str = "jira-software";
const CONF: &str = "confluence";
const JSD: &str = "jira-servicedesk";

/// Rows, in order of index:
/// 0 Alan Turing, 1 Grace Hopper, 2 Ada Lovelace, 3 Linus Torvalds, 4 Automation for Jira,
/// 5 Carol Customer, 6 Margaret Hamilton, 7 Dennis Ritchie, 8 John Smith, 9 Joan Hopkins.
fn directory() -> Directory {
    let specs = vec![
        Spec {
            groups: &["jira-software-users", "eng"],
            access: &[(JS, Some(5)), (CONF, Some(100))],
            synced: true,
            ..spec("Alan Turing", Some("alan.turing@acme.example"))
        },
        Spec {
            groups: &["confluence-users", "eng platform"],
            access: &[(CONF, None)],
            ..spec("Grace Hopper", Some("grace@contractor.example"))
        },
        Spec {
            status: UserStatus::Suspended,
            groups: &["jira-software-users", "confluence-users"],
            access: &[(JS, Some(200)), (CONF, Some(45))],
            org_admin: true,
            ..spec("Ada Lovelace", Some("ada@eu.acme.example"))
        },
        Spec {
            status: UserStatus::NotInvited,
            groups: &["jira-software-users"],
            access: &[(JS, None)],
            ..spec("Linus Torvalds", Some("linus@acme.example"))
        },
        Spec {
            account_type: AccountType::App,
            ..spec("Automation for Jira", None)
        },
        Spec {
            account_type: AccountType::Customer,
            ..spec("Carol Customer", Some("carol@customer.example"))
        },
        Spec {
            status: UserStatus::Deactivated,
            groups: &["jira-servicemanagement-users", "eng"],
            access: &[(JSD, Some(30))],
            site_admin: true,
            synced: true,
            ..spec("Margaret Hamilton", Some("margaret@acme.example"))
        },
        Spec {
            status: UserStatus::ForDeletion,
            groups: &["jira-software-users", "eng platform"],
            access: &[(JS, Some(60)), (JSD, Some(180))],
            ..spec("Dennis Ritchie", Some("dennis@sub.contractor.example"))
        },
        Spec {
            groups: &["jira-software-users", "confluence-users", "eng"],
            access: &[(JS, Some(0)), (CONF, Some(29))],
            synced: true,
            ..spec("John Smith", Some("john.smith@acme.example"))
        },
        Spec {
            groups: &["confluence-users"],
            access: &[(CONF, Some(10))],
            ..spec("Joan Hopkins", Some("joan.hopkins@acme.example"))
        },
    ];
    let group = |name: &str| GroupRef {
        id: format!("g-{name}").into(),
        name: name.into(),
    };
    let users = specs
        .iter()
        .enumerate()
        .map(|(i, s)| User {
            account_id: format!("acc-{i}"),
            name: s.name.into(),
            email: s.email.map(Into::into),
            account_type: s.account_type.clone(),
            status: s.status.clone(),
            groups: s.groups.iter().map(|g| group(g)).collect(),
            product_access: s
                .access
                .iter()
                .map(|(p, days)| ProductAccess {
                    product: (*p).into(),
                    // A few hours past the whole days, as real timestamps are.
                    last_active: days.map(|d| at() - Duration::days(d) - Duration::hours(3)),
                    resource: None,
                })
                .collect(),
            managed: true,
            synced: s.synced,
            org_admin: s.org_admin,
            site_admin: s.site_admin,
        })
        .collect();
    let groups = [
        "jira-software-users",
        "confluence-users",
        "jira-servicemanagement-users",
        "eng",
        "eng platform",
        "okta-all-employees",
    ]
    .iter()
    .map(|name| Group {
        id: format!("g-{name}"),
        name: (*name).into(),
        synced: *name == "okta-all-employees",
        grants: vec![],
        member_count: None,
    })
    .collect();
    Directory {
        org_id: "org".into(),
        fetched_at: at(),
        users,
        groups,
        seats: vec![],
    }
}

fn rows_of(dir: &Directory, query: &str) -> Vec<u32> {
    let mut rows = select(dir, query, &Sort::default()).unwrap_or_else(|e| panic!("{query}: {e}"));
    rows.sort_unstable();
    rows
}

#[test]
fn each_facet_selects_exactly() {
    let dir = directory();
    let cases: &[(&str, &[u32])] = &[
        ("", &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
        ("product:jira-software", &[0, 2, 3, 7, 8]),
        ("product:confluence", &[0, 1, 2, 8, 9]),
        ("product:jira-servicedesk", &[6, 7]),
        ("product:jsm", &[6, 7]),
        (r#"product:"Jira Service Management""#, &[6, 7]),
        ("product:trello", &[]),
        ("!product:jira-software", &[1, 4, 5, 6, 9]),
        ("product:jira-software product:confluence", &[0, 2, 8]),
        // idle: without a product: on at least one held product (never counts).
        ("idle:90", &[0, 1, 2, 3, 7]),
        ("!idle:90", &[4, 5, 6, 8, 9]),
        ("idle:0", &[0, 1, 2, 3, 6, 7, 8, 9]),
        ("product:jira-software idle:90", &[2, 3]),
        ("product:confluence idle:30", &[0, 1, 2]),
        ("product:confluence idle:29", &[0, 1, 2, 8]),
        ("product:confluence idle:30d", &[0, 1, 2]),
        ("product:jira-servicedesk idle:30", &[6, 7]),
        ("product:jira-servicedesk idle:31", &[7]),
        // Two products: idle on each of them.
        ("product:jira-software product:confluence idle:40", &[2]),
        // A negated product token does not scope idle:.
        ("!product:confluence idle:60", &[3, 7]),
        ("never", &[1, 3]),
        ("product:jira-software never", &[3]),
        ("product:confluence never", &[1]),
        ("!never", &[0, 2, 4, 5, 6, 7, 8, 9]),
        ("status:active", &[0, 1, 4, 5, 8, 9]),
        ("status:suspended", &[2]),
        ("status:not_invited", &[3]),
        ("status:invited", &[3]),
        ("status:deactivated", &[6]),
        ("status:for_deletion", &[7]),
        ("!status:active", &[2, 3, 6, 7]),
        ("type:atlassian", &[0, 1, 2, 3, 6, 7, 8, 9]),
        ("type:app", &[4]),
        ("type:customer", &[5]),
        ("!type:atlassian", &[4, 5]),
        // Email domain, subdomains included, any case, with or without @.
        ("domain:acme.example", &[0, 2, 3, 6, 8, 9]),
        ("domain:@ACME.example", &[0, 2, 3, 6, 8, 9]),
        ("domain:eu.acme.example", &[2]),
        ("domain:contractor.example", &[1, 7]),
        ("domain:example", &[0, 1, 2, 3, 5, 6, 7, 8, 9]),
        ("domain:cme.example", &[]),
        ("!domain:acme.example", &[1, 4, 5, 7]),
        ("group:eng", &[0, 6, 8]),
        ("group:ENG", &[0, 6, 8]),
        (r#"group:"eng platform""#, &[1, 7]),
        (r#"group:"ENG Platform""#, &[1, 7]),
        ("!group:eng", &[1, 2, 3, 4, 5, 7, 9]),
        ("group:okta-all-employees", &[]),
        ("admin", &[2, 6]),
        ("!admin", &[0, 1, 3, 4, 5, 7, 8, 9]),
        ("synced", &[0, 6, 8]),
        ("!synced", &[1, 2, 3, 4, 5, 7, 9]),
        // Combinations AND together.
        ("product:jira-software !synced", &[2, 3, 7]),
        ("group:eng idle:30", &[0, 6]),
        ("group:eng idle:30 !synced", &[]),
        (
            "status:active type:atlassian domain:acme.example",
            &[0, 8, 9],
        ),
        ("admin !status:suspended", &[6]),
        ("never !never", &[]),
        ("synced !synced", &[]),
    ];
    for (query, expected) in cases {
        assert_eq!(rows_of(&dir, query), *expected, "{query:?}");
    }
}

#[test]
fn words_are_fuzzy_and_every_word_must_match() {
    let dir = directory();
    // Expectations come from the real matcher: a word matches when its letters appear in
    // order in "name email" (lower case).
    let cases: &[(&str, &[u32])] = &[
        ("john", &[8, 9]),
        ("JOHN", &[8, 9]),
        ("john smith", &[8]),
        ("smith john", &[8]),
        ("jhn", &[8, 9]),
        ("turing", &[0]),
        // Very fuzzy: g-r-a-c-e in "alan turing alan.turing@acme.example" and in
        // "margaret hamilton margaret@acme.example".
        ("grace", &[0, 1, 6]),
        ("gra", &[0, 1, 6]),
        ("ada lovelace", &[2]),
        ("@contractor", &[1, 7]),
        ("customer.example", &[5]),
        // Group names are not in the haystack: `group:` finds members.
        ("platform", &[]),
        ("servicemanagement", &[]),
        ("group:eng", &[0, 6, 8]),
        ("automation", &[4]),
        ("zzz", &[]),
        (r#""john smith""#, &[8]),
        ("!john", &[0, 1, 2, 3, 4, 5, 6, 7]),
        // Only "Automation for Jira" has it in name or email.
        ("!jira", &[0, 1, 2, 3, 5, 6, 7, 8, 9]),
        ("john !hopkins", &[8]),
        ("john synced", &[8]),
        ("john !synced", &[9]),
        ("john product:confluence idle:20", &[8]),
    ];
    for (query, expected) in cases {
        assert_eq!(rows_of(&dir, query), *expected, "{query:?}");
    }
}

#[test]
fn relevance_puts_the_best_match_first() {
    let dir = directory();
    let relevance = Sort::default();
    assert_eq!(select(&dir, "john", &relevance).unwrap(), vec![8, 9]);
    assert_eq!(select(&dir, "jhn", &relevance).unwrap(), vec![8, 9]);
    let worst_first = Sort {
        key: SortKey::Relevance,
        descending: true,
    };
    assert_eq!(select(&dir, "john", &worst_first).unwrap(), vec![9, 8]);
    // No words: relevance is name order.
    assert_eq!(
        select(&dir, "synced", &relevance).unwrap(),
        vec![0, 8, 6] // Alan, John, Margaret
    );
}

#[test]
fn sort_orders() {
    let dir = directory();
    let by = |key: SortKey, descending: bool| select(&dir, "", &Sort { key, descending }).unwrap();
    let cases: Vec<(SortKey, bool, Vec<u32>)> = vec![
        (SortKey::Name, false, vec![2, 0, 4, 5, 7, 1, 9, 8, 3, 6]),
        (SortKey::Name, true, vec![6, 3, 8, 9, 1, 7, 5, 4, 0, 2]),
        (
            SortKey::Relevance,
            false,
            vec![2, 0, 4, 5, 7, 1, 9, 8, 3, 6],
        ),
        // No email comes last either way.
        (SortKey::Email, false, vec![2, 0, 5, 7, 1, 9, 8, 3, 6, 4]),
        (SortKey::Email, true, vec![6, 3, 8, 9, 1, 7, 5, 0, 2, 4]),
        // Status in lifecycle order; ties by name.
        (SortKey::Status, false, vec![0, 4, 5, 1, 9, 8, 2, 3, 6, 7]),
        (SortKey::Status, true, vec![7, 6, 3, 2, 0, 4, 5, 1, 9, 8]),
        (SortKey::Type, false, vec![2, 0, 7, 1, 9, 8, 3, 6, 4, 5]),
        (SortKey::Groups, false, vec![4, 5, 9, 3, 2, 0, 7, 1, 6, 8]),
        (SortKey::Groups, true, vec![8, 2, 0, 7, 1, 6, 9, 3, 4, 5]),
        // Never counts as the longest; users without the product come last.
        (
            SortKey::Inactivity(CONF.into()),
            false,
            vec![9, 8, 2, 0, 1, 4, 5, 7, 3, 6],
        ),
        (
            SortKey::Inactivity(CONF.into()),
            true,
            vec![1, 0, 2, 8, 9, 4, 5, 7, 3, 6],
        ),
        (
            SortKey::Inactivity("nobody-has-it".into()),
            false,
            vec![2, 0, 4, 5, 7, 1, 9, 8, 3, 6],
        ),
    ];
    for (key, descending, expected) in cases {
        assert_eq!(
            by(key.clone(), descending),
            expected,
            "{key:?} desc={descending}"
        );
    }
    // Sort::apply on a subset agrees with select's order.
    let mut rows = vec![8, 1, 3];
    Sort {
        key: SortKey::Name,
        descending: false,
    }
    .apply(&dir, &mut rows);
    assert_eq!(rows, vec![1, 8, 3]);
}

#[test]
fn bad_queries_are_errors_not_panics() {
    let dir = directory();
    for q in [
        "product:nope",
        "group:nope",
        "idle:x",
        "status:x",
        "type:x",
        "!",
        "\"",
        "prodct:x",
    ] {
        let e = select(&dir, q, &Sort::default()).unwrap_err();
        assert!(!e.message.is_empty(), "{q}");
    }
    let e = select(&dir, "product:nope", &Sort::default()).unwrap_err();
    assert!(
        e.message
            .contains("products here: confluence, jira-servicedesk, jira-software"),
        "{}",
        e.message
    );
}

/// The activity view's histogram buckets, written as queries.
fn buckets(product: &str) -> Vec<String> {
    let p = format!("product:{product}");
    vec![
        format!("{p} !idle:30"),
        format!("{p} idle:30 !idle:60"),
        format!("{p} idle:60 !idle:90"),
        format!("{p} idle:90 !idle:180"),
        format!("{p} idle:180 !never"),
        format!("{p} never"),
    ]
}

/// Which bucket a holder belongs in, from the domain's own `inactivity`.
fn bucket_of(inactivity: Inactivity) -> usize {
    match inactivity {
        Inactivity::Never => 5,
        Inactivity::Days(d) if d < 30 => 0,
        Inactivity::Days(d) if d < 60 => 1,
        Inactivity::Days(d) if d < 90 => 2,
        Inactivity::Days(d) if d < 180 => 3,
        Inactivity::Days(_) => 4,
    }
}

#[test]
fn histogram_buckets_partition_the_holders() {
    let dir = sample_directory(3_000, 11, at());
    let index = SearchIndex::build(&dir);
    let sort = Sort::default();
    for product in dir.product_keys() {
        let holders = select_in(&index, &format!("product:{product}"), &sort).unwrap();
        let mut seen = vec![None; dir.users.len()];
        for (b, q) in buckets(&product).iter().enumerate() {
            let rows = select_in(&index, q, &sort).unwrap();
            assert!(!rows.is_empty(), "{q} is empty in the sample");
            for r in rows {
                assert_eq!(seen[r as usize], None, "row {r} in two buckets ({q})");
                seen[r as usize] = Some(b);
                let access = dir.users[r as usize].access(&product).unwrap();
                assert_eq!(bucket_of(access.inactivity(dir.fetched_at)), b, "{q}");
            }
        }
        let mut covered: Vec<u32> = (0..dir.users.len() as u32)
            .filter(|&r| seen[r as usize].is_some())
            .collect();
        covered.sort_unstable();
        let mut holders = holders;
        holders.sort_unstable();
        assert_eq!(covered, holders, "{product}");
    }
}

#[test]
fn facets_agree_with_the_domain_on_a_seeded_org() {
    let dir = sample_directory(3_000, 5, at());
    let index = SearchIndex::build(&dir);
    let now = dir.fetched_at;
    let in_group = |u: &User, g: &str| u.groups.iter().any(|r| r.name == g);
    let idle_any = |u: &User, n: u32| {
        u.product_access
            .iter()
            .any(|a| a.inactive_for_at_least(n, now))
    };
    type Pred<'a> = Box<dyn Fn(&User) -> bool + 'a>;
    let cases: Vec<(&str, Pred)> = vec![
        (
            "group:eng idle:180 !synced",
            Box::new(|u| in_group(u, "eng") && idle_any(u, 180) && !u.synced),
        ),
        (
            "product:jira-software idle:90",
            Box::new(|u| {
                u.access("jira-software")
                    .is_some_and(|a| a.inactive_for_at_least(90, now))
            }),
        ),
        (
            "domain:contractor.example !status:active",
            Box::new(|u| {
                u.email
                    .as_deref()
                    .is_some_and(|e| e.ends_with("@contractor.example"))
                    && u.status != UserStatus::Active
            }),
        ),
        (
            "domain:acme.example",
            Box::new(|u| {
                u.email
                    .as_deref()
                    .is_some_and(|e| e.ends_with("@acme.example") || e.ends_with(".acme.example"))
            }),
        ),
        ("admin", Box::new(|u| u.org_admin || u.site_admin)),
        (
            r#"group:"eng platform" never"#,
            Box::new(|u| {
                in_group(u, "eng platform")
                    && u.product_access.iter().any(|a| a.last_active.is_none())
            }),
        ),
        ("type:app", Box::new(|u| u.account_type == AccountType::App)),
        (
            "!product:confluence status:suspended",
            Box::new(|u| u.access("confluence").is_none() && u.status == UserStatus::Suspended),
        ),
    ];
    for (query, pred) in cases {
        let mut got = select_in(&index, query, &Sort::default()).unwrap();
        got.sort_unstable();
        let want: Vec<u32> = (0..dir.users.len() as u32)
            .filter(|&r| pred(&dir.users[r as usize]))
            .collect();
        assert!(!want.is_empty(), "{query} selects nobody in the sample");
        assert_eq!(got, want, "{query}");
    }
}
