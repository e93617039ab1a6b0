//! End to end: the real `seats plan` against a sandbox. It writes the plan the console would
//! build for the same query (same protections, same effect), prints the summary, refuses what
//! it cannot plan with a message that says what to do, and changes nothing in the org.

#[path = "support/sandbox.rs"]
mod sandbox_support;

use std::path::{Path, PathBuf};

use sandbox_support::start_bare;
use seats::atlassian::fetch::{FetchOptions, fetch_directory};
use seats::atlassian::{Client, Connection, Secret};
use seats::commands::plan::{look_up_direct_grants, queue_for_query};
use seats::config::Config;
use seats::domain::ProtectionReason;
use seats::plan::{Change, HoldReason, OperationKind, PlanContext, PlanFile, build_plan};
use seats::sandbox::{Sandbox, SandboxConfig};

struct Home(PathBuf);

impl Home {
    fn new(name: &str) -> Home {
        let dir = std::env::temp_dir().join(format!("seats-plan-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Home(dir)
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn seats(sb: &Sandbox, home: &Path) -> tokio::process::Command {
    let cfg = SandboxConfig::default();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_seats"));
    cmd.args([
        "--admin-url",
        &sb.base_url(),
        "--site-url",
        &sb.base_url(),
        "--org-id",
        &sb.org_id(),
        "--email",
        &cfg.site_email,
        "plan",
    ])
    .env("SEATS_ORG_API_KEY", &cfg.org_api_key)
    .env("SEATS_SITE_API_TOKEN", &cfg.site_token)
    .env_remove("SEATS_PROFILE")
    // Never the real home's config.toml or data dir.
    .env("SEATS_CONFIG_DIR", home)
    .env("SEATS_DATA_DIR", home)
    .current_dir(home);
    cmd
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

async fn run(cmd: &mut tokio::process::Command) -> Run {
    let out = cmd.output().await.unwrap();
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn conn(sb: &Sandbox) -> Connection {
    let cfg = SandboxConfig::default();
    Connection {
        admin_url: Some(sb.base_url()),
        site_url: Some(sb.site_url()),
        org_id: Some(sb.org_id()),
        email: Some(cfg.site_email),
        org_api_key: Some(Secret::new(cfg.org_api_key)),
        site_token: Some(Secret::new(cfg.site_token)),
    }
}

/// The sandbox's event log length: a plan must add nothing to it.
fn events(sb: &Sandbox) -> usize {
    sb.shared().read().events.len()
}

/// Runs `seats plan` with `args`, then builds the plan the console's way (same snapshot, same
/// query, same protections) and checks both are the same. Returns the run and the plan file.
async fn assert_same_plan(
    sb: &Sandbox,
    home: &Home,
    args: &[&str],
    query: &str,
    kind: OperationKind,
) -> (Run, PlanFile) {
    let file = home.path("plan.json");
    let r = run(seats(sb, &home.0)
        .args(args)
        .args(["-o", file.to_str().unwrap()]))
    .await;
    assert!(r.ok, "stderr: {}", r.stderr);
    let written = PlanFile::read(&file, Some(&sb.org_id())).unwrap();
    assert_eq!(written.query.as_deref(), Some(query));

    let client = Client::new(&conn(sb)).unwrap();
    let dir = fetch_directory(&client, &sb.org_id(), FetchOptions::everything())
        .await
        .unwrap();
    let queue = queue_for_query(&dir, query, kind).unwrap();
    let cfg = SandboxConfig::default();
    let mut ctx =
        PlanContext::new(&Config::default(), &[cfg.site_email.as_str()]).with_query(query);
    ctx.direct_grants = look_up_direct_grants(&client, &dir, &queue, &ctx)
        .await
        .unwrap();
    let plan = build_plan(&dir, &queue, &ctx);
    let console = PlanFile::new(&plan, &queue, None, Some(query.into()), written.created_at);
    // A comparison of empty plans would prove nothing.
    assert!(written.steps.len() > 20, "{} steps", written.steps.len());
    assert!(!written.held_out.is_empty());
    assert_eq!(written.steps, console.steps);
    assert_eq!(written.held_out, console.held_out);
    assert_eq!(written.no_ops, console.no_ops);
    assert_eq!(written.keeps, console.keeps);
    assert_eq!(written.effect, console.effect);
    assert_eq!(written.queue, console.queue);

    // The summary says what the file holds, with the shared plurals.
    use seats::output::words::plural;
    let op = &plan.operations[0];
    assert!(
        r.stdout.contains(&format!(
            "{}: {}, {} changed in {}",
            op.kind.describe(),
            plural(op.targets, "target"),
            plural(op.affected_users(), "user"),
            plural(op.steps.len(), "step")
        )),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Effect on seats:"), "{}", r.stdout);
    assert!(r.stdout.contains("a month"), "{}", r.stdout);
    assert!(r.stdout.contains("nothing was changed"), "{}", r.stdout);
    (r, written)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seats_plan_writes_the_plan_the_console_builds_for_the_same_query() {
    // Small enough that "acme" stays under the default batch cap of 500.
    let sb = start_bare(500).await;
    let home = Home::new("same");
    let before = events(&sb);
    assert_same_plan(
        &sb,
        &home,
        &["--filter", "acme", "--action", "suspend"],
        "acme",
        OperationKind::Suspend,
    )
    .await;
    let groups = sb.shared().read().groups.clone();
    let conf = groups
        .iter()
        .find(|g| g.name == "confluence-users")
        .unwrap();
    let (_, file) = assert_same_plan(
        &sb,
        &home,
        &[
            "--filter",
            "acme",
            "--action",
            "remove-group",
            "--group",
            "confluence-users",
        ],
        "acme",
        OperationKind::RemoveFromGroup {
            group_id: conf.id.clone(),
            group_name: conf.name.clone(),
        },
    )
    .await;
    // Some members keep Confluence through the synced all-employees group.
    assert!(
        file.keeps
            .iter()
            .any(|k| k.describe().contains("cannot be freed here")),
        "{:?}",
        file.keeps
    );
    assert_eq!(events(&sb), before, "planning changed the org");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspension_plan_holds_out_the_signed_in_admin() {
    let sb = start_bare(600).await;
    let home = Home::new("suspend");
    let cfg = SandboxConfig::default();
    // The signed-in admin's own address: the placeholder and the real query both select them.
    let r = run(seats(&sb, &home.0).args([
        "--filter",
        &cfg.site_email,
        "--action",
        "suspend",
        "-o",
        "p.json",
    ]))
    .await;
    assert!(r.ok, "stderr: {}", r.stderr);
    let written = PlanFile::read(&home.path("p.json"), None).unwrap();
    let me = Some(cfg.site_email.as_str());
    assert!(written.steps.iter().all(|s| s.email.as_deref() != me));
    let held = written
        .held_out
        .iter()
        .find(|h| h.email.as_deref() == me)
        .expect("the signed-in admin is held out");
    // The sandbox's admin is an org admin too; the most serious reason is shown.
    assert!(matches!(
        &held.reason,
        HoldReason::Protected {
            protection: ProtectionReason::OrgAdmin | ProtectionReason::Myself
        }
    ));
    assert!(r.stdout.contains("held out"), "{}", r.stdout);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shorthands_write_the_query_and_groups_are_found_by_name() {
    let sb = start_bare(600).await;
    let home = Home::new("short");
    let r = run(seats(&sb, &home.0).args([
        "--product",
        "jira-software",
        "--inactive-days",
        "90",
        "--action",
        "remove-product-access",
        "-o",
        "short.json",
    ]))
    .await;
    assert!(r.ok, "stderr: {}", r.stderr);
    let f = PlanFile::read(&home.path("short.json"), None).unwrap();
    assert_eq!(f.query.as_deref(), Some("product:jira-software idle:90"));
    // "Jira Software, inactive 90 days": every user planned has not used Jira for 90 days,
    // by the sandbox's own record.
    assert!(f.steps.len() > 10, "{} steps", f.steps.len());
    let fetched = f.fetched_at.unwrap();
    {
        let shared = sb.shared();
        let state = shared.read();
        for s in &f.steps {
            let ix = state.user_ix(&s.account_id).unwrap();
            let last =
                state.user(ix).last_active[seats::sandbox::state::Product::JiraSoftware.index()];
            assert!(
                last.is_none_or(|t| (fetched - t).num_days() >= 90),
                "{} was active on {last:?}",
                s.account_id
            );
        }
    }
    let effect = f.effect.unwrap();
    assert!(effect.product("jira-software").unwrap().freed > 0);

    let r = run(seats(&sb, &home.0).args([
        "--filter",
        "acme",
        "--action",
        "remove-group",
        "--group",
        "Engineering",
        "-o",
        "group.json",
    ]))
    .await;
    assert!(r.ok, "stderr: {}", r.stderr);
    let f = PlanFile::read(&home.path("group.json"), None).unwrap();
    assert!(!f.steps.is_empty());
    assert!(f.steps.iter().all(|s| matches!(
        &s.change,
        Change::RemoveFromGroup { group_name, .. } if group_name == "engineering"
    )));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_cannot_be_planned_is_refused_with_what_to_do() {
    let sb = start_bare(300).await;
    let home = Home::new("refuse");
    let cases: [(&[&str], &str); 4] = [
        (&["--action", "suspend"], "--filter QUERY"),
        (
            &["--filter", "acme", "--action", "remove-product-access"],
            "needs --product",
        ),
        (
            &[
                "--filter",
                "acme",
                "--action",
                "remove-group",
                "--group",
                "nope",
            ],
            "no group named \"nope\"",
        ),
        (
            &["--filter", "acme", "--action", "remove-group"],
            "needs --group",
        ),
    ];
    for (args, says) in cases {
        let r = run(seats(&sb, &home.0).args(args)).await;
        assert!(!r.ok, "{args:?} succeeded");
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_over_the_batch_cap_is_written_for_review_but_refused() {
    let sb = start_bare(300).await;
    let home = Home::new("cap");
    std::fs::write(home.path("config.toml"), "[plan]\nbatch_cap = 2\n").unwrap();
    let r = run(
        seats(&sb, &home.0).args(["--filter", "acme", "--action", "suspend", "-o", "big.json"])
    )
    .await;
    assert!(!r.ok, "a plan over the cap must fail the run");
    assert!(r.stderr.contains("batch_cap"), "{}", r.stderr);
    let f = PlanFile::read(&home.path("big.json"), None).unwrap();
    assert!(f.refusal.is_some());
    assert!(f.steps.len() > 2);
    sb.shutdown().await;
}
