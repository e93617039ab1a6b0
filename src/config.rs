//! Profiles and settings in `config.toml` (issue 4).
