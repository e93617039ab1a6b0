//! The stored form of a snapshot's users, groups and seats: one compact JSON document, no I/O.
//!
//! Why one document and not a row per user: measured on a prototype at 100,000 users (3 product
//! accesses and 4 groups each; release build, quiet machine), rows in three tables took ~780 ms
//! to save and ~180 ms to load, in 55 MB; serde_json of the domain types ~430 ms / ~280 ms, in
//! 75 MB; this compact form ~120 ms / ~90 ms, in 17 MB. It is compact because each user is a
//! JSON array, not an object, and because the strings that repeat across users (group ids and
//! names, product keys, statuses) are kept once in a table and referred to by index. lz4 halved
//! the size again but added ~10 ms each way; zstd did not pay either. benches/snapshot.rs
//! measures this form.
//!
//! The snapshot is a cache: when this layout changes, bump [`FORMAT`]; bodies of another format
//! are ignored and the next refresh replaces them.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{AccountType, Group, GroupRef, ProductAccess, Seats, Sym, User, UserStatus};

/// Layout of the document below.
pub const FORMAT: i64 = 2;

#[derive(Deserialize)]
struct Body<'a> {
    /// Strings shared by many users, referred to by their index.
    strings: Vec<Cow<'a, str>>,
    users: Vec<UserRow<'a>>,
    groups: Cow<'a, [Group]>,
    seats: Cow<'a, [Seats]>,
}

/// One user as a JSON array.
#[derive(Serialize, Deserialize)]
struct UserRow<'a>(
    /// account_id
    Cow<'a, str>,
    /// name
    Cow<'a, str>,
    /// email
    Option<Cow<'a, str>>,
    /// account type: index into `strings`
    u32,
    /// status: index into `strings`
    u32,
    /// managed, synced, org_admin, site_admin: bits 0 to 3
    u8,
    /// groups: (id, name) as indexes into `strings`
    Vec<(u32, u32)>,
    /// product access: (product key index, last active as [seconds since 1970, nanoseconds], or
    /// null, resource ARI index or null)
    Vec<AccessRow>,
);

/// (product key index, last active as (seconds, nanoseconds) or null, resource index or null).
type AccessRow = (u32, Option<(i64, u32)>, Option<u32>);

const MANAGED: u8 = 1;
const SYNCED: u8 = 2;
const ORG_ADMIN: u8 = 4;
const SITE_ADMIN: u8 = 8;

/// Gives each distinct string one index.
#[derive(Default)]
struct Interner<'a> {
    strings: Vec<Cow<'a, str>>,
    index: HashMap<&'a str, u32>,
}

impl<'a> Interner<'a> {
    fn intern(&mut self, s: &'a str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        // More than 4 billion distinct strings cannot come from a directory that fits in memory.
        let i = u32::try_from(self.strings.len()).unwrap_or(u32::MAX);
        self.strings.push(Cow::Borrowed(s));
        self.index.insert(s, i);
        i
    }
}

/// What [`encode`] writes: the same document as [`Body`], with the users turned into rows one
/// at a time as they are written, so no second list of 100,000 rows is ever built.
#[derive(Serialize)]
struct BodyOut<'a> {
    strings: &'a [Cow<'a, str>],
    users: Rows<'a>,
    groups: &'a [Group],
    seats: &'a [Seats],
}

struct Rows<'a> {
    users: &'a [User],
    index: &'a HashMap<&'a str, u32>,
}

impl Serialize for Rows<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        // Every string was interned before writing began; u32::MAX (never written) would
        // make decode report a missing string rather than panic here.
        let ix = |t: &str| self.index.get(t).copied().unwrap_or(u32::MAX);
        let mut seq = s.serialize_seq(Some(self.users.len()))?;
        for u in self.users {
            let flags = (if u.managed { MANAGED } else { 0 })
                | (if u.synced { SYNCED } else { 0 })
                | (if u.org_admin { ORG_ADMIN } else { 0 })
                | (if u.site_admin { SITE_ADMIN } else { 0 });
            seq.serialize_element(&UserRow(
                Cow::Borrowed(&u.account_id),
                Cow::Borrowed(&u.name),
                u.email.as_deref().map(Cow::Borrowed),
                ix(u.account_type.as_str()),
                ix(u.status.as_str()),
                flags,
                u.groups.iter().map(|g| (ix(&g.id), ix(&g.name))).collect(),
                u.product_access
                    .iter()
                    .map(|a| {
                        (
                            ix(&a.product),
                            a.last_active
                                .map(|t| (t.timestamp(), t.timestamp_subsec_nanos())),
                            a.resource.as_deref().map(ix),
                        )
                    })
                    .collect(),
            ))?;
        }
        seq.end()
    }
}

/// Users, groups and seats as bytes. Every value comes back exactly, times to the nanosecond.
#[cfg(test)]
pub fn encode(users: &[User], groups: &[Group], seats: &[Seats]) -> Result<Vec<u8>, String> {
    // About 170 bytes a user: one allocation instead of a doubling buffer copied as it grows.
    let mut out = Vec::with_capacity(users.len() * 192 + 4096);
    encode_to(users, groups, seats, &mut out)?;
    Ok(out)
}

/// The bytes [`encode`] gives, counted without keeping them: the size to reserve for
/// [`encode_to`] when the body is streamed into its place.
pub fn encoded_len(users: &[User], groups: &[Group], seats: &[Seats]) -> Result<u64, String> {
    let mut count = Counted {
        inner: std::io::sink(),
        written: 0,
    };
    encode_to(users, groups, seats, &mut count)?;
    Ok(count.written)
}

/// [`encode`] written into `out` as it is made, so that no whole-directory buffer is held.
pub fn encode_to(
    users: &[User],
    groups: &[Group],
    seats: &[Seats],
    out: impl std::io::Write,
) -> Result<(), String> {
    let mut strings = Interner::default();
    for u in users {
        strings.intern(u.account_type.as_str());
        strings.intern(u.status.as_str());
        for g in &u.groups {
            strings.intern(&g.id);
            strings.intern(&g.name);
        }
        for a in &u.product_access {
            strings.intern(&a.product);
            if let Some(r) = &a.resource {
                strings.intern(r);
            }
        }
    }
    let body = BodyOut {
        strings: &strings.strings,
        users: Rows {
            users,
            index: &strings.index,
        },
        groups,
        seats,
    };
    serde_json::to_writer(out, &body).map_err(|e| e.to_string())
}

/// A writer that counts the bytes passed through it.
pub struct Counted<W> {
    pub inner: W,
    pub written: u64,
}

impl<W: std::io::Write> std::io::Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// What [`decode`] gives back.
#[derive(Debug)]
pub struct Decoded {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub seats: Vec<Seats>,
}

/// The inverse of [`encode`]. Bad bytes give an error, never a panic.
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    let body: Body = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    // Each table string once, shared by every user who refers to it.
    let strings: Vec<Sym> = body.strings.iter().map(|s| Sym::new(s)).collect();
    let sym = |i: u32| -> Result<Sym, String> {
        strings
            .get(i as usize)
            .cloned()
            .ok_or_else(|| format!("string {i} is missing"))
    };
    let text = |i: u32| -> Result<&str, String> {
        strings
            .get(i as usize)
            .map(|s| s.as_str())
            .ok_or_else(|| format!("string {i} is missing"))
    };
    let mut users = Vec::with_capacity(body.users.len());
    for UserRow(account_id, name, email, account_type, status, flags, groups, access) in body.users
    {
        let groups = groups
            .into_iter()
            .map(|(id, name)| {
                Ok(GroupRef {
                    id: sym(id)?,
                    name: sym(name)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let product_access = access
            .into_iter()
            .map(|(product, time, resource)| {
                let last_active = match time {
                    Some((secs, nanos)) => Some(
                        DateTime::<Utc>::from_timestamp(secs, nanos)
                            .ok_or_else(|| format!("time {secs}.{nanos} is out of range"))?,
                    ),
                    None => None,
                };
                Ok(ProductAccess {
                    product: sym(product)?,
                    last_active,
                    resource: resource.map(sym).transpose()?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        users.push(User {
            account_id: account_id.into_owned(),
            name: name.into_owned(),
            email: email.map(Cow::into_owned),
            account_type: AccountType::parse(Some(text(account_type)?)),
            status: UserStatus::parse(Some(text(status)?)),
            groups,
            product_access,
            managed: flags & MANAGED != 0,
            synced: flags & SYNCED != 0,
            org_admin: flags & ORG_ADMIN != 0,
            site_admin: flags & SITE_ADMIN != 0,
        });
    }
    Ok(Decoded {
        users,
        groups: body.groups.into_owned(),
        seats: body.seats.into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Product, SeatsSource};
    use chrono::TimeZone;

    fn user(i: usize) -> User {
        let t = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap()
            + chrono::Duration::nanoseconds(i as i64 * 1_000_001);
        User {
            account_id: format!("712020:{i}"),
            name: format!("Name \"quoted\" é {i}"),
            email: i.is_multiple_of(2).then(|| format!("u{i}@example.com")),
            account_type: if i == 3 {
                AccountType::Other("bot".into())
            } else {
                AccountType::Atlassian
            },
            status: if i == 1 {
                UserStatus::Suspended
            } else {
                UserStatus::Active
            },
            groups: vec![GroupRef {
                id: "g1".into(),
                name: "jira-users".into(),
            }],
            product_access: vec![
                ProductAccess {
                    product: "confluence".into(),
                    last_active: Some(t),
                    resource: Some("ari:cloud:confluence::site/c1".into()),
                },
                ProductAccess {
                    product: "jira-software".into(),
                    last_active: None,
                    resource: None,
                },
            ],
            managed: i.is_multiple_of(2),
            synced: i.is_multiple_of(3),
            org_admin: i == 0,
            site_admin: i == 5,
        }
    }

    #[test]
    fn every_field_comes_back() {
        let users: Vec<User> = (0..8).map(user).collect();
        let groups = vec![Group {
            id: "g1".into(),
            name: "jira-users".into(),
            synced: true,
            grants: vec!["jira-software".into()],
            member_count: Some(3),
        }];
        let seats = vec![Seats::new(
            Product::new("confluence"),
            Some(10),
            4,
            SeatsSource::Workspace,
        )];
        let bytes = encode(&users, &groups, &seats).unwrap();
        let back = decode(&bytes).unwrap();
        assert_eq!(back.users, users);
        assert_eq!(back.groups, groups);
        assert_eq!(back.seats, seats);
    }

    #[test]
    fn the_streamed_body_is_the_counted_one_and_the_encoded_one() {
        // The snapshot reserves encoded_len bytes and streams encode_to into them.
        let users: Vec<User> = (0..400).map(user).collect();
        let bytes = encode(&users, &[], &[]).unwrap();
        assert!(bytes.len() > 64 * 1024 / 2, "spans several writes");
        assert_eq!(encoded_len(&users, &[], &[]).unwrap(), bytes.len() as u64);
        let mut out = Counted {
            inner: std::io::BufWriter::with_capacity(1024, Vec::new()),
            written: 0,
        };
        encode_to(&users, &[], &[], &mut out).unwrap();
        assert_eq!(out.written, bytes.len() as u64);
        assert_eq!(out.inner.into_inner().unwrap(), bytes);
        assert_eq!(decode(&bytes).unwrap().users, users);
    }

    #[test]
    fn repeated_strings_are_kept_once() {
        let users: Vec<User> = (0..50).map(user).collect();
        let text = String::from_utf8(encode(&users, &[], &[]).unwrap()).unwrap();
        assert_eq!(text.matches("jira-users").count(), 1);
        assert_eq!(text.matches("\"confluence\"").count(), 1);
        assert_eq!(text.matches("ari:cloud:confluence::site/c1").count(), 1);
    }

    #[test]
    fn bad_bytes_and_bad_indexes_are_errors() {
        assert!(decode(b"\x00\x01garbage").is_err());
        assert!(decode(b"").is_err());
        let dangling = br#"{"strings":["x"],"users":[["a","b",null,0,0,0,[[0,7]],[]]],"groups":[],"seats":[]}"#;
        assert!(decode(dangling).unwrap_err().contains("string 7"));
        let far_time = br#"{"strings":["x"],"users":[["a","b",null,0,0,0,[],[[0,[9223372036854775807,0]]]]],"groups":[],"seats":[]}"#;
        assert!(decode(far_time).is_err());
    }
}
