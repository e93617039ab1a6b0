//! Writing config.toml: edits keep the admin's comments and layout (toml_edit), the result is
//! checked before it lands, and the file is replaced atomically with mode 0600 from creation.

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};
use toml_edit::{DocumentMut, Item, Table, value};

use super::{Config, Profile, load::parse, load::read_text};
use crate::secrets::SecretKind;

/// Applies `change` to config.toml (starting from the documented defaults when it does not
/// exist), checks that the result is a valid config, and writes it. Returns the new config.
pub fn edit(change: impl FnOnce(&mut DocumentMut) -> anyhow::Result<()>) -> anyhow::Result<Config> {
    edit_at(&super::config_path()?, change)
}

/// [`edit`] on the config file at `path`.
pub fn edit_at(
    path: &Path,
    change: impl FnOnce(&mut DocumentMut) -> anyhow::Result<()>,
) -> anyhow::Result<Config> {
    let path = path.to_path_buf();
    let text = read_text(&path)?.unwrap_or_else(|| super::DEFAULT_CONFIG_TOML.to_string());
    // Refuse to edit a broken file: the admin should see and fix their mistake first.
    parse(&path, &text)?;
    let mut doc: DocumentMut = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))?;
    change(&mut doc)?;
    let new_text = doc.to_string();
    let config = parse(&path, &new_text)?;
    write_atomically(&path, new_text.as_bytes())?;
    Ok(config)
}

/// Adds or replaces a profile; makes it the default when asked or when there is no default yet.
pub fn save_profile(name: &str, profile: &Profile, make_default: bool) -> anyhow::Result<Config> {
    save_profile_at(&super::config_path()?, name, profile, make_default)
}

fn save_profile_at(
    path: &Path,
    name: &str,
    profile: &Profile,
    make_default: bool,
) -> anyhow::Result<Config> {
    super::validate_profile_name(name)?;
    edit_at(path, |doc| {
        let has_default = doc.get("default_profile").and_then(Item::as_str).is_some();
        if make_default || !has_default {
            set_default_profile(doc, name);
        }
        let profiles = doc
            .entry("profiles")
            .or_insert_with(|| {
                let mut t = Table::new();
                t.set_implicit(true);
                Item::Table(t)
            })
            .as_table_mut()
            .context("`profiles` in config.toml must be a table of profiles")?;
        profiles.insert(name, Item::Table(profile_table(profile)));
        Ok(())
    })
}

/// Sets `default_profile`. A new key goes below the file's header comment (the comment block
/// up to the last blank line before the first table), where the asset documents it, not
/// above the whole file.
fn set_default_profile(doc: &mut DocumentMut, name: &str) {
    if doc.contains_key("default_profile") {
        doc["default_profile"] = value(name);
        return;
    }
    let first_table = doc
        .as_table()
        .iter()
        .filter_map(|(k, item)| item.as_table().map(|t| (k.to_owned(), t.position())))
        .min_by_key(|(_, pos)| *pos)
        .map(|(k, _)| k);
    let header = first_table.as_deref().and_then(|key| {
        let table = doc.get_mut(key)?.as_table_mut()?;
        let prefix = table.decor().prefix()?.as_str()?.to_owned();
        let cut = prefix.rfind("\n\n")? + 2;
        let (head, rest) = prefix.split_at(cut);
        let (head, rest) = (head.to_owned(), rest.to_owned());
        table.decor_mut().set_prefix(format!("\n{rest}"));
        Some(head.trim_end_matches('\n').to_owned() + "\n")
    });
    doc["default_profile"] = value(name);
    if let (Some(head), Some(mut key)) = (header, doc.key_mut("default_profile")) {
        key.leaf_decor_mut().set_prefix(head);
    }
}

/// Drops the `stored_at` of a secret that left the keyring.
pub fn forget_secret(name: &str, kind: SecretKind) -> anyhow::Result<Config> {
    forget_secret_at(&super::config_path()?, name, kind)
}

fn forget_secret_at(path: &Path, name: &str, kind: SecretKind) -> anyhow::Result<Config> {
    edit_at(path, |doc| {
        if let Some(t) = doc
            .get_mut("profiles")
            .and_then(|p| p.get_mut(name))
            .and_then(Item::as_table_mut)
        {
            t.remove(stored_at_key(kind));
        }
        Ok(())
    })
}

fn stored_at_key(kind: SecretKind) -> &'static str {
    match kind {
        SecretKind::OrgApiKey => "org_api_key_stored_at",
        SecretKind::SiteApiToken => "site_api_token_stored_at",
    }
}

fn profile_table(p: &Profile) -> Table {
    let mut t = Table::new();
    let text = [
        ("org_id", &p.org_id),
        ("admin_url", &p.admin_url),
        ("site_url", &p.site_url),
        ("email", &p.email),
    ];
    for (key, v) in text {
        if let Some(v) = v {
            t.insert(key, value(v.as_str()));
        }
    }
    for kind in SecretKind::ALL {
        if let Some(at) = p.stored_at(kind) {
            t.insert(stored_at_key(kind), value(rfc3339(at)));
        }
    }
    t
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Through the one file writer: atomic, 0600 from creation, a symlinked config.toml keeps
/// its link (the target is replaced), anything but a regular file at the path is refused.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .context("config.toml has no parent directory")?;
    create_private_dir(dir)?;
    crate::output::replace_file(path, bytes, crate::output::FileMode::Private)?;
    Ok(())
}

fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    crate::output::create_private_dir(dir).map_err(|e| {
        let what = if dir.is_file() || e.kind() == std::io::ErrorKind::NotADirectory {
            "it (or a directory above it) is a file: move that file away, or set SEATS_CONFIG_DIR to a directory".to_owned()
        } else {
            format!("{e}; check the permissions, or set SEATS_CONFIG_DIR to a writable directory")
        };
        anyhow::anyhow!("could not create the config directory {}: {what}", dir.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn profile(org: &str) -> Profile {
        let at = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).single();
        Profile {
            org_id: Some(org.into()),
            site_url: Some("https://example.atlassian.net".into()),
            email: Some("a@example.com".into()),
            org_api_key_stored_at: at,
            site_api_token_stored_at: at,
            ..Profile::default()
        }
    }

    fn tmp() -> tempfile::TempDir {
        tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
    }

    #[test]
    fn a_new_config_starts_from_the_documented_defaults_and_first_profile_is_default() {
        let dir = tmp();
        let path = dir.path().join("sub/config.toml");
        let config = save_profile_at(&path, "work", &profile("o1"), false)
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(config.default_profile.as_deref(), Some("work"));
        assert_eq!(config.profiles.get("work"), Some(&profile("o1")));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            text.contains("# Users who must keep their seats"),
            "comments of the asset kept:\n{text}"
        );
        // The header comment stays first; the key goes under its own documentation.
        assert!(text.starts_with("# seats configuration."), "{text}");
        let documented = text
            .find("# default_profile = \"work\"")
            .unwrap_or(usize::MAX);
        let set = text.find("default_profile = \"work\"\n").unwrap_or(0);
        let key_line = text
            .lines()
            .position(|l| l == "default_profile = \"work\"")
            .unwrap_or(0);
        let doc_line = text
            .lines()
            .position(|l| l == "# default_profile = \"work\"")
            .unwrap_or(usize::MAX);
        assert!(documented < usize::MAX && set > 0, "{text}");
        assert_eq!(key_line, doc_line + 1, "{text}");
        assert!(text.contains("\n\n[inactivity]"), "{text}");
        // A second profile does not take the default unless asked.
        let config = save_profile_at(&path, "other", &profile("o2"), false)
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(config.default_profile.as_deref(), Some("work"));
        let config = save_profile_at(&path, "other", &profile("o3"), true)
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(config.default_profile.as_deref(), Some("other"));
        assert_eq!(
            config
                .profiles
                .get("other")
                .and_then(|p| p.org_id.as_deref()),
            Some("o3")
        );
        assert_eq!(super::super::load_from(&path).ok(), Some(config));
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private_from_creation_and_replaced_whole() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tmp();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "# mine\n[api]\npage_size = 50 # small pages\n")
            .unwrap_or_else(|e| panic!("{e}"));
        save_profile_at(&path, "work", &profile("o1"), false).unwrap_or_else(|e| panic!("{e:#}"));
        let mode = std::fs::metadata(&path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        assert_eq!(mode, 0o600);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            text.contains("# mine") && text.contains("page_size = 50 # small pages"),
            "{text}"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
            .collect();
        assert_eq!(leftovers.len(), 1, "temp file left behind");
    }

    #[test]
    fn a_broken_file_is_not_overwritten() {
        let dir = tmp();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[api]\npage_sise = 50\n").unwrap_or_else(|e| panic!("{e}"));
        let err = save_profile_at(&path, "work", &profile("o1"), false)
            .err()
            .map(|e| format!("{e:#}"));
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("page_sise") && e.contains(":2:")),
            "{err:?}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some("[api]\npage_sise = 50\n")
        );
    }

    #[test]
    fn forgetting_a_secret_drops_only_its_date() {
        let dir = tmp();
        let path = dir.path().join("config.toml");
        save_profile_at(&path, "work", &profile("o1"), false).unwrap_or_else(|e| panic!("{e:#}"));
        let config = forget_secret_at(&path, "work", SecretKind::OrgApiKey)
            .unwrap_or_else(|e| panic!("{e:#}"));
        let p = config.profiles.get("work").cloned().unwrap_or_default();
        assert_eq!(p.org_api_key_stored_at, None);
        assert!(p.site_api_token_stored_at.is_some());
        assert_eq!(p.org_id.as_deref(), Some("o1"));
    }
}
