//! The OS keyring: store, read and delete credentials.
//!
//! Service `seats`, one entry per profile and secret: user `PROFILE/org-api-key` and
//! `PROFILE/site-api-token`. Secrets live here and nowhere else: when the keyring does not work
//! the caller gets [`KeyringError::Unavailable`], never a fallback to a file or to memory.
//!
//! Every call runs on a fresh plain thread: with the `async-secret-service` + `tokio` backend,
//! zbus drives its blocking API with its own current-thread tokio runtime, which panics or
//! deadlocks on a thread that already runs inside our runtime. A plain thread has no runtime
//! context, and the timeout keeps a keyring that waits on an unlock prompt from hanging seats.

use std::fmt;
use std::sync::mpsc;
use std::time::Duration;

use crate::atlassian::{Secret, SecretSource};

/// Keyring service name of every seats entry.
pub const SERVICE: &str = "seats";

/// How long one keyring call may take before seats gives up on it.
const CALL_TIMEOUT: Duration = Duration::from_secs(20);

/// The two secrets a profile holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    /// Bearer key of the Organizations admin and User management APIs.
    OrgApiKey,
    /// API token for basic auth against the Jira and Confluence site.
    SiteApiToken,
}

impl SecretKind {
    pub const ALL: [SecretKind; 2] = [SecretKind::OrgApiKey, SecretKind::SiteApiToken];

    /// Suffix of the keyring user name.
    pub fn key(self) -> &'static str {
        match self {
            SecretKind::OrgApiKey => "org-api-key",
            SecretKind::SiteApiToken => "site-api-token",
        }
    }

    /// Words for messages.
    pub fn label(self) -> &'static str {
        match self {
            SecretKind::OrgApiKey => "org API key",
            SecretKind::SiteApiToken => "site API token",
        }
    }

    /// The environment variable that replaces this secret for automation.
    pub fn env_var(self) -> &'static str {
        match self {
            SecretKind::OrgApiKey => "SEATS_ORG_API_KEY",
            SecretKind::SiteApiToken => "SEATS_SITE_API_TOKEN",
        }
    }
}

/// Keyring user name of one secret of one profile.
pub fn entry_user(profile: &str, kind: SecretKind) -> String {
    format!("{profile}/{}", kind.key())
}

#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// No usable keyring: no D-Bus session, no Secret Service, a locked keyring, a timeout.
    #[error("{}", unavailable_message(.0))]
    Unavailable(String),
    /// The keyring works but refused or garbled this entry.
    #[error("the OS keyring failed on entry {user:?} of service \"seats\": {detail}")]
    Entry { user: String, detail: String },
}

fn unavailable_message(detail: &str) -> String {
    let fix = if cfg!(target_os = "linux")
        || cfg!(target_os = "freebsd")
        || cfg!(target_os = "openbsd")
    {
        "Start a Secret Service and unlock it: install gnome-keyring (Debian/Ubuntu: apt-get install \
         gnome-keyring) in a desktop or D-Bus session and unlock it, e.g. \
         `printf %s PASSWORD | gnome-keyring-daemon --unlock --components=secrets`"
    } else if cfg!(target_os = "macos") {
        "Unlock the login keychain (Keychain Access)"
    } else {
        "Check that Windows Credential Manager is available to this user"
    };
    format!(
        "no OS keyring: {detail}. seats keeps secrets only in the OS keyring and writes nothing \
         to disk instead. {fix}; or, for automation, pass the secrets in the environment \
         variables SEATS_ORG_API_KEY and SEATS_SITE_API_TOKEN."
    )
}

/// Runs one keyring call on a plain thread, with a timeout.
fn off_runtime<T: Send + 'static>(
    what: &'static str,
    call: impl FnOnce() -> Result<T, KeyringError> + Send + 'static,
) -> Result<T, KeyringError> {
    off_runtime_within(CALL_TIMEOUT, what, call)
}

fn off_runtime_within<T: Send + 'static>(
    timeout: Duration,
    what: &'static str,
    call: impl FnOnce() -> Result<T, KeyringError> + Send + 'static,
) -> Result<T, KeyringError> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("seats-keyring".into())
        .spawn(move || {
            // The receiver is gone only after a timeout; nothing to report then.
            let _ = tx.send(call());
        })
        .map_err(|e| {
            KeyringError::Unavailable(format!("could not start the keyring thread ({e})"))
        })?;
    match rx.recv_timeout(timeout) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(KeyringError::Unavailable(format!(
            "the keyring did not answer within {} s while {what} (is it locked and waiting for a password prompt?)",
            timeout.as_secs_f32()
        ))),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(KeyringError::Unavailable(format!(
            "the keyring thread stopped while {what}"
        ))),
    }
}

/// Sorts keyring errors into "no keyring at all" and "this entry failed".
fn classify(user: &str, err: keyring::Error) -> KeyringError {
    match err {
        keyring::Error::PlatformFailure(e) => {
            KeyringError::Unavailable(format!("the keyring cannot be reached ({e})"))
        }
        keyring::Error::NoStorageAccess(e) => {
            KeyringError::Unavailable(format!("the keyring is locked or refuses access ({e})"))
        }
        // Display of the other variants names the entry or the limit, never the secret.
        other => KeyringError::Entry {
            user: user.to_string(),
            detail: other.to_string(),
        },
    }
}

fn entry(user: &str) -> Result<keyring::Entry, KeyringError> {
    keyring::Entry::new(SERVICE, user).map_err(|e| classify(user, e))
}

/// Stores (or replaces) one secret of a profile.
pub fn store(profile: &str, kind: SecretKind, secret: &Secret) -> Result<(), KeyringError> {
    let user = entry_user(profile, kind);
    let value = secret.clone();
    off_runtime("storing a secret", move || {
        entry(&user)?
            .set_password(value.expose())
            .map_err(|e| classify(&user, e))
    })?;
    tracing::info!(
        profile,
        secret = kind.key(),
        "stored a secret in the OS keyring"
    );
    Ok(())
}

/// Reads one secret of a profile; `None` when the keyring has no such entry. An entry stored
/// outside seats (`secret-tool store` from `echo`) is trimmed like any credential entering.
pub fn load(profile: &str, kind: SecretKind) -> Result<Option<Secret>, KeyringError> {
    let user = entry_user(profile, kind);
    let source = SecretSource::Keyring {
        profile: profile.to_string(),
    };
    off_runtime("reading a secret", move || {
        match entry(&user)?.get_password() {
            Ok(value) => Secret::entered(&value, kind.label(), source)
                .map(Some)
                .map_err(|e| KeyringError::Entry {
                    user: user.clone(),
                    detail: e.to_string(),
                }),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(&user, e)),
        }
    })
}

/// Whether the keyring holds this secret, without handing out its value.
pub fn exists(profile: &str, kind: SecretKind) -> Result<bool, KeyringError> {
    load(profile, kind).map(|s| s.is_some())
}

/// Deletes one secret of a profile; `false` when there was none.
pub fn delete(profile: &str, kind: SecretKind) -> Result<bool, KeyringError> {
    let user = entry_user(profile, kind);
    let removed = off_runtime("deleting a secret", move || {
        match entry(&user)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(classify(&user, e)),
        }
    })?;
    if removed {
        tracing::info!(
            profile,
            secret = kind.key(),
            "deleted a secret from the OS keyring"
        );
    }
    Ok(removed)
}

/// Checks that the keyring answers (reads an entry that need not exist) before anything is
/// asked of the admin, so a box without a keyring fails at once and writes nothing.
pub fn probe() -> Result<(), KeyringError> {
    let user = "seats-probe/none".to_string();
    off_runtime("checking the keyring", move || {
        match entry(&user)?.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(classify(&user, e)),
        }
    })
}

impl fmt::Display for SecretKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_are_per_profile_and_secret() {
        assert_eq!(
            entry_user("work", SecretKind::OrgApiKey),
            "work/org-api-key"
        );
        assert_eq!(
            entry_user("work", SecretKind::SiteApiToken),
            "work/site-api-token"
        );
    }

    #[test]
    fn a_keyring_that_does_not_answer_is_reported_not_waited_for() {
        let result = off_runtime_within(Duration::from_millis(50), "testing", || {
            std::thread::sleep(Duration::from_secs(2));
            Ok(())
        });
        let msg = result.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            msg.contains("did not answer") && msg.contains("no OS keyring"),
            "{msg}"
        );
    }

    #[test]
    fn no_keyring_message_says_what_is_missing_and_how_to_fix_it() {
        let msg =
            KeyringError::Unavailable("the keyring cannot be reached (no bus)".into()).to_string();
        assert!(msg.contains("no OS keyring"), "{msg}");
        assert!(msg.contains("no bus"), "{msg}");
        assert!(
            msg.contains("SEATS_ORG_API_KEY") && msg.contains("SEATS_SITE_API_TOKEN"),
            "{msg}"
        );
        if cfg!(target_os = "linux") {
            assert!(msg.contains("gnome-keyring"), "{msg}");
        }
    }
}
