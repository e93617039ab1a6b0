//! Who holds a product's user role, and through what: the groups that grant each product (for
//! the directory fetch) and the direct grants of a few users (for a plan), in as few requests
//! as the API allows.
//!
//! Groups. `groups/search` filters by `resourceIds` and `roleIds`, so one search per workspace
//! (`atlassian/user` on that resource) lists every group granting it: a handful of requests
//! however many groups the org has, where one `role-assignments` read per group took
//! thousands. Each group's `counts.resources` says on how many resources it holds any role;
//! when the searches account for all of them, they gave the whole answer. A group with more
//! (a role on a resource that is not a workspace, or a role other than user) is read the old
//! way, alone; so is every group when the API refuses the filters or the searches find more
//! than the counts allow (a server ignoring a filter), or when there are no fewer groups to read
//! than workspaces. A group on no resource needs no read.
//!
//! Direct grants. The v2 searches filter users by role and resource but not by how the role
//! came: a user who also holds the product through a group matches either way, so no bulk read
//! tells a direct grant apart, and each user's `role-assignments` is read. Callers ask only for
//! the users a plan still changes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use futures::{StreamExt, TryStreamExt};
use tokio::sync::mpsc::UnboundedSender;

use super::error::ApiError;
use super::http::Client;
use super::model::USER_ROLE;
use super::model::{DirectoryGroup, GroupSearchRequest, Workspace};
use super::org::OrgApi;
use super::progress::FetchEvent;

/// Reads at once; the client's own per-family limit applies too.
const CONCURRENCY: usize = 4;

/// A refusal of a filter (the per-group reads still work), not a failure they would escape.
fn refused(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::BadRequest { .. } | ApiError::NotFound { .. } | ApiError::Forbidden { .. }
    )
}

/// Each group with the resources (ARIs) on which it grants the product user role.
pub(crate) async fn group_grants(
    org: &OrgApi,
    groups: Vec<DirectoryGroup>,
    workspaces: &[Workspace],
    page_size: u32,
    progress: &Option<UnboundedSender<FetchEvent>>,
) -> Result<Vec<(DirectoryGroup, Vec<String>)>, ApiError> {
    let total = groups.len();
    let mut resources: Vec<&str> = workspaces.iter().map(|w| w.id.as_str()).collect();
    resources.sort_unstable();
    resources.dedup();
    let holds_roles = |g: &DirectoryGroup| g.counts.as_ref().and_then(|c| c.resources) != Some(0);
    // A search per workspace pays only when there are fewer workspaces than groups to read.
    let to_read = groups.iter().filter(|g| holds_roles(g)).count();
    let found = if resources.is_empty() || resources.len() >= to_read {
        None
    } else {
        granting_groups(org, &resources, page_size).await?
    };
    let found = found.filter(|by_group| {
        let consistent = groups.iter().all(|g| {
            let n = by_group.get(g.id.as_str()).map_or(0, Vec::len) as u64;
            g.counts
                .as_ref()
                .and_then(|c| c.resources)
                .is_none_or(|max| n <= max)
        });
        if !consistent {
            tracing::warn!(
                "groups/search by resource found more grants than the groups' counts allow; reading each group's role assignments"
            );
        }
        consistent
    });
    let mut out = Vec::with_capacity(total);
    let mut alone = Vec::new();
    for g in groups {
        let on = g.counts.as_ref().and_then(|c| c.resources);
        let grants = found
            .as_ref()
            .map(|by_group| by_group.get(g.id.as_str()).cloned().unwrap_or_default());
        match (on, grants) {
            (Some(0), _) => out.push((g, Vec::new())),
            (Some(n), Some(grants)) if grants.len() as u64 == n => out.push((g, grants)),
            _ => alone.push(g),
        }
    }
    let emit = |done: usize| {
        if let Some(tx) = progress {
            // A closed receiver only means nobody is watching.
            let _ = tx.send(FetchEvent::Groups {
                fetched: done,
                total,
            });
        }
    };
    emit(out.len());
    let mut reads = futures::stream::iter(alone.into_iter().map(|g| async move {
        // Reads go to the group's own directory when known; `-` covers every directory.
        let dir = g.directory_id.clone().unwrap_or_else(|| "-".into());
        let ras = org.group_role_assignments(&dir, &g.id).try_concat().await?;
        let grants: Vec<String> = ras
            .into_iter()
            .filter(|ra| ra.roles.iter().any(|r| r == USER_ROLE))
            .filter_map(|ra| ra.resource_id)
            .collect();
        Ok::<_, ApiError>((g, grants))
    }))
    .buffer_unordered(CONCURRENCY);
    while let Some(item) = reads.try_next().await? {
        out.push(item);
        emit(out.len());
    }
    Ok(out)
}

/// Group id to the resources among `resources` on which it holds the user role, one search per
/// resource; `None` when the API refuses the filters.
async fn granting_groups(
    org: &OrgApi,
    resources: &[&str],
    page_size: u32,
) -> Result<Option<HashMap<String, Vec<String>>>, ApiError> {
    // Owned items: a stream of futures borrowing `resources` is not `Send` (rust#102211).
    let owned: Vec<String> = resources.iter().map(|r| (*r).to_owned()).collect();
    let searches = futures::stream::iter(owned.into_iter().map(|r| async move {
        let request = GroupSearchRequest {
            resource_ids: vec![r.clone()],
            role_ids: vec![USER_ROLE.to_owned()],
            limit: Some(page_size),
            ..GroupSearchRequest::default()
        };
        let groups: Vec<DirectoryGroup> = org.search_groups("-", request).try_concat().await?;
        Ok::<_, ApiError>((r, groups))
    }))
    .buffer_unordered(CONCURRENCY)
    .try_collect::<Vec<_>>()
    .await;
    let searches = match searches {
        Ok(s) => s,
        Err(e) if refused(&e) => {
            tracing::warn!(
                error = %e,
                "the API refused groups/search by resource and role; reading each group's role assignments"
            );
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let mut by_group: HashMap<String, Vec<String>> = HashMap::new();
    for (resource, groups) in searches {
        for g in groups {
            let grants = by_group.entry(g.id).or_default();
            if !grants.contains(&resource) {
                grants.push(resource.clone());
            }
        }
    }
    for grants in by_group.values_mut() {
        grants.sort();
    }
    Ok(Some(by_group))
}

/// Account id to the resources (ARIs) on which it holds the product user role directly, for
/// `account_ids` (each read once; users with no direct grant are left out).
pub async fn direct_grants_for(
    client: &Client,
    org_id: &str,
    account_ids: &[&str],
) -> Result<BTreeMap<String, BTreeSet<String>>, ApiError> {
    let wanted: BTreeSet<&str> = account_ids.iter().copied().collect();
    let org = OrgApi::new(client.clone(), org_id);
    let org = &org;
    let mut out = BTreeMap::new();
    let mut lookups = futures::stream::iter(wanted.into_iter().map(|id| async move {
        let assignments = org.user_role_assignments("-", id).try_concat().await?;
        let direct: BTreeSet<String> = assignments
            .into_iter()
            .filter(|a| {
                a.role_assignments.iter().any(|r| {
                    r.role == USER_ROLE && r.role_assignment_methods.iter().any(|m| m == "direct")
                })
            })
            .filter_map(|a| a.resource_id)
            .collect();
        Ok::<_, ApiError>((id.to_owned(), direct))
    }))
    .buffer_unordered(CONCURRENCY);
    while let Some((id, direct)) = lookups.try_next().await? {
        if !direct.is_empty() {
            out.insert(id, direct);
        }
    }
    Ok(out)
}
