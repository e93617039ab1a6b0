//! Products: the things a seat is a seat of.

use serde::{Deserialize, Serialize};

/// A product by its key (`jira-software`, `jira-servicedesk`, `confluence`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Product {
    pub key: String,
    pub name: String,
}

impl Product {
    pub fn new(key: impl Into<String>) -> Product {
        let key = key.into();
        let name = product_name(&key);
        Product { key, name }
    }
}

/// One product as Atlassian has it: the key of the spec's role resources, the other keys some
/// APIs spell it with, its display name and the short forms admins type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProductEntry {
    /// The key as the org admin API's role resources list it (`jira-servicedesk`).
    pub key: &'static str,
    /// Other keys Atlassian APIs use for the same product (`jira-servicemanagement`).
    pub spellings: &'static [&'static str],
    pub name: &'static str,
    /// Short forms and other names admins type (`jsm`); never a key of another product.
    pub aliases: &'static [&'static str],
}

/// THE product table: every key of the spec's role resources (admin-organization, "Only the
/// following resources are valid"), the other spellings APIs use, display names and aliases.
/// The query language, `:` commands, every `--product` and config.toml all resolve through
/// [`resolve_product_key`] over this table.
pub const PRODUCTS: &[ProductEntry] = &[
    entry("jira-software", &[], "Jira Software", &["jsw", "jira"]),
    entry(
        "jira-servicedesk",
        &[
            "jira-service-desk",
            "jira-servicemanagement",
            "jira-service-management",
        ],
        "Jira Service Management",
        &[
            "jsm",
            "jsd",
            "servicedesk",
            "service-desk",
            "service-management",
        ],
    ),
    entry(
        "jira-core",
        &["jira-work-management"],
        "Jira Work Management",
        &["jwm", "work-management"],
    ),
    entry(
        "jira-product-discovery",
        &[],
        "Jira Product Discovery",
        &["jpd", "product-discovery"],
    ),
    entry("jira-admin", &[], "Jira Administration", &[]),
    entry("confluence", &[], "Confluence", &["conf", "wiki"]),
    entry("bitbucket", &[], "Bitbucket", &["bb"]),
    entry("compass", &[], "Compass", &[]),
    entry("loom", &[], "Loom", &[]),
    entry("opsgenie", &[], "Opsgenie", &[]),
    entry("statuspage", &[], "Statuspage", &[]),
    entry("trello", &[], "Trello", &[]),
    entry(
        "avp",
        &[],
        "Atlassian Analytics",
        &["analytics", "atlassian-analytics"],
    ),
    entry("beacon", &[], "Atlassian Guard Detect", &["guard-detect"]),
    entry("mercury", &[], "Focus", &["focus"]),
    entry("townsquare", &[], "Atlas", &["atlas"]),
    entry("unified-help", &[], "Unified Help", &[]),
    entry("platform", &[], "Atlassian platform", &[]),
];

const fn entry(
    key: &'static str,
    spellings: &'static [&'static str],
    name: &'static str,
    aliases: &'static [&'static str],
) -> ProductEntry {
    ProductEntry {
        key,
        spellings,
        name,
        aliases,
    }
}

/// Every product key seats knows, as the Atlassian APIs spell them (some products have two).
pub fn known_product_keys() -> Vec<&'static str> {
    PRODUCTS
        .iter()
        .flat_map(|p| std::iter::once(p.key).chain(p.spellings.iter().copied()))
        .collect()
}

/// The table's entry for a key, one of its spellings, an alias or its display name, written in
/// any case with spaces or `_` for `-` (`JSM`, `"Jira Service Management"`).
pub fn product_entry(value: &str) -> Option<&'static ProductEntry> {
    let v = normalize_product_key(value);
    let named = |p: &&ProductEntry| {
        p.key == v
            || p.spellings.contains(&v.as_str())
            || p.aliases.contains(&v.as_str())
            || normalize_product_key(p.name) == v
    };
    PRODUCTS.iter().find(named)
}

/// Lower case, spaces and `_` as `-`, trimmed.
pub fn normalize_product_key(value: &str) -> String {
    value.trim().to_lowercase().replace([' ', '_'], "-")
}

/// A product key as Atlassian writes them: lower-case letters, digits and `-`, 1 to 64.
pub fn is_product_key_shape(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !key.starts_with('-')
}

/// The product key `value` names, given the keys the org's data carries (`held`, may be
/// empty when no data is at hand):
/// 1. a key the data carries, as written;
/// 2. a key, spelling, alias or display name of the table: the spelling the data carries
///    when it carries one (an org whose data says `jira-servicemanagement` gets that for
///    `jsm`), else the table's key;
/// 3. None: not a product seats or the data knows.
pub fn resolve_product_key<'a>(
    value: &str,
    held: impl IntoIterator<Item = &'a str> + Clone,
) -> Option<String> {
    let v = normalize_product_key(value);
    if held.clone().into_iter().any(|k| k == v) {
        return Some(v);
    }
    let p = product_entry(&v)?;
    let held_spelling = held
        .into_iter()
        .find(|k| *k == p.key || p.spellings.contains(k));
    Some(held_spelling.unwrap_or(p.key).to_owned())
}

/// The product's display name, or the key when seats does not know it.
pub fn product_name(key: &str) -> String {
    PRODUCTS
        .iter()
        .find(|p| p.key == key || p.spellings.contains(&key))
        .map_or(key, |p| p.name)
        .to_owned()
}

/// The product key inside a product ARI: `ari:cloud:jira-software::site/<cloudId>` → `jira-software`.
/// Returns None for platform or unknown ARIs.
pub fn product_key_from_ari(ari: &str) -> Option<&str> {
    let rest = ari.strip_prefix("ari:cloud:")?;
    let key = rest.split(':').next()?;
    (!key.is_empty() && key != "platform").then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_from_aris() {
        assert_eq!(
            product_key_from_ari("ari:cloud:jira-software::site/abc"),
            Some("jira-software")
        );
        assert_eq!(
            product_key_from_ari("ari:cloud:confluence::site/abc"),
            Some("confluence")
        );
        assert_eq!(product_key_from_ari("ari:cloud:platform::site/abc"), None);
        assert_eq!(product_key_from_ari("nonsense"), None);
        assert_eq!(
            Product::new("jira-servicedesk").name,
            "Jira Service Management"
        );
        assert_eq!(Product::new("new-thing").name, "new-thing");
    }

    #[test]
    fn every_key_of_the_spec_is_known_with_a_name() {
        // The admin-organization spec's role resources ("Only the following resources are valid").
        let spec = [
            "avp",
            "beacon",
            "bitbucket",
            "compass",
            "confluence",
            "jira-admin",
            "jira-core",
            "jira-software",
            "jira-servicedesk",
            "jira-product-discovery",
            "loom",
            "mercury",
            "opsgenie",
            "platform",
            "statuspage",
            "townsquare",
            "trello",
            "unified-help",
        ];
        for key in spec {
            assert!(known_product_keys().contains(&key), "{key}");
            assert_ne!(product_name(key), key, "{key} has no display name");
            assert_eq!(resolve_product_key(key, []), Some(key.to_owned()));
        }
    }

    #[test]
    fn aliases_resolve_to_the_key_the_data_carries() {
        assert_eq!(
            resolve_product_key("jsw", []).as_deref(),
            Some("jira-software")
        );
        assert_eq!(
            resolve_product_key("JSM", []).as_deref(),
            Some("jira-servicedesk")
        );
        assert_eq!(
            resolve_product_key("jira-servicemanagement", []).as_deref(),
            Some("jira-servicedesk")
        );
        assert_eq!(
            resolve_product_key("Jira Service Management", []).as_deref(),
            Some("jira-servicedesk")
        );
        // An org whose data spells it the other way gets its own spelling back.
        let held = ["jira-servicemanagement", "confluence"];
        assert_eq!(
            resolve_product_key("jsm", held).as_deref(),
            Some("jira-servicemanagement")
        );
        assert_eq!(
            resolve_product_key("jira-servicedesk", held).as_deref(),
            Some("jira-servicemanagement")
        );
        // A key only the data carries is accepted as written; a typo is not.
        assert_eq!(
            resolve_product_key("new-thing", ["new-thing"]).as_deref(),
            Some("new-thing")
        );
        assert_eq!(resolve_product_key("confluenc", held), None);
        assert_eq!(resolve_product_key("jwm", []).as_deref(), Some("jira-core"));
        assert_eq!(
            resolve_product_key("atlas", []).as_deref(),
            Some("townsquare")
        );
    }

    #[test]
    fn no_alias_names_two_products() {
        let mut seen = std::collections::HashSet::new();
        for p in PRODUCTS {
            let names = std::iter::once(p.key)
                .chain(p.spellings.iter().copied())
                .chain(p.aliases.iter().copied())
                .map(str::to_owned)
                .chain(std::iter::once(normalize_product_key(p.name)));
            for n in names.collect::<std::collections::HashSet<_>>() {
                assert!(seen.insert(n.clone()), "{n} names two products");
            }
        }
    }

    #[test]
    fn every_known_key_has_a_name() {
        for key in known_product_keys() {
            assert_ne!(product_name(key), key, "{key} has no display name");
        }
    }
}
