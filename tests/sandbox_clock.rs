//! The sandbox's virtual clock: it starts where `--clock` says, moves by days through
//! `/_sandbox/clock`, and dates everything the sandbox dates (generated last-active dates,
//! activity marked through `/_sandbox/activity`, audit events).
#[path = "support/sandbox_process.rs"]
mod sandbox_process;
#[path = "support/sandbox.rs"]
mod sandbox_support;

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use sandbox_process::SandboxProcess;
use sandbox_support::{TestSandbox, json_of, start_with};
use seats::commands::sandbox::parse_clock;
use seats::sandbox::SandboxConfig;
use seats::sandbox::state::{Product, Resource, Role};
use serde_json::{Value, json};

fn start() -> DateTime<Utc> {
    parse_clock("2026-01-05").expect("a date")
}

async fn sandbox() -> TestSandbox {
    start_with(SandboxConfig {
        users: 300,
        clock_start: Some(start()),
        ..SandboxConfig::default()
    })
    .await
}

async fn control(
    sb: &TestSandbox,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = sb.client.request(method, format!("{}{path}", sb.base));
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.expect("the sandbox answers")
}

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{v} is not RFC 3339: {e}"))
        .with_timezone(&Utc)
}

#[test]
fn the_clock_flag_takes_a_date_or_a_time() {
    assert_eq!(
        parse_clock("2026-01-05").unwrap().to_rfc3339(),
        "2026-01-05T00:00:00+00:00"
    );
    assert_eq!(
        parse_clock("2026-01-05T09:30:00+02:00")
            .unwrap()
            .to_rfc3339(),
        "2026-01-05T07:30:00+00:00"
    );
    let err = parse_clock("next tuesday").unwrap_err();
    assert!(err.contains("RFC 3339"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clock_starts_where_asked_and_moves_forward_by_days() {
    let sb = sandbox().await;
    let now = time(
        &json_of(
            control(&sb, Method::GET, "/_sandbox/clock", None).await,
            200,
        )
        .await["now"],
    );
    assert!(
        now >= start() && now - start() < Duration::seconds(30),
        "{now}"
    );

    let moved = json_of(
        control(
            &sb,
            Method::POST,
            "/_sandbox/clock",
            Some(json!({"advance_days": 14})),
        )
        .await,
        200,
    )
    .await;
    let moved = time(&moved["now"]);
    assert!(moved - start() >= Duration::days(14), "{moved}");
    assert!(moved - start() < Duration::days(14) + Duration::seconds(30));
    assert!(
        sb.sandbox.now() >= moved,
        "the Rust handle reads the same clock"
    );

    // Time never goes back, and a body that is not the documented one is a 400.
    for bad in [
        json!({"advance_days": -1}),
        json!({"days": 3}),
        json!({"advance_days": "3"}),
    ] {
        let r = control(&sb, Method::POST, "/_sandbox/clock", Some(bad.clone())).await;
        assert_eq!(r.status().as_u16(), 400, "{bad}");
    }
    let after = sb.sandbox.advance_days(1).unwrap();
    assert!(after - moved >= Duration::days(1));
    assert!(sb.sandbox.advance_days(-2).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_dates_count_back_from_the_virtual_start() {
    let sb = sandbox().await;
    let shared = sb.sandbox.shared();
    let state = shared.read();
    let dates: Vec<DateTime<Utc>> = state
        .users
        .iter()
        .flat_map(|u| u.last_active.iter().flatten().copied())
        .collect();
    assert!(!dates.is_empty());
    assert!(
        dates.iter().all(|d| *d <= start()),
        "no activity after the start"
    );
    assert!(
        dates.iter().any(|d| start() - *d < Duration::days(7)),
        "some activity in the week before the start, not before today's date"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_is_marked_at_the_virtual_time_and_shows_in_the_admin_api() {
    let sb = sandbox().await;
    let user = sb.find_user(|s, ix| {
        s.user(ix).can_sign_in() && s.product_access(ix).contains(&Product::JiraSoftware)
    });
    let without = sb.find_user(|s, ix| {
        s.user(ix).can_sign_in() && !s.product_access(ix).contains(&Product::JiraSoftware)
    });
    sb.sandbox.advance_days(30).unwrap();
    let day = (start() + Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();

    let r = control(
        &sb,
        Method::POST,
        "/_sandbox/activity",
        Some(json!({"account_id": user, "product": "jira-software"})),
    )
    .await;
    let body = json_of(r, 200).await;
    assert!(time(&body["last_active"]) - start() >= Duration::days(30));

    let dates = json_of(
        sb.admin_get(&format!(
            "/v1/orgs/{{org}}/directory/users/{user}/last-active-dates"
        ))
        .await,
        200,
    )
    .await;
    let jira = dates["data"]["product_access"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["key"] == "jira-software"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(jira["last_active"], day.as_str(), "{dates}");

    // Nobody is active on a product they cannot open; unknown users and products are refused.
    let cases = [
        (
            json!({"account_id": without, "product": "jira-software"}),
            409,
        ),
        (
            json!({"account_id": "no-such-user", "product": "jira-software"}),
            404,
        ),
        (
            json!({"account_id": user, "product": "jira-work-management"}),
            400,
        ),
        (json!({"account": user}), 400),
    ];
    for (body, want) in cases {
        let r = control(&sb, Method::POST, "/_sandbox/activity", Some(body.clone())).await;
        assert_eq!(r.status().as_u16(), want, "{body}");
    }
    assert!(sb.sandbox.mark_active(&without, "jira-software").is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_events_are_dated_by_the_virtual_clock() {
    let sb = sandbox().await;
    let (user, group) = {
        let shared = sb.sandbox.shared();
        let s = shared.read();
        let ix = (0..s.users.len() as u32)
            .find(|ix| {
                let u = s.user(*ix);
                u.can_sign_in()
                    && u.groups.iter().any(|g| {
                        !s.group(*g).external_synced
                            && s.group(*g).grants.iter().any(|gr| {
                                gr.resource == Resource::Product(Product::Confluence)
                                    && gr.role == Role::User
                            })
                    })
            })
            .expect("a Confluence user");
        let u = s.user(ix);
        let g = u
            .groups
            .iter()
            .find(|g| !s.group(**g).external_synced)
            .copied()
            .expect("an unsynced group");
        (u.account_id.clone(), s.group(g).id.clone())
    };
    sb.sandbox.advance_days(100).unwrap();
    let r = sb
        .site_delete(&format!(
            "/rest/api/3/group/user?groupId={group}&accountId={user}"
        ))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let shared = sb.sandbox.shared();
    let state = shared.read();
    let last = state.events.last().expect("an event");
    assert_eq!(last.user.as_deref(), Some(user.as_str()));
    assert!(last.time - start() >= Duration::days(100), "{}", last.time);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn controls_live_under_one_prefix_and_are_not_faults() {
    let sb = sandbox().await;
    // Every request to the APIs fails, the controls still answer.
    sb.sandbox.set_fail_rate(1.0);
    let r = control(&sb, Method::GET, "/_sandbox/clock", None).await;
    assert_eq!(r.status().as_u16(), 200);
    sb.sandbox.set_fail_rate(0.0);
    // Outside the prefix there is no clock.
    let r = control(&sb, Method::GET, "/clock", None).await;
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_takes_the_clock_flag_and_serves_the_clock() {
    use std::process::Command;

    let data = tempfile::tempdir().unwrap();
    let bad = Command::new(env!("CARGO_BIN_EXE_seats"))
        .args(["sandbox", "--port", "0", "--clock", "soon"])
        .env("SEATS_DATA_DIR", data.path())
        .env("SEATS_CONFIG_DIR", data.path())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("RFC 3339"));

    let sb = SandboxProcess::start(data.path(), &["--users", "50", "--clock", "2026-01-05"]);
    let base = sb.base.clone();
    let clock = sb.banner_value("clock:").unwrap_or_default().to_owned();
    let result = async {
        if !clock.starts_with("2026-01-05T00:00:0") {
            return Err(format!("banner: {:?}", sb.banner));
        }
        let http = reqwest::Client::new();
        let now: Value = http
            .get(format!("{base}/_sandbox/clock"))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let moved: Value = http
            .post(format!("{base}/_sandbox/clock"))
            .json(&json!({"advance_days": 14}))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((now, moved))
    }
    .await;
    drop(sb);
    let (now, moved) = result.unwrap();
    assert!(
        now["now"]
            .as_str()
            .is_some_and(|t| t.starts_with("2026-01-05T00:0")),
        "{now}"
    );
    assert!(
        moved["now"]
            .as_str()
            .is_some_and(|t| t.starts_with("2026-01-19T00:0")),
        "{moved}"
    );
}
