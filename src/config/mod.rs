//! Profiles and settings in `config.toml` in the config dir. Defaults and their documentation
//! live in `assets/config.toml`; secrets never do (see `crate::secrets`).

mod key_age;
mod load;
mod product_keys;
mod rules;
mod write;

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use key_age::{KEY_MAX_AGE_MONTHS, key_age_warning, key_is_old};
pub use load::{ConfigError, load, load_from};
pub use product_keys::{check_product_key, parse_product_key};
pub use rules::{Channel, Claims, Rule, RuleAction};
pub use write::{edit, edit_at, forget_secret, save_profile};

use crate::secrets::SecretKind;

/// The documented default config, written as the start of a new config.toml.
pub const DEFAULT_CONFIG_TOML: &str = include_str!("../../assets/config.toml");

/// File name of the config in the config dir.
pub const FILE_NAME: &str = "config.toml";

/// Path of config.toml, or an error that says how to choose one.
pub fn config_path() -> anyhow::Result<PathBuf> {
    crate::paths::config_dir()
        .map(|d| d.join(FILE_NAME))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "no config directory: set HOME, or SEATS_CONFIG_DIR to a directory for config.toml"
            )
        })
}

/// Unknown keys are refused (`deny_unknown_fields`): a misspelt `[protected]` key ignored with a
/// warning would let seats plan to remove the very users the admin meant to protect.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Profile used when neither `--profile` nor `SEATS_PROFILE` names one.
    pub default_profile: Option<String>,
    pub inactivity: Inactivity,
    pub prices: Prices,
    pub protected: Protected,
    pub api: Api,
    pub plan: PlanSettings,
    pub profiles: BTreeMap<String, Profile>,
    /// `[[rules]]`: warn, wait, reclaim (see `rules.rs`).
    #[serde(
        deserialize_with = "rules::unique_rules",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Inactivity {
    /// Days without use of a product after which a user is flagged for review.
    #[serde(deserialize_with = "days")]
    pub days: u32,
    /// Per-product overrides of `days`, by product key (a known key: see
    /// [`crate::domain::known_product_keys`]).
    #[serde(deserialize_with = "product_keys::product_map::<_, product_keys::Days>")]
    pub products: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Prices {
    pub currency: String,
    /// Price of one seat per month, by product key (a known key).
    #[serde(deserialize_with = "product_keys::product_map::<_, product_keys::Price>")]
    pub per_user_month: BTreeMap<String, f64>,
}

/// `[protected]`: the domain's protection rules, as config.toml spells them.
pub use crate::domain::ProtectionRules as Protected;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Api {
    #[serde(deserialize_with = "page_size")]
    pub page_size: u32,
    #[serde(deserialize_with = "concurrency")]
    pub concurrency: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlanSettings {
    /// Most users one plan may change; a bigger plan is refused until this is raised.
    #[serde(deserialize_with = "batch_cap")]
    pub batch_cap: u32,
}

/// One org and site to connect to. No secret: only when each was stored in the keyring.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Profile {
    pub org_id: Option<String>,
    pub admin_url: Option<String>,
    pub site_url: Option<String>,
    pub email: Option<String>,
    pub org_api_key_stored_at: Option<DateTime<Utc>>,
    pub site_api_token_stored_at: Option<DateTime<Utc>>,
}

impl Profile {
    /// When this secret went into the keyring, if seats stored it.
    pub fn stored_at(&self, kind: SecretKind) -> Option<DateTime<Utc>> {
        match kind {
            SecretKind::OrgApiKey => self.org_api_key_stored_at,
            SecretKind::SiteApiToken => self.site_api_token_stored_at,
        }
    }
}

impl Default for Inactivity {
    fn default() -> Self {
        Inactivity {
            days: 90,
            products: BTreeMap::new(),
        }
    }
}

impl Default for Prices {
    fn default() -> Self {
        let per_user_month = [
            ("jira-software", 8.60),
            ("jira-servicedesk", 19.04),
            ("jira-product-discovery", 10.00),
            ("confluence", 6.40),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        Prices {
            currency: "USD".into(),
            per_user_month,
        }
    }
}

impl Default for Api {
    fn default() -> Self {
        Api {
            page_size: 100,
            concurrency: 4,
        }
    }
}

impl Default for PlanSettings {
    fn default() -> Self {
        PlanSettings { batch_cap: 500 }
    }
}

impl Config {
    /// The profile to use: the one named (flag or `SEATS_PROFILE`), else the default one.
    /// `None` when nothing is named and there is no default.
    pub fn select_profile<'a>(
        &'a self,
        named: Option<&'a str>,
    ) -> anyhow::Result<Option<(&'a str, &'a Profile)>> {
        // `SEATS_PROFILE=` (empty) names nothing.
        let named = named.filter(|n| !n.is_empty());
        let Some(name) = named.or(self.default_profile.as_deref()) else {
            return Ok(None);
        };
        match self.profiles.get_key_value(name) {
            Some((k, p)) => Ok(Some((k.as_str(), p))),
            None if named.is_some() => {
                anyhow::bail!(
                    "no profile {name:?} in config.toml{}: run `seats login --profile {name}` to create it",
                    self.known_profiles()
                )
            }
            None => anyhow::bail!(
                "default_profile = {name:?} in config.toml names no profile{}: run `seats login --profile {name}` or fix default_profile",
                self.known_profiles()
            ),
        }
    }

    fn known_profiles(&self) -> String {
        if self.profiles.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
            format!(" (profiles: {})", names.join(", "))
        }
    }

    /// Inactivity threshold in days for a product.
    pub fn inactivity_days(&self, product: &str) -> u32 {
        self.inactivity
            .products
            .get(product)
            .copied()
            .unwrap_or(self.inactivity.days)
    }
}

// Range checks as deserializers, so a bad value gets the same path:line:column as a typo.
fn in_range<'de, D: serde::Deserializer<'de>>(
    d: D,
    lo: u32,
    hi: u32,
    what: &str,
) -> Result<u32, D::Error> {
    let v = u32::deserialize(d)?;
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(serde::de::Error::custom(format!(
            "{what} must be from {lo} to {hi}, not {v}"
        )))
    }
}

fn days<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    in_range(d, 1, 3650, "days")
}

fn page_size<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    in_range(d, 1, 100, "page_size")
}

fn concurrency<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    in_range(d, 1, 32, "concurrency")
}

fn batch_cap<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    in_range(d, 1, 1_000_000, "batch_cap")
}

/// Profile names become keyring user names (`NAME/org-api-key`) and TOML keys: keep them plain.
pub fn validate_profile_name(name: &str) -> anyhow::Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    anyhow::ensure!(
        ok,
        "profile name {name:?} is not allowed: use 1 to 64 letters, digits, '-', '_' or '.'"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_defaults_are_the_defaults() {
        let parsed: Config = match toml::from_str(DEFAULT_CONFIG_TOML) {
            Ok(c) => c,
            Err(e) => panic!("assets/config.toml does not parse: {e}"),
        };
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn every_default_key_is_documented_in_the_asset() {
        // Keys that have a value by default must appear (set) in the asset, so the file documents them.
        let asset: toml::Table = toml::from_str(DEFAULT_CONFIG_TOML).unwrap_or_default();
        let defaults = toml::Table::try_from(Config::default()).unwrap_or_default();
        for (section, value) in &defaults {
            if let toml::Value::Table(t) = value {
                let documented = asset.get(section).and_then(|v| v.as_table());
                for key in t.keys() {
                    assert!(
                        documented.is_some_and(|d| d.contains_key(key)),
                        "[{section}] {key} is missing from assets/config.toml"
                    );
                }
            }
        }
        assert!(!defaults.is_empty());
    }

    #[test]
    fn profile_names_that_would_break_keyring_users_are_refused() {
        assert!(validate_profile_name("work").is_ok());
        assert!(validate_profile_name("acme-prod_2.eu").is_ok());
        for bad in ["", "a/b", "with space", "x\"y", &"x".repeat(65)] {
            assert!(validate_profile_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn per_product_threshold_overrides_the_default() {
        let mut c = Config::default();
        c.inactivity.products.insert("confluence".into(), 30);
        assert_eq!(c.inactivity_days("confluence"), 30);
        assert_eq!(c.inactivity_days("jira-software"), 90);
    }
}
