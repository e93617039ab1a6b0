//! Errors an admin can act on, parsed from every body shape the Atlassian APIs return.
//!
//! Messages carry the status, what was refused and what to do. They never carry a header,
//! a credential or a raw query string.
//!
//! Long: its last hundred lines are the unit tests, beside the private body parsers they test.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

/// The API families: each has its own credentials, rate limits and error wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// Organizations admin API (`/admin`), Bearer org API key.
    Admin,
    /// User management API (`/users/{id}/manage`), Bearer org API key.
    UserManagement,
    /// Jira platform API on the site, basic auth.
    Jira,
    /// Confluence API on the site (`/wiki`), basic auth.
    Confluence,
}

impl Family {
    pub const ALL: [Family; 4] = [
        Family::Admin,
        Family::UserManagement,
        Family::Jira,
        Family::Confluence,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Family::Admin => "organization admin API",
            Family::UserManagement => "user management API",
            Family::Jira => "Jira API",
            Family::Confluence => "Confluence API",
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            Family::Admin => 0,
            Family::UserManagement => 1,
            Family::Jira => 2,
            Family::Confluence => 3,
        }
    }

    fn uses_org_key(self) -> bool {
        matches!(self, Family::Admin | Family::UserManagement)
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What a 404 means for the request that got it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Subject {
    /// A call scoped to the org: a 404 means the key cannot see the org.
    Org(String),
    User(String),
    Group(String),
    #[default]
    Other,
}

/// Codes and messages found in an error body, whatever its shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorBody {
    pub codes: Vec<String>,
    pub messages: Vec<String>,
}

impl ErrorBody {
    /// Reads admin `errors[]`, gateway `{code,message}`, `NoPermsError`, user management
    /// `{key,context}`, Jira `errorMessages/errors` and Confluence `{message}`; anything else
    /// (empty, HTML, odd JSON) gives an empty body rather than an error.
    pub fn parse(bytes: &[u8]) -> ErrorBody {
        let mut out = ErrorBody::default();
        let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
            return out;
        };
        let text = |v: &Value| {
            v.as_str()
                .map(str::to_owned)
                .or_else(|| v.as_number().map(|n| n.to_string()))
        };
        if let Some(errors) = value.get("errors").and_then(Value::as_array) {
            for e in errors {
                if let Some(code) = e.get("code").and_then(text) {
                    out.codes.push(code);
                }
                let title = e.get("title").and_then(Value::as_str);
                let detail = e.get("detail").and_then(Value::as_str);
                match (title, detail) {
                    (Some(t), Some(d)) if t != d => out.messages.push(format!("{t}: {d}")),
                    (_, Some(d)) => out.messages.push(d.to_owned()),
                    (Some(t), None) => out.messages.push(t.to_owned()),
                    (None, None) => {}
                }
            }
        }
        // Jira: {"errorMessages": [...], "errors": {"field": "message"}}
        if let Some(msgs) = value.get("errorMessages").and_then(Value::as_array) {
            out.messages
                .extend(msgs.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        if let Some(fields) = value.get("errors").and_then(Value::as_object) {
            for (field, msg) in fields {
                if let Some(m) = msg.as_str() {
                    out.messages.push(format!("{field}: {m}"));
                }
            }
        }
        // User management: {"key": "forbidden.targetUnverified", "context": ...}
        if let Some(key) = value.get("key").and_then(Value::as_str) {
            out.codes.push(key.to_owned());
            if let Some(msg) = value.pointer("/context/message").and_then(Value::as_str) {
                out.messages.push(msg.to_owned());
            }
            if let Some(codes) = value
                .pointer("/context/errorCodes")
                .and_then(Value::as_array)
            {
                for c in codes {
                    if let Some(m) = c.get("message").and_then(Value::as_str) {
                        out.messages.push(m.to_owned());
                    }
                }
            }
        }
        // Gateway {code, message}, NoPermsError {error, message}, Confluence {message}.
        if let Some(code) = value.get("code").and_then(text) {
            out.codes.push(code);
        }
        if let Some(msg) = value.get("message").and_then(Value::as_str) {
            out.messages.push(msg.to_owned());
        }
        out.messages.dedup();
        out
    }

    pub fn has_code(&self, code: &str) -> bool {
        self.codes.iter().any(|c| c.eq_ignore_ascii_case(code))
    }

    pub fn mentions(&self, needle: &str) -> bool {
        let needle = needle.to_ascii_lowercase();
        self.messages
            .iter()
            .chain(&self.codes)
            .any(|m| m.to_ascii_lowercase().contains(&needle))
    }

    /// The server's own words, for the end of a message; empty when it gave none.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = self.messages.iter().take(3).cloned().collect();
        if parts.is_empty() && !self.codes.is_empty() {
            parts.push(self.codes.join(", "));
        }
        let joined = parts.join("; ");
        if joined.is_empty() {
            String::new()
        } else {
            // The server's text is bounded so one odd body cannot flood a terminal.
            let short: String = joined.chars().take(300).collect();
            format!(" (server said: {short})")
        }
    }
}

/// An error from the Atlassian client. `Display` says what happened and what to do.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// `credential` names the credential and where it came from.
    #[error("{}", unauthorized_message(*family, credential, body))]
    Unauthorized {
        family: Family,
        credential: String,
        body: ErrorBody,
    },

    #[error("{}", forbidden_message(*family, subject, body))]
    Forbidden {
        family: Family,
        subject: Subject,
        body: ErrorBody,
    },

    /// `base`: the base URL the request went to, for a 404 that could mean a wrong URL.
    #[error("{}", not_found_message(*family, subject, base, body))]
    NotFound {
        family: Family,
        subject: Subject,
        base: String,
        body: ErrorBody,
    },

    #[error("the {family} refused the request as invalid (HTTP {status}){}: this is likely a bug in seats, please report it with the log", body.summary())]
    BadRequest {
        family: Family,
        status: u16,
        body: ErrorBody,
    },

    #[error("the {family} reported a conflict (HTTP 409){}", body.summary())]
    Conflict { family: Family, body: ErrorBody },

    #[error("the {family} is still rate limiting seats after {attempts} attempts (it asked for {}s more); try again later or lower the concurrency", wait.as_secs().max(1))]
    RateLimited {
        family: Family,
        wait: Duration,
        attempts: u32,
    },

    #[error("the {family} failed with HTTP {status} after {attempts} attempts{}; Atlassian may be having trouble, try again later", body.summary())]
    Server {
        family: Family,
        status: u16,
        attempts: u32,
        body: ErrorBody,
    },

    #[error("the {family} answered HTTP {status}{}", body.summary())]
    Unexpected {
        family: Family,
        status: u16,
        body: ErrorBody,
    },

    #[error("the {family} did not answer within {}s ({path}, {attempts} attempts); check the network or try again later", after.as_secs_f32())]
    Timeout {
        family: Family,
        path: String,
        after: Duration,
        attempts: u32,
    },

    /// `host` is `host:port`. Not retried for long: nothing answered, waiting rarely helps.
    #[error("{}", connect_message(*family, host, cause))]
    Connect {
        family: Family,
        host: String,
        cause: ConnectCause,
    },

    #[error(
        "the connection to the {family} dropped during {path} after {attempts} attempts; try again"
    )]
    Dropped {
        family: Family,
        path: String,
        attempts: u32,
    },

    #[error(
        "the {family} sent a response seats cannot read for {path} ({detail}); the API may have changed, please report it with the log"
    )]
    Malformed {
        family: Family,
        path: String,
        detail: String,
    },

    #[error("paging through {path} went in a loop ({detail}); stopped instead of fetching forever")]
    PagingLoop { path: String, detail: String },

    #[error(
        "refusing plain http to {url}: use https (plain http is allowed only to 127.0.0.1, ::1 or localhost)"
    )]
    InsecureUrl { url: String },

    #[error("{0}")]
    Config(String),

    /// A notice webhook failed; the text never holds the URL (a secret), it says "the webhook".
    #[error("{0}")]
    Webhook(String),
}

impl ApiError {
    pub fn family(&self) -> Option<Family> {
        match self {
            ApiError::Unauthorized { family, .. }
            | ApiError::Forbidden { family, .. }
            | ApiError::NotFound { family, .. }
            | ApiError::BadRequest { family, .. }
            | ApiError::Conflict { family, .. }
            | ApiError::RateLimited { family, .. }
            | ApiError::Server { family, .. }
            | ApiError::Unexpected { family, .. }
            | ApiError::Timeout { family, .. }
            | ApiError::Connect { family, .. }
            | ApiError::Dropped { family, .. }
            | ApiError::Malformed { family, .. } => Some(*family),
            _ => None,
        }
    }

    /// Maps a final (non-retried) error status and body to the variant an admin can act on.
    #[cfg(test)]
    pub(crate) fn from_status(
        family: Family,
        status: u16,
        subject: &Subject,
        body: &[u8],
        attempts: u32,
    ) -> ApiError {
        ApiError::from_answer(
            family,
            status,
            subject,
            body,
            attempts,
            &Answered::default(),
        )
    }

    /// An error for a final status, with the credential sent and the base URL asked, so that
    /// a 401 names the credential and its source and a 404 can point at the URL.
    pub(crate) fn from_answer(
        family: Family,
        status: u16,
        subject: &Subject,
        body: &[u8],
        attempts: u32,
        answered: &Answered,
    ) -> ApiError {
        let body = ErrorBody::parse(body);
        let subject = subject.clone();
        match status {
            401 => ApiError::Unauthorized {
                family,
                credential: answered.credential.clone().unwrap_or_else(|| {
                    if family.uses_org_key() {
                        "the org API key".into()
                    } else {
                        "the site email and API token".into()
                    }
                }),
                body,
            },
            403 => ApiError::Forbidden {
                family,
                subject,
                body,
            },
            404 => ApiError::NotFound {
                family,
                subject,
                base: answered.base.clone(),
                body,
            },
            400 | 422 => ApiError::BadRequest {
                family,
                status,
                body,
            },
            409 => ApiError::Conflict { family, body },
            429 => ApiError::RateLimited {
                family,
                wait: Duration::ZERO,
                attempts,
            },
            500..=599 => ApiError::Server {
                family,
                status,
                attempts,
                body,
            },
            _ => ApiError::Unexpected {
                family,
                status,
                body,
            },
        }
    }
}

fn unauthorized_message(family: Family, credential: &str, body: &ErrorBody) -> String {
    if family.uses_org_key() {
        format!(
            "{credential} was refused by the {family} (HTTP 401): it may be wrong, revoked or expired (keys last at most a year); \
             create one at admin.atlassian.com → Settings → API keys, then run `seats login` or set SEATS_ORG_API_KEY{}",
            body.summary()
        )
    } else {
        format!(
            "{credential} were refused by the {family} (HTTP 401): the email may not own the token, or the token was \
             revoked or expired (tokens last at most a year); create one at id.atlassian.com → Security → API tokens, then run \
             `seats login` or set SEATS_SITE_API_TOKEN{}",
            body.summary()
        )
    }
}

/// Why a connection could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectCause {
    /// Nothing listens on that port (or a firewall said no).
    Refused,
    /// The host name does not resolve.
    Dns,
    /// No answer to the connection attempt in time.
    TimedOut(Duration),
    /// The TLS handshake failed (certificate, protocol).
    Tls(String),
    Other(String),
}

fn connect_message(family: Family, host: &str, cause: &ConnectCause) -> String {
    let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    match cause {
        ConnectCause::Dns => format!(
            "could not reach the {family}: the DNS lookup of {name} failed (no such host); check the spelling of the URL and the network"
        ),
        ConnectCause::Refused => format!(
            "could not reach the {family} at {host}: the connection was refused (nothing listens on that port); check the URL and that the server runs"
        ),
        ConnectCause::TimedOut(after) => format!(
            "could not reach the {family} at {host}: no answer to the connection within {} s; check the URL, the network and any proxy or firewall",
            after.as_secs_f32()
        ),
        ConnectCause::Tls(detail) => format!(
            "could not reach the {family} at {host}: the TLS handshake failed ({detail}); check the URL (https, the right host) and any TLS-intercepting proxy"
        ),
        ConnectCause::Other(detail) => format!(
            "could not reach the {family} at {host} ({detail}); check the URL and the network"
        ),
    }
}

/// What the client knew when an answer came: the credential it sent and the base URL.
#[derive(Debug, Clone, Default)]
pub(crate) struct Answered {
    pub credential: Option<String>,
    pub base: String,
}

fn forbidden_message(family: Family, subject: &Subject, body: &ErrorBody) -> String {
    let synced = body.mentions("synced")
        || body.mentions("identity provider")
        || body.mentions("externalDirectory.scim");
    if synced {
        let what = match subject {
            Subject::Group(id) => format!("group {id} is"),
            Subject::User(id) => format!("user {id} is"),
            _ => "this is".to_owned(),
        };
        return format!(
            "{what} managed by your identity provider: change it there, not in Atlassian (HTTP 403){}",
            body.summary()
        );
    }
    if body.has_code("forbidden.targetUnverified") || body.has_code("forbidden.unclaimedDomain") {
        return format!(
            "the {family} can act only on managed accounts (users on a verified, claimed domain) (HTTP 403){}",
            body.summary()
        );
    }
    if family.uses_org_key() {
        format!(
            "the org API key may not do this (HTTP 403): it may have scopes that exclude this API, or its admin lacks the rights; \
             an API key without scopes from an org admin works for every call seats makes{}",
            body.summary()
        )
    } else {
        format!(
            "the site account may not do this (HTTP 403): reading groups and seats and changing memberships need a site admin{}",
            body.summary()
        )
    }
}

fn not_found_message(family: Family, subject: &Subject, base: &str, body: &ErrorBody) -> String {
    let org_code = body.has_code("ADMIN-404-2");
    // The admin API's own errors carry ADMIN-404-n codes; a 404 without one may come from a
    // server that is not the admin API at all.
    let from_admin_api = body.codes.iter().any(|c| c.starts_with("ADMIN-404"));
    let base = if base.is_empty() { "the server" } else { base };
    match subject {
        Subject::Org(id) if from_admin_api => format!(
            "no org with id {id} is visible to this key (HTTP 404): check --org-id (admin.atlassian.com/o/<org id>/...) and that the key belongs to that org{}",
            body.summary()
        ),
        Subject::Org(id) => format!(
            "HTTP 404 from {base} for org {id}: either no org with that id is visible to this key (check --org-id, \
             admin.atlassian.com/o/<org id>/...), or {base} is not the Organizations admin API (--admin-url is its host, \
             e.g. https://api.atlassian.com, with or without /admin){}",
            body.summary()
        ),
        _ if org_code => format!(
            "no org with that id is visible to this key (HTTP 404){}",
            body.summary()
        ),
        Subject::User(id) => format!(
            "no user with account id {id} was found by the {family} (HTTP 404){}",
            body.summary()
        ),
        Subject::Group(id) => format!(
            "no group with id {id} was found by the {family} (HTTP 404){}",
            body.summary()
        ),
        Subject::Other => format!(
            "the {family} ({base}) has no such resource (HTTP 404): check the URL settings (--admin-url, --site-url){}",
            body.summary()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_body_shape() {
        let admin = br#"{"errors":[{"id":"1","status":"404","code":"ADMIN-404-2","title":"Not Found","detail":"Org not found"}]}"#;
        let b = ErrorBody::parse(admin);
        assert!(b.has_code("ADMIN-404-2"));
        assert_eq!(b.messages, vec!["Not Found: Org not found"]);

        let gateway = br#"{"code":401,"message":"Unauthorized"}"#;
        let b = ErrorBody::parse(gateway);
        assert_eq!(b.codes, vec!["401"]);
        assert_eq!(b.messages, vec!["Unauthorized"]);

        let noperms = br#"{"timestamp":"t","path":"/p","status":403,"error":"Forbidden","message":"User has no permission to access resource.","requestId":"r"}"#;
        assert_eq!(
            ErrorBody::parse(noperms).messages,
            vec!["User has no permission to access resource."]
        );

        let um = br#"{"key":"conflict.lifecycleErrors","context":{"accountId":"a","errorCodes":[{"code":"c","message":"is the last admin"}],"message":"cannot disable"}}"#;
        let b = ErrorBody::parse(um);
        assert!(b.has_code("conflict.lifecycleErrors"));
        assert_eq!(b.messages, vec!["cannot disable", "is the last admin"]);

        let jira = br#"{"errorMessages":["Group not found"],"errors":{"accountId":"bad id"}}"#;
        assert_eq!(
            ErrorBody::parse(jira).messages,
            vec!["Group not found", "accountId: bad id"]
        );

        assert_eq!(ErrorBody::parse(b""), ErrorBody::default());
        assert_eq!(ErrorBody::parse(b"<html>oops</html>"), ErrorBody::default());
        assert_eq!(ErrorBody::parse(b"[1,2]"), ErrorBody::default());
    }

    #[test]
    fn messages_say_what_to_do() {
        let e = ApiError::from_status(
            Family::Admin,
            401,
            &Subject::Other,
            br#"{"code":401,"message":"Unauthorized"}"#,
            1,
        );
        let s = e.to_string();
        assert!(s.contains("org API key was refused"), "{s}");
        assert!(s.contains("at most a year"), "{s}");
        assert!(
            s.contains("admin.atlassian.com → Settings → API keys"),
            "{s}"
        );

        let e = ApiError::from_status(Family::Jira, 401, &Subject::Other, b"", 1);
        assert!(
            e.to_string()
                .contains("site email and API token were refused")
        );

        let admin_404 = br#"{"errors":[{"code":"ADMIN-404-2","detail":"Org not found"}]}"#;
        let e = ApiError::from_status(
            Family::Admin,
            404,
            &Subject::Org("org-9".into()),
            admin_404,
            1,
        );
        assert!(
            e.to_string()
                .contains("no org with id org-9 is visible to this key"),
            "{e}"
        );
        // Without the admin API's own code the 404 may mean a wrong URL as well: both are said.
        let e = ApiError::from_status(Family::Admin, 404, &Subject::Org("org-9".into()), b"{}", 1);
        let s = e.to_string();
        assert!(s.contains("--org-id") && s.contains("--admin-url"), "{s}");

        let synced = br#"{"errors":[{"code":"ADMIN-403-5","detail":"Group is synced from an external directory"}]}"#;
        let e = ApiError::from_status(Family::Admin, 403, &Subject::Group("g1".into()), synced, 1);
        assert!(
            e.to_string()
                .contains("managed by your identity provider: change it there"),
            "{e}"
        );

        let e = ApiError::from_status(
            Family::Admin,
            403,
            &Subject::Other,
            br#"{"status":403,"message":"User has no permission to access resource."}"#,
            1,
        );
        assert!(e.to_string().contains("API key without scopes"), "{e}");
    }

    #[test]
    fn server_text_is_bounded() {
        let long = format!(r#"{{"message":"{}"}}"#, "x".repeat(5000));
        let e = ApiError::from_status(Family::Jira, 500, &Subject::Other, long.as_bytes(), 3);
        assert!(e.to_string().len() < 600);
    }
}
