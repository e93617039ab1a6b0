//! Groups and the products they grant.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub name: String,
    /// Synced from an identity provider (`externalSynced`): owned by the IdP.
    pub synced: bool,
    /// Keys of the products whose user role this group grants.
    pub grants: Vec<String>,
    pub member_count: Option<u64>,
}
