//! Wire types of the Organizations admin API, named as in the official spec
//! (`admin-organization/atlassian_org_openapi.json`, `components.schemas`). Unknown fields are
//! ignored and most fields are optional so a new server field or a missing one never breaks a read.

use serde::{Deserialize, Serialize};

/// The role that makes a group or grant a product seat.
pub(crate) const USER_ROLE: &str = "atlassian/user";

/// `LinkPageCursor` / `LinkPageModel`: `next` is a cursor token or a URL.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PageLinks {
    #[serde(default)]
    pub next: Option<String>,
}

/// `OrgPage`.
#[derive(Debug, Clone, Deserialize)]
pub struct OrgPage {
    #[serde(default)]
    pub data: Vec<OrgModel>,
    #[serde(default)]
    pub links: PageLinks,
}

/// `OrgModel`.
#[derive(Debug, Clone, Deserialize)]
pub struct OrgModel {
    pub id: String,
    #[serde(default)]
    pub attributes: OrgAttributes,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrgAttributes {
    #[serde(default)]
    pub name: String,
}

/// `Org`.
#[derive(Debug, Clone, Deserialize)]
pub struct Org {
    pub data: OrgModel,
}

/// `MultiDirectoryUserDirectoryPage`.
#[derive(Debug, Clone, Deserialize)]
pub struct DirectoryPage {
    #[serde(default)]
    pub data: Vec<DirectoryModel>,
    #[serde(default)]
    pub links: PageLinks,
}

/// `MultiDirectoryUserDirectory`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryModel {
    pub directory_id: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// `MultiDirectoryUserSearchRequest`: only the fields seats sends are modelled; absent ones are
/// not serialized (the API rejects some combinations, e.g. searchTerm with emails).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSearchRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search_term: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub account_ids: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub group_ids: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub status: Vec<String>,
    /// `active`, `suspended` or `no_membership`: where the account stands in the org's directories.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub membership_status: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_status: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub email_domains: Vec<String>,
    /// Two-step verification of a managed account (unmanaged accounts: not exact, not sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_enabled: Option<bool>,
    /// At most one entry (the API sorts by one field).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sort_by: Vec<SortBy>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expand: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One `sortBy` entry of a user search; `nick_name` is the only field the API sorts users by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SortBy {
    pub field: String,
    pub direction: SortDirection,
}

impl SortBy {
    pub fn nickname(direction: SortDirection) -> SortBy {
        SortBy {
            field: "nick_name".into(),
            direction,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortDirection {
    Asc,
    Desc,
}

/// The answer of `GET .../users/count`.
#[derive(Debug, Clone, Deserialize)]
pub struct UserCount {
    #[serde(default)]
    pub count: Option<u64>,
}

/// `MultiDirectoryUserSearchPage`.
#[derive(Debug, Clone, Deserialize)]
pub struct UserSearchPage {
    #[serde(default)]
    pub data: Vec<DirectoryUser>,
    #[serde(default)]
    pub links: PageLinks,
}

/// `MultiDirectoryUser` (and `MultiDirectoryUserDetailsData`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryUser {
    pub account_id: String,
    #[serde(default)]
    pub account_type: Option<String>,
    #[serde(default)]
    pub account_status: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub membership_status: Option<String>,
    #[serde(default)]
    pub claim_status: Option<String>,
    #[serde(default)]
    pub management_source: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub nickname: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub added_to_org: Option<String>,
    #[serde(default)]
    pub platform_roles: Vec<serde_json::Value>,
    #[serde(default)]
    pub product_access: Vec<ProductAccessModel>,
    #[serde(default)]
    pub groups: Vec<UserGroupModel>,
}

/// `MultiDirectoryProductAccess`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductAccessModel {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub last_active_timestamp: Option<String>,
}

/// `MultiDirectoryUserGroup`.
#[derive(Debug, Clone, Deserialize)]
pub struct UserGroupModel {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// `MultiDirectoryUserDetails`.
#[derive(Debug, Clone, Deserialize)]
pub struct UserDetails {
    pub data: DirectoryUser,
}

/// `MultiDirectoryGroupSearchRequest`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupSearchRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search_term: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub group_ids: Vec<String>,
    /// Groups holding a role on one of these resources (ARIs; at most 20).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_ids: Vec<String>,
    /// Groups holding one of these roles; with `resource_ids`, on one of those resources.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub role_ids: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expand: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// `MultiDirectoryGroupSearchPage`.
#[derive(Debug, Clone, Deserialize)]
pub struct GroupSearchPage {
    #[serde(default)]
    pub data: Vec<DirectoryGroup>,
    #[serde(default)]
    pub links: PageLinks,
}

/// `MultiDirectoryGroup`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryGroup {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub directory_id: Option<String>,
    #[serde(default)]
    pub external_synced: Option<bool>,
    #[serde(default)]
    pub managed_by: Option<String>,
    #[serde(default)]
    pub counts: Option<GroupCounts>,
}

/// `GroupCounts`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GroupCounts {
    #[serde(default)]
    pub users: Option<u64>,
    #[serde(default)]
    pub resources: Option<u64>,
}

/// `MultiDirectoryGroupDetails`.
#[derive(Debug, Clone, Deserialize)]
pub struct GroupDetails {
    pub data: DirectoryGroup,
}

/// `MultiDirectoryGroupRoleAssignmentPage`.
#[derive(Debug, Clone, Deserialize)]
pub struct GroupRoleAssignmentPage {
    #[serde(default)]
    pub data: Vec<GroupRoleAssignment>,
    #[serde(default)]
    pub links: PageLinks,
}

/// `MultiDirectoryGroupRoleAssignment`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupRoleAssignment {
    #[serde(default)]
    pub resource_id: Option<String>,
    #[serde(default)]
    pub resource_owner: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub default_role: Option<String>,
}

/// `MultiDirectoryUserRoleAssignmentPage`.
#[derive(Debug, Clone, Deserialize)]
pub struct UserRoleAssignmentPage {
    #[serde(default)]
    pub data: Vec<UserRoleAssignment>,
    #[serde(default)]
    pub links: PageLinks,
}

/// `MultiDirectoryUserRoleAssignment`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRoleAssignment {
    #[serde(default)]
    pub directory_id: Option<String>,
    #[serde(default)]
    pub resource_id: Option<String>,
    #[serde(default)]
    pub resource_owner: Option<String>,
    #[serde(default)]
    pub role_assignments: Vec<RoleAssignmentModel>,
}

/// `MultiDirectoryRoleAssignment`: `roleAssignmentMethods` is `inferred`, `direct` or `group_direct`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignmentModel {
    pub role: String,
    #[serde(default)]
    pub role_assignment_methods: Vec<String>,
}

/// `UserProductAccessActivityPage` (snake_case on the wire).
#[derive(Debug, Clone, Deserialize)]
pub struct LastActivePage {
    pub data: LastActiveModel,
    #[serde(default)]
    pub links: PageLinks,
}

/// `UserProductAccessModel`.
#[derive(Debug, Clone, Deserialize)]
pub struct LastActiveModel {
    #[serde(default)]
    pub product_access: Vec<ProductLastActive>,
    #[serde(default)]
    pub added_to_org: Option<String>,
    #[serde(default)]
    pub added_to_org_timestamp: Option<String>,
}

/// `UserProductLastActive`.
#[derive(Debug, Clone, Deserialize)]
pub struct ProductLastActive {
    pub id: String,
    pub key: String,
    #[serde(default)]
    pub last_active: Option<String>,
    #[serde(default)]
    pub last_active_timestamp: Option<String>,
}

/// `RoleApiRequest`.
#[derive(Debug, Clone, Serialize)]
pub struct RoleRequest {
    pub role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

/// `SearchWorkspacesRequestV2` (the cursor is sent alone).
#[derive(Debug, Clone, Default, Serialize)]
pub struct WorkspaceSearchRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// `PageDataResponseV2`.
#[derive(Debug, Clone, Deserialize)]
pub struct WorkspacePage {
    #[serde(default)]
    pub data: Vec<Workspace>,
    #[serde(default)]
    pub links: PageLinks,
}

/// `WorkspaceModel`.
#[derive(Debug, Clone, Deserialize)]
pub struct Workspace {
    pub id: String,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub attributes: WorkspaceAttributes,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceAttributes {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub type_key: Option<String>,
    #[serde(default)]
    pub host_url: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub capacity: Option<u64>,
    #[serde(default)]
    pub usage: Option<u64>,
}

/// `PollingEventPage`: events are kept as JSON, the console only lists them.
#[derive(Debug, Clone, Deserialize)]
pub struct EventPage {
    #[serde(default)]
    pub data: Vec<serde_json::Value>,
    #[serde(default)]
    pub links: PageLinks,
}

/// `UserPage` of `GET /v1/orgs/{orgId}/users` (managed accounts, snake_case).
#[derive(Debug, Clone, Deserialize)]
pub struct ManagedUserPage {
    #[serde(default)]
    pub data: Vec<ManagedUser>,
    #[serde(default)]
    pub links: PageLinks,
}

/// `User` of the v1 list: a managed account with billable flag and per-product last activity.
#[derive(Debug, Clone, Deserialize)]
pub struct ManagedUser {
    pub account_id: String,
    #[serde(default)]
    pub account_type: Option<String>,
    #[serde(default)]
    pub account_status: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub access_billable: Option<bool>,
    #[serde(default)]
    pub last_active: Option<String>,
    #[serde(default)]
    pub product_access: Vec<ManagedUserProduct>,
}

/// `Product` of the v1 user list.
#[derive(Debug, Clone, Deserialize)]
pub struct ManagedUserProduct {
    pub key: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub last_active: Option<String>,
}
