//! Confluence REST API v1 on the site (basic auth): groups and members by group id. Paths as
//! in `confluence-v1/confluence.json` (the name-based group endpoints are gone upstream).

use futures::Stream;
use serde::Deserialize;

use super::error::{ApiError, Family, Subject};
use super::http::{Client, Request};
use super::org::AddOutcome;
use super::paging::{LinkedPage, linked_pages};
use super::site_membership;

/// `Group`.
#[derive(Debug, Clone, Deserialize)]
pub struct ConfluenceGroup {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// `User` (the fields seats reads).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfluenceUser {
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub account_type: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct Links {
    #[serde(default)]
    next: Option<String>,
}

/// `GroupArrayWithLinks` / `UserArray`.
#[derive(Debug, Clone, Deserialize)]
struct Page<T> {
    #[serde(default = "Vec::new")]
    results: Vec<T>,
    #[serde(default, rename = "_links")]
    links: Links,
}

const PAGE: u64 = 200;

/// `GET /wiki/rest/api/group` (start/limit/_links.next).
pub fn groups(client: &Client) -> impl Stream<Item = Result<Vec<ConfluenceGroup>, ApiError>> + '_ {
    linked_pages("/wiki/rest/api/group".into(), move |start| async move {
        let req = Request::get(Family::Confluence, "/wiki/rest/api/group")
            .query("start", start)
            .query("limit", PAGE);
        let page: Page<ConfluenceGroup> = client.json(req).await?;
        Ok(LinkedPage {
            items: page.results,
            next: page.links.next,
        })
    })
}

/// `GET /wiki/rest/api/group/{groupId}/membersByGroupId` (limit at most 200).
pub fn group_members<'a>(
    client: &'a Client,
    group_id: &'a str,
) -> impl Stream<Item = Result<Vec<ConfluenceUser>, ApiError>> + 'a {
    let path = format!(
        "/wiki/rest/api/group/{}/membersByGroupId",
        url::form_urlencoded::byte_serialize(group_id.as_bytes()).collect::<String>()
    );
    linked_pages(path.clone(), move |start| {
        let path = path.clone();
        async move {
            let req = Request::get(Family::Confluence, path)
                .query("start", start)
                .query("limit", PAGE)
                .subject(Subject::Group(group_id.into()));
            let page: Page<ConfluenceUser> = client.json(req).await?;
            Ok(LinkedPage {
                items: page.results,
                next: page.links.next,
            })
        }
    })
}

/// Where a site group's members are added and removed.
const GROUP_USER: &str = "/wiki/rest/api/group/userByGroupId";

/// `POST /wiki/rest/api/group/userByGroupId?groupId=` `{accountId}` (201). Sent once; a 400 or 409 saying
/// the user is already a member is `AlreadyMember`.
pub async fn add_group_member(
    client: &Client,
    group_id: &str,
    account_id: &str,
) -> Result<AddOutcome, ApiError> {
    site_membership::add(client, Family::Confluence, GROUP_USER, group_id, account_id).await
}

/// `DELETE /wiki/rest/api/group/userByGroupId?groupId=&accountId=` (204, also when not a member).
pub async fn remove_group_member(
    client: &Client,
    group_id: &str,
    account_id: &str,
) -> Result<(), ApiError> {
    site_membership::remove(client, Family::Confluence, GROUP_USER, group_id, account_id).await
}
