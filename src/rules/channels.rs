//! Notices and where they go: the template (product, last active, deadline, how to keep the
//! seat), Jira's issue notify, an incoming webhook (URL from the keyring), a JSONL file; the
//! review issue's comments for claims; and the clock a run takes `now` from.
//!
//! The Jira and webhook calls sit behind [`Transport`] so the engine's runs can be driven
//! against the sandbox or a recording double alike.

use std::future::Future;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::engine::Comment;
use super::store::Row;
use crate::atlassian::Client;
use crate::atlassian::jira::IssueNotice;
use crate::atlassian::webhook;
use crate::config::{Claims, Rule, RuleAction};

/// One notice to one user.
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeText {
    pub subject: String,
    pub text_body: String,
    /// The same notice as data, for the webhook and the file.
    pub payload: serde_json::Value,
}

/// The notice for `row` with its `deadline`.
pub fn compose(rule: &Rule, row: &Row, deadline: DateTime<Utc>) -> NoticeText {
    let product = rule
        .product
        .as_deref()
        .map(crate::domain::product_name)
        .unwrap_or_else(|| "Atlassian".into());
    let last = row
        .last_active
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "never".into());
    let what = match rule.action {
        RuleAction::RemoveProductAccess => format!("your {product} access will be removed"),
        RuleAction::Suspend => "your Atlassian account will be suspended".to_string(),
    };
    let mut keep = format!("use {product} before then");
    if rule.claims == Some(Claims::Comment)
        && let Some(issue) = rule.review_issue()
    {
        keep.push_str(&format!(", or comment on {issue} to keep it"));
    }
    let name = row.name.as_deref().unwrap_or("there");
    let subject = format!(
        "Your {product} seat will be reclaimed on {}",
        deadline.format("%Y-%m-%d")
    );
    let text_body = format!(
        "Hello {name},\n\nYou last used {product}: {last}. Seats are paid for every user who can \
         sign in, so unless you {keep}, {what} on {} (UTC).\n\nIf you need it again later, ask \
         your administrator.",
        deadline.format("%Y-%m-%d %H:%M")
    );
    let payload = serde_json::json!({
        "rule": rule.name,
        "account_id": row.account_id,
        "name": row.name,
        "email": row.email,
        "product": rule.product,
        "action": rule.action.as_str(),
        "last_active": row.last_active,
        "deadline": deadline,
        "how_to_keep": keep,
        "subject": subject,
        "text": text_body,
    });
    NoticeText {
        subject,
        text_body,
        payload,
    }
}

/// The calls a run makes besides the directory and the executor. Errors are text for the
/// lifecycle (no secret: a webhook's URL never appears in one).
pub trait Transport {
    /// Jira's issue notify to one account; `Ok` is the reference recorded (the issue key).
    fn notify_issue(
        &self,
        issue: &str,
        notice: &NoticeText,
        account_id: &str,
    ) -> impl Future<Output = Result<String, String>> + Send;
    /// Every comment on the issue.
    fn issue_comments(
        &self,
        issue: &str,
    ) -> impl Future<Output = Result<Vec<Comment>, String>> + Send;
    /// A JSON POST to the webhook whose URL is the keyring secret `secret`.
    fn post_webhook(
        &self,
        secret: &str,
        payload: &serde_json::Value,
    ) -> impl Future<Output = Result<String, String>> + Send;
}

/// A notice appended to the file channel, through the one private writer.
pub fn append_file(path: &Path, notice: &NoticeText) -> Result<String, String> {
    let mut line = notice.payload.to_string();
    line.push('\n');
    crate::output::append_private(path, line.as_bytes())
        .map(|()| format!("file:{}", path.display()))
        .map_err(|e| format!("could not append to {}: {e}", path.display()))
}

/// The real thing: the site's Jira API through seats' client (`Client::notify_issue`,
/// `Client::issue_comments`), webhooks through `atlassian::webhook` with a plain client that
/// carries no Atlassian credential.
pub struct LiveTransport {
    pub client: Client,
    pub web: reqwest::Client,
}

impl LiveTransport {
    pub fn new(client: Client) -> LiveTransport {
        LiveTransport {
            client,
            web: webhook::client().unwrap_or_default(),
        }
    }

    /// The webhook POST once its URL is read; errors name the webhook by `secret`, never by
    /// its URL.
    pub async fn post_webhook_to(
        &self,
        raw: &str,
        secret: &str,
        payload: &serde_json::Value,
    ) -> Result<String, String> {
        webhook::post_webhook(&self.web, raw, payload)
            .await
            .map(|()| format!("webhook:{secret}"))
            .map_err(|e| format!("webhook {secret:?}: {e}"))
    }
}

/// The webhook URL stored as `secret`: `SEATS_WEBHOOK_<NAME>` (upper case, `-` as `_`) for
/// automation, else the keyring entry `webhook/<name>` of seats' service.
async fn webhook_url(secret: &str) -> Result<String, String> {
    let var = format!(
        "SEATS_WEBHOOK_{}",
        secret.to_ascii_uppercase().replace(['-', '.', ' '], "_")
    );
    if let Ok(v) = std::env::var(&var)
        && !v.trim().is_empty()
    {
        return Ok(v.trim().to_owned());
    }
    let user = format!("webhook/{secret}");
    let found = tokio::task::spawn_blocking(move || {
        keyring::Entry::new(crate::secrets::SERVICE, &user).and_then(|e| e.get_password())
    })
    .await
    .map_err(|_| "the keyring could not be read".to_string())?;
    match found {
        Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
        Ok(_) | Err(keyring::Error::NoEntry) => Err(format!(
            "no URL for the webhook {secret:?}: store it in the keyring (service seats, user webhook/{secret}) or set {var}"
        )),
        Err(_) => Err(format!(
            "the keyring could not give the webhook {secret:?}'s URL"
        )),
    }
}

impl Transport for LiveTransport {
    async fn notify_issue(
        &self,
        issue: &str,
        notice: &NoticeText,
        account_id: &str,
    ) -> Result<String, String> {
        let n = IssueNotice {
            subject: notice.subject.clone(),
            text_body: notice.text_body.clone(),
            account_ids: vec![account_id.to_owned()],
        };
        self.client
            .notify_issue(issue, &n)
            .await
            .map(|()| format!("jira-notify:{issue}"))
            .map_err(|e| e.to_string())
    }

    async fn issue_comments(&self, issue: &str) -> Result<Vec<Comment>, String> {
        let comments = self
            .client
            .issue_comments(issue)
            .await
            .map_err(|e| e.to_string())?;
        Ok(comments
            .into_iter()
            .map(|c| Comment {
                id: c.id,
                author_account_id: c.author_account_id,
                created: c.created,
            })
            .collect())
    }

    async fn post_webhook(
        &self,
        secret: &str,
        payload: &serde_json::Value,
    ) -> Result<String, String> {
        let raw = webhook_url(secret).await?;
        self.post_webhook_to(&raw, secret, payload).await
    }
}

/// Where `now` comes from. The engine never reads the wall clock itself: in production this
/// is the system clock; against a sandbox on this machine it is the sandbox's virtual clock,
/// so tests move time by moving the sandbox.
#[derive(Debug, Clone)]
pub enum Clock {
    System,
    /// The sandbox's `GET /_sandbox/clock` (loopback admin URLs only).
    Sandbox(url::Url),
}

#[derive(Deserialize)]
struct ClockAnswer {
    now: DateTime<Utc>,
}

impl Clock {
    /// The clock for an admin base URL: the sandbox's when it is on this machine.
    pub fn for_admin_url(admin: Option<&url::Url>) -> Clock {
        let loopback = admin.is_some_and(|u| {
            u.scheme() == "http"
                && match u.host() {
                    Some(url::Host::Domain(d)) => d == "localhost",
                    Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                    Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                    None => false,
                }
        });
        match admin.and_then(|u| u.join("/_sandbox/clock").ok()) {
            Some(url) if loopback => Clock::Sandbox(url),
            _ => Clock::System,
        }
    }

    /// Now. A sandbox without a clock (an older one) gives the system time.
    pub async fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Sandbox(url) => {
                let answer = async {
                    reqwest::Client::new()
                        .get(url.clone())
                        .timeout(std::time::Duration::from_secs(10))
                        .send()
                        .await
                        .ok()?
                        .error_for_status()
                        .ok()?
                        .json::<ClockAnswer>()
                        .await
                        .ok()
                };
                answer.await.map_or_else(Utc::now, |a| a.now)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::store::State;

    fn rule(claims: Option<Claims>) -> Rule {
        let text = format!(
            "[[rules]]\nname = \"r\"\nquery = \"product:jira-software idle:90\"\naction = \"remove-product-access\"\ngrace_days = 14\n{}channels = [{{ type = \"jira-notify\", issue = \"OPS-1\" }}]\n",
            if claims.is_some() {
                "claims = \"comment\"\n"
            } else {
                ""
            }
        );
        let c: crate::config::Config = toml::from_str(&text).unwrap();
        c.rules[0].clone()
    }

    fn row(last: Option<DateTime<Utc>>) -> Row {
        Row {
            rule: "r".into(),
            account_id: "a1".into(),
            cycle: 1,
            state: State::Candidate,
            name: Some("Ada".into()),
            email: Some("ada@example.com".into()),
            last_active: last,
            since: DateTime::UNIX_EPOCH,
            warned_at: None,
            channel: None,
            reference: None,
            deadline: None,
            batch_id: None,
            evidence: None,
            closed_at: None,
        }
    }

    #[test]
    fn the_notice_says_product_last_active_deadline_and_how_to_keep_it() {
        let deadline = "2026-12-19T08:00:00Z".parse().unwrap();
        let last = "2026-08-01T10:00:00Z".parse().ok();
        let n = compose(&rule(Some(Claims::Comment)), &row(last), deadline);
        assert!(
            n.subject.contains("Jira") && n.subject.contains("2026-12-19"),
            "{}",
            n.subject
        );
        for want in [
            "2026-08-01",
            "2026-12-19 08:00",
            "comment on OPS-1",
            "use Jira",
        ] {
            assert!(n.text_body.contains(want), "{want}: {}", n.text_body);
        }
        assert_eq!(n.payload["account_id"], "a1");
        let never = compose(&rule(None), &row(None), deadline);
        assert!(never.text_body.contains(": never"), "{}", never.text_body);
        assert!(
            !never.text_body.contains("comment on"),
            "{}",
            never.text_body
        );
    }

    #[test]
    fn only_a_loopback_admin_url_reads_the_sandbox_clock() {
        let local = url::Url::parse("http://127.0.0.1:4000/admin").unwrap();
        match Clock::for_admin_url(Some(&local)) {
            Clock::Sandbox(u) => assert_eq!(u.as_str(), "http://127.0.0.1:4000/_sandbox/clock"),
            other => panic!("{other:?}"),
        }
        let real = url::Url::parse("https://api.atlassian.com/admin").unwrap();
        assert!(matches!(Clock::for_admin_url(Some(&real)), Clock::System));
        assert!(matches!(Clock::for_admin_url(None), Clock::System));
    }
}
