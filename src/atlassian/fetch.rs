//! Fetches the whole directory for the console and the exports: users with their product
//! activity and groups (v2 users/search, 100 a request), groups with the products they grant,
//! and seats (Jira application roles, org workspaces), in parallel, with progress events.

mod meeting;
mod users;
mod wire;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use tokio::sync::mpsc::UnboundedSender;

use super::error::{ApiError, Family};
use super::grants;
use super::http::Client;
use super::jira;
use super::model::{DirectoryGroup, DirectoryUser, GroupSearchRequest, Workspace};
use super::org::{MAX_LIMIT, OrgApi};
pub use super::progress::FetchEvent;
use crate::domain::{Directory, Group, Product, Seats, SeatsSource, User, product_key_from_ari};

/// How the users are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserPaging {
    /// Several streams that cannot overlap, falling back to `Sequential` if the API refuses them.
    #[default]
    Parallel,
    /// One cursor stream, page by page.
    Sequential,
}

/// What to fetch besides users, and how.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub groups: bool,
    pub seats: bool,
    pub progress: Option<UnboundedSender<FetchEvent>>,
    /// Each page of users as it arrives, every user exactly once (the console fills its table
    /// while the rest arrives). The fetch's result holds them all again.
    pub pages: Option<UnboundedSender<Vec<User>>>,
    /// Users and groups asked for per search request (1 to 100, the API's maximum).
    pub page_size: u32,
    pub paging: UserPaging,
}

impl Default for FetchOptions {
    fn default() -> FetchOptions {
        FetchOptions {
            groups: false,
            seats: false,
            progress: None,
            pages: None,
            page_size: MAX_LIMIT,
            paging: UserPaging::default(),
        }
    }
}

impl FetchOptions {
    pub fn everything() -> FetchOptions {
        FetchOptions {
            groups: true,
            seats: true,
            ..FetchOptions::default()
        }
    }
}

/// users/search gives group ids as `ari:cloud:identity::group/<id>`.
const GROUP_ARI_PREFIX: &str = "ari:cloud:identity::group/";
const ORG_ADMIN_ROLE: &str = "atlassian/org-admin";
const SITE_ADMIN_ROLE: &str = "atlassian/site-admin";

/// `platformRoles` entries are role ids, or objects naming one (`{"id": ...}` / `{"roleId": ...}`).
fn has_role(roles: &[serde_json::Value], role: &str) -> bool {
    roles.iter().any(|r| match r {
        serde_json::Value::String(s) => s == role,
        serde_json::Value::Object(o) => ["id", "roleId", "role"]
            .iter()
            .any(|k| o.get(*k).and_then(|v| v.as_str()) == Some(role)),
        _ => false,
    })
}

fn emit(tx: &Option<UnboundedSender<FetchEvent>>, ev: FetchEvent) {
    if let Some(tx) = tx {
        // A closed receiver only means nobody is watching.
        let _ = tx.send(ev);
    }
}

/// Fetches the org directory. Inactivity is later counted from `fetched_at`.
pub async fn fetch_directory(
    client: &Client,
    org_id: &str,
    opts: FetchOptions,
) -> Result<Directory, ApiError> {
    let org = OrgApi::new(client.clone(), org_id);
    // One request first: a wrong org id then gets "no org with id X is visible to this key"
    // rather than whatever status each org-scoped list answers with.
    org.get().await?;
    let fetched_at = Utc::now();
    let page_size = opts.page_size.clamp(1, MAX_LIMIT);
    let users = fetch_users(&org, &opts);
    // Groups wait for the workspaces: their grants are read per workspace, not per group.
    let groups_and_workspaces = async {
        let workspaces = async {
            if opts.seats || opts.groups {
                fetch_workspaces(&org).await
            } else {
                Ok(Vec::new())
            }
        };
        let groups = async {
            if opts.groups {
                list_groups(&org, page_size, &opts.progress).await.map(Some)
            } else {
                Ok(None)
            }
        };
        let (groups, workspaces) = futures::try_join!(groups, workspaces)?;
        let groups = match groups {
            Some(groups) => Some(
                grants::group_grants(&org, groups, &workspaces, page_size, &opts.progress).await?,
            ),
            None => None,
        };
        Ok::<_, ApiError>((groups, workspaces))
    };
    let roles = async {
        if opts.seats && client.has_site() {
            jira::application_roles(client).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let (users, (groups, workspaces), roles) =
        futures::try_join!(users, groups_and_workspaces, roles)?;

    let ari_keys: HashMap<&str, &str> = workspaces
        .iter()
        .filter_map(|w| w.attributes.type_key.as_deref().map(|k| (w.id.as_str(), k)))
        .collect();
    let groups = groups
        .unwrap_or_default()
        .into_iter()
        .map(|(g, grants)| to_group(g, &grants, &ari_keys))
        .collect::<Vec<_>>();
    let mut dir = Directory {
        org_id: org_id.to_owned(),
        fetched_at,
        users,
        groups,
        seats: Vec::new(),
    };
    if opts.seats {
        dir.seats = seats(&dir, roles.unwrap_or_default(), &workspaces);
        emit(&opts.progress, FetchEvent::Seats);
    }
    emit(
        &opts.progress,
        FetchEvent::Done {
            users: dir.users.len(),
            groups: dir.groups.len(),
        },
    );
    Ok(dir)
}

/// Every user in every directory the key manages (see `users` for how), sorted by lower-cased
/// name, then email, then account id; pages and progress go where `opts` says.
pub async fn fetch_users(org: &OrgApi, opts: &FetchOptions) -> Result<Vec<User>, ApiError> {
    let out = users::Output::new(&opts.progress, &opts.pages);
    users::fetch_users(org, opts.page_size, opts.paging, &out).await
}

/// Every group of every directory, with its user and resource counts.
async fn list_groups(
    org: &OrgApi,
    page_size: u32,
    progress: &Option<UnboundedSender<FetchEvent>>,
) -> Result<Vec<DirectoryGroup>, ApiError> {
    let request = GroupSearchRequest {
        expand: vec!["counts.users".into(), "counts.resources".into()],
        limit: Some(page_size),
        ..GroupSearchRequest::default()
    };
    let groups: Vec<DirectoryGroup> = org.search_groups("-", request).try_concat().await?;
    emit(
        progress,
        FetchEvent::Groups {
            fetched: 0,
            total: groups.len(),
        },
    );
    Ok(groups)
}

async fn fetch_workspaces(org: &OrgApi) -> Result<Vec<Workspace>, ApiError> {
    match org.workspaces().try_concat().await {
        Ok(w) => Ok(w),
        // Older tenants and some keys cannot read workspaces: seats then come from Jira alone.
        Err(ApiError::NotFound { .. } | ApiError::Forbidden { .. }) => {
            tracing::warn!("workspaces unavailable; seat limits come from Jira only");
            Ok(Vec::new())
        }
        Err(e) => Err(e),
    }
}

/// A `lastActiveTimestamp`; `Err` says what it is not.
fn parse_time(raw: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("lastActiveTimestamp {raw:?} is not a date-time ({e})"))
}

/// The wire user as the field's user.
pub fn to_user(u: DirectoryUser, path: &str) -> Result<User, ApiError> {
    wire::WireUser::from(u)
        .into_user()
        .map_err(|detail| ApiError::Malformed {
            family: Family::Admin,
            path: path.to_owned(),
            detail,
        })
}

fn to_group(g: DirectoryGroup, grants: &[String], ari_keys: &HashMap<&str, &str>) -> Group {
    let mut keys: Vec<String> = grants
        .iter()
        .filter_map(|ari| product_key_from_ari(ari).or_else(|| ari_keys.get(ari.as_str()).copied()))
        .map(str::to_owned)
        .collect();
    keys.sort();
    keys.dedup();
    Group {
        synced: g.external_synced.unwrap_or(false),
        member_count: g.counts.and_then(|c| c.users),
        id: g.id,
        name: g.name,
        grants: keys,
    }
}

/// Seats per product: Jira's own figures where it has them, else the workspace capacity with
/// usage counted from the directory, else the directory count alone.
fn seats(
    dir: &Directory,
    roles: Vec<jira::ApplicationRole>,
    workspaces: &[Workspace],
) -> Vec<Seats> {
    let mut out: Vec<Seats> = Vec::new();
    for r in roles {
        let limit = if r.has_unlimited_seats == Some(true) {
            None
        } else {
            r.number_of_seats.and_then(|n| u64::try_from(n).ok())
        };
        let used = r
            .user_count
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or_else(|| dir.holders(&r.key));
        let mut product = Product::new(r.key.clone());
        if let Some(name) = r.name.filter(|n| !n.is_empty()) {
            product.name = name;
        }
        let mut s = Seats::new(product, limit, used, SeatsSource::JiraApplicationRole);
        if let (Some(rem), Some(_)) = (r.remaining_seats.and_then(|n| u64::try_from(n).ok()), limit)
        {
            s.remaining = Some(rem);
        }
        out.push(s);
    }
    for key in dir.product_keys() {
        if out.iter().any(|s| s.product.key == key) {
            continue;
        }
        let workspace = workspaces.iter().find(|w| {
            w.attributes.capacity.is_some()
                && (w.attributes.type_key.as_deref() == Some(key.as_str())
                    || product_key_from_ari(&w.id) == Some(key.as_str()))
        });
        let capacity = workspace.and_then(|w| w.attributes.capacity);
        let source = if capacity.is_some() {
            SeatsSource::Workspace
        } else {
            SeatsSource::Directory
        };
        // Atlassian's own usage figure when the workspace has one, else the directory count.
        let used = workspace
            .and_then(|w| w.attributes.usage)
            .unwrap_or_else(|| dir.holders(&key));
        out.push(Seats::new(
            Product::new(key.clone()),
            capacity,
            used,
            source,
        ));
    }
    out.sort_by(|a, b| a.product.key.cmp(&b.product.key));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AccountType, ProductAccess, UserStatus};

    fn wire(json: serde_json::Value) -> DirectoryUser {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn wire_user_to_domain() {
        let u = to_user(
            wire(serde_json::json!({
                "accountId": "a1", "name": "Ada", "email": "ada@x.io", "accountType": "atlassian", "status": "suspended",
                "claimStatus": "managed", "managementSource": "synced",
                "productAccess": [
                    {"id": "ari:cloud:jira-software::site/c", "key": "jira-software", "lastActiveTimestamp": "2026-01-02T03:04:05Z"},
                    {"id": "ari:cloud:confluence::site/c"}
                ],
                "groups": [{"id": "ari:cloud:identity::group/g1", "name": "devs"}]
            })),
            "/p",
        )
        .unwrap();
        assert_eq!(u.status, UserStatus::Suspended);
        assert!(u.managed && u.synced);
        assert_eq!(u.product_access.len(), 2);
        assert_eq!(u.access("confluence").unwrap().last_active, None);
        assert_eq!(
            u.access("confluence").unwrap().resource.as_deref(),
            Some("ari:cloud:confluence::site/c")
        );
        assert_eq!(
            u.access("jira-software")
                .unwrap()
                .last_active
                .unwrap()
                .to_rfc3339(),
            "2026-01-02T03:04:05+00:00"
        );
        assert_eq!(
            (u.groups[0].id.as_str(), u.groups[0].name.as_str()),
            ("g1", "devs")
        );

        let bad = wire(
            serde_json::json!({"accountId": "a", "productAccess": [{"key": "confluence", "lastActiveTimestamp": "yesterday"}]}),
        );
        assert!(matches!(
            to_user(bad, "/p"),
            Err(ApiError::Malformed { .. })
        ));
    }

    #[test]
    fn seats_prefer_jira_then_workspace_then_directory() {
        let user = |id: &str, keys: &[&str]| User {
            account_id: id.into(),
            name: id.into(),
            email: None,
            account_type: AccountType::Atlassian,
            status: UserStatus::Active,
            groups: vec![],
            product_access: keys
                .iter()
                .map(|k| ProductAccess {
                    product: (*k).into(),
                    last_active: None,
                    resource: None,
                })
                .collect(),
            managed: false,
            synced: false,
            org_admin: false,
            site_admin: false,
        };
        let dir = Directory {
            org_id: "o".into(),
            fetched_at: Utc::now(),
            users: vec![
                user("a", &["jira-software", "confluence"]),
                user("b", &["confluence", "bitbucket", "opsgenie"]),
            ],
            groups: vec![],
            seats: vec![],
        };
        let roles: Vec<jira::ApplicationRole> = serde_json::from_value(serde_json::json!([
            {"key": "jira-software", "name": "Jira Software", "numberOfSeats": 10, "remainingSeats": 3, "userCount": 7}
        ]))
        .unwrap();
        let ws: Vec<Workspace> = serde_json::from_value(serde_json::json!([
            {"id": "ari:cloud:confluence::site/c", "attributes": {"typeKey": "confluence", "capacity": 5}},
            {"id": "ari:cloud:opsgenie::site/c", "attributes": {"typeKey": "opsgenie", "capacity": 9, "usage": 6}}
        ]))
        .unwrap();
        let s = seats(&dir, roles, &ws);
        let by = |k: &str| s.iter().find(|x| x.product.key == k).unwrap().clone();
        assert_eq!(
            (
                by("jira-software").limit,
                by("jira-software").used,
                by("jira-software").remaining
            ),
            (Some(10), 7, Some(3))
        );
        assert_eq!(
            (
                by("confluence").limit,
                by("confluence").used,
                by("confluence").remaining
            ),
            (Some(5), 2, Some(3))
        );
        assert_eq!(by("confluence").source, SeatsSource::Workspace);
        assert_eq!(
            (
                by("bitbucket").limit,
                by("bitbucket").used,
                by("bitbucket").source
            ),
            (None, 1, SeatsSource::Directory)
        );
        // The workspace's own usage wins over the directory count (1 holder here).
        assert_eq!(
            (
                by("opsgenie").limit,
                by("opsgenie").used,
                by("opsgenie").remaining
            ),
            (Some(9), 6, Some(3))
        );
    }
}
