//! `[api] page_size` in config.toml reaches the wire: every users/search request of an export
//! asks for that many users, and paging still returns every user once.

use seats::sandbox::{SandboxConfig, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_pages_with_the_configured_page_size() {
    let sb = start(SandboxConfig {
        users: 300,
        record_requests: true,
        ..SandboxConfig::default()
    })
    .await
    .unwrap_or_else(|e| panic!("sandbox: {e:#}"));
    let cfg = SandboxConfig::default();
    let dirs = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    std::fs::write(
        dirs.path().join("config.toml"),
        "[api]\npage_size = 40\nconcurrency = 1\n",
    )
    .unwrap_or_else(|e| panic!("config: {e}"));
    let base = sb.base_url();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_seats"))
        .args(["--admin-url", &base, "--org-id", &sb.org_id()])
        .args(["export", "users", "--format", "json"])
        .env("SEATS_ORG_API_KEY", &cfg.org_api_key)
        .env_remove("SEATS_SITE_API_TOKEN")
        .env_remove("SEATS_PROFILE")
        .env("SEATS_CONFIG_DIR", dirs.path())
        .env("SEATS_DATA_DIR", dirs.path())
        .output()
        .await
        .unwrap_or_else(|e| panic!("seats: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let users: Vec<serde_json::Value> =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"));

    let searches: Vec<_> = sb
        .recorded()
        .into_iter()
        .filter(|e| e.method == "POST" && e.path.ends_with("/users/search"))
        .collect();
    let limits: Vec<Option<i64>> = searches
        .iter()
        .map(|e| e.request_body.as_ref().and_then(|b| b["limit"].as_i64()))
        .collect();
    // The first request of each stream carries the limit; a cursor request must carry
    // nothing else.
    let starts: Vec<&Option<i64>> = searches
        .iter()
        .zip(&limits)
        .filter(|(e, _)| {
            e.request_body
                .as_ref()
                .is_none_or(|b| b.get("cursor").is_none())
        })
        .map(|(_, l)| l)
        .collect();
    assert!(!starts.is_empty());
    assert!(starts.iter().all(|l| **l == Some(40)), "{limits:?}");
    // Pages of 40: the parallel streams (active and suspended members, both ends of the
    // nickname order) cost at most a few pages more than one stream would.
    let pages_needed = users.len().div_ceil(40);
    assert!(
        searches.len() >= pages_needed && searches.len() <= pages_needed + 4,
        "{} users in {} requests",
        users.len(),
        searches.len()
    );
    let mut ids: Vec<&str> = users
        .iter()
        .filter_map(|u| u["account_id"].as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), users.len(), "a user came twice");
    sb.shutdown().await;
}
