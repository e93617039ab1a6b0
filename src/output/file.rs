//! Writing a file without destroying what is at the path.
//!
//! An atomic replace (temp file, sync, rename) is right for a regular file only: renamed over a
//! device node, a FIFO or a symlink it would turn them into a regular file. So the path is
//! resolved first (a symlink to its target) and its kind decides: a regular file, or nothing
//! yet, is replaced atomically; a character device or a FIFO is written through, as a shell
//! redirect would; a directory, a block device or a socket is refused with a message.
//!
//! Long: its last 90 lines are the unit tests, beside the private path checks they test.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Permissions of a file seats creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMode {
    /// Owner only (0600) when created; a replaced file keeps its own mode (the admin chose it).
    Default,
    /// Owner only (0600) always, a replaced file too: config.toml.
    Private,
}

/// Why a path cannot take the output. Each message names the path and what to do.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{path} is a directory: give a file name, e.g. {}", path.join("export.csv").display())]
    Directory { path: PathBuf },
    #[error("{path} is a {kind}: seats writes only to regular files, character devices and FIFOs")]
    Refused { path: PathBuf, kind: &'static str },
    #[error("{path} is not a regular file ({kind}); move it away or choose another path")]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error("cannot write {path}: the directory {dir} does not exist")]
    NoDirectory { path: PathBuf, dir: PathBuf },
    #[error("cannot write {path}: {detail}")]
    Unwritable { path: PathBuf, detail: String },
    #[error("{path}: a symlink loop (more than 40 links)")]
    SymlinkLoop { path: PathBuf },
    #[error("could not write {path}: {detail}")]
    Write { path: PathBuf, detail: String },
    #[error("{path} exists")]
    Exists { path: PathBuf },
}

/// Where a command's output goes, checked before the command does its work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputTarget {
    /// No `--output`, or `--output -`.
    Stdout,
    /// A path whose kind was checked; [`OutputTarget::write`] checks it again.
    File { path: PathBuf },
}

impl OutputTarget {
    /// Checks `--output` now, so a bad path fails before minutes of fetching, not after.
    pub fn check(path: Option<&Path>) -> Result<OutputTarget, OutputError> {
        match path {
            None => Ok(OutputTarget::Stdout),
            Some(p) if p.as_os_str() == "-" => Ok(OutputTarget::Stdout),
            Some(p) => {
                let plan = plan(p, true)?;
                if let Plan::Replace { real, .. } = &plan {
                    probe_dir(p, real)?;
                }
                Ok(OutputTarget::File {
                    path: p.to_path_buf(),
                })
            }
        }
    }

    /// Writes the whole output. A closed standard output comes back as `BrokenPipe` (see
    /// [`super::is_closed_pipe`]).
    pub fn write(&self, bytes: &[u8]) -> anyhow::Result<()> {
        match self {
            OutputTarget::Stdout => {
                let mut out = super::stdout();
                out.write_all(bytes)?;
                out.flush()?;
                Ok(())
            }
            OutputTarget::File { path } => Ok(write_path(path, bytes, FileMode::Default, true)?),
        }
    }
}

/// Writes a file seats was asked to write (a plan, an undo or retry plan, the console's
/// `:write`): what [`OutputTarget::write`] does for `--output PATH`. A new file is 0600; a
/// regular file is replaced atomically (through a symlink, at its target); a character device
/// or a FIFO is written through; anything else is refused.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    write_path(path, bytes, FileMode::Default, true)
}

/// As [`write_private`] for a new file only (the console's `:write`): the file appears whole
/// or not at all, and a file at `path`, also one another process creates meanwhile, is kept.
pub fn write_private_new(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let exists = || OutputError::Exists {
        path: path.to_path_buf(),
    };
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(exists());
    }
    let failed = |e: std::io::Error| OutputError::Write {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    let tmp = temp_path(path);
    let written = (|| -> std::io::Result<()> {
        let mut f = create_new(&tmp, FileMode::Default)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    let result = match written {
        // A hard link, unlike a rename, fails when the name is taken.
        Ok(()) => match std::fs::hard_link(&tmp, path) {
            Ok(()) => {
                sync_dir(&parent_dir(path));
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists()),
            // A file system without hard links: created in place, still never over a file.
            Err(_) => match create_new(path, FileMode::Default) {
                Ok(mut f) => f.write_all(bytes).and_then(|()| f.sync_all()).map_err(|e| {
                    let _ = std::fs::remove_file(path);
                    failed(e)
                }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists()),
                Err(e) => Err(failed(e)),
            },
        },
        Err(e) => Err(failed(e)),
    };
    let _ = std::fs::remove_file(&tmp);
    result
}

/// Appends to a log seats keeps (audit.jsonl), created 0600 (made 0600 if an older seats left
/// it readable by others), and syncs the data. Only a
/// regular file (or nothing yet) takes it: the audit log is never written into a device or a FIFO.
pub fn append_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
    {
        return Err(std::io::Error::other(format!(
            "{} is a {}, not a regular file: move it away",
            path.display(),
            kind_of(&meta).name()
        )));
    }
    let mut o = std::fs::OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path)?;
    keep_private(&f, path);
    f.write_all(bytes)?;
    f.sync_data()
}

/// A file of seats' own that an older seats (or a umask) left readable by others goes back to
/// 0600; a private one is left as it is. Best effort: a file seats may not chmod (another
/// owner, a read-only disk) is still used, and the log says so.
#[cfg(unix)]
fn keep_private(f: &std::fs::File, path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = f.metadata() else { return };
    if meta.permissions().mode() & 0o077 != 0
        && let Err(e) = f.set_permissions(std::fs::Permissions::from_mode(0o600))
    {
        tracing::warn!(path = %path.display(), error = %e, "could not make the file private (0600)");
    }
}

#[cfg(not(unix))]
fn keep_private(_f: &std::fs::File, _path: &Path) {}

/// [`keep_private`] by path, for a file seats owns and opens through another library (the
/// database and its `-wal`/`-shm`). Nothing at the path: nothing to do.
pub fn keep_private_path(path: &Path) {
    if let Ok(f) = std::fs::File::open(path) {
        keep_private(&f, path);
    }
}

/// Creates a folder seats keeps its files in (the data dir, logs, plans) and any missing
/// parents, each 0700 whatever the umask. An existing folder is left as it is.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Creates `path` empty and 0600 if nothing is there (the database file, a log file); true when
/// this call created it.
pub fn create_private_file(path: &Path) -> std::io::Result<bool> {
    match create_new(path, FileMode::Private) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// Opens a private log file for appending (created 0600, made 0600 if it was not).
pub fn open_private_append(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let f = o.open(path)?;
    keep_private(&f, path);
    Ok(f)
}

/// The most a plan file may hold: a plan of 100,000 steps is about 40 MB.
pub const PLAN_FILE_LIMIT: u64 = 128 * 1024 * 1024;

/// Reads a whole file seats was given (a plan file) of at most `limit` bytes. Only a regular
/// file is read: a FIFO would block until something writes to it and a device (`/dev/zero`)
/// never ends, so both are refused with the reason, before anything is read.
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other(format!(
            "it is a {}: seats reads only regular files",
            kind_of(&meta).name()
        )));
    }
    let too_big = || {
        std::io::Error::other(format!(
            "it is larger than {} MB, more than any plan seats writes",
            limit / (1024 * 1024)
        ))
    };
    if meta.len() > limit {
        return Err(too_big());
    }
    let f = std::fs::File::open(path)?;
    // The file may have been swapped or grown since the check: never read past the limit.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    f.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_big());
    }
    Ok(bytes)
}

/// [`read_limited`] as text.
pub fn read_limited_text(path: &Path, limit: u64) -> std::io::Result<String> {
    String::from_utf8(read_limited(path, limit)?)
        .map_err(|_| std::io::Error::other("it is not UTF-8 text"))
}

/// Replaces a file seats owns (config.toml) atomically: through a symlink at its target,
/// keeping the link; anything but a regular file (or nothing) at the path is refused.
pub fn replace_file(path: &Path, bytes: &[u8], mode: FileMode) -> Result<(), OutputError> {
    write_path(path, bytes, mode, false)
}

fn write_path(path: &Path, bytes: &[u8], mode: FileMode, streams: bool) -> Result<(), OutputError> {
    // Checked again at write time: the path may have changed since the command started.
    match plan(path, streams)? {
        Plan::Replace { real, keep_mode } => replace(path, &real, bytes, mode, keep_mode),
        Plan::Stream { real } => {
            let failed = |e: std::io::Error| OutputError::Write {
                path: path.to_path_buf(),
                detail: e.to_string(),
            };
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(&real)
                .map_err(failed)?;
            f.write_all(bytes).and_then(|()| f.flush()).map_err(failed)
        }
    }
}

enum Plan {
    /// Temp file next to `real`, renamed over it. `keep_mode`: the mode of the file replaced.
    Replace {
        real: PathBuf,
        keep_mode: Option<u32>,
    },
    /// Opened for writing as it is.
    Stream { real: PathBuf },
}

/// Follows symlinks (each relative to its own directory) to the path that holds the data.
fn resolve(path: &Path) -> Result<PathBuf, OutputError> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&current).map_err(|e| OutputError::Unwritable {
                    path: path.to_path_buf(),
                    detail: format!("cannot read the symlink {} ({e})", current.display()),
                })?;
                current = match current.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(OutputError::SymlinkLoop {
        path: path.to_path_buf(),
    })
}

fn plan(path: &Path, streams: bool) -> Result<Plan, OutputError> {
    if path.file_name().is_none() {
        return Err(OutputError::Unwritable {
            path: path.to_path_buf(),
            detail: "it names no file".into(),
        });
    }
    let real = resolve(path)?;
    let meta = match std::fs::metadata(&real) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let dir = parent_dir(&real);
            return match std::fs::metadata(&dir) {
                Ok(d) if d.is_dir() => Ok(Plan::Replace {
                    real,
                    keep_mode: None,
                }),
                Ok(_) => Err(OutputError::Unwritable {
                    path: path.to_path_buf(),
                    detail: format!("{} is not a directory", dir.display()),
                }),
                Err(_) => Err(OutputError::NoDirectory {
                    path: path.to_path_buf(),
                    dir,
                }),
            };
        }
        Err(e) => {
            return Err(OutputError::Unwritable {
                path: path.to_path_buf(),
                detail: e.to_string(),
            });
        }
    };
    let kind = kind_of(&meta);
    match kind {
        Kind::Regular => {
            // A file the admin made read-only is not silently replaced.
            if let Err(e) = std::fs::OpenOptions::new().write(true).open(&real) {
                return Err(OutputError::Unwritable {
                    path: path.to_path_buf(),
                    detail: e.to_string(),
                });
            }
            Ok(Plan::Replace {
                real,
                keep_mode: mode_of(&meta),
            })
        }
        Kind::Directory => Err(OutputError::Directory {
            path: path.to_path_buf(),
        }),
        Kind::CharDevice | Kind::Fifo if streams => Ok(Plan::Stream { real }),
        Kind::CharDevice | Kind::Fifo => Err(OutputError::NotRegular {
            path: path.to_path_buf(),
            kind: kind.name(),
        }),
        Kind::BlockDevice | Kind::Socket | Kind::Other if streams => Err(OutputError::Refused {
            path: path.to_path_buf(),
            kind: kind.name(),
        }),
        Kind::BlockDevice | Kind::Socket | Kind::Other => Err(OutputError::NotRegular {
            path: path.to_path_buf(),
            kind: kind.name(),
        }),
    }
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Regular,
    Directory,
    CharDevice,
    BlockDevice,
    Fifo,
    Socket,
    Other,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Regular => "regular file",
            Kind::Directory => "directory",
            Kind::CharDevice => "character device",
            Kind::BlockDevice => "block device (a disk or partition)",
            Kind::Fifo => "FIFO (named pipe)",
            Kind::Socket => "socket",
            Kind::Other => "special file",
        }
    }
}

#[cfg(unix)]
fn kind_of(meta: &std::fs::Metadata) -> Kind {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_file() {
        Kind::Regular
    } else if t.is_dir() {
        Kind::Directory
    } else if t.is_char_device() {
        Kind::CharDevice
    } else if t.is_block_device() {
        Kind::BlockDevice
    } else if t.is_fifo() {
        Kind::Fifo
    } else if t.is_socket() {
        Kind::Socket
    } else {
        Kind::Other
    }
}

#[cfg(not(unix))]
fn kind_of(meta: &std::fs::Metadata) -> Kind {
    if meta.is_file() {
        Kind::Regular
    } else if meta.is_dir() {
        Kind::Directory
    } else {
        Kind::Other
    }
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    Some(meta.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn mode_of(_meta: &std::fs::Metadata) -> Option<u32> {
    None
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn temp_path(real: &Path) -> PathBuf {
    let name = real
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    parent_dir(real).join(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

/// Creating (and removing) the temp file proves the directory takes new files, before any work.
fn probe_dir(path: &Path, real: &Path) -> Result<(), OutputError> {
    let tmp = temp_path(real);
    match create_new(&tmp, FileMode::Default) {
        Ok(_) => {
            let _ = std::fs::remove_file(&tmp);
            Ok(())
        }
        Err(e) => Err(OutputError::Unwritable {
            path: path.to_path_buf(),
            detail: format!(
                "the directory {} does not take new files ({e})",
                parent_dir(real).display()
            ),
        }),
    }
}

fn replace(
    shown: &Path,
    real: &Path,
    bytes: &[u8],
    mode: FileMode,
    keep_mode: Option<u32>,
) -> Result<(), OutputError> {
    let tmp = temp_path(real);
    let result = (|| -> std::io::Result<()> {
        let mut f = create_new(&tmp, mode)?;
        f.write_all(bytes)?;
        if let (Some(m), FileMode::Default) = (keep_mode, mode) {
            set_mode(&f, m)?;
        }
        f.sync_all()?;
        std::fs::rename(&tmp, real)?;
        sync_dir(&parent_dir(real));
        Ok(())
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        OutputError::Write {
            path: shown.to_path_buf(),
            detail: e.to_string(),
        }
    })
}

#[cfg(unix)]
fn create_new(path: &Path, _mode: FileMode) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    // Every file seats creates is the user's alone, whatever the umask; the modes differ only
    // in what a replaced file keeps.
    o.mode(0o600);
    o.open(path)
}

#[cfg(not(unix))]
fn create_new(path: &Path, _mode: FileMode) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn set_mode(f: &std::fs::File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    f.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_f: &std::fs::File, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

/// The rename survives a crash only once the directory is synced; best effort.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_written_whole_and_private_and_never_over_another() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("plan.json");
        write_private_new(&target, b"first").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"first");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // Taken: refused, and what is there is kept.
        let again = write_private_new(&target, b"second");
        assert!(
            matches!(again, Err(OutputError::Exists { .. })),
            "{again:?}"
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"first");
        // A symlink is a name taken too, even one pointing nowhere.
        #[cfg(unix)]
        {
            let link = d.path().join("link.json");
            std::os::unix::fs::symlink(d.path().join("nowhere.json"), &link).unwrap();
            let via = write_private_new(&link, b"x");
            assert!(matches!(via, Err(OutputError::Exists { .. })), "{via:?}");
            assert!(!d.path().join("nowhere.json").exists());
        }
        let names: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|n| !n.ends_with(".tmp")),
            "temp left: {names:?}"
        );
    }

    #[test]
    fn a_regular_file_is_replaced_whole_and_keeps_its_mode() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("users.json");
        std::fs::write(&target, b"old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        let out = OutputTarget::check(Some(&target)).unwrap();
        out.write(b"new").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1, "temp left");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o640);
        }
    }

    #[cfg(unix)]
    #[test]
    fn an_appended_log_is_created_private_and_made_private_if_it_was_not() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let log = d.path().join("audit.jsonl");
        append_private(&log, b"one\n").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&log), 0o600);
        std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();
        append_private(&log, b"two\n").unwrap();
        assert_eq!(mode(&log), 0o600);
        assert_eq!(std::fs::read(&log).unwrap(), b"one\ntwo\n");
        // Never into a FIFO or a device.
        let fifo = d.path().join("fifo");
        if std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
        {
            let e = append_private(&fifo, b"x").unwrap_err();
            assert!(e.to_string().contains("FIFO"), "{e}");
        }
    }

    #[test]
    fn a_missing_directory_or_a_directory_is_refused_before_any_work() {
        let d = tempfile::tempdir().unwrap();
        let missing = d.path().join("no-such-dir").join("x.json");
        let e = OutputTarget::check(Some(&missing)).unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        let e = OutputTarget::check(Some(d.path())).unwrap_err();
        assert!(e.to_string().contains("is a directory"), "{e}");
        assert_eq!(
            OutputTarget::check(Some(Path::new("-"))).unwrap(),
            OutputTarget::Stdout
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_keeps_pointing_at_its_target_which_is_replaced() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("real.csv");
        let link = d.path().join("link.csv");
        std::fs::write(&real, b"old").unwrap();
        std::os::unix::fs::symlink("real.csv", &link).unwrap();
        OutputTarget::check(Some(&link))
            .unwrap()
            .write(b"new")
            .unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        // A dangling link: the file is created where it points.
        let dangling = d.path().join("dangling.csv");
        std::os::unix::fs::symlink("later.csv", &dangling).unwrap();
        replace_file(&dangling, b"x", FileMode::Private).unwrap();
        assert_eq!(std::fs::read(d.path().join("later.csv")).unwrap(), b"x");
    }
}
