//! The executor's edge to Atlassian: re-read the users a chunk of steps is about, find the
//! directory each write goes to, and send one change. Every call goes through the client, which
//! paces to the rate limits and retries what is safe to retry.

use std::collections::HashMap;
use std::sync::Mutex;

use futures::TryStreamExt;
use tokio::sync::OnceCell;

use super::assess::{PRODUCT_USER_ROLE, Seen};
use crate::atlassian::error::ApiError;
use crate::atlassian::fetch::to_user;
use crate::atlassian::model::UserSearchRequest;
use crate::atlassian::org::{AddOutcome, OrgApi};
use crate::atlassian::users;
use crate::plan::{Change, Step};

/// The most account ids one user search accepts.
pub const READ_CHUNK: usize = 10;

/// The status a successful write answers with: every write seats sends documents 204 and the
/// client turns any other 2xx into the same `Ok`.
pub const WRITE_OK_STATUS: u16 = 204;

/// What one write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    Applied,
    /// A 409 "already a member": the effect was already there.
    AlreadyThere,
}

/// The HTTP status an error came with, when it came with one.
pub fn http_status(e: &ApiError) -> Option<u16> {
    match e {
        ApiError::Unauthorized { .. } => Some(401),
        ApiError::Forbidden { .. } => Some(403),
        ApiError::NotFound { .. } => Some(404),
        ApiError::Conflict { .. } => Some(409),
        ApiError::RateLimited { .. } => Some(429),
        ApiError::BadRequest { status, .. }
        | ApiError::Server { status, .. }
        | ApiError::Unexpected { status, .. } => Some(*status),
        _ => None,
    }
}

/// A write Atlassian refused for a reason an admin can act on, in plain words: the refusals
/// its admin guides describe (an org admin must lose the role first; a user synced from an
/// identity provider is changed there). Read from the server's own words and codes, since the
/// status alone (403, 409) says nothing of why. `None` for any other error.
pub fn refusal_reason(e: &ApiError) -> Option<String> {
    if let Some(full) = seat_limit_reason(e) {
        return Some(full);
    }
    let body = match e {
        ApiError::Forbidden { body, .. }
        | ApiError::Conflict { body, .. }
        | ApiError::BadRequest { body, .. } => body,
        _ => return None,
    };
    let plain = if body.mentions("organization admin")
        || body.mentions("org admin")
        || body.mentions("orgAdmin")
    {
        "org admin: revoke the role first"
    } else if body.mentions("identity provider")
        || body.mentions("scim")
        || body.mentions("externalDirectory")
    {
        "synced from an identity provider: change it there"
    } else {
        return None;
    };
    Some(format!(
        "{plain} (Atlassian refused with HTTP {}{})",
        http_status(e).unwrap_or(0),
        body.summary()
    ))
}

/// A 409 at a product's seat limit (giving access back to a full product), in the admin's
/// words: "Jira Software is at its limit of 35 seats: free a seat or raise the limit". The
/// product and the count are read from the server's words (keys or names, the number after
/// "limit"); `None` for any other error.
pub fn seat_limit_reason(e: &ApiError) -> Option<String> {
    let ApiError::Conflict { body, .. } = e else {
        return None;
    };
    let at_limit = body.has_code("ADMIN-UAM-409-3")
        || ["seat", "licen", "limit"].iter().any(|w| body.mentions(w));
    if !at_limit || body.mentions("already") {
        return None;
    }
    let text = body.messages.join(" ");
    let lower = text.to_ascii_lowercase();
    // The longest key first, so `jira-servicedesk` is not read as a shorter one.
    let mut keys: Vec<&str> = crate::domain::known_product_keys().to_vec();
    keys.sort_by_key(|k| std::cmp::Reverse(k.len()));
    let product = keys
        .iter()
        .find(|k| lower.contains(**k))
        .map(|k| crate::domain::product_name(k))
        .or_else(|| {
            keys.iter()
                .map(|k| crate::domain::product_name(k))
                .find(|name| lower.contains(&name.to_ascii_lowercase()))
        });
    let seats = lower.find("limit").and_then(|at| {
        let digits: String = lower[at..]
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse::<u64>().ok()
    });
    let product = product.unwrap_or_else(|| "The product".to_owned());
    Some(match seats {
        Some(n) => {
            format!("{product} is at its limit of {n} seats: free a seat or raise the limit")
        }
        None => format!("{product} is at its seat limit: free a seat or raise the limit"),
    })
}

/// An error after which the server may or may not have made the change: re-read before trying again.
pub fn is_ambiguous(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Server { .. }
            | ApiError::Timeout { .. }
            | ApiError::Dropped { .. }
            | ApiError::RateLimited { .. }
    )
}

/// An error that no other step will get past either (bad credentials, no network, no
/// config): the run stops and the batch stays unfinished for a later resume.
pub fn is_fatal(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Unauthorized { .. }
            | ApiError::Connect { .. }
            | ApiError::Config(_)
            | ApiError::InsecureUrl { .. }
    )
}

enum Directories {
    /// Centralized user management: every write goes to this one.
    One(String),
    /// Several directories: found per user.
    PerUser,
}

/// Reads and writes for one org.
pub struct Target {
    org: OrgApi,
    directories: OnceCell<Directories>,
    per_user: Mutex<HashMap<String, String>>,
}

impl Target {
    pub fn new(org: OrgApi) -> Target {
        Target {
            org,
            directories: OnceCell::new(),
            per_user: Mutex::new(HashMap::new()),
        }
    }

    pub fn org(&self) -> &OrgApi {
        &self.org
    }

    /// The directory a write about `account_id` goes to (writes need a real id, not `-`).
    pub async fn directory_of(&self, account_id: &str) -> Result<String, ApiError> {
        let mode = self
            .directories
            .get_or_try_init(|| async {
                let all: Vec<_> = self.org.directories(None).try_concat().await?;
                Ok::<_, ApiError>(match all.as_slice() {
                    [one] => Directories::One(one.directory_id.clone()),
                    _ => Directories::PerUser,
                })
            })
            .await?;
        if let Directories::One(id) = mode {
            return Ok(id.clone());
        }
        if let Some(id) = self.lock_cache().get(account_id) {
            return Ok(id.clone());
        }
        let found: Vec<_> = self.org.directories(Some(account_id)).try_concat().await?;
        let id = found
            .into_iter()
            .next()
            .map(|d| d.directory_id)
            .ok_or_else(|| {
                ApiError::Config(format!("{account_id} is in no directory of the org"))
            })?;
        self.lock_cache().insert(account_id.to_owned(), id.clone());
        Ok(id)
    }

    fn lock_cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.per_user.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Re-reads the users of up to [`READ_CHUNK`] steps in one search (status, groups, product
    /// activity, platform roles), plus direct grants for the steps that change one. A user
    /// missing from the answer is not in the directory.
    pub async fn read(&self, steps: &[&Step]) -> Result<HashMap<String, Seen>, ApiError> {
        let mut ids: Vec<String> = steps.iter().map(|s| s.account_id.clone()).collect();
        ids.sort();
        ids.dedup();
        let mut out = HashMap::new();
        for chunk in ids.chunks(READ_CHUNK) {
            let request = UserSearchRequest {
                account_ids: chunk.to_vec(),
                expand: vec![
                    "productAccess".into(),
                    "groups".into(),
                    "platformRoles".into(),
                ],
                limit: Some(READ_CHUNK as u32),
                ..UserSearchRequest::default()
            };
            let path = "users/search";
            let found: Vec<_> = self.org.search_users("-", request).try_concat().await?;
            for wire in found {
                if !chunk.contains(&wire.account_id) {
                    continue;
                }
                let user = to_user(wire, path)?;
                out.insert(
                    user.account_id.clone(),
                    Seen {
                        user,
                        direct_grants: None,
                    },
                );
            }
        }
        for step in steps {
            let grants_role = matches!(
                step.change,
                Change::RevokeProductRole { .. } | Change::AssignProductRole { .. }
            );
            if let Some(seen) = out.get_mut(&step.account_id)
                && grants_role
                && seen.direct_grants.is_none()
            {
                seen.direct_grants = Some(self.direct_grants(&step.account_id).await?);
            }
        }
        Ok(out)
    }

    /// Resources on which the user holds the product user role directly.
    async fn direct_grants(&self, account_id: &str) -> Result<Vec<String>, ApiError> {
        let dir = self.directory_of(account_id).await?;
        let all: Vec<_> = self
            .org
            .user_role_assignments(&dir, account_id)
            .try_concat()
            .await?;
        Ok(all
            .into_iter()
            .filter(|a| {
                a.role_assignments.iter().any(|r| {
                    r.role == PRODUCT_USER_ROLE
                        && r.role_assignment_methods.iter().any(|m| m == "direct")
                })
            })
            .filter_map(|a| a.resource_id)
            .collect())
    }

    /// Sends one change. The match names every change, so a new one cannot be planned
    /// without saying here how it is sent.
    pub async fn send(&self, step: &Step) -> Result<Sent, ApiError> {
        let id = step.account_id.as_str();
        let client = self.org.client();
        match &step.change {
            Change::Deactivate => {
                let message = "Deactivated by seats: no recent use of any product.";
                users::disable(client, id, Some(message)).await?;
            }
            Change::Reactivate => users::enable(client, id).await?,
            Change::RevokeProductRole { resource, .. } => {
                self.org
                    .revoke_role(id, PRODUCT_USER_ROLE, Some(resource))
                    .await?
            }
            Change::AssignProductRole { resource, .. } => {
                self.org
                    .assign_role(id, PRODUCT_USER_ROLE, Some(resource))
                    .await?
            }
            Change::Suspend => {
                let dir = self.directory_of(id).await?;
                self.org.suspend_user(&dir, id).await?
            }
            Change::Restore => {
                let dir = self.directory_of(id).await?;
                self.org.restore_user(&dir, id).await?
            }
            Change::RemoveFromDirectory => {
                let dir = self.directory_of(id).await?;
                self.org.remove_user(&dir, id).await?
            }
            Change::RemoveFromGroup { group_id, .. } => {
                let dir = self.directory_of(id).await?;
                self.org.remove_group_member(&dir, group_id, id).await?
            }
            Change::AddToGroup { group_id, .. } => {
                let dir = self.directory_of(id).await?;
                return Ok(match self.org.add_group_member(&dir, group_id, id).await? {
                    AddOutcome::Added => Sent::Applied,
                    AddOutcome::AlreadyMember => Sent::AlreadyThere,
                });
            }
        }
        Ok(Sent::Applied)
    }
}

#[cfg(test)]
mod seat_limit_tests {
    use super::*;
    use crate::atlassian::error::{ErrorBody, Family};

    fn conflict(messages: &[&str], codes: &[&str]) -> ApiError {
        ApiError::Conflict {
            family: Family::Admin,
            body: ErrorBody {
                codes: codes.iter().map(|c| c.to_string()).collect(),
                messages: messages.iter().map(|m| m.to_string()).collect(),
            },
        }
    }

    #[test]
    fn a_seat_limit_409_names_the_product_and_its_seats() {
        let cases = [
            (
                conflict(
                    &["the jira-software licence has no seat left (limit 35)"],
                    &["ADMIN-409-3"],
                ),
                Some("Jira Software is at its limit of 35 seats: free a seat or raise the limit"),
            ),
            (
                conflict(&["You've exceeded your user limit for Confluence"], &[]),
                Some("Confluence is at its seat limit: free a seat or raise the limit"),
            ),
            (
                conflict(
                    &["Product License Limit Exceeded: jira-servicedesk, limit 10 agents"],
                    &["ADMIN-UAM-409-3"],
                ),
                Some(
                    "Jira Service Management is at its limit of 10 seats: free a seat or raise the limit",
                ),
            ),
            (
                conflict(&["The user is already in the group"], &["ADMIN-409-1"]),
                None,
            ),
            (conflict(&["something else"], &[]), None),
        ];
        for (e, want) in cases {
            assert_eq!(seat_limit_reason(&e).as_deref(), want, "{e:?}");
        }
        let forbidden = ApiError::Forbidden {
            family: Family::Admin,
            subject: crate::atlassian::error::Subject::Other,
            body: ErrorBody::default(),
        };
        assert_eq!(seat_limit_reason(&forbidden), None);
        assert_eq!(
            refusal_reason(&conflict(
                &["the confluence licence has no seat left (limit 5)"],
                &[]
            ))
            .as_deref(),
            Some("Confluence is at its limit of 5 seats: free a seat or raise the limit")
        );
    }
}
