//! Product keys in config.toml and `--product`: resolved through the one product table
//! ([`crate::domain::PRODUCTS`]), so `jsm`, `jira-servicemanagement` and `jira-servicedesk` are
//! the same product everywhere. A key the table does not know is accepted when it has a
//! product key's shape (the org's data may carry products newer than seats), unless it is one
//! or two letters away from a known key: `confluenc` is a typo, refused with the suggestion.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::domain::{
    PRODUCTS, is_product_key_shape, known_product_keys, normalize_product_key, product_entry,
    resolve_product_key,
};

/// The key `value` names (aliases become the table's key), or a message that says why not.
pub fn check_product_key(value: &str) -> Result<String, String> {
    if let Some(key) = resolve_product_key(value, []) {
        return Ok(key);
    }
    let v = normalize_product_key(value);
    if !is_product_key_shape(&v) {
        return Err(format!(
            "{value:?} is not a product key (lower-case letters, digits and '-'); known keys: {}",
            known_product_keys().join(", ")
        ));
    }
    if let Some(near) = near_known(&v) {
        return Err(format!(
            "unknown product key {value:?}: did you mean {near:?}? known keys: {}",
            known_product_keys().join(", ")
        ));
    }
    Ok(v)
}

/// A known key, spelling or alias at most two edits from `v` (but not `v` itself).
fn near_known(v: &str) -> Option<&'static str> {
    PRODUCTS
        .iter()
        .flat_map(|p| {
            std::iter::once(p.key)
                .chain(p.spellings.iter().copied())
                .chain(p.aliases.iter().copied())
                .map(move |n| (n, p.key))
        })
        // Short aliases (`bb`, `jsw`) are two edits from too many words to be a hint.
        .filter(|(n, _)| n.len() > 4)
        .find(|(n, _)| crate::output::words::edit_distance(n, v) <= 2)
        .map(|(_, key)| key)
}

/// Clap value parser for every `--product` flag: the key, aliases resolved.
pub fn parse_product_key(key: &str) -> Result<String, String> {
    check_product_key(key)
}

impl super::Prices {
    /// The configured price of a seat of `key` a month: the key's own entry, else the entry of
    /// another spelling of the same product (`jira-servicedesk` prices `jira-servicemanagement`).
    /// None when none is configured: the product then counts at 0 with a note.
    pub fn of(&self, key: &str) -> Option<f64> {
        if let Some(p) = self.per_user_month.get(key) {
            return Some(*p);
        }
        let entry = product_entry(key)?;
        std::iter::once(entry.key)
            .chain(entry.spellings.iter().copied())
            .find_map(|k| self.per_user_month.get(k).copied())
    }
}

/// A map key checked as it is read, so the error points at its line.
struct ProductKey(String);

impl<'de> Deserialize<'de> for ProductKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = String::deserialize(d)?;
        check_product_key(&key)
            .map(ProductKey)
            .map_err(serde::de::Error::custom)
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
    fn typos_are_refused_with_the_key_meant() {
        let e = parse_product_key("confluenc").unwrap_err();
        assert!(
            e.contains("\"confluenc\"") && e.contains("did you mean \"confluence\""),
            "{e}"
        );
        let e = parse_product_key("jira-sofware").unwrap_err();
        assert!(e.contains("did you mean \"jira-software\""), "{e}");
        assert!(parse_product_key("Jira Software!").is_err());
    }

    #[test]
    fn keys_of_the_spec_aliases_and_new_keys_are_accepted() {
        assert_eq!(parse_product_key("loom").as_deref(), Ok("loom"));
        assert_eq!(parse_product_key("compass").as_deref(), Ok("compass"));
        assert_eq!(parse_product_key("jsm").as_deref(), Ok("jira-servicedesk"));
        assert_eq!(
            parse_product_key("jira-servicemanagement").as_deref(),
            Ok("jira-servicedesk")
        );
        assert_eq!(parse_product_key("JSW").as_deref(), Ok("jira-software"));
        // A product newer than seats: the org's data may carry it.
        assert_eq!(
            parse_product_key("rovo-agents").as_deref(),
            Ok("rovo-agents")
        );
    }

    #[test]
    fn config_takes_aliases_and_new_keys_and_points_at_a_typo() {
        let config: super::super::Config = toml::from_str(
            "[prices.per_user_month]\njsm = 20.0\nloom = 12.5\n\n[inactivity.products]\nJSW = 60\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            config.prices.per_user_month.get("jira-servicedesk"),
            Some(&20.0)
        );
        assert_eq!(config.prices.of("loom"), Some(12.5));
        assert_eq!(config.inactivity_days("jira-software"), 60);
        let err = toml::from_str::<super::super::Config>(
            "[prices.per_user_month]\nconfluence = 6.4\nconfluenc = 6.4\n",
        )
        .map(|_| ())
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("line 3") && err.contains("did you mean \"confluence\""),
            "{err}"
        );
    }

    #[test]
    fn a_price_applies_to_every_spelling_of_its_product() {
        let mut prices = super::super::Prices::default();
        prices
            .per_user_month
            .insert("jira-servicedesk".into(), 19.0);
        assert_eq!(prices.of("jira-servicemanagement"), Some(19.0));
        assert_eq!(prices.of("jira-servicedesk"), Some(19.0));
        assert_eq!(prices.of("loom"), None);
        prices.per_user_month.insert("loom".into(), 12.5);
        assert_eq!(prices.of("loom"), Some(12.5));
    }
}
