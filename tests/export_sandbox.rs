//! End to end: the real `seats` binary exports a 5000-user sandbox, and the export holds
//! exactly the users the sandbox holds, each with its per-product activity.

#[path = "support/sandbox.rs"]
mod sandbox_support;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sandbox_support::start_bare;
use seats::sandbox::SandboxConfig;
use serde_json::Value;

fn seats_cmd(base: &str, org_id: &str) -> tokio::process::Command {
    let cfg = SandboxConfig::default();
    let home = std::env::temp_dir().join(format!("seats-export-test-{}", std::process::id()));
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_seats"));
    cmd.args([
        "--admin-url",
        base,
        "--site-url",
        base,
        "--org-id",
        org_id,
        "--email",
        &cfg.site_email,
    ])
    .env("SEATS_ORG_API_KEY", &cfg.org_api_key)
    .env("SEATS_SITE_API_TOKEN", &cfg.site_token)
    .env_remove("SEATS_PROFILE")
    // Never the real home's config.toml (a default profile there would change the run) or
    // data dir (logs).
    .env("SEATS_CONFIG_DIR", &home)
    .env("SEATS_DATA_DIR", &home);
    cmd
}

/// Runs `cmd` and checks it succeeded, with its stderr if it did not.
async fn run_ok(cmd: &mut tokio::process::Command) -> std::process::Output {
    let out = cmd.output().await.unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_users_json_returns_exactly_the_sandbox_users_with_activity() {
    let sb = start_bare(5000).await;
    let out = run_ok(
        seats_cmd(&sb.base_url(), &sb.org_id()).args(["export", "users", "--format", "json"]),
    )
    .await;
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();

    {
        let shared = sb.shared();
        let state = shared.read();
        let held: HashMap<&str, usize> = state
            .users
            .iter()
            .enumerate()
            .filter(|(_, u)| u.in_directory())
            .map(|(i, u)| (u.account_id.as_str(), i))
            .collect();
        assert_eq!(rows.len(), held.len());
        let mut seen = HashSet::new();
        let mut with_activity = 0;
        let mut never = 0;
        for row in &rows {
            let id = row["account_id"].as_str().unwrap();
            assert!(seen.insert(id.to_owned()), "{id} twice");
            let ix = *held
                .get(id)
                .unwrap_or_else(|| panic!("{id} is not in the sandbox"));
            let user = &state.users[ix];
            assert_eq!(row["name"], user.name.as_str());
            assert_eq!(row["email"].as_str(), user.email.as_deref());
            assert_eq!(row["status"], user.status());
            let groups: HashSet<&str> = row["groups"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g.as_str().unwrap())
                .collect();
            let held_groups: HashSet<&str> = user
                .groups
                .iter()
                .map(|g| state.groups[*g as usize].name.as_str())
                .collect();
            assert_eq!(groups, held_groups, "groups of {id}");

            let products = row["products"].as_array().unwrap();
            let held_products = state.product_access(ix as _);
            let keys: HashSet<&str> = products
                .iter()
                .map(|p| p["key"].as_str().unwrap())
                .collect();
            let held_keys: HashSet<&str> = held_products.iter().map(|p| p.key()).collect();
            assert_eq!(keys, held_keys, "products of {id}");
            for p in products {
                let product = held_products.iter().find(|h| h.key() == p["key"]).unwrap();
                let held_last = user.last_active[product.index()];
                match p["last_active"].as_str() {
                    None => {
                        assert!(
                            held_last.is_none(),
                            "{id} {}: null but the sandbox has {held_last:?}",
                            product.key()
                        );
                        assert!(p["days_inactive"].is_null());
                        never += 1;
                    }
                    Some(t) => {
                        let t: DateTime<Utc> = t.parse().unwrap();
                        let held_last = held_last
                            .unwrap_or_else(|| panic!("{id}: a date the sandbox does not have"));
                        assert_eq!(
                            t.timestamp(),
                            held_last.timestamp(),
                            "{id} {}",
                            product.key()
                        );
                        let days = p["days_inactive"].as_i64().unwrap();
                        let expected = (Utc::now() - held_last).num_days();
                        assert!(
                            (days - expected).abs() <= 1,
                            "{id}: {days} days, expected about {expected}"
                        );
                        with_activity += 1;
                    }
                }
            }
        }
        // The generated org has both active and never-active seat holders.
        assert!(
            with_activity > 1000 && never > 0,
            "{with_activity} dated, {never} never"
        );
    }
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_to_a_file_csv_with_filters_and_seats() {
    let sb = start_bare(600).await;
    let dir = std::env::temp_dir().join(format!("seats-export-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("inactive.csv");
    let out = run_ok(
        seats_cmd(&sb.base_url(), &sb.org_id())
            .args([
                "export",
                "users",
                "--format",
                "csv",
                "--inactive-days",
                "90",
                "--product",
                "confluence",
                "--output",
            ])
            .arg(&file),
    )
    .await;
    assert!(out.stdout.is_empty());
    let mut r = csv::Reader::from_path(&file).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header[10..],
        [
            "confluence_last_active".to_owned(),
            "confluence_never".to_owned(),
            "confluence_days_inactive".to_owned()
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert!(!rows.is_empty());
    for row in &rows {
        // `never` is its own column: the date column then stays empty.
        let never = &row[11] == "true";
        assert_eq!(never, row[10].is_empty(), "{row:?}");
        let days: i64 = if never {
            i64::MAX
        } else {
            row[12].parse().unwrap()
        };
        assert!(days >= 90, "{row:?}");
    }

    let out = run_ok(
        seats_cmd(&sb.base_url(), &sb.org_id()).args(["export", "seats", "--format", "json"]),
    )
    .await;
    let seats: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    {
        let shared = sb.shared();
        let state = shared.read();
        for lic in &state.licences {
            let s = seats
                .iter()
                .find(|s| s["product"]["key"] == lic.product.key())
                .unwrap();
            assert_eq!(s["limit"].as_u64(), Some(u64::from(lic.seat_limit)), "{s}");
            assert_eq!(
                s["used"].as_u64(),
                Some(u64::from(state.seats_used(lic.product))),
                "{s}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_org_fails_with_a_clear_message_and_no_output_file() {
    let sb = start_bare(20).await;
    let file = std::env::temp_dir().join(format!(
        "seats-export-wrong-org-{}.json",
        std::process::id()
    ));
    let out = seats_cmd(&sb.base_url(), "no-such-org")
        .args(["export", "users", "--output"])
        .arg(&file)
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no org with id no-such-org is visible to this key"),
        "{stderr}"
    );
    assert!(!stderr.contains(&SandboxConfig::default().org_api_key));
    assert!(!file.exists());
    sb.shutdown().await;
}
