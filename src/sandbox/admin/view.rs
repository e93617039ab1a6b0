//! JSON shapes of the org API's users and groups, field by field as the spec names them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use crate::sandbox::state::{GroupIx, OrgState, Product, Resource, UserIx};

/// ISO 8601 UTC with milliseconds, as the spec examples write it.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The `expand` options of the user search.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expand {
    pub platform_roles: bool,
    pub counts_resources: bool,
    pub product_access: bool,
    pub groups: bool,
}

impl Expand {
    pub fn from_values(values: &[String]) -> Expand {
        let has = |v: &str| values.iter().any(|x| x == v);
        Expand {
            platform_roles: has("platformRoles"),
            counts_resources: has("counts.resources"),
            product_access: has("productAccess"),
            groups: has("groups"),
        }
    }
}

/// An opaque self link for an item (the spec's `LinkSelfCursor`).
fn self_token(id: &str) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

fn insert_opt(map: &mut Map<String, Value>, key: &str, value: Option<&String>) {
    if let Some(v) = value {
        map.insert(key.to_string(), Value::String(v.clone()));
    }
}

/// Distinct resources the user holds a role on (`counts.resources`).
pub fn resource_count(state: &OrgState, ix: UserIx) -> usize {
    let mut resources: Vec<Resource> = state
        .role_assignments(ix)
        .into_iter()
        .map(|a| a.resource)
        .collect();
    resources.dedup();
    resources.len()
}

/// `productAccess[]`: one entry per product the user can use now; no `lastActiveTimestamp`
/// when they never used it.
pub fn product_access(state: &OrgState, ix: UserIx) -> Vec<Value> {
    let user = state.user(ix);
    state
        .product_access(ix)
        .into_iter()
        .map(|p: Product| {
            let mut entry = json!({"id": state.resource_ari(Resource::Product(p)), "key": p.key()});
            if let (Some(t), Some(map)) = (user.last_active[p.index()], entry.as_object_mut()) {
                map.insert("lastActiveTimestamp".into(), Value::String(ts(t)));
            }
            entry
        })
        .collect()
}

/// A `MultiDirectoryUser` (search and list) or `MultiDirectoryUserDetailsData` (`details`).
pub fn user(state: &OrgState, ix: UserIx, expand: Expand, details: bool) -> Value {
    let u = state.user(ix);
    let mut m = Map::new();
    m.insert("accountId".into(), json!(u.account_id));
    m.insert("accountType".into(), json!(u.account_type.as_str()));
    m.insert("accountStatus".into(), json!(u.account_status.as_str()));
    m.insert("status".into(), json!(u.status()));
    m.insert("membershipStatus".into(), json!(u.membership.as_str()));
    m.insert(
        "claimStatus".into(),
        json!(if u.managed { "managed" } else { "unmanaged" }),
    );
    m.insert(
        "managementSource".into(),
        json!(if u.synced { "synced" } else { "invited" }),
    );
    m.insert("name".into(), json!(u.name));
    m.insert("nickname".into(), json!(u.nickname));
    insert_opt(&mut m, "email", u.email.as_ref());
    m.insert("emailVerified".into(), json!(u.email_verified));
    m.insert("addedToOrg".into(), json!(ts(u.added_to_org)));
    m.insert("mfaEnabled".into(), json!(u.mfa_enabled));
    insert_opt(&mut m, "jobTitle", u.job_title.as_ref());
    insert_opt(&mut m, "department", u.department.as_ref());
    if u.managed {
        m.insert("organization".into(), json!(state.org_name));
    }
    insert_opt(&mut m, "location", u.location.as_ref());
    m.insert("timeZone".into(), json!(u.time_zone));
    let avatar = format!(
        "https://avatar-management.example/sandbox/{}/128",
        u.account_id
    );
    m.insert("avatar".into(), json!(avatar));
    m.insert("picture".into(), json!(avatar));
    if details || expand.platform_roles {
        m.insert("platformRoles".into(), json!(state.platform_roles(ix)));
    }
    if details || expand.counts_resources {
        m.insert(
            "counts".into(),
            json!({"resources": resource_count(state, ix)}),
        );
    }
    if expand.product_access {
        m.insert(
            "productAccess".into(),
            Value::Array(product_access(state, ix)),
        );
    }
    if expand.groups {
        let groups: Vec<Value> = u
            .groups
            .iter()
            .map(|g| {
                let g = state.group(*g);
                json!({
                    "id": format!("ari:cloud:identity::group/{}", g.id),
                    "name": g.name,
                    "description": g.description,
                })
            })
            .collect();
        m.insert("groups".into(), Value::Array(groups));
    }
    if !details {
        m.insert("links".into(), json!({"self": self_token(&u.account_id)}));
    }
    Value::Object(m)
}

/// A `MultiDirectoryGroup`; counts when asked for (`counts.users`, `counts.resources`).
pub fn group(state: &OrgState, g: GroupIx, count_users: bool, count_resources: bool) -> Value {
    let group = state.group(g);
    let product_group = group
        .grants
        .iter()
        .any(|gr| matches!(gr.resource, Resource::Product(_) | Resource::Site));
    let mut m = Map::new();
    m.insert("id".into(), json!(group.id));
    m.insert("name".into(), json!(group.name));
    if let Some(d) = &group.description {
        m.insert("description".into(), json!(d));
    }
    m.insert("directoryId".into(), json!(state.directory_id));
    m.insert("externalSynced".into(), json!(group.external_synced));
    m.insert(
        "managedBy".into(),
        json!(if group.external_synced {
            "external"
        } else {
            "admins"
        }),
    );
    m.insert(
        "managementAccess".into(),
        json!({
            "readable": true,
            "modifiable": !group.external_synced,
            "deletable": !group.external_synced && !product_group,
        }),
    );
    if count_users || count_resources {
        let mut counts = Map::new();
        if count_users {
            counts.insert("users".into(), json!(group.members.len()));
        }
        if count_resources {
            let mut resources: Vec<Resource> = group.grants.iter().map(|gr| gr.resource).collect();
            resources.sort();
            resources.dedup();
            counts.insert("resources".into(), json!(resources.len()));
        }
        m.insert("counts".into(), Value::Object(counts));
    }
    m.insert("links".into(), json!({"self": self_token(&group.id)}));
    Value::Object(m)
}
