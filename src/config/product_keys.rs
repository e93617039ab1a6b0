//! Product keys are a closed set: a key seats does not know (`confluenc`) is an error with the
//! list of valid ones, in config.toml (with its line) and in `--product`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::domain::known_product_keys;

/// The known key, or a message listing them all.
pub fn check_product_key(key: &str) -> Result<(), String> {
    if known_product_keys().contains(&key) {
        Ok(())
    } else {
        Err(format!(
            "unknown product key {key:?}; valid keys: {}",
            known_product_keys().join(", ")
        ))
    }
}

/// Clap value parser for every `--product` flag.
pub fn parse_product_key(key: &str) -> Result<String, String> {
    check_product_key(key).map(|()| key.to_owned())
}

/// A map key checked as it is read, so the error points at its line.
struct ProductKey(String);

impl<'de> Deserialize<'de> for ProductKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = String::deserialize(d)?;
        check_product_key(&key).map_err(serde::de::Error::custom)?;
        Ok(ProductKey(key))
    }
}

/// A map from product key to a value checked by `V`'s own deserializer (each error at its
/// own line, not at the table's header).
pub(super) fn product_map<'de, D, V>(d: D) -> Result<BTreeMap<String, V::Value>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Checked<'de>,
{
    let map = BTreeMap::<ProductKey, V>::deserialize(d)?;
    Ok(map.into_iter().map(|(k, v)| (k.0, v.value())).collect())
}

impl PartialEq for ProductKey {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for ProductKey {}
impl PartialOrd for ProductKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ProductKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

/// A per-product value that checks itself while it is read.
pub(super) trait Checked<'de>: Deserialize<'de> {
    type Value;
    fn value(self) -> Self::Value;
}

/// Days of inactivity, 1 to 3650.
pub(super) struct Days(u32);

impl<'de> Deserialize<'de> for Days {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = u32::deserialize(d)?;
        if (1..=3650).contains(&v) {
            Ok(Days(v))
        } else {
            Err(serde::de::Error::custom(format!(
                "days must be from 1 to 3650, not {v}"
            )))
        }
    }
}

impl Checked<'_> for Days {
    type Value = u32;
    fn value(self) -> u32 {
        self.0
    }
}

/// A seat price per month, 0 or more.
pub(super) struct Price(f64);

impl<'de> Deserialize<'de> for Price {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if v.is_finite() && v >= 0.0 {
            Ok(Price(v))
        } else {
            Err(serde::de::Error::custom(format!(
                "a price must be 0 or more, not {v}"
            )))
        }
    }
}

impl Checked<'_> for Price {
    type Value = f64;
    fn value(self) -> f64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_refused_with_the_list() {
        assert!(check_product_key("confluence").is_ok());
        let e = parse_product_key("confluenc").unwrap_err();
        assert!(
            e.contains("\"confluenc\"") && e.contains("jira-software") && e.contains("confluence"),
            "{e}"
        );
    }
}
