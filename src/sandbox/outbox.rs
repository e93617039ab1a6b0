//! What the sandbox's Jira sends and receives besides the org: notices queued by
//! `issue/{key}/notify`, comments on issues, calls to the incoming-webhook receiver, and whether
//! outgoing mail is on. Tests read it through `GET /_sandbox/outbox` or [`super::Sandbox::outbox`].

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

/// One notice Jira queued for sending.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    pub issue_key: String,
    /// Account ids it is addressed to, as requested.
    pub to: Vec<String>,
    pub subject: String,
    pub text_body: String,
    pub at: DateTime<Utc>,
}

/// One call to `POST /_sandbox/webhooks/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebhookCall {
    pub path: String,
    pub payload: Value,
    pub at: DateTime<Utc>,
}

/// A comment on an issue; `body` is Atlassian Document Format.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub id: u64,
    pub issue_key: String,
    pub author: String,
    pub body: Value,
    pub created: DateTime<Utc>,
}

/// The outbox as `GET /_sandbox/outbox` shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Outbox {
    pub notices: Vec<Notice>,
    pub webhooks: Vec<WebhookCall>,
}

#[derive(Debug)]
pub struct Mailroom {
    pub mail_enabled: bool,
    pub outbox: Outbox,
    pub comments: Vec<Comment>,
    next_comment: u64,
}

impl Default for Mailroom {
    fn default() -> Self {
        Mailroom {
            mail_enabled: true,
            outbox: Outbox::default(),
            comments: Vec::new(),
            next_comment: 10000,
        }
    }
}

impl Mailroom {
    pub fn add_comment(
        &mut self,
        issue_key: &str,
        author: &str,
        body: Value,
        at: DateTime<Utc>,
    ) -> Comment {
        self.next_comment += 1;
        let c = Comment {
            id: self.next_comment,
            issue_key: issue_key.to_string(),
            author: author.to_string(),
            body,
            created: at,
        };
        self.comments.push(c.clone());
        c
    }
}

/// Plain text as an Atlassian Document Format document: one paragraph per line.
pub fn adf(text: &str) -> Value {
    let paragraphs: Vec<Value> = text
        .lines()
        .map(|line| {
            if line.is_empty() {
                serde_json::json!({"type": "paragraph", "content": []})
            } else {
                serde_json::json!({"type": "paragraph", "content": [{"type": "text", "text": line}]})
            }
        })
        .collect();
    serde_json::json!({"type": "doc", "version": 1, "content": paragraphs})
}
