//! The database never holds a secret: a directory fetched from the sandbox with its key and
//! token is saved, and no file in the data folder contains either. It holds only because the
//! store's API takes no credential (a `Directory`, a scope, SQL): this guards that staying so.

use seats::atlassian::fetch::{FetchOptions, fetch_directory};
use seats::atlassian::{Client, Connection, Secret};
use seats::sandbox::{DEFAULT_ORG_API_KEY, DEFAULT_SITE_TOKEN, SandboxConfig, start};
use seats::store::{FILE_NAME, Store};

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_database_files() {
    let cfg = SandboxConfig {
        users: 300,
        ..SandboxConfig::default()
    };
    let sandbox = start(cfg.clone()).await.unwrap();
    let conn = Connection {
        admin_url: Some(sandbox.base_url()),
        site_url: Some(sandbox.site_url()),
        org_id: Some(sandbox.org_id()),
        email: Some(cfg.site_email.clone()),
        org_api_key: Some(Secret::new(cfg.org_api_key.clone())),
        site_token: Some(Secret::new(cfg.site_token.clone())),
    };
    let client = Client::new(&conn).unwrap();
    let dir = fetch_directory(&client, &sandbox.org_id(), FetchOptions::default())
        .await
        .unwrap();
    assert!(dir.users.len() > 100, "{} users", dir.users.len());
    assert_eq!(cfg.org_api_key, DEFAULT_ORG_API_KEY);
    assert_eq!(cfg.site_token, DEFAULT_SITE_TOKEN);

    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(FILE_NAME);
    let (mut store, _) = Store::open(&path).unwrap();
    store.save_snapshot("sandbox", &dir).unwrap();
    // While the store is open the commit sits in the log; after it closes, in the file.
    let someone = dir.users[0].account_id.clone();
    assert!(scan(tmp.path(), &someone, "while open"));
    drop(store);
    assert!(scan(tmp.path(), &someone, "after closing"));
}

/// Asserts no file in `folder` holds a secret; true when one holds `marker` (so the scan read
/// what was saved).
fn scan(folder: &std::path::Path, marker: &str, when: &str) -> bool {
    let mut seen = false;
    for entry in std::fs::read_dir(folder).unwrap() {
        let file = entry.unwrap().path();
        let bytes = std::fs::read(&file).unwrap();
        seen |= contains(&bytes, marker.as_bytes());
        for secret in [DEFAULT_ORG_API_KEY, DEFAULT_SITE_TOKEN] {
            assert!(
                !contains(&bytes, secret.as_bytes()),
                "{} holds a secret {when}",
                file.display()
            );
        }
    }
    seen
}
