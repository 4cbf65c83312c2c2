//! Files only their owner may read: the audit trail, the console log, the sandbox's state,
//! pids, logs and secrets. Directories are made 0700 and files 0600, and a file or directory
//! that already exists with looser bits is tightened when it is opened here.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Mode of every file written here.
pub const FILE_MODE: u32 = 0o600;
/// Mode of every directory made here.
pub const DIR_MODE: u32 = 0o700;

/// `dir` and its missing parents, made 0700; `dir` itself is tightened to 0700 if it exists.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    tighten(dir, DIR_MODE)
}

/// Opens `path` for appending (created 0600, with its directory 0700).
pub fn append(path: &Path) -> io::Result<File> {
    open(path, OpenOptions::new().append(true))
}

/// Creates or truncates `path` for writing (0600, directory 0700).
pub fn create(path: &Path) -> io::Result<File> {
    open(path, OpenOptions::new().write(true).truncate(true))
}

/// Writes `contents` to `path` (0600, directory 0700).
pub fn write(path: &Path, contents: &[u8]) -> io::Result<()> {
    create(path)?.write_all(contents)
}

fn open(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir(dir)?;
    }
    let file = options.create(true).mode(FILE_MODE).open(path)?;
    // A file made before this rule (or by someone's umask) keeps its old bits otherwise.
    let metadata = file.metadata()?;
    if metadata.is_file() && metadata.permissions().mode() & 0o077 != 0 {
        file.set_permissions(fs::Permissions::from_mode(FILE_MODE))?;
    }
    Ok(file)
}

fn tighten(path: &Path, mode: u32) -> io::Result<()> {
    let metadata = fs::metadata(path)?;
    if metadata.permissions().mode() & 0o077 != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_files_and_directories_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("state/sub/audit.jsonl");
        append(&file).unwrap().write_all(b"x\n").unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&dir.path().join("state/sub")), 0o700);
        assert_eq!(mode(&dir.path().join("state")), 0o700);
    }

    #[test]
    fn existing_world_readable_files_are_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("log");
        fs::write(&file, "old\n").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        append(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(dir.path()), 0o700);
        write(&file, b"new").unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "new");
    }
}
