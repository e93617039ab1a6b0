//! Jira platform REST API v3 on the site (basic auth): the account, application roles (seats),
//! groups and their members. Paths as in `jira-platform/openapi-jira-cloud.json`.

use chrono::{DateTime, Utc};
use futures::{Stream, TryStreamExt};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::{ApiError, Family, Subject};
use super::http::{Client, Request, Retry};
use super::org::AddOutcome;
use super::paging::{OffsetPage, offset_pages};
use super::site_membership;

/// `User` (the fields seats reads).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JiraUser {
    pub account_id: String,
    #[serde(default)]
    pub account_type: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub email_address: Option<String>,
}

/// `ApplicationRole`: seats of one Jira product.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationRole {
    pub key: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub group_details: Vec<GroupName>,
    #[serde(default)]
    pub default_groups_details: Vec<GroupName>,
    #[serde(default)]
    pub number_of_seats: Option<i64>,
    #[serde(default)]
    pub remaining_seats: Option<i64>,
    #[serde(default)]
    pub user_count: Option<i64>,
    #[serde(default)]
    pub has_unlimited_seats: Option<bool>,
}

/// `GroupName` / `GroupDetails`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupName {
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// `PageBeanGroupDetails` / `PageBeanUserDetails`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageBean<T> {
    #[serde(default = "Vec::new")]
    values: Vec<T>,
    #[serde(default)]
    start_at: Option<u64>,
    #[serde(default)]
    max_results: Option<u64>,
    #[serde(default)]
    is_last: Option<bool>,
    #[serde(default)]
    total: Option<u64>,
}

impl<T> From<PageBean<T>> for OffsetPage<T> {
    fn from(p: PageBean<T>) -> Self {
        OffsetPage {
            items: p.values,
            start_at: p.start_at,
            max_results: p.max_results,
            is_last: p.is_last,
            total: p.total,
        }
    }
}

/// `GET /rest/api/3/myself`.
pub async fn myself(client: &Client) -> Result<JiraUser, ApiError> {
    client
        .json(Request::get(Family::Jira, "/rest/api/3/myself"))
        .await
}

/// `GET /rest/api/3/applicationrole`: seats per Jira product (a plain array).
pub async fn application_roles(client: &Client) -> Result<Vec<ApplicationRole>, ApiError> {
    client
        .json(Request::get(Family::Jira, "/rest/api/3/applicationrole"))
        .await
}

/// `GET /rest/api/3/group/bulk` (startAt/maxResults/isLast), optionally product-access groups only.
pub fn groups<'a>(
    client: &'a Client,
    application_key: Option<&'a str>,
) -> impl Stream<Item = Result<Vec<GroupName>, ApiError>> + 'a {
    offset_pages(
        "/rest/api/3/group/bulk".into(),
        50,
        move |start| async move {
            let mut req = Request::get(Family::Jira, "/rest/api/3/group/bulk")
                .query("startAt", start)
                .query("maxResults", 50);
            if let Some(key) = application_key {
                req = req.query("accessType", "user").query("applicationKey", key);
            }
            let page: PageBean<GroupName> = client.json(req).await?;
            Ok(page.into())
        },
    )
}

/// `GET /rest/api/3/group/member?groupId=` (startAt/maxResults/isLast, at most 50 a page).
pub fn group_members<'a>(
    client: &'a Client,
    group_id: &'a str,
    include_inactive: bool,
) -> impl Stream<Item = Result<Vec<JiraUser>, ApiError>> + 'a {
    offset_pages(
        "/rest/api/3/group/member".into(),
        50,
        move |start| async move {
            let req = Request::get(Family::Jira, "/rest/api/3/group/member")
                .query("groupId", group_id)
                .query("includeInactiveUsers", include_inactive)
                .query("startAt", start)
                .query("maxResults", 50)
                .subject(Subject::Group(group_id.into()));
            let page: PageBean<JiraUser> = client.json(req).await?;
            Ok(page.into())
        },
    )
}

/// Where a site group's members are added and removed.
const GROUP_USER: &str = "/rest/api/3/group/user";

/// `POST /rest/api/3/group/user?groupId=` `{accountId}` (201). Sent once; a 400 or 409 saying
/// the user is already a member is `AlreadyMember`.
pub async fn add_group_member(
    client: &Client,
    group_id: &str,
    account_id: &str,
) -> Result<AddOutcome, ApiError> {
    site_membership::add(client, Family::Jira, GROUP_USER, group_id, account_id).await
}

/// `DELETE /rest/api/3/group/user?groupId=&accountId=` (200). Idempotent.
pub async fn remove_group_member(
    client: &Client,
    group_id: &str,
    account_id: &str,
) -> Result<(), ApiError> {
    site_membership::remove(client, Family::Jira, GROUP_USER, group_id, account_id).await
}

/// `GET /rest/api/3/users/search` (a plain array; ends on a short or empty page).
pub fn users(
    client: &Client,
    page_size: u64,
) -> impl Stream<Item = Result<Vec<JiraUser>, ApiError>> + '_ {
    offset_pages(
        "/rest/api/3/users/search".into(),
        page_size,
        move |start| async move {
            let req = Request::get(Family::Jira, "/rest/api/3/users/search")
                .query("startAt", start)
                .query("maxResults", page_size);
            let users: Vec<JiraUser> = client.json(req).await?;
            Ok(OffsetPage::plain(users))
        },
    )
}

// ---- issue notices and comments ------------------------------------------------------------

/// A notice mailed by Jira to users about an issue (`Notification`, addressed by account id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueNotice {
    pub subject: String,
    pub text_body: String,
    pub account_ids: Vec<String>,
}

/// A comment on an issue, its ADF body flattened to plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueComment {
    pub id: String,
    pub author_account_id: String,
    pub created: DateTime<Utc>,
    pub body_text: String,
}

/// `Comment` (the fields seats reads).
#[derive(Debug, Deserialize)]
struct WireComment {
    id: String,
    #[serde(default)]
    author: Option<WireAuthor>,
    created: String,
    #[serde(default)]
    body: Value,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAuthor {
    #[serde(default)]
    account_id: Option<String>,
}

/// `PageOfComments`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageOfComments {
    #[serde(default)]
    comments: Vec<WireComment>,
    #[serde(default)]
    start_at: Option<u64>,
    #[serde(default)]
    max_results: Option<u64>,
    #[serde(default)]
    total: Option<u64>,
}

/// Comments asked for per page (the spec's default and Jira's usual cap).
const COMMENTS_PAGE: u64 = 100;

/// The issue's path segment. Keys (`REV-12`) and ids are plain ASCII; anything else would need
/// escaping in a path and is no issue key, so it is refused before anything is sent.
fn issue_segment(issue_key: &str) -> Result<&str, ApiError> {
    let ok = !issue_key.is_empty()
        && issue_key.len() <= 255
        && issue_key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(issue_key)
    } else {
        Err(ApiError::Config(format!(
            "{issue_key:?} is not a Jira issue key: give one like REV-12"
        )))
    }
}

/// Jira's comment dates: RFC 3339, or Jira's own `2024-01-17T12:34:00.000+0000`.
fn parse_jira_time(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .or_else(|_| DateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The text of an Atlassian Document Format node: text nodes joined, a line break after each
/// block (paragraph, heading, list item...), mentions and emoji by their text.
pub fn adf_text(node: &Value) -> String {
    fn walk(node: &Value, out: &mut String) {
        match node {
            Value::String(s) => out.push_str(s),
            Value::Array(items) => items.iter().for_each(|n| walk(n, out)),
            Value::Object(map) => {
                let kind = map.get("type").and_then(Value::as_str).unwrap_or("");
                match kind {
                    "text" => {
                        if let Some(t) = map.get("text").and_then(Value::as_str) {
                            out.push_str(t);
                        }
                    }
                    "hardBreak" => out.push('\n'),
                    "mention" | "emoji" | "status" | "date" => {
                        if let Some(t) = map
                            .get("attrs")
                            .and_then(|a| a.get("text").or_else(|| a.get("shortName")))
                            .and_then(Value::as_str)
                        {
                            out.push_str(t);
                        }
                    }
                    _ => {
                        if let Some(content) = map.get("content") {
                            walk(content, out);
                        }
                        let block = matches!(
                            kind,
                            "paragraph"
                                | "heading"
                                | "codeBlock"
                                | "blockquote"
                                | "listItem"
                                | "rule"
                        );
                        if block && !out.ends_with('\n') {
                            out.push('\n');
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = String::new();
    walk(node, &mut out);
    out.trim_end_matches('\n').to_string()
}

impl Client {
    /// `POST /rest/api/3/issue/{issueIdOrKey}/notify`: Jira mails `notice` to the users named
    /// by account id (204: queued). Sent once: a lost answer is not repeated, so a user is never
    /// mailed twice by a retry.
    pub async fn notify_issue(
        &self,
        issue_key: &str,
        notice: &IssueNotice,
    ) -> Result<(), ApiError> {
        let key = issue_segment(issue_key)?;
        let users: Vec<Value> = notice
            .account_ids
            .iter()
            .map(|id| json!({"accountId": id}))
            .collect();
        let body = json!({
            "subject": notice.subject,
            "textBody": notice.text_body,
            "to": {"users": users},
        });
        let req = Request::new(
            Family::Jira,
            Method::POST,
            format!("/rest/api/3/issue/{key}/notify"),
        )
        .json(body)
        .retry(Retry::Once);
        self.send(req).await.map(|_| ())
    }

    /// `GET /rest/api/3/issue/{issueIdOrKey}/comment`, every page, oldest first.
    pub async fn issue_comments(&self, issue_key: &str) -> Result<Vec<IssueComment>, ApiError> {
        let key = issue_segment(issue_key)?;
        let path = format!("/rest/api/3/issue/{key}/comment");
        let pages = offset_pages(path.clone(), COMMENTS_PAGE, |start| {
            let path = path.clone();
            async move {
                let req = Request::get(Family::Jira, path)
                    .query("startAt", start)
                    .query("maxResults", COMMENTS_PAGE)
                    .query("orderBy", "created");
                let page: PageOfComments = self.json(req).await?;
                // No isLast here: the page is the last when it reaches the total.
                let is_last = match (page.start_at, page.total) {
                    (Some(at), Some(total)) => Some(at + page.comments.len() as u64 >= total),
                    _ => None,
                };
                Ok(OffsetPage {
                    items: page.comments,
                    start_at: page.start_at,
                    max_results: page.max_results,
                    is_last,
                    total: page.total,
                })
            }
        });
        let wire: Vec<WireComment> = pages.try_concat().await?;
        wire.into_iter()
            .map(|c| {
                let created = parse_jira_time(&c.created).ok_or_else(|| ApiError::Malformed {
                    family: Family::Jira,
                    path: path.clone(),
                    detail: format!("comment {} has no readable created date", c.id),
                })?;
                Ok(IssueComment {
                    author_account_id: c.author.and_then(|a| a.account_id).unwrap_or_default(),
                    body_text: adf_text(&c.body),
                    id: c.id,
                    created,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adf_flattens_to_lines_of_text() {
        let doc = json!({"type": "doc", "version": 1, "content": [
            {"type": "paragraph", "content": [
                {"type": "text", "text": "Please keep "},
                {"type": "mention", "attrs": {"id": "x", "text": "@Ada"}},
                {"type": "text", "text": "'s seat"}
            ]},
            {"type": "bulletList", "content": [
                {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "one"}]}]}
            ]},
            {"type": "paragraph", "content": [{"type": "text", "text": "a"}, {"type": "hardBreak"}, {"type": "text", "text": "b"}]}
        ]});
        assert_eq!(adf_text(&doc), "Please keep @Ada's seat\none\na\nb");
        assert_eq!(adf_text(&json!("plain")), "plain");
        assert_eq!(adf_text(&Value::Null), "");
    }

    #[test]
    fn jira_times_in_both_forms() {
        let a = parse_jira_time("2024-01-17T12:34:00.000+0000").unwrap();
        let b = parse_jira_time("2024-01-17T12:34:00.000Z").unwrap();
        assert_eq!(a, b);
        assert!(parse_jira_time("yesterday").is_none());
    }

    #[test]
    fn issue_keys_are_checked_before_sending() {
        assert!(issue_segment("REV-12").is_ok());
        assert!(issue_segment("10042").is_ok());
        for bad in ["", "REV 1", "../admin", "REV-1?x=1", "RÉV-1"] {
            assert!(issue_segment(bad).is_err(), "{bad}");
        }
    }
}
