//! A credential that never shows itself in `Debug`, `Display` or logs, and knows where it came
//! from so that every message about it can say which one and from where.

use std::fmt;
use std::sync::Mutex;

/// Every credential value seen in this process, so a panic message can be logged without it.
static KNOWN: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn remember(value: &str) {
    // Short values would blank ordinary words; real keys and tokens are long.
    if value.len() < 8 {
        return;
    }
    let mut known = KNOWN.lock().unwrap_or_else(|p| p.into_inner());
    if !known.iter().any(|k| k == value) {
        known.push(value.to_owned());
    }
}

/// `text` with every credential this process has held replaced by `***` (panic messages).
pub fn redact(text: &str) -> String {
    let known = KNOWN.lock().unwrap_or_else(|p| p.into_inner());
    let mut out = text.to_owned();
    // Longest first: a Basic header holds no key, but one key may contain another.
    let mut values: Vec<&String> = known.iter().collect();
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    for v in values {
        out = out.replace(v.as_str(), "***");
    }
    out
}

/// Where a credential entered seats; named in every message about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable (`SEATS_ORG_API_KEY`, `SEATS_SITE_API_TOKEN`).
    Env(&'static str),
    /// The OS keyring entry of a profile.
    Keyring { profile: String },
    /// A line of standard input (`seats login --org-api-key-stdin`).
    Stdin { line: usize },
    /// Typed at a hidden prompt.
    Prompt,
}

impl fmt::Display for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Env(var) => write!(f, "the environment variable {var}"),
            SecretSource::Keyring { profile } => {
                write!(f, "the OS keyring (profile {profile})")
            }
            SecretSource::Stdin { line } => write!(f, "line {line} of standard input"),
            SecretSource::Prompt => f.write_str("the prompt"),
        }
    }
}

/// A credential that cannot be used as entered. Names the credential and its source, never
/// the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("the {what} from {from} is empty")]
    Empty {
        what: &'static str,
        from: SecretSource,
    },
    #[error(
        "the {what} from {from} holds {problem} at character {position}, which no HTTP header can carry: \
         copy it again from where it was created (only the key itself, no quotes)"
    )]
    Unusable {
        what: &'static str,
        from: SecretSource,
        problem: &'static str,
        position: usize,
    },
}

/// An API key or token. Read it only where it goes on the wire or into the keyring.
#[derive(Clone)]
pub struct Secret {
    value: String,
    origin: Option<(&'static str, SecretSource)>,
}

impl Secret {
    /// A value seats made itself (the sandbox's keys, a header built from a token).
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        remember(&value);
        Secret {
            value,
            origin: None,
        }
    }

    /// A credential as it enters seats (environment, keyring, stdin, prompt): surrounding
    /// whitespace (a copy-paste, `echo` into a file) is trimmed; what is left must be
    /// printable ASCII without spaces, as every Atlassian key and token is.
    pub fn entered(
        raw: &str,
        what: &'static str,
        source: SecretSource,
    ) -> Result<Secret, CredentialError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(CredentialError::Empty { what, from: source });
        }
        if let Some((i, c)) = value
            .chars()
            .enumerate()
            .find(|(_, c)| !c.is_ascii_graphic())
        {
            let problem = if c.is_whitespace() {
                "a space or line break"
            } else if c.is_control() {
                "a control character"
            } else {
                "a non-ASCII character"
            };
            return Err(CredentialError::Unusable {
                what,
                from: source,
                problem,
                position: i + 1,
            });
        }
        remember(value);
        Ok(Secret {
            value: value.to_owned(),
            origin: Some((what, source)),
        })
    }

    /// The raw value, for the Authorization header or the keyring only.
    pub fn expose(&self) -> &str {
        &self.value
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// Where it came from, when it came from outside.
    pub fn source(&self) -> Option<&SecretSource> {
        self.origin.as_ref().map(|(_, s)| s)
    }

    /// "the org API key from the environment variable SEATS_ORG_API_KEY", or `fallback` when
    /// seats does not know where it came from.
    pub fn describe(&self, fallback: &str) -> String {
        match &self.origin {
            Some((what, source)) => format!("the {what} from {source}"),
            None => format!("the {fallback}"),
        }
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("ATATT-very-secret");
        assert!(!format!("{s:?}").contains("very-secret"));
        assert!(!format!("{s}").contains("very-secret"));
        assert_eq!(s.expose(), "ATATT-very-secret");
    }

    #[test]
    fn redaction_blanks_every_secret_seen() {
        let _s = Secret::new("redact-me-please-0123");
        let _t = Secret::entered(
            " typed-token-456789\n",
            "site API token",
            SecretSource::Prompt,
        );
        assert_eq!(
            redact("a redact-me-please-0123 b typed-token-456789 c"),
            "a *** b *** c"
        );
    }

    #[test]
    fn every_source_trims_and_names_itself() {
        let sources = [
            SecretSource::Env("SEATS_ORG_API_KEY"),
            SecretSource::Keyring {
                profile: "work".into(),
            },
            SecretSource::Stdin { line: 2 },
            SecretSource::Prompt,
        ];
        for source in sources {
            let s = Secret::entered(" ATATT-key\r\n", "org API key", source.clone()).unwrap();
            assert_eq!(s.expose(), "ATATT-key");
            assert_eq!(s.source(), Some(&source));
            let e = Secret::entered("ATA TT\n", "org API key", source.clone()).unwrap_err();
            let msg = e.to_string();
            assert!(
                msg.contains("org API key") && msg.contains(&source.to_string()),
                "{msg}"
            );
            assert!(!msg.contains("ATA"), "{msg}");
            let e = Secret::entered("\n", "site API token", source.clone()).unwrap_err();
            assert!(matches!(e, CredentialError::Empty { .. }), "{e}");
        }
        let e = Secret::entered("abc\u{1}", "org API key", SecretSource::Prompt).unwrap_err();
        assert!(
            e.to_string().contains("control character at character 4"),
            "{e}"
        );
    }
}
