//! Strings that thousands of users repeat (group ids and names, product keys, resource ARIs):
//! kept once and shared, so a user holds pointers, not copies.
//!
//! Every [`Sym`] is made through one process-wide table, so equal values share one allocation
//! from the moment they are read (a fetch of 100,000 users reads each group name once per
//! member: without the table each would be its own allocation until a later pass merged them).
//! The table holds only the values the directories in memory use: [`Sym::forget_unused`],
//! called whenever a directory is replaced, drops the others.
//!
//! A [`Sym`] reads like a `&str` (it derefs to one and compares with `str`, `&str` and
//! `String`), so code that reads the domain types does not care.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

use foldhash::{HashSet, HashSetExt};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

static TABLE: LazyLock<Mutex<HashSet<Arc<str>>>> = LazyLock::new(|| Mutex::new(HashSet::new()));

fn table() -> MutexGuard<'static, HashSet<Arc<str>>> {
    // The set stays consistent even if a holder panicked: every entry is a whole value.
    TABLE.lock().unwrap_or_else(|p| p.into_inner())
}

/// A shared, immutable string. Clone copies a pointer.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(Arc<str>);

impl Sym {
    /// The shared copy of `s`.
    pub fn new(s: &str) -> Sym {
        let mut t = table();
        if let Some(x) = t.get(s) {
            return Sym(x.clone());
        }
        let x: Arc<str> = Arc::from(s);
        t.insert(x.clone());
        Sym(x)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when both point at the same allocation.
    pub fn shares(&self, other: &Sym) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// Drops from the table every value no [`Sym`] holds any more. Once per directory.
    pub fn forget_unused() {
        table().retain(|x| Arc::strong_count(x) > 1);
    }

    /// Distinct values in the table.
    pub fn table_len() -> usize {
        table().len()
    }
}

impl Default for Sym {
    fn default() -> Sym {
        Sym::new("")
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
        Sym::new(s)
    }
}

impl From<String> for Sym {
    fn from(s: String) -> Sym {
        Sym::new(&s)
    }
}

impl From<&String> for Sym {
    fn from(s: &String) -> Sym {
        Sym::new(s)
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
        Ok(Sym::new(&s))
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
    fn equal_values_share_one_allocation_while_held() {
        let a = Sym::from("sym-test-confluence-users");
        let b = Sym::from(String::from("sym-test-confluence-users"));
        assert!(a.shares(&b));
        assert!(!a.shares(&Sym::from("sym-test-jira-users")));
        let weak = Arc::downgrade(&a.0);
        drop((a, b));
        // Other tests use the table at the same time: only this value's fate is checked.
        Sym::forget_unused();
        assert!(
            weak.upgrade().is_none(),
            "no Sym holds it: the table let it go"
        );
        let c = Sym::from("sym-test-confluence-users");
        let d = Sym::from("sym-test-confluence-users");
        assert!(c.shares(&d));
    }
}
