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
    /// `detail` says what is wrong and what to do; no `source`, so `{:#}` says it once.
    #[error("could not read {path}: {detail}")]
    Read { path: PathBuf, detail: String },
}

/// Loads config.toml from the config dir (defaults when it does not exist yet).
pub fn load() -> anyhow::Result<Config> {
    let path = super::config_path()?;
    Ok(load_from(&path)?)
}

/// Loads a config file (defaults when it does not exist).
pub fn load_from(path: &Path) -> Result<Config, ConfigError> {
    match read_text(path)? {
        Some(text) => parse(path, &text),
        None => Ok(Config::default()),
    }
}

/// The file's text; `None` when there is no file yet. Every error names the file, where it is
/// wrong (the line of a byte that is not UTF-8) and what to do.
pub(super) fn read_text(path: &Path) -> Result<Option<String>, ConfigError> {
    let read_error = |detail: String| ConfigError::Read {
        path: path.to_path_buf(),
        detail,
    };
    // A FIFO would block the read and a device like /dev/zero never end it.
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
        && !meta.is_dir()
    {
        return Err(read_error(
            "it is not a regular file (a device, FIFO or socket): move it away, or set SEATS_CONFIG_DIR to another directory".into(),
        ));
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            let dir = path.parent().map(Path::display);
            return Err(read_error(format!(
                "the config directory{} is a file, not a directory: move that file away, or set SEATS_CONFIG_DIR to a directory",
                dir.map(|d| format!(" {d}")).unwrap_or_default()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => {
            return Err(read_error(
                "it is a directory, not a file: move it away (seats then starts from the defaults)"
                    .into(),
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(read_error(
                "permission denied: make it readable by this user (chmod 600 and owned by you)"
                    .into(),
            ));
        }
        Err(e) => return Err(read_error(format!("{e}; check the file and its directory"))),
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Some(text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let byte = bytes.get(at).copied().unwrap_or_default();
            // The valid part counts lines and columns like any other error.
            let before = String::from_utf8_lossy(bytes.get(..at).unwrap_or_default());
            let (line, column) = line_and_column(&before, before.len());
            Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                message: format!(
                    "byte 0x{byte:02x} is not UTF-8 text; save the file as UTF-8 (config.toml is TOML, which is always UTF-8)"
                ),
            })
        }
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
    fn a_byte_that_is_not_utf8_is_named_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, b"[api]\npage_size = 50\n# caf\xe9\n").unwrap();
        let e = load_from(&path).unwrap_err().to_string();
        assert!(e.contains(":3:6:") && e.contains("0xe9"), "{e}");
    }

    #[test]
    fn a_config_dir_that_is_a_file_says_so_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config");
        std::fs::write(&file, b"").unwrap();
        let e = load_from(&file.join("config.toml")).unwrap_err();
        let text = format!("{:#}", anyhow::Error::from(e));
        assert!(text.contains("is a file, not a directory"), "{text}");
        assert_eq!(text.matches("Not a directory").count(), 0, "{text}");
    }

    #[test]
    fn line_and_column_count_from_one() {
        assert_eq!(line_and_column("a = 1\nb = x\n", 10), (2, 5));
        assert_eq!(line_and_column("abc", 0), (1, 1));
        assert_eq!(line_and_column("é = 1", 3), (1, 3));
    }
}
