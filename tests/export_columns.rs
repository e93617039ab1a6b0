//! `seats export users` carries `synced`, `admin` and `protected` with the plan's reasons, in
//! CSV and JSON, checked against the sandbox's own state; `--product` takes the alias table and
//! refuses a key neither seats nor the org knows.

#[path = "support/sandbox.rs"]
mod sandbox_support;

use std::collections::HashMap;
use std::path::Path;

use seats::sandbox::SandboxConfig;
use serde_json::Value;

async fn export(base: &str, org: &str, home: &Path, args: &[&str]) -> std::process::Output {
    let cfg = SandboxConfig::default();
    tokio::process::Command::new(env!("CARGO_BIN_EXE_seats"))
        .arg("export")
        .args(args)
        .args(["--admin-url", base, "--site-url", base, "--org-id", org])
        .args(["--email", &cfg.site_email])
        .env("SEATS_ORG_API_KEY", &cfg.org_api_key)
        .env("SEATS_SITE_API_TOKEN", &cfg.site_token)
        .env_remove("SEATS_PROFILE")
        .env("SEATS_DATA_DIR", home.join("data"))
        .env("SEATS_CONFIG_DIR", home.join("config"))
        .output()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_carry_synced_admin_and_protected_with_reasons() {
    let sb = sandbox_support::start_bare(400).await;
    let (base, org) = (sb.base_url(), sb.org_id());
    // Expectations from the sandbox's state: who is synced, who is an org admin, and the
    // members of one group the config protects.
    let (group, expect) = {
        let shared = sb.shared();
        let state = shared.read();
        let group_ix = state
            .users
            .iter()
            .flat_map(|u| u.groups.iter().copied())
            .next()
            .expect("some user is in a group");
        let group = state.group(group_ix).name.clone();
        let expect: HashMap<String, (bool, bool, bool)> = (0..state.users.len())
            .map(|ix| {
                let u = state.user(ix as _);
                let roles = state.platform_roles(ix as _);
                (
                    u.account_id.clone(),
                    (
                        u.synced,
                        roles.contains(&"atlassian/org-admin"),
                        u.groups.contains(&group_ix),
                    ),
                )
            })
            .collect();
        (group, expect)
    };
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("config")).unwrap();
    std::fs::write(
        home.path().join("config/config.toml"),
        format!("[protected]\ngroups = [{group:?}]\n"),
    )
    .unwrap();

    let out = export(&base, &org, home.path(), &["users", "--format", "json"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let (mut synced, mut admins, mut in_group) = (0, 0, 0);
    for row in &rows {
        let id = row["account_id"].as_str().unwrap();
        let Some(&(is_synced, is_org_admin, is_member)) = expect.get(id) else {
            continue;
        };
        let reasons: Vec<&str> = row["protected_reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert_eq!(row["synced"], is_synced, "{row}");
        assert_eq!(row["org_admin"], is_org_admin, "{row}");
        if is_org_admin {
            assert_eq!(row["admin"], true, "{row}");
            assert!(reasons.contains(&"org admin"), "{row}");
            admins += 1;
        }
        if is_synced {
            assert!(reasons.iter().any(|r| r.starts_with("synced")), "{row}");
            synced += 1;
        }
        let group_reason = format!("member of protected group {group}");
        assert_eq!(reasons.contains(&group_reason.as_str()), is_member, "{row}");
        in_group += usize::from(is_member);
        assert_eq!(row["protected"], !reasons.is_empty(), "{row}");
    }
    assert!(
        synced > 0 && admins > 0 && in_group > 0,
        "{synced} {admins} {in_group}"
    );

    // The CSV says the same, row by row.
    let out = export(&base, &org, home.path(), &["users", "--format", "csv"]).await;
    assert!(out.status.success());
    let mut r = csv::Reader::from_reader(&out.stdout[..]);
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header[6..10],
        ["synced", "admin", "protected", "protected_reason"]
    );
    let by_id: HashMap<&str, &Value> = rows
        .iter()
        .map(|r| (r["account_id"].as_str().unwrap(), r))
        .collect();
    for rec in r.records() {
        let rec = rec.unwrap();
        let json = by_id[&rec[0]];
        assert_eq!(&rec[6], json["synced"].to_string());
        assert_eq!(&rec[7], json["admin"].to_string());
        assert_eq!(&rec[8], json["protected"].to_string());
        let reasons: Vec<&str> = json["protected_reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert_eq!(&rec[9], reasons.join("; "));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn product_aliases_resolve_and_unknown_keys_are_refused_after_the_fetch() {
    let sb = sandbox_support::start_bare(200).await;
    let (base, org) = (sb.base_url(), sb.org_id());
    let home = tempfile::tempdir().unwrap();
    let by_key = export(
        &base,
        &org,
        home.path(),
        &["users", "--format", "json", "--product", "jira-servicedesk"],
    )
    .await;
    assert!(by_key.status.success());
    let by_alias = export(
        &base,
        &org,
        home.path(),
        &["users", "--format", "json", "--product", "JSM"],
    )
    .await;
    assert!(
        by_alias.status.success(),
        "{}",
        String::from_utf8_lossy(&by_alias.stderr)
    );
    let a: Vec<Value> = serde_json::from_slice(&by_key.stdout).unwrap();
    let b: Vec<Value> = serde_json::from_slice(&by_alias.stdout).unwrap();
    assert!(!a.is_empty());
    assert_eq!(a, b);

    let unknown = export(&base, &org, home.path(), &["users", "--product", "nosuch"]).await;
    assert!(!unknown.status.success());
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        err.contains("unknown product key \"nosuch\"")
            && err.contains("nobody in org")
            && err.contains("jira-software"),
        "{err}"
    );
}
