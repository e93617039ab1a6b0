//! Where seats keeps its files: config, data (logs, cache, journal) and cache dirs.
//!
//! `SEATS_CONFIG_DIR` and `SEATS_DATA_DIR` override the platform dirs (tests and portable installs).

use std::path::PathBuf;

use directories::ProjectDirs;

fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "seats")
}

fn from_env(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Directory of `config.toml`.
pub fn config_dir() -> Option<PathBuf> {
    from_env("SEATS_CONFIG_DIR").or_else(|| project_dirs().map(|d| d.config_dir().to_path_buf()))
}

/// Directory of logs, the cache database, the journal and the audit log.
pub fn data_dir() -> Option<PathBuf> {
    from_env("SEATS_DATA_DIR").or_else(|| project_dirs().map(|d| d.data_dir().to_path_buf()))
}

/// Path of the log file.
pub fn log_dir() -> Option<PathBuf> {
    data_dir().map(|d| d.join("logs"))
}
