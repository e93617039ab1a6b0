//! `seats status` (the real binary) against the sandbox: what it reports, its exit code, and
//! that no secret is printed.

use seats::sandbox::{SandboxConfig, start};

async fn status(base: &str, org_id: &str, key: &str) -> std::process::Output {
    let dirs = tempfile::tempdir().unwrap();
    tokio::process::Command::new(env!("CARGO_BIN_EXE_seats"))
        .args(["--admin-url", base, "--org-id", org_id, "status"])
        .env("SEATS_ORG_API_KEY", key)
        .env_remove("SEATS_SITE_API_TOKEN")
        .env_remove("SEATS_PROFILE")
        // Never the real home's config or data dir.
        .env("SEATS_CONFIG_DIR", dirs.path())
        .env("SEATS_DATA_DIR", dirs.path())
        .output()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_reports_the_org_and_api_health_without_secrets() {
    let sb = start(SandboxConfig {
        users: 30,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let key = SandboxConfig::default().org_api_key;
    let out = status(&sb.base_url(), &sb.org_id(), &key).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Every configured API answers, so status succeeds.
    assert!(
        out.status.success() && !stdout.contains("FAILED"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("user management API") && l.contains("answers (")),
        "{stdout}"
    );
    let org_name = sb.shared().read().org_name.clone();
    assert!(
        stdout.contains(&format!("{org_name} ({})", sb.org_id())),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("admin API") && l.contains("answers (")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("org API key") && l.ends_with("set (SEATS_ORG_API_KEY)")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("site API token") && l.ends_with("missing")),
        "{stdout}"
    );
    assert!(!stdout.contains(&key));
    // Seats per product, with the org's own usage figures.
    let seats = {
        let shared = sb.shared();
        let state = shared.read();
        state
            .licences
            .iter()
            .map(|l| {
                (
                    l.product.name().to_owned(),
                    state.seats_used(l.product),
                    l.seat_limit,
                )
            })
            .collect::<Vec<_>>()
    };
    for (name, used, limit) in seats {
        let expected = format!("{used} used of {limit}");
        assert!(
            stdout
                .lines()
                .any(|l| l.contains(&name) && l.contains(&expected)),
            "no '{name}: {expected}' in\n{stdout}"
        );
    }

    let out = status(&sb.base_url(), &sb.org_id(), "a-wrong-key-QWERTY").await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        stdout.contains("FAILED") && stdout.contains("org API key was refused"),
        "{stdout}"
    );
    assert!(!stdout.contains("QWERTY") && !String::from_utf8_lossy(&out.stderr).contains("QWERTY"));
    sb.shutdown().await;
}
