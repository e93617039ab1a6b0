//! A users search page read straight into the field's users: the wire strings are borrowed
//! from the response while it is read, and only what a [`User`] keeps is copied (a page of
//! 100 users no longer allocates every status, date, ARI and group name it carries).

use std::borrow::Cow;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

use super::{GROUP_ARI_PREFIX, ORG_ADMIN_ROLE, SITE_ADMIN_ROLE, has_role, parse_time};
use crate::atlassian::model::{DirectoryUser, PageLinks};
use crate::domain::{
    AccountType, GroupRef, ProductAccess, Sym, User, UserStatus, product_key_from_ari,
};

/// A string borrowed from the response, or owned when the response escaped it.
pub(super) struct Str<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Str<'a>, D::Error> {
        struct Visitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visitor<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Str<'a>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Str<'a>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Str<'a>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(Visitor(std::marker::PhantomData))
    }
}

impl std::ops::Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

type Text<'a> = Option<Str<'a>>;

/// `MultiDirectoryProductAccess`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireAccess<'a> {
    #[serde(borrow, default)]
    id: Text<'a>,
    #[serde(borrow, default)]
    key: Text<'a>,
    #[serde(borrow, default)]
    last_active_timestamp: Text<'a>,
}

/// A group as users/search names it.
#[derive(Deserialize)]
pub(super) struct WireGroup<'a> {
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow, default)]
    name: Text<'a>,
}

/// `MultiDirectoryUser`, the fields the field's user is made of.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireUser<'a> {
    #[serde(borrow)]
    account_id: Str<'a>,
    #[serde(borrow, default)]
    account_type: Text<'a>,
    #[serde(borrow, default)]
    status: Text<'a>,
    #[serde(borrow, default)]
    claim_status: Text<'a>,
    #[serde(borrow, default)]
    management_source: Text<'a>,
    #[serde(borrow, default)]
    name: Text<'a>,
    #[serde(borrow, default)]
    nickname: Text<'a>,
    #[serde(borrow, default)]
    email: Text<'a>,
    /// Role ids or objects naming one; few users have any.
    #[serde(default)]
    platform_roles: Vec<serde_json::Value>,
    #[serde(borrow, default)]
    product_access: Vec<WireAccess<'a>>,
    #[serde(borrow, default)]
    groups: Vec<WireGroup<'a>>,
}

/// A user of a search page, and the nickname the page ordered them by (the meeting of two
/// streams reads it).
pub(super) struct Fetched {
    pub user: User,
    pub nickname: Option<String>,
}

/// `MultiDirectoryUserSearchPage` as the field's users.
pub(super) struct UsersPage {
    pub users: Vec<Fetched>,
    pub next: Option<String>,
}

impl<'de> Deserialize<'de> for UsersPage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<UsersPage, D::Error> {
        #[derive(Deserialize)]
        struct Raw<'a> {
            #[serde(borrow, default)]
            data: Vec<WireUser<'a>>,
            #[serde(default)]
            links: PageLinks,
        }
        let raw = Raw::deserialize(d)?;
        let users = raw
            .data
            .into_iter()
            .map(|w| {
                let nickname = w.nickname.as_deref().map(str::to_owned);
                w.into_user()
                    .map(|user| Fetched { user, nickname })
                    .map_err(D::Error::custom)
            })
            .collect::<Result<_, _>>()?;
        Ok(UsersPage {
            users,
            next: raw.links.next,
        })
    }
}

impl WireUser<'_> {
    /// The wire user as the field's user; `Err` names a timestamp that is not one.
    pub(super) fn into_user(self) -> Result<User, String> {
        let mut product_access = Vec::with_capacity(self.product_access.len());
        for pa in self.product_access {
            let key = match (&pa.key, &pa.id) {
                (Some(k), _) => &**k,
                (None, Some(id)) => match product_key_from_ari(id) {
                    Some(k) => k,
                    None => continue,
                },
                (None, None) => continue,
            };
            let last_active = pa
                .last_active_timestamp
                .as_deref()
                .map(parse_time)
                .transpose()?;
            product_access.push(ProductAccess {
                product: Sym::new(key),
                last_active,
                resource: pa.id.as_deref().map(Sym::new),
            });
        }
        Ok(User {
            name: self
                .name
                .or(self.nickname)
                .map(|s| s.0.into_owned())
                .unwrap_or_default(),
            email: self.email.map(|s| s.0.into_owned()),
            account_type: AccountType::parse(self.account_type.as_deref()),
            status: UserStatus::parse(self.status.as_deref()),
            groups: self
                .groups
                .iter()
                .map(|g| GroupRef {
                    name: Sym::new(g.name.as_deref().unwrap_or_default()),
                    // users/search names groups by ARI, groups/search by bare id: keep the bare id.
                    id: Sym::new(g.id.strip_prefix(GROUP_ARI_PREFIX).unwrap_or(&g.id)),
                })
                .collect(),
            product_access,
            managed: self.claim_status.as_deref() == Some("managed"),
            synced: self.management_source.as_deref() == Some("synced"),
            org_admin: has_role(&self.platform_roles, ORG_ADMIN_ROLE),
            site_admin: has_role(&self.platform_roles, SITE_ADMIN_ROLE),
            account_id: self.account_id.0.into_owned(),
        })
    }
}

impl From<DirectoryUser> for WireUser<'static> {
    fn from(u: DirectoryUser) -> WireUser<'static> {
        let text = |s: Option<String>| s.map(|s| Str(Cow::Owned(s)));
        WireUser {
            account_id: Str(Cow::Owned(u.account_id)),
            account_type: text(u.account_type),
            status: text(u.status),
            claim_status: text(u.claim_status),
            management_source: text(u.management_source),
            name: text(u.name),
            nickname: text(u.nickname),
            email: text(u.email),
            platform_roles: u.platform_roles,
            product_access: u
                .product_access
                .into_iter()
                .map(|pa| WireAccess {
                    id: text(pa.id),
                    key: text(pa.key),
                    last_active_timestamp: text(pa.last_active_timestamp),
                })
                .collect(),
            groups: u
                .groups
                .into_iter()
                .map(|g| WireGroup {
                    id: Str(Cow::Owned(g.id)),
                    name: text(g.name),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::atlassian::fetch::to_user;

    #[test]
    fn a_page_reads_as_the_owned_wire_users_do_escapes_included() {
        let text = br#"{
            "data": [
                {"accountId": "a1", "name": "Ada \"the\" Lovelace\\", "nickname": "ada",
                 "email": "ada@x.io", "accountType": "atlassian", "status": "suspended",
                 "claimStatus": "managed", "managementSource": "synced",
                 "platformRoles": ["atlassian/org-admin", {"id": "atlassian/site-admin"}],
                 "productAccess": [
                    {"id": "ari:cloud:jira-software::site/c", "key": "jira-software",
                     "lastActiveTimestamp": "2026-01-02T03:04:05Z"},
                    {"id": "ari:cloud:confluence::site/c"},
                    {"key": "opsgenie"}, {}
                 ],
                 "groups": [{"id": "ari:cloud:identity::group/g1", "name": "devs\u00e9\n"},
                            {"id": "g2"}],
                 "avatar": "ignored", "links": {"self": "x"}},
                {"accountId": "b\u0032", "nickname": "Bo"}
            ],
            "links": {"next": "c2"}
        }"#;
        let read: UsersPage = serde_json::from_slice(text).unwrap();
        assert_eq!(read.next.as_deref(), Some("c2"));
        let owned: crate::atlassian::model::UserSearchPage = serde_json::from_slice(text).unwrap();
        let expected: Vec<User> = owned
            .data
            .into_iter()
            .map(|u| to_user(u, "/p").unwrap())
            .collect();
        let got: Vec<User> = read.users.iter().map(|f| f.user.clone()).collect();
        assert_eq!(got, expected);
        assert_eq!(got[0].name, "Ada \"the\" Lovelace\\");
        assert_eq!(got[0].groups[0].name, "devs\u{e9}\n");
        assert_eq!(got[1].account_id, "b2");
        assert!(got[0].org_admin && got[0].site_admin);
        assert_eq!(
            got[1].name, "Bo",
            "the nickname stands in for a missing name"
        );
        let nicknames: Vec<_> = read.users.iter().map(|f| f.nickname.as_deref()).collect();
        assert_eq!(nicknames, [Some("ada"), Some("Bo")]);

        let bad = br#"{"data": [{"accountId": "a", "productAccess": [{"key": "c", "lastActiveTimestamp": "yesterday"}]}]}"#;
        let err = serde_json::from_slice::<UsersPage>(bad).err().unwrap();
        assert!(err.to_string().contains("yesterday"), "{err}");
    }
}
