//! Reading config.toml: a missing file means the defaults; a broken one names its path, line,
//! column and what is wrong.

use std::path::{Path, PathBuf};

use super::Config;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "{path}:{line}:{column}: {message}. Fix that line, or move the file away to start from the documented defaults"
    )]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}. Fix the file, or move it away to start from the defaults")]
    InvalidNoSpan { path: PathBuf, message: String },
    #[error("could not read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Loads config.toml from the config dir (defaults when it does not exist yet).
pub fn load() -> anyhow::Result<Config> {
    let path = super::config_path()?;
    Ok(load_from(&path)?)
}

/// Loads a config file (defaults when it does not exist).
pub fn load_from(path: &Path) -> Result<Config, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(source) => Err(ConfigError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Parses config text; `path` is only for the message.
pub(super) fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let message = e.message().trim_end_matches('.').to_string();
        match e.span() {
            Some(span) => {
                let (line, column) = line_and_column(text, span.start);
                ConfigError::Invalid {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message,
                }
            }
            None => ConfigError::InvalidNoSpan {
                path: path.to_path_buf(),
                message,
            },
        }
    })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_from_one() {
        assert_eq!(line_and_column("a = 1\nb = x\n", 10), (2, 5));
        assert_eq!(line_and_column("abc", 0), (1, 1));
        assert_eq!(line_and_column("é = 1", 3), (1, 3));
    }
}
