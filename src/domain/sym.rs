//! Strings that thousands of users repeat (group ids and names, product keys, resource ARIs):
//! kept once per directory and shared, so a user holds pointers, not copies.
//!
//! A [`Sym`] reads like a `&str` (it derefs to one and compares with `str`, `&str` and
//! `String`), so code that reads the domain types does not care. Only an [`Interner`] (or
//! [`super::Directory::share_strings`]) makes equal strings share one allocation; `Sym::from`
//! alone allocates, as a `String` would.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A shared, immutable string. Clone copies a pointer.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(Arc<str>);

impl Sym {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when both point at the same allocation (shared by an interner).
    pub fn shares(&self, other: &Sym) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Default for Sym {
    fn default() -> Sym {
        Sym(Arc::from(""))
    }
}

impl Deref for Sym {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Sym {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Sym {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Sym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&str> for Sym {
    fn from(s: &str) -> Sym {
        Sym(Arc::from(s))
    }
}

impl From<String> for Sym {
    fn from(s: String) -> Sym {
        Sym(Arc::from(s))
    }
}

impl From<&String> for Sym {
    fn from(s: &String) -> Sym {
        Sym(Arc::from(s.as_str()))
    }
}

impl From<Sym> for String {
    fn from(s: Sym) -> String {
        s.0.to_string()
    }
}

impl PartialEq<str> for Sym {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Sym {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Sym {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Sym> for str {
    fn eq(&self, other: &Sym) -> bool {
        self == &*other.0
    }
}

impl PartialEq<Sym> for &str {
    fn eq(&self, other: &Sym) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<Sym> for String {
    fn eq(&self, other: &Sym) -> bool {
        **self == *other.0
    }
}

impl Serialize for Sym {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Sym {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Sym, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(Sym::from(&*s))
    }
}

/// Gives equal strings one shared allocation. One per directory: dropped with it.
#[derive(Default)]
pub struct Interner {
    set: HashSet<Sym>,
}

impl Interner {
    pub fn new() -> Interner {
        Interner::default()
    }

    /// The shared copy of `s`.
    pub fn sym(&mut self, s: &str) -> Sym {
        if let Some(x) = self.set.get(s) {
            return x.clone();
        }
        let x = Sym::from(s);
        self.set.insert(x.clone());
        x
    }

    /// `s` itself when it is the first of its value, else the shared copy (and `s` is freed).
    pub fn share(&mut self, s: &Sym) -> Sym {
        if let Some(x) = self.set.get(s.as_str()) {
            return x.clone();
        }
        self.set.insert(s.clone());
        s.clone()
    }

    /// Distinct strings held.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_compares_like_a_str() {
        let s = Sym::from("jira-software");
        assert_eq!(s, "jira-software");
        assert_eq!("jira-software", s);
        assert_eq!(s, String::from("jira-software"));
        assert!(s.starts_with("jira"));
        assert_eq!(format!("{s} {s:?}"), "jira-software \"jira-software\"");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"jira-software\"");
        let back: Sym = serde_json::from_str("\"a\\\"b\"").unwrap();
        assert_eq!(back, "a\"b");
        assert_ne!(Sym::from("a"), Sym::from("b"));
    }

    #[test]
    fn interned_strings_share_one_allocation() {
        let mut i = Interner::new();
        let a = i.sym("confluence-users");
        let b = i.sym("confluence-users");
        assert!(a.shares(&b));
        let fresh = Sym::from(String::from("confluence-users"));
        assert!(!fresh.shares(&a));
        assert!(i.share(&fresh).shares(&a));
        let other = Sym::from("jira-users");
        assert!(i.share(&other).shares(&other));
        assert_eq!(i.len(), 2);
    }
}
