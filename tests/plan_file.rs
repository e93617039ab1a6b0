//! The plan file: written and read back whole, held-out rows and effect included; newer
//! versions, other orgs and files that are not plans refused with messages that say what to do.

use chrono::{TimeZone, Utc};
use seats::config::Config;
use seats::domain::{AccountType, Directory, Group, GroupRef, ProductAccess, User, UserStatus};
use seats::plan::{
    OperationKind, PLAN_FILE_VERSION, PlanContext, PlanFile, PlanFileError, Queue, build_plan,
};

fn user(id: &str, org_admin: bool) -> User {
    User {
        account_id: id.into(),
        name: id.into(),
        email: Some(format!("{id}@acme.example")),
        account_type: AccountType::Atlassian,
        status: UserStatus::Active,
        groups: vec![GroupRef {
            id: "g1".into(),
            name: "jira-users".into(),
        }],
        product_access: vec![ProductAccess {
            product: "jira-software".into(),
            last_active: None,
            resource: Some("ari:cloud:jira-software::site/c1".into()),
        }],
        managed: true,
        synced: false,
        org_admin,
        site_admin: false,
    }
}

fn sample() -> (PlanFile, Queue) {
    let dir = Directory {
        org_id: "org-1".into(),
        fetched_at: Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap(),
        users: vec![user("a", false), user("boss", true)],
        groups: vec![Group {
            id: "g1".into(),
            name: "jira-users".into(),
            synced: false,
            grants: vec!["jira-software".into()],
            member_count: Some(2),
        }],
        seats: vec![],
    };
    let mut q = Queue::new();
    q.add(
        OperationKind::RemoveProductAccess {
            product: "jira-software".into(),
        },
        ["a", "boss", "gone"],
    );
    let plan = build_plan(&dir, &q, &PlanContext::new(&Config::default(), &[]));
    let file = PlanFile::new(
        &plan,
        &q,
        Some("work".into()),
        Some("product:jira-software idle:90".into()),
        Utc.with_ymd_and_hms(2026, 11, 22, 13, 0, 0).unwrap(),
    );
    (file, q)
}

#[test]
fn a_plan_file_round_trips_with_its_review() {
    let (file, q) = sample();
    assert_eq!(file.version, PLAN_FILE_VERSION);
    assert_eq!(file.steps.len(), 1);
    assert_eq!(file.held_out.len(), 1, "the org admin");
    assert_eq!(file.no_ops.len(), 1, "the user no longer in the directory");
    assert_eq!(
        file.effect
            .as_ref()
            .unwrap()
            .product("jira-software")
            .unwrap()
            .freed,
        1
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    file.write(&path).unwrap();
    let back = PlanFile::read(&path, Some("org-1")).unwrap();
    assert_eq!(back, file);
    assert_eq!(back.queue, Some(q), ":read restores the queue");
    // The wire names a reviewer reads.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(json["steps"][0]["change"]["change"], "remove-from-group");
    assert_eq!(json["held_out"][0]["reason"]["hold"], "protected");
    assert_eq!(
        json["held_out"][0]["reason"]["protection"]["reason"],
        "org_admin"
    );
    assert_eq!(json["no_ops"][0]["reason"]["noop"], "not-in-directory");
    assert_eq!(json["effect"]["products"][0]["used_after"], 1);
    assert_eq!(json["steps"][0]["guard"]["product"], "jira-software");
    // No temp file left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// Issue 14: a plan file carries its identity, the same for the same plan and different for a
/// plan made at another time, so applying one file twice can be told from two plans.
#[test]
fn a_plan_file_carries_its_identity() {
    let (file, _) = sample();
    let id = file.id.clone().expect("PlanFile::new writes an id");
    assert_eq!(
        sample().0.id.as_deref(),
        Some(id.as_str()),
        "same plan, same id"
    );
    assert_eq!(file.identity(), id);
    let json: serde_json::Value = serde_json::from_str(&file.to_json()).unwrap();
    assert_eq!(json["id"], id.as_str());
    let later = PlanFile {
        created_at: file.created_at + chrono::Duration::seconds(1),
        id: None,
        ..file.clone()
    };
    assert_ne!(later.identity(), id, "another plan");
    // A file without an id (hand-made) is known by its content.
    let bare = PlanFile {
        id: None,
        ..file.clone()
    };
    assert_eq!(bare.identity(), id);
}

#[test]
fn a_minimal_version_1_file_without_the_review_fields_reads() {
    let text = r#"{"version": 1, "created_at": "2026-11-22T13:00:00Z", "org_id": "org-1",
        "steps": [{"account_id": "a", "name": "A", "email": null, "change": {"change": "suspend"}}],
        "some_future_field": true}"#;
    let f = PlanFile::from_json(text, Some("org-1")).unwrap();
    assert_eq!(f.steps.len(), 1);
    assert!(f.held_out.is_empty() && f.effect.is_none() && f.queue.is_none());
}

#[test]
fn newer_versions_other_orgs_and_non_plans_are_refused_clearly() {
    let (file, _) = sample();
    let mut newer: serde_json::Value = serde_json::from_str(&file.to_json()).unwrap();
    newer["version"] = serde_json::json!(PLAN_FILE_VERSION + 1);
    // A newer file may change any field: the version is checked first.
    newer["steps"] = serde_json::json!("changed shape");
    let err = PlanFile::from_json(&newer.to_string(), Some("org-1")).unwrap_err();
    assert!(matches!(err, PlanFileError::Newer { found } if found == 2));
    assert!(err.to_string().contains("upgrade seats"), "{err}");

    let err = PlanFile::from_json(&file.to_json(), Some("org-2")).unwrap_err();
    assert!(matches!(err, PlanFileError::OtherOrg { .. }));
    let msg = err.to_string();
    assert!(msg.contains("org-1") && msg.contains("org-2"), "{msg}");
    // Without an org to check against (a review on another machine), it reads.
    assert!(PlanFile::from_json(&file.to_json(), None).is_ok());

    for (text, says) in [
        ("not json", "not JSON"),
        (r#"{"org_id": "org-1"}"#, "no \"version\""),
        (r#"{"version": "1"}"#, "not a number"),
        (r#"{"version": 0}"#, "is 0"),
        (r#"{"version": 1, "org_id": "org-1"}"#, "missing field"),
    ] {
        let err = PlanFile::from_json(text, Some("org-1")).unwrap_err();
        assert!(matches!(err, PlanFileError::NotAPlan(_)), "{text}");
        assert!(err.to_string().contains(says), "{text}: {err}");
    }
}

#[test]
fn reading_a_missing_file_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.json");
    let err = PlanFile::read(&path, None).unwrap_err().to_string();
    assert!(err.contains("nope.json"), "{err}");
    let err = sample()
        .0
        .write(&dir.path().join("missing-dir").join("p.json"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("writable"), "{err}");
}

/// The io error of a plan file that cannot be read is said once, also where the whole chain is
/// printed (`seats apply DIR` said "it is a directory: …" twice).
#[test]
fn a_read_error_says_its_cause_once_also_in_a_printed_chain() {
    let dir = tempfile::tempdir().unwrap();
    for path in [dir.path().to_path_buf(), dir.path().join("missing.json")] {
        let e = anyhow::Error::from(seats::plan::PlanFile::read(&path, None).unwrap_err());
        let chain = format!("{e:#}");
        let said = e.to_string();
        let cause = said.rsplit(": ").next().unwrap_or_default();
        assert!(!cause.is_empty(), "{said}");
        assert_eq!(chain.matches(cause).count(), 1, "{chain}");
    }
}
