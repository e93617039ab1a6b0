//! `seats status` (the real binary) against the sandbox: what it reports, its exit code, and
//! that no secret is printed.

use seats::sandbox::{SandboxConfig, start};

/// `seats status` with the org key and, when `site` is set, the site's email and token.
async fn status(base: &str, org_id: &str, key: &str, site: bool) -> std::process::Output {
    let dirs = tempfile::tempdir().unwrap();
    let cfg = SandboxConfig::default();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_seats"));
    cmd.args(["--admin-url", base, "--org-id", org_id, "status"]);
    if site {
        cmd.args(["--site-url", base, "--email", &cfg.site_email])
            .env("SEATS_SITE_API_TOKEN", &cfg.site_token);
    } else {
        cmd.env_remove("SEATS_SITE_API_TOKEN");
    }
    cmd.env("SEATS_ORG_API_KEY", key)
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
    let out = status(&sb.base_url(), &sb.org_id(), &key, true).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Every API answers, so status succeeds.
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
            .any(|l| l.starts_with("Jira API") && l.contains("answers (")),
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
        // The shared number format: thousands separators.
        let expected = format!(
            "{} used of {}",
            seats::output::words::thousands(used as usize),
            seats::output::words::thousands(limit as usize)
        );
        assert!(
            stdout
                .lines()
                .any(|l| l.contains(&name) && l.contains(&expected)),
            "no '{name}: {expected}' in\n{stdout}"
        );
    }

    // Without the site's credentials those checks cannot pass: shown, and the exit code says so.
    let out = status(&sb.base_url(), &sb.org_id(), &key, false).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("site API token") && l.ends_with("missing")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("Jira API") && l.contains("not checked")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("admin API") && l.contains("answers (")),
        "{stdout}"
    );

    let out = status(&sb.base_url(), &sb.org_id(), "a-wrong-key-QWERTY", true).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        // The refusal names the credential and where it came from.
        stdout.contains("FAILED")
            && stdout.contains(
                "the org API key from the environment variable SEATS_ORG_API_KEY was refused"
            ),
        "{stdout}"
    );
    assert!(!stdout.contains("QWERTY") && !String::from_utf8_lossy(&out.stderr).contains("QWERTY"));
    sb.shutdown().await;
}
