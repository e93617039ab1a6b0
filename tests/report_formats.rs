//! `seats report --format table|json|csv`: the same numbers in each format, counted from a
//! directory built here; snake_case CSV headers; one number and money format; an unpriced
//! product counts at 0 with a note; and the binary's output for scripts against the sandbox.

#[path = "support/sandbox.rs"]
mod sandbox_support;

use chrono::{DateTime, Duration, TimeZone, Utc};
use seats::cli::ReportFormat;
use seats::commands::report::render;
use seats::config::Config;
use seats::domain::{
    AccountType, Directory, GroupRef, Product, ProductAccess, Seats, SeatsSource, User, UserStatus,
};
use seats::sandbox::SandboxConfig;
use serde_json::Value;

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap()
}

fn user(i: usize, access: &[(&str, Option<i64>)]) -> User {
    User {
        account_id: format!("acc-{i}"),
        name: format!("User {i}"),
        email: Some(format!("u{i}@acme.example")),
        account_type: AccountType::Atlassian,
        status: UserStatus::Active,
        groups: vec![GroupRef {
            id: "g".into(),
            name: "staff".into(),
        }],
        product_access: access
            .iter()
            .map(|(k, days)| ProductAccess {
                product: (*k).into(),
                last_active: days.map(|d| at() - Duration::days(d)),
                resource: None,
            })
            .collect(),
        managed: true,
        synced: false,
        org_admin: false,
        site_admin: false,
    }
}

/// 1,203 users: 1,200 hold Jira Software (150 of them idle 100 days, 50 never active), one holds
/// Loom (never used), two hold nothing. Jira Software has 1,500 seats licensed.
fn directory() -> Directory {
    let mut users = Vec::new();
    for i in 0..1_200 {
        let days = match i {
            0..50 => None,
            50..200 => Some(100),
            _ => Some(3),
        };
        users.push(user(i, &[("jira-software", days)]));
    }
    users.push(user(1_200, &[("loom", None)]));
    users.push(user(1_201, &[]));
    users.push(user(1_202, &[]));
    Directory {
        org_id: "org-1".into(),
        fetched_at: at(),
        users,
        groups: vec![],
        seats: vec![Seats::new(
            Product::new("jira-software"),
            Some(1_500),
            1_200,
            SeatsSource::JiraApplicationRole,
        )],
    }
}

fn config() -> Config {
    let mut c = Config::default();
    c.prices.per_user_month.insert("jira-software".into(), 8.6);
    c
}

#[test]
fn the_table_uses_plurals_separators_and_money() {
    let text = render(&directory(), &config(), ReportFormat::Table).unwrap();
    assert!(
        text.contains("1,203 users fetched at 2026-11-22 00:00 UTC"),
        "{text}"
    );
    let jsw = text
        .lines()
        .find(|l| l.starts_with("Jira Software"))
        .unwrap();
    // 200 idle × 8.60 = 1,720.00.
    for part in ["1,200/1,500", "1,200", "200 ≥90d", "50", "USD 1,720.00"] {
        assert!(jsw.contains(part), "{part} in {jsw}");
    }
    let loom = text.lines().find(|l| l.starts_with("Loom")).unwrap();
    assert!(loom.contains("USD 0.00 *"), "{loom}");
    assert!(
        text.contains("No price configured for Loom (loom): counted at USD 0.00")
            && text.contains("[prices.per_user_month]"),
        "{text}"
    );
    assert!(
        text.contains("Idle seats cost up to USD 1,720.00 a month"),
        "{text}"
    );

    // One user: singular.
    let mut one = directory();
    one.users.truncate(1);
    let text = render(&one, &config(), ReportFormat::Table).unwrap();
    assert!(text.contains("\n1 user fetched"), "{text}");
}

#[test]
fn json_holds_the_same_numbers_for_scripts() {
    let text = render(&directory(), &config(), ReportFormat::Json).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["org_id"], "org-1");
    assert_eq!(v["fetched_at"], "2026-11-22T00:00:00Z");
    assert_eq!(v["users"], 1_203);
    assert_eq!(v["currency"], "USD");
    assert_eq!(v["idle_cost_per_month"], 1_720.0);
    assert_eq!(v["unpriced_products"], serde_json::json!(["loom"]));
    let products = v["products"].as_array().unwrap();
    assert_eq!(products.len(), 2);
    let jsw = products
        .iter()
        .find(|p| p["product"] == "jira-software")
        .unwrap();
    assert_eq!(jsw["name"], "Jira Software");
    assert_eq!(jsw["seats_used"], 1_200);
    assert_eq!(jsw["seats_limit"], 1_500);
    assert_eq!(jsw["holders"], 1_200);
    assert_eq!(jsw["idle"], 200);
    assert_eq!(jsw["never_active"], 50);
    assert_eq!(jsw["threshold_days"], 90);
    assert_eq!(jsw["price_per_user_month"], 8.6);
    assert_eq!(jsw["price_configured"], true);
    assert_eq!(jsw["idle_cost_per_month"], 1_720.0);
    let loom = products.iter().find(|p| p["product"] == "loom").unwrap();
    assert_eq!(loom["name"], "Loom");
    assert!(loom["price_per_user_month"].is_null());
    assert_eq!(loom["price_configured"], false);
    assert_eq!(loom["idle_cost_per_month"], 0.0);
    assert!(loom["seats_used"].is_null());
}

#[test]
fn csv_has_snake_case_headers_and_one_row_per_product() {
    let text = render(&directory(), &config(), ReportFormat::Csv).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "product",
            "name",
            "seats_used",
            "seats_limit",
            "holders",
            "idle",
            "never_active",
            "threshold_days",
            "price_per_user_month",
            "price_configured",
            "idle_cost_per_month",
            "currency"
        ]
    );
    for h in &header {
        assert!(h.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{h}");
    }
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    let jsw = rows.iter().find(|r| &r[0] == "jira-software").unwrap();
    assert_eq!(
        jsw.iter().collect::<Vec<_>>(),
        [
            "jira-software",
            "Jira Software",
            "1200",
            "1500",
            "1200",
            "200",
            "50",
            "90",
            "8.6",
            "true",
            "1720.0",
            "USD"
        ]
    );
    let loom = rows.iter().find(|r| &r[0] == "loom").unwrap();
    assert_eq!(&loom[8], "");
    assert_eq!(&loom[9], "false");

    // No product held: the header still comes.
    let mut empty = directory();
    empty.users.clear();
    let text = render(&empty, &config(), ReportFormat::Csv).unwrap();
    assert!(text.starts_with("product,name,seats_used"), "{text}");
}

/// The binary against the sandbox: stdout is exactly the data in each format, and the three
/// formats agree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_prints_each_format_on_stdout() {
    let sb = sandbox_support::start_bare(300).await;
    let cfg = SandboxConfig::default();
    let home = tempfile::tempdir().unwrap();
    let run = |format: &'static str| {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_seats"));
        cmd.args(["report", "--format", format])
            .args(["--admin-url", &sb.base_url(), "--site-url", &sb.base_url()])
            .args(["--org-id", &sb.org_id(), "--email", &cfg.site_email])
            .env("SEATS_ORG_API_KEY", &cfg.org_api_key)
            .env("SEATS_SITE_API_TOKEN", &cfg.site_token)
            .env_remove("SEATS_PROFILE")
            .env("SEATS_CONFIG_DIR", home.path().join("config"))
            .env("SEATS_DATA_DIR", home.path().join("data"));
        cmd
    };
    let json = run("json").output().await.unwrap();
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["org_id"], sb.org_id());
    let products = v["products"].as_array().unwrap();
    assert!(!products.is_empty());

    let csv_out = run("csv").output().await.unwrap();
    assert!(csv_out.status.success());
    let mut r = csv::Reader::from_reader(&csv_out.stdout[..]);
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), products.len());
    for (row, p) in rows.iter().zip(products) {
        assert_eq!(&row[0], p["product"].as_str().unwrap());
        assert_eq!(row[5].parse::<u64>().unwrap(), p["idle"].as_u64().unwrap());
    }

    let table = run("table").output().await.unwrap();
    assert!(table.status.success());
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains(&format!("{} users fetched", v["users"])),
        "{text}"
    );
    assert!(text.contains("idle cost/month"), "{text}");
}
