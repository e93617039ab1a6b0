//! Organizations admin API (`/admin`): orgs, directories, users, groups, roles, workspaces,
//! events. Paths and bodies as in `admin-organization/atlassian_org_openapi.json`.

use futures::Stream;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::error::{ApiError, Family, Subject};
use super::http::{Client, Request, Retry};
use super::model::*;
use super::paging::{CursorPage, Next, cursor_pages};

/// Largest page the v2 search operations accept.
pub const MAX_LIMIT: u32 = 100;

/// What adding a member did. A 409 means either "already a member" or "the seat limit would be
/// exceeded"; only the first is a success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddOutcome {
    Added,
    AlreadyMember,
}

/// Org-scoped calls.
#[derive(Debug, Clone)]
pub struct OrgApi {
    client: Client,
    org_id: String,
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// A GET for the next page: the token as `?cursor=`, or the server's link as given.
pub(crate) fn with_next(
    client: &Client,
    req: Request,
    next: Option<Next>,
) -> Result<Request, ApiError> {
    match next {
        None => Ok(req),
        Some(Next::Token(t)) => Ok(req.query("cursor", t)),
        Some(link) => {
            let base = client.base(req.family)?;
            let url = link.resolve(base).ok_or_else(|| ApiError::Malformed {
                family: req.family,
                path: req.path.clone(),
                detail: "a next-page link that is not a URL".into(),
            })?;
            Ok(req.at_url(url))
        }
    }
}

/// Lists every org the key can see (`GET /admin/v1/orgs`, all pages).
pub fn list_orgs(client: &Client) -> impl Stream<Item = Result<Vec<OrgModel>, ApiError>> + '_ {
    cursor_pages("/admin/v1/orgs".into(), move |next| async move {
        let req = with_next(client, Request::get(Family::Admin, "/admin/v1/orgs"), next)?;
        let page: OrgPage = client.json(req).await?;
        Ok(CursorPage {
            items: page.data,
            next: page.links.next,
        })
    })
}

impl OrgApi {
    pub fn new(client: Client, org_id: impl Into<String>) -> OrgApi {
        OrgApi {
            client,
            org_id: org_id.into(),
        }
    }

    pub fn org_id(&self) -> &str {
        &self.org_id
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    fn path(&self, version: &str, rest: &str) -> String {
        format!("/admin/{version}/orgs/{}{rest}", enc(&self.org_id))
    }

    fn org_subject(&self) -> Subject {
        Subject::Org(self.org_id.clone())
    }

    /// A cursor-paged POST search: the cursor goes in the body, alone with the filters.
    fn search<'a, B, P, T>(
        &'a self,
        path: String,
        body: B,
        split: fn(P) -> CursorPage<T>,
    ) -> impl Stream<Item = Result<Vec<T>, ApiError>> + 'a
    where
        B: serde::Serialize + Clone + WithCursor + 'a,
        P: DeserializeOwned + 'a,
        T: 'a,
    {
        cursor_pages(path.clone(), move |next| {
            let path = path.clone();
            let body = body.clone();
            async move {
                let cursor = match next {
                    None => None,
                    Some(n) => Some(n.cursor().ok_or_else(|| ApiError::Malformed {
                        family: Family::Admin,
                        path: path.clone(),
                        detail: "a next-page link without a cursor".into(),
                    })?),
                };
                let body = serde_json::to_value(body.with_cursor(cursor))
                    .map_err(|e| ApiError::Config(format!("could not encode a request: {e}")))?;
                let req = Request::new(Family::Admin, Method::POST, path)
                    .json(body)
                    .retry(Retry::Read)
                    .subject(self.org_subject());
                let page: P = self.client.json(req).await?;
                Ok(split(page))
            }
        })
    }

    /// A cursor-paged GET list.
    fn list<'a, P, T>(
        &'a self,
        req: Request,
        split: fn(P) -> CursorPage<T>,
    ) -> impl Stream<Item = Result<Vec<T>, ApiError>> + 'a
    where
        P: DeserializeOwned + 'a,
        T: 'a,
    {
        cursor_pages(req.path.clone(), move |next| {
            let req = req.clone();
            async move {
                let req = with_next(&self.client, req, next)?;
                let page: P = self.client.json(req).await?;
                Ok(split(page))
            }
        })
    }

    /// `GET /v1/orgs/{orgId}`.
    pub async fn get(&self) -> Result<Org, ApiError> {
        self.client
            .json(Request::get(Family::Admin, self.path("v1", "")).subject(self.org_subject()))
            .await
    }

    /// `GET /v1/orgs/{orgId}/users`: managed accounts only, with `access_billable`. Its
    /// `links.next` may be a URL or a token; both are followed. Prefer `search_users`.
    pub fn managed_users(&self) -> impl Stream<Item = Result<Vec<ManagedUser>, ApiError>> + '_ {
        let req =
            Request::get(Family::Admin, self.path("v1", "/users")).subject(self.org_subject());
        self.list(req, |p: ManagedUserPage| CursorPage {
            items: p.data,
            next: p.links.next,
        })
    }

    /// `GET /v2/orgs/{orgId}/directories`, optionally only those holding `account_id`.
    pub fn directories(
        &self,
        account_id: Option<&str>,
    ) -> impl Stream<Item = Result<Vec<DirectoryModel>, ApiError>> + '_ {
        let mut req = Request::get(Family::Admin, self.path("v2", "/directories"))
            .subject(self.org_subject());
        if let Some(id) = account_id {
            req = req.query("accountId", id);
        }
        self.list(req, |p: DirectoryPage| CursorPage {
            items: p.data,
            next: p.links.next,
        })
    }

    /// `POST /v2/orgs/{orgId}/directories/{directoryId}/users/search` (`-` = all directories).
    pub fn search_users(
        &self,
        directory_id: &str,
        request: UserSearchRequest,
    ) -> impl Stream<Item = Result<Vec<DirectoryUser>, ApiError>> + '_ {
        self.search_users_into(directory_id, request, |p: UserSearchPage| CursorPage {
            items: p.data,
            next: p.links.next,
        })
    }

    /// `search_users`, each page read straight into `P` (the fetch reads domain users).
    pub fn search_users_into<P: DeserializeOwned + 'static, T: 'static>(
        &self,
        directory_id: &str,
        request: UserSearchRequest,
        split: fn(P) -> CursorPage<T>,
    ) -> impl Stream<Item = Result<Vec<T>, ApiError>> + '_ {
        let path = format!("/directories/{}/users/search", enc(directory_id));
        self.search(self.path("v2", &path), request, split)
    }

    /// `GET /v2/orgs/{orgId}/directories/{directoryId}/users/count` for the accounts whose
    /// membership status is one of `membership_status`; `None` when the answer has no count.
    pub async fn count_users(
        &self,
        directory_id: &str,
        membership_status: &[&str],
    ) -> Result<Option<u64>, ApiError> {
        let filter = UserSearchRequest {
            membership_status: membership_status.iter().map(|s| (*s).to_owned()).collect(),
            ..UserSearchRequest::default()
        };
        self.count_matching(directory_id, &filter).await
    }

    /// `GET .../users/count` with the filters of `filter` that the count takes (membership
    /// status, status, claim status, two-step verification, email domains, groups); paging,
    /// sorting and expansion mean nothing to a count and are not sent.
    pub async fn count_matching(
        &self,
        directory_id: &str,
        filter: &UserSearchRequest,
    ) -> Result<Option<u64>, ApiError> {
        let path = self.path(
            "v2",
            &format!("/directories/{}/users/count", enc(directory_id)),
        );
        let mut req = Request::get(Family::Admin, path).subject(self.org_subject());
        for status in &filter.membership_status {
            req = req.query("membershipStatus", status);
        }
        for status in &filter.status {
            req = req.query("status", status);
        }
        if let Some(claim) = &filter.claim_status {
            req = req.query("claimStatus", claim);
        }
        if let Some(mfa) = filter.mfa_enabled {
            req = req.query("mfaEnabled", if mfa { "true" } else { "false" });
        }
        for domain in &filter.email_domains {
            req = req.query("emailDomains", domain);
        }
        for group in &filter.group_ids {
            req = req.query("groupIds", group);
        }
        let answer: UserCount = self.client.json(req).await?;
        Ok(answer.count)
    }

    /// `GET .../directories/{directoryId}/users/{accountId}`.
    pub async fn user(
        &self,
        directory_id: &str,
        account_id: &str,
    ) -> Result<DirectoryUser, ApiError> {
        let path = self.path(
            "v2",
            &format!(
                "/directories/{}/users/{}",
                enc(directory_id),
                enc(account_id)
            ),
        );
        let d: UserDetails = self
            .client
            .json(Request::get(Family::Admin, path).subject(Subject::User(account_id.into())))
            .await?;
        Ok(d.data)
    }

    /// `GET .../users/{accountId}/role-assignments`: which products the user holds and how.
    pub fn user_role_assignments(
        &self,
        directory_id: &str,
        account_id: &str,
    ) -> impl Stream<Item = Result<Vec<UserRoleAssignment>, ApiError>> + '_ {
        let path = self.path(
            "v2",
            &format!(
                "/directories/{}/users/{}/role-assignments",
                enc(directory_id),
                enc(account_id)
            ),
        );
        let req = Request::get(Family::Admin, path).subject(Subject::User(account_id.into()));
        self.list(req, |p: UserRoleAssignmentPage| CursorPage {
            items: p.data,
            next: p.links.next,
        })
    }

    async fn user_action(
        &self,
        method: Method,
        directory_id: &str,
        account_id: &str,
        action: &str,
    ) -> Result<(), ApiError> {
        let path = self.path(
            "v2",
            &format!(
                "/directories/{}/users/{}{action}",
                enc(directory_id),
                enc(account_id)
            ),
        );
        let req = Request::new(Family::Admin, method, path)
            .retry(Retry::Idempotent)
            .subject(Subject::User(account_id.into()));
        self.client.send(req).await.map(|_| ())
    }

    /// `POST .../users/{accountId}/suspend` (204). Idempotent.
    pub async fn suspend_user(&self, directory_id: &str, account_id: &str) -> Result<(), ApiError> {
        self.user_action(Method::POST, directory_id, account_id, "/suspend")
            .await
    }

    /// `POST .../users/{accountId}/restore` (204). Idempotent.
    pub async fn restore_user(&self, directory_id: &str, account_id: &str) -> Result<(), ApiError> {
        self.user_action(Method::POST, directory_id, account_id, "/restore")
            .await
    }

    /// `DELETE .../users/{accountId}` (204): removes the user from the directory.
    pub async fn remove_user(&self, directory_id: &str, account_id: &str) -> Result<(), ApiError> {
        self.user_action(Method::DELETE, directory_id, account_id, "")
            .await
    }

    /// `POST .../groups/search`.
    pub fn search_groups(
        &self,
        directory_id: &str,
        request: GroupSearchRequest,
    ) -> impl Stream<Item = Result<Vec<DirectoryGroup>, ApiError>> + '_ {
        let path = self.path(
            "v2",
            &format!("/directories/{}/groups/search", enc(directory_id)),
        );
        self.search(path, request, |p: GroupSearchPage| CursorPage {
            items: p.data,
            next: p.links.next,
        })
    }

    /// `GET .../groups/{groupId}`.
    pub async fn group(
        &self,
        directory_id: &str,
        group_id: &str,
    ) -> Result<DirectoryGroup, ApiError> {
        let path = self.path(
            "v2",
            &format!(
                "/directories/{}/groups/{}",
                enc(directory_id),
                enc(group_id)
            ),
        );
        let d: GroupDetails = self
            .client
            .json(Request::get(Family::Admin, path).subject(Subject::Group(group_id.into())))
            .await?;
        Ok(d.data)
    }

    /// `GET .../groups/{groupId}/role-assignments`: which products the group grants.
    pub fn group_role_assignments(
        &self,
        directory_id: &str,
        group_id: &str,
    ) -> impl Stream<Item = Result<Vec<GroupRoleAssignment>, ApiError>> + '_ {
        let path = self.path(
            "v2",
            &format!(
                "/directories/{}/groups/{}/role-assignments",
                enc(directory_id),
                enc(group_id)
            ),
        );
        let req = Request::get(Family::Admin, path).subject(Subject::Group(group_id.into()));
        self.list(req, |p: GroupRoleAssignmentPage| CursorPage {
            items: p.data,
            next: p.links.next,
        })
    }

    /// `POST .../groups/{groupId}/memberships` `{accountId}` (204). Not idempotent on the wire:
    /// sent once (retried only on 429 or a refused connection); a 409 that says the user is
    /// already a member is `AlreadyMember`, any other 409 (seat limit) is an error.
    pub async fn add_group_member(
        &self,
        directory_id: &str,
        group_id: &str,
        account_id: &str,
    ) -> Result<AddOutcome, ApiError> {
        let path = self.path(
            "v2",
            &format!(
                "/directories/{}/groups/{}/memberships",
                enc(directory_id),
                enc(group_id)
            ),
        );
        let req = Request::new(Family::Admin, Method::POST, path)
            .json(json!({ "accountId": account_id }))
            .retry(Retry::Once)
            .subject(Subject::Group(group_id.into()));
        match self.client.send(req).await {
            Ok(_) => Ok(AddOutcome::Added),
            Err(ApiError::Conflict { body, .. }) if body.mentions("already") => {
                Ok(AddOutcome::AlreadyMember)
            }
            Err(e) => Err(e),
        }
    }

    /// `DELETE .../groups/{groupId}/memberships/{accountId}` (204). Idempotent.
    pub async fn remove_group_member(
        &self,
        directory_id: &str,
        group_id: &str,
        account_id: &str,
    ) -> Result<(), ApiError> {
        let path = self.path(
            "v2",
            &format!(
                "/directories/{}/groups/{}/memberships/{}",
                enc(directory_id),
                enc(group_id),
                enc(account_id)
            ),
        );
        let req = Request::new(Family::Admin, Method::DELETE, path)
            .retry(Retry::Idempotent)
            .subject(Subject::Group(group_id.into()));
        self.client.send(req).await.map(|_| ())
    }

    /// `GET /v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates` (all pages merged).
    /// Limited to about 200 requests a minute per org: use `search_users` with productAccess in bulk.
    pub async fn last_active_dates(&self, account_id: &str) -> Result<LastActiveModel, ApiError> {
        use futures::TryStreamExt;
        let req = Request::get(
            Family::Admin,
            self.path(
                "v1",
                &format!("/directory/users/{}/last-active-dates", enc(account_id)),
            ),
        )
        .subject(Subject::User(account_id.into()));
        let mut added: Option<(Option<String>, Option<String>)> = None;
        let pages = self.list(req, |p: LastActivePage| CursorPage {
            items: vec![p.data],
            next: p.links.next,
        });
        let all: Vec<Vec<LastActiveModel>> = pages.try_collect().await?;
        let mut out = LastActiveModel {
            product_access: Vec::new(),
            added_to_org: None,
            added_to_org_timestamp: None,
        };
        for m in all.into_iter().flatten() {
            if added.is_none() {
                added = Some((m.added_to_org.clone(), m.added_to_org_timestamp.clone()));
            }
            out.product_access.extend(m.product_access);
        }
        if let Some((a, t)) = added {
            out.added_to_org = a;
            out.added_to_org_timestamp = t;
        }
        Ok(out)
    }

    /// `POST /v1/orgs/{orgId}/users/{userId}/roles/assign` (204).
    pub async fn assign_role(
        &self,
        user_id: &str,
        role: &str,
        resource: Option<&str>,
    ) -> Result<(), ApiError> {
        self.role_call(user_id, role, resource, "assign").await
    }

    /// `POST /v1/orgs/{orgId}/users/{userId}/roles/revoke` (204). Idempotent.
    pub async fn revoke_role(
        &self,
        user_id: &str,
        role: &str,
        resource: Option<&str>,
    ) -> Result<(), ApiError> {
        self.role_call(user_id, role, resource, "revoke").await
    }

    async fn role_call(
        &self,
        user_id: &str,
        role: &str,
        resource: Option<&str>,
        action: &str,
    ) -> Result<(), ApiError> {
        let body = RoleRequest {
            role: role.to_owned(),
            resource: resource.map(str::to_owned),
        };
        let body = serde_json::to_value(body)
            .map_err(|e| ApiError::Config(format!("could not encode a request: {e}")))?;
        let retry = if action == "revoke" {
            Retry::Idempotent
        } else {
            Retry::Once
        };
        let req = Request::new(
            Family::Admin,
            Method::POST,
            self.path("v1", &format!("/users/{}/roles/{action}", enc(user_id))),
        )
        .json(body)
        .retry(retry)
        .subject(Subject::User(user_id.into()));
        self.client.send(req).await.map(|_| ())
    }

    /// `POST /v2/orgs/{orgId}/workspaces`: sites and products, with seat `capacity` when known.
    pub fn workspaces(&self) -> impl Stream<Item = Result<Vec<Workspace>, ApiError>> + '_ {
        let request = WorkspaceSearchRequest {
            cursor: None,
            limit: Some(100),
        };
        self.search(
            self.path("v2", "/workspaces"),
            request,
            |p: WorkspacePage| CursorPage {
                items: p.data,
                next: p.links.next,
            },
        )
    }

    /// `GET /v1/orgs/{orgId}/events-stream` (oldest first when `sort_order` is `asc`).
    pub fn events_stream(
        &self,
        limit: u32,
    ) -> impl Stream<Item = Result<Vec<serde_json::Value>, ApiError>> + '_ {
        let req = Request::get(Family::Admin, self.path("v1", "/events-stream"))
            .query("limit", limit)
            .subject(self.org_subject());
        self.list(req, |p: EventPage| CursorPage {
            items: p.data,
            next: p.links.next,
        })
    }
}

/// Search bodies carry the cursor in the body; with a cursor nothing else is needed.
pub trait WithCursor {
    fn with_cursor(self, cursor: Option<String>) -> Self;
}

impl WithCursor for UserSearchRequest {
    fn with_cursor(mut self, cursor: Option<String>) -> Self {
        self.cursor = cursor;
        self
    }
}

impl WithCursor for GroupSearchRequest {
    fn with_cursor(mut self, cursor: Option<String>) -> Self {
        self.cursor = cursor;
        self
    }
}

impl WithCursor for WorkspaceSearchRequest {
    fn with_cursor(self, cursor: Option<String>) -> Self {
        // "With a cursor, no other property may be sent."
        match cursor {
            Some(c) => WorkspaceSearchRequest {
                cursor: Some(c),
                limit: None,
            },
            None => self,
        }
    }
}
