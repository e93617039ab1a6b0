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

/// Every product key seats knows, as the Atlassian APIs spell them (some products have two).
/// Config keys and `--product` values must be one of these.
pub fn known_product_keys() -> &'static [&'static str] {
    &[
        "jira-software",
        "jira-servicedesk",
        "jira-service-desk",
        "jira-servicemanagement",
        "jira-core",
        "jira-work-management",
        "jira-product-discovery",
        "confluence",
        "bitbucket",
        "opsgenie",
        "statuspage",
        "trello",
    ]
}

/// The product's display name, or the key when seats does not know it.
pub fn product_name(key: &str) -> String {
    match key {
        "jira-software" => "Jira Software",
        "jira-servicedesk" | "jira-service-desk" | "jira-servicemanagement" => {
            "Jira Service Management"
        }
        "jira-core" | "jira-work-management" => "Jira Work Management",
        "jira-product-discovery" => "Jira Product Discovery",
        "confluence" => "Confluence",
        "bitbucket" => "Bitbucket",
        "opsgenie" => "Opsgenie",
        "statuspage" => "Statuspage",
        "trello" => "Trello",
        other => other,
    }
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
    fn every_known_key_has_a_name() {
        for key in known_product_keys() {
            assert_ne!(product_name(key), *key, "{key} has no display name");
        }
    }
}
