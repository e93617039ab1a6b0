//! JSON shapes of the org API's users and groups, field by field as the spec names them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::fmt;

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use serde::{Serialize, Serializer};
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

/// The three product ARIs of the org, made once per page instead of once per user.
pub struct ProductAris([String; 3]);

impl ProductAris {
    pub fn new(state: &OrgState) -> ProductAris {
        ProductAris(Product::ALL.map(|p| state.resource_ari(Resource::Product(p))))
    }
}

/// `ari:cloud:identity::group/<id>`, written straight into the response.
struct GroupAri<'a>(&'a str);

impl Serialize for GroupAri<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("ari:cloud:identity::group/{}", self.0))
    }
}

/// An ISO time written straight into the response.
struct Ts(DateTime<Utc>);

impl fmt::Display for Ts {
    // As `ts`, digit by digit (a format string is parsed again on every call).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.timestamp_subsec_millis().min(999)
        )
    }
}

impl Serialize for Ts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProductAccessView<'a> {
    id: &'a str,
    key: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_active_timestamp: Option<Ts>,
}

#[derive(Serialize)]
struct GroupView<'a> {
    id: GroupAri<'a>,
    name: &'a str,
    description: &'a Option<String>,
}

#[derive(Serialize)]
struct ResourceCount {
    resources: usize,
}

#[derive(Serialize)]
struct SelfLink {
    #[serde(rename = "self")]
    self_: String,
}

/// A `MultiDirectoryUser` (search and list) or `MultiDirectoryUserDetailsData` (`details`),
/// serialized field by field as the spec names them (a typed view: a search page of 100
/// users builds no JSON tree).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserView<'a> {
    account_id: &'a str,
    account_type: &'static str,
    account_status: &'static str,
    status: &'static str,
    membership_status: &'static str,
    claim_status: &'static str,
    management_source: &'static str,
    name: &'a str,
    nickname: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    email_verified: bool,
    added_to_org: Ts,
    mfa_enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    job_title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    department: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a str>,
    time_zone: &'a str,
    avatar: String,
    picture: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    platform_roles: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counts: Option<ResourceCount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    product_access: Option<Vec<ProductAccessView<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    groups: Option<Vec<GroupView<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    links: Option<SelfLink>,
}

/// A `MultiDirectoryUser` (search and list) or `MultiDirectoryUserDetailsData` (`details`).
pub fn user<'a>(
    state: &'a OrgState,
    aris: &'a ProductAris,
    ix: UserIx,
    expand: Expand,
    details: bool,
) -> UserView<'a> {
    let u = state.user(ix);
    let avatar = format!(
        "https://avatar-management.example/sandbox/{}/128",
        u.account_id
    );
    UserView {
        account_id: &u.account_id,
        account_type: u.account_type.as_str(),
        account_status: u.account_status.as_str(),
        status: u.status(),
        membership_status: u.membership.as_str(),
        claim_status: if u.managed { "managed" } else { "unmanaged" },
        management_source: if u.synced { "synced" } else { "invited" },
        name: &u.name,
        nickname: &u.nickname,
        email: u.email.as_deref(),
        email_verified: u.email_verified,
        added_to_org: Ts(u.added_to_org),
        mfa_enabled: u.mfa_enabled,
        job_title: u.job_title.as_deref(),
        department: u.department.as_deref(),
        organization: u.managed.then_some(state.org_name.as_str()),
        location: u.location.as_deref(),
        time_zone: &u.time_zone,
        picture: avatar.clone(),
        avatar,
        platform_roles: (details || expand.platform_roles).then(|| state.platform_roles(ix)),
        counts: (details || expand.counts_resources).then(|| ResourceCount {
            resources: resource_count(state, ix),
        }),
        product_access: expand.product_access.then(|| {
            state
                .product_access(ix)
                .into_iter()
                .map(|p| ProductAccessView {
                    id: &aris.0[p.index()],
                    key: p.key(),
                    last_active_timestamp: u.last_active[p.index()].map(Ts),
                })
                .collect()
        }),
        groups: expand.groups.then(|| {
            u.groups
                .iter()
                .map(|g| {
                    let g = state.group(*g);
                    GroupView {
                        id: GroupAri(&g.id),
                        name: &g.name,
                        description: &g.description,
                    }
                })
                .collect()
        }),
        links: (!details).then(|| SelfLink {
            self_: self_token(&u.account_id),
        }),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ts_written_digit_by_digit_is_ts() {
        for raw in [
            "2026-01-02T03:04:05.678Z",
            "1999-12-31T23:59:59.000Z",
            "2026-07-09T00:00:00.001Z",
        ] {
            let t = DateTime::parse_from_rfc3339(raw)
                .unwrap()
                .with_timezone(&Utc);
            assert_eq!(Ts(t).to_string(), ts(t));
            assert_eq!(Ts(t).to_string(), raw);
        }
    }
}
