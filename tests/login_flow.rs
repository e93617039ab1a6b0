//! `seats login` end to end: the real binary, a fake Atlassian (wiremock) that answers
//! `GET /admin/v1/orgs` and `GET /rest/api/3/myself`, and the real Secret Service. Gated like
//! the keyring tests: with SEATS_REQUIRE_KEYRING=1 a missing keyring fails them.

#[path = "support/keyring.rs"]
mod keyring_support;

use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine;
use keyring_support::{
    config_file, keyring_ready, run_with_stdin, seats_command, temp_dir, text, unique,
};
use seats::secrets::{self, SecretKind};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const EMAIL: &str = "admin@acme.example";

fn org(id: &str, name: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "type": "orgs", "attributes": {"name": name},
        "relationships": {}, "links": {"self": format!("/admin/v1/orgs/{id}")}
    })
}

/// A fake Atlassian that accepts exactly one org key and one email + site token.
async fn atlassian(key: &str, token: &str, orgs: Vec<serde_json::Value>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/admin/v1/orgs"))
        .and(header("authorization", format!("Bearer {key}").as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"data": orgs, "links": {}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/admin/v1/orgs"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(serde_json::json!({"code": 401, "message": "Unauthorized"})),
        )
        .mount(&server)
        .await;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{EMAIL}:{token}"));
    Mock::given(method("GET"))
        .and(path("/rest/api/3/myself"))
        .and(header("authorization", format!("Basic {basic}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "accountId": "5b10a2844c20165700ede21g", "displayName": "Ada Admin", "emailAddress": EMAIL,
            "accountType": "atlassian", "active": true
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/myself"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_string("Client must be authenticated to access this resource."),
        )
        .mount(&server)
        .await;
    server
}

struct Home {
    tmp: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home { tmp: temp_dir() }
    }
    fn dir(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
    fn config_file(&self) -> PathBuf {
        config_file(self.tmp.path())
    }

    /// seats with every directory it could write to (XDG ones too) inside this home, and a
    /// debug log, so a test can look for secrets in all of them.
    async fn seats(&self, args: &[&str], stdin: &str) -> Output {
        let mut cmd = seats_command(self.tmp.path(), args);
        cmd.env("XDG_CONFIG_HOME", self.dir("xdg-config"))
            .env("XDG_CACHE_HOME", self.dir("xdg-cache"))
            .env("XDG_STATE_HOME", self.dir("xdg-state"))
            .env("SEATS_LOG", "debug");
        run_with_stdin(cmd, stdin).await
    }

    /// `seats login` with both secrets on stdin, `url` as the admin and the site URL, then
    /// `extra`.
    async fn login(&self, name: &str, url: &str, extra: &[&str], stdin: &str) -> Output {
        let mut args = vec![
            "login",
            "--profile",
            name,
            "--org-api-key-stdin",
            "--site-token-stdin",
            "--admin-url",
            url,
            "--site-url",
            url,
            "--email",
            EMAIL,
        ];
        args.extend_from_slice(extra);
        self.seats(&args, stdin).await
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            files.extend(files_under(&p));
        } else {
            files.push(p);
        }
    }
    files
}

fn keyring_has(profile: &str, kind: SecretKind) -> Option<String> {
    secrets::load(profile, kind)
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|s| s.expose().to_string())
}

fn cleanup(profile: &str) {
    for kind in SecretKind::ALL {
        let _ = secrets::delete(profile, kind);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_keeps_secrets_in_the_keyring_and_nowhere_else() {
    if !keyring_ready() {
        return;
    }
    let (key, token) = (unique("ATATT-org-key"), unique("ATATT-site-token"));
    let server = atlassian(&key, &token, vec![org("org-1", "Acme")]).await;
    let home = Home::new();
    let name = unique("login");
    let url = server.uri();
    let out = home
        .login(&name, &url, &[], &format!("{key}\n{token}\n"))
        .await;
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("org-1") && said.contains(&name), "{said}");

    // The keyring holds both secrets, as a second process sees them.
    assert_eq!(
        keyring_has(&name, SecretKind::OrgApiKey).as_deref(),
        Some(key.as_str())
    );
    assert_eq!(
        keyring_has(&name, SecretKind::SiteApiToken).as_deref(),
        Some(token.as_str())
    );
    let listed = text(&home.seats(&["profiles"], "").await);
    assert!(listed.contains(&format!("{name} (default)")), "{listed}");
    assert_eq!(listed.matches("in keyring, stored").count(), 2, "{listed}");

    // The config has the profile and when each secret was stored, private to the owner.
    let config = seats::config::load_from(&home.config_file()).unwrap_or_else(|e| panic!("{e}"));
    let profile = config.profiles.get(&name).cloned().unwrap_or_default();
    assert_eq!(profile.org_id.as_deref(), Some("org-1"));
    assert_eq!(profile.email.as_deref(), Some(EMAIL));
    assert!(profile.org_api_key_stored_at.is_some() && profile.site_api_token_stored_at.is_some());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.config_file())
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        assert_eq!(mode, 0o600);
    }

    // No file the run could write (config, data with the debug log, XDG dirs) holds a secret.
    let files = files_under(home.tmp.path());
    assert!(files.iter().any(|f| f.ends_with("config.toml")));
    for f in files {
        let body = String::from_utf8_lossy(&std::fs::read(&f).unwrap_or_default()).into_owned();
        assert!(
            !body.contains(&key) && !body.contains(&token),
            "{} holds a secret",
            f.display()
        );
    }
    cleanup(&name);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_org_key_keeps_nothing() {
    if !keyring_ready() {
        return;
    }
    let server = atlassian("right-key", "right-token", vec![org("org-1", "Acme")]).await;
    let home = Home::new();
    let name = unique("wrongkey");
    let url = server.uri();
    let out = home
        .login(&name, &url, &[], "wrong-key\nright-token\n")
        .await;
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("org API key did not work") && said.contains("nothing was kept"),
        "{said}"
    );
    assert!(
        !home.config_file().exists(),
        "a refused login wrote config.toml"
    );
    assert_eq!(keyring_has(&name, SecretKind::OrgApiKey), None);
    assert_eq!(keyring_has(&name, SecretKind::SiteApiToken), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_site_token_keeps_nothing_not_even_the_good_org_key() {
    if !keyring_ready() {
        return;
    }
    let server = atlassian("right-key", "right-token", vec![org("org-1", "Acme")]).await;
    let home = Home::new();
    let name = unique("wrongtoken");
    let url = server.uri();
    let out = home
        .login(&name, &url, &[], "right-key\nwrong-token\n")
        .await;
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("site email and API token did not work"),
        "{said}"
    );
    assert!(!home.config_file().exists());
    assert_eq!(keyring_has(&name, SecretKind::OrgApiKey), None);
    assert_eq!(keyring_has(&name, SecretKind::SiteApiToken), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_orgs_without_a_terminal_need_org_id_and_the_first_profile_is_the_default() {
    if !keyring_ready() {
        return;
    }
    let server = atlassian(
        "k",
        "t",
        vec![org("org-1", "Acme"), org("org-2", "Acme EU")],
    )
    .await;
    let home = Home::new();
    let (first, second) = (unique("first"), unique("second"));
    let url = server.uri();
    let out = home.login(&first, &url, &[], "k\nt\n").await;
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("--org-id") && said.contains("org-1") && said.contains("org-2"),
        "{said}"
    );
    assert!(!home.config_file().exists());

    let out = home
        .login(&first, &url, &["--org-id", "org-2"], "k\nt\n")
        .await;
    assert!(out.status.success(), "{}", text(&out));
    let out = home
        .login(&second, &url, &["--org-id", "org-1"], "k\nt\n")
        .await;
    assert!(out.status.success(), "{}", text(&out));
    let config = seats::config::load_from(&home.config_file()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.default_profile.as_deref(), Some(first.as_str()));
    assert_eq!(
        config
            .profiles
            .get(&first)
            .and_then(|p| p.org_id.as_deref()),
        Some("org-2")
    );

    let out = home
        .login(&second, &url, &["--org-id", "org-1", "--default"], "k\nt\n")
        .await;
    assert!(out.status.success(), "{}", text(&out));
    let config = seats::config::load_from(&home.config_file()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.default_profile.as_deref(), Some(second.as_str()));
    cleanup(&first);
    cleanup(&second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_terminal_a_missing_value_names_its_flag_before_any_request() {
    if !keyring_ready() {
        return;
    }
    let home = Home::new();
    let name = unique("missing");
    // No server at all: the error must come before any request. Each case: the flags between
    // the profile and the email, what stdin holds, what the error must name.
    let cases: [(&[&str], &str, &str); 3] = [
        (
            &["--org-api-key-stdin", "--site-token-stdin"],
            "k\nt\n",
            "--site-url",
        ),
        (
            &[
                "--org-api-key-stdin",
                "--site-url",
                "https://x.atlassian.net",
            ],
            "k\n",
            "--site-token-stdin",
        ),
        (
            &[
                "--org-api-key-stdin",
                "--site-token-stdin",
                "--site-url",
                "https://x.atlassian.net",
            ],
            "k\n",
            "line 2",
        ),
    ];
    for (flags, stdin, named) in cases {
        let mut args = vec!["login", "--profile", &name];
        args.extend_from_slice(flags);
        args.extend(["--email", EMAIL]);
        let out = home.seats(&args, stdin).await;
        let said = text(&out);
        assert!(!out.status.success());
        assert!(said.contains(named), "{said}");
    }
    assert!(!home.config_file().exists());
}
