//! Jira platform REST API v3 on the site (basic auth): the account, application roles (seats),
//! groups and their members. Paths as in `jira-platform/openapi-jira-cloud.json`.

use futures::Stream;
use serde::Deserialize;

use super::error::{ApiError, Family, Subject};
use super::http::{Client, Request};
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
