//! Login against the sandbox's Organizations admin API, then a second process, `seats status`,
//! connects with what the first stored in the real keyring. The sandbox has no Jira `/myself`
//! yet, so a wiremock answers that one call for the site check.

#[path = "support/keyring.rs"]
mod keyring_support;

use std::path::Path;
use std::process::Output;

use base64::Engine;
use keyring_support::{
    config_file, keyring_ready, run_with_stdin, seats_command, temp_dir, text, unique,
};
use seats::sandbox::{
    self, DEFAULT_ORG_API_KEY, DEFAULT_ORG_ID, DEFAULT_SITE_EMAIL, DEFAULT_SITE_TOKEN,
    SandboxConfig,
};
use seats::secrets::{self, SecretKind};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn site_myself() -> MockServer {
    let server = MockServer::start().await;
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{DEFAULT_SITE_EMAIL}:{DEFAULT_SITE_TOKEN}"));
    Mock::given(method("GET"))
        .and(path("/rest/api/3/myself"))
        .and(header("authorization", format!("Basic {basic}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "accountId": "5b10a2844c20165700ede21g", "displayName": "Sandbox Admin",
            "emailAddress": DEFAULT_SITE_EMAIL, "accountType": "atlassian", "active": true
        })))
        .mount(&server)
        .await;
    server
}

async fn seats(dir: &Path, args: &[&str], stdin: &str) -> Output {
    run_with_stdin(seats_command(dir, args), stdin).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_in_a_second_process_uses_what_login_stored() {
    if !keyring_ready() {
        return;
    }
    let sandbox = sandbox::start(SandboxConfig {
        users: 50,
        ..SandboxConfig::default()
    })
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    let site = site_myself().await;
    let tmp = temp_dir();
    let name = unique("sandbox");
    let (admin, site_url) = (sandbox.base_url(), site.uri());
    let login = [
        "login",
        "--profile",
        &name,
        "--org-api-key-stdin",
        "--site-token-stdin",
        "--admin-url",
        &admin,
        "--site-url",
        &site_url,
        "--email",
        DEFAULT_SITE_EMAIL,
    ];

    // A key the sandbox refuses keeps nothing.
    let out = seats(
        tmp.path(),
        &login,
        &format!("not-the-key\n{DEFAULT_SITE_TOKEN}\n"),
    )
    .await;
    assert!(!out.status.success(), "{}", text(&out));
    assert!(!config_file(tmp.path()).exists());
    assert_eq!(
        secrets::exists(&name, SecretKind::OrgApiKey).ok(),
        Some(false)
    );

    let out = seats(
        tmp.path(),
        &login,
        &format!("{DEFAULT_ORG_API_KEY}\n{DEFAULT_SITE_TOKEN}\n"),
    )
    .await;
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains(DEFAULT_ORG_ID), "{said}");

    // No flags, no environment: the default profile and the keyring give status its connection,
    // and the sandbox accepts only the real key.
    let out = seats(tmp.path(), &["status"], "").await;
    let shown = text(&out);
    let admin_line = shown
        .lines()
        .find(|l| l.starts_with("admin API") && !l.contains("URL"))
        .unwrap_or_default();
    assert!(admin_line.contains("answers"), "{shown}");
    assert!(shown.contains(DEFAULT_ORG_ID), "{shown}");
    assert!(
        !shown.contains(DEFAULT_ORG_API_KEY) && !shown.contains(DEFAULT_SITE_TOKEN),
        "{shown}"
    );

    // After logout the same status has no key to send.
    let out = seats(tmp.path(), &["logout"], "").await;
    assert!(out.status.success(), "{}", text(&out));
    let shown = text(&seats(tmp.path(), &["status"], "").await);
    assert!(shown.contains("no org API key"), "{shown}");
}
