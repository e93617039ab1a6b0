//! The headless `seats apply` confirmation: before "Type yes" it shows the users held out and
//! the effect on seats and cost, and says when the same plan file was already applied (as
//! batch N); `apply --dry-run` needs no `--yes` (it sends nothing, so nothing to confirm).

#[path = "support/sandbox.rs"]
mod sandbox_support;

use std::path::Path;

use seats::sandbox::SandboxConfig;

struct Run {
    ok: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

async fn seats(base: &str, org: &str, home: &Path, args: &[&str]) -> Run {
    let cfg = SandboxConfig::default();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_seats"))
        .args(args)
        .args(["--admin-url", base, "--site-url", base, "--org-id", org])
        .args(["--email", &cfg.site_email])
        .current_dir(home)
        .env("SEATS_ORG_API_KEY", &cfg.org_api_key)
        .env("SEATS_SITE_API_TOKEN", &cfg.site_token)
        .env_remove("SEATS_PROFILE")
        .env("SEATS_DATA_DIR", home.join("data"))
        .env("SEATS_CONFIG_DIR", home.join("config"))
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    Run {
        ok: out.status.success(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_confirmation_shows_held_out_effect_and_an_earlier_batch() {
    let sb = sandbox_support::start_bare(300).await;
    let (base, org) = (sb.base_url(), sb.org_id());
    let home = tempfile::tempdir().unwrap();
    let plan_file = home.path().join("plan.json");
    let plan_arg = plan_file.to_str().unwrap();
    let made = seats(
        &base,
        &org,
        home.path(),
        &[
            "plan", "--action", "suspend", "--filter", "idle:180", "--output", plan_arg,
        ],
    )
    .await;
    assert!(made.ok, "{}", made.stderr);
    let plan: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&plan_file).unwrap()).unwrap();
    let held: std::collections::BTreeSet<&str> = plan["held_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["account_id"].as_str().unwrap())
        .collect();
    let steps = plan["steps"].as_array().unwrap().len();
    assert!(
        steps > 1 && !held.is_empty(),
        "{steps} steps, {} held",
        held.len()
    );

    // A dry run without --yes and without a terminal: shown, run, nothing asked.
    let dry = seats(&base, &org, home.path(), &["apply", plan_arg, "--dry-run"]).await;
    assert!(dry.ok, "{}", dry.stderr);
    assert!(
        dry.stderr.contains(&format!("Would make {steps} changes")),
        "{}",
        dry.stderr
    );
    assert!(
        dry.stderr
            .contains(&format!("Held out: {} users (", held.len())),
        "{}",
        dry.stderr
    );
    assert!(dry.stderr.contains("Seats of "), "{}", dry.stderr);
    assert!(dry.stderr.contains("In all: "), "{}", dry.stderr);
    assert!(!dry.stderr.contains("already applied"), "{}", dry.stderr);
    assert!(
        dry.stdout.contains("would be sent (dry run)"),
        "{}",
        dry.stdout
    );

    // Without --yes and without a terminal a real run is refused, after the summary.
    let asked = seats(&base, &org, home.path(), &["apply", plan_arg]).await;
    assert!(!asked.ok);
    assert!(
        asked.stderr.contains("no terminal to confirm on"),
        "{}",
        asked.stderr
    );
    assert!(asked.stderr.contains("Held out: "), "{}", asked.stderr);

    let real = seats(&base, &org, home.path(), &["apply", plan_arg, "--yes"]).await;
    assert_eq!(real.code, Some(0), "{}", real.stderr);
    let batch = real
        .stdout
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.trim_end_matches(':').parse::<i64>().ok())
        .unwrap_or_else(|| panic!("no batch number in {}", real.stdout));

    // The same file again: said before anything is asked, with the batch.
    let again = seats(&base, &org, home.path(), &["apply", plan_arg]).await;
    assert!(!again.ok);
    assert!(
        again.stderr.contains(&format!(
            "This plan file was already applied, as batch {batch}"
        )) && again.stderr.contains("--again"),
        "{}",
        again.stderr
    );
    let said = again.stderr.find("already applied").unwrap();
    let asked_at = again.stderr.find("no terminal to confirm on").unwrap();
    assert!(said < asked_at, "{}", again.stderr);
}
