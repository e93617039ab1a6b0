//! Adding and removing a group member on the site. Jira and Confluence take the same shape at
//! different paths: the group in `?groupId=`, the account in the body to add and in the query to
//! remove.

use reqwest::Method;
use serde_json::json;

use super::error::{ApiError, Family, Subject};
use super::http::{Client, Request, Retry};
use super::org::AddOutcome;

/// `POST path?groupId=` `{accountId}`. Sent once; a 400 or 409 saying the user is already a
/// member is `AlreadyMember`.
pub(super) async fn add(
    client: &Client,
    family: Family,
    path: &str,
    group_id: &str,
    account_id: &str,
) -> Result<AddOutcome, ApiError> {
    let req = Request::new(family, Method::POST, path)
        .query("groupId", group_id)
        .json(json!({ "accountId": account_id }))
        .retry(Retry::Once)
        .subject(Subject::Group(group_id.into()));
    match client.send(req).await {
        Ok(_) => Ok(AddOutcome::Added),
        // An earlier attempt, or someone else, already added them: the goal is met.
        Err(ApiError::BadRequest { body, .. } | ApiError::Conflict { body, .. })
            if body.mentions("already") =>
        {
            Ok(AddOutcome::AlreadyMember)
        }
        Err(e) => Err(e),
    }
}

/// `DELETE path?groupId=&accountId=`. Idempotent, so retried.
pub(super) async fn remove(
    client: &Client,
    family: Family,
    path: &str,
    group_id: &str,
    account_id: &str,
) -> Result<(), ApiError> {
    let req = Request::new(family, Method::DELETE, path)
        .query("groupId", group_id)
        .query("accountId", account_id)
        .retry(Retry::Idempotent)
        .subject(Subject::Group(group_id.into()));
    client.send(req).await.map(|_| ())
}
