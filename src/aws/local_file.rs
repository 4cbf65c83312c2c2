//! Local files written by downloads: data goes to a temporary file next to the target and
//! becomes the target only once complete, so a failed or cancelled download never leaves a
//! partial file, and an existing file is replaced only when asked.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::AsyncWriteExt;

/// What to do when the download target already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfExists {
    /// Fail with an error naming the path (the default a UI should offer).
    Refuse,
    /// Replace the existing file atomically.
    Replace,
}

/// A temporary file in the target's directory, deleted on drop unless persisted.
pub struct PartialFile {
    file: Option<tokio::fs::File>,
    temp: PathBuf,
    target: PathBuf,
    persisted: bool,
}

impl PartialFile {
    /// Creates the temporary file; fails if the target's directory does not exist.
    pub async fn create(target: &Path) -> io::Result<PartialFile> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let unique = format!(
            ".{}.{}-{}.part",
            name.to_string_lossy(),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let temp = dir.join(unique);
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .await?;
        Ok(PartialFile {
            file: Some(file),
            temp,
            target: target.to_owned(),
            persisted: false,
        })
    }

    pub async fn write(&mut self, data: &[u8]) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.write_all(data).await,
            None => Err(io::Error::other("write after persist")),
        }
    }

    /// Moves the complete file to the target. With [`IfExists::Refuse`] this is a hard link
    /// (which fails atomically if the target appeared meanwhile) where the file system
    /// supports it, else a checked rename.
    pub async fn persist(mut self, if_exists: IfExists) -> io::Result<()> {
        if let Some(mut file) = self.file.take() {
            file.flush().await?;
            file.sync_all().await?;
        }
        match if_exists {
            IfExists::Replace => tokio::fs::rename(&self.temp, &self.target).await?,
            IfExists::Refuse => match tokio::fs::hard_link(&self.temp, &self.target).await {
                Ok(()) => tokio::fs::remove_file(&self.temp).await?,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(e),
                Err(_) => {
                    if tokio::fs::symlink_metadata(&self.target).await.is_ok() {
                        return Err(io::ErrorKind::AlreadyExists.into());
                    }
                    tokio::fs::rename(&self.temp, &self.target).await?;
                }
            },
        }
        self.persisted = true;
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.persisted {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("platform-tui-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn a_dropped_partial_file_leaves_nothing() {
        let dir = scratch_dir("drop");
        let mut partial = PartialFile::create(&dir.join("out.csv")).await.unwrap();
        partial.write(b"half").await.unwrap();
        drop(partial);
        assert!(entries(&dir).is_empty(), "left {:?}", entries(&dir));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn refuse_keeps_the_existing_file_and_replace_swaps_it() {
        let dir = scratch_dir("persist");
        let target = dir.join("out.csv");
        std::fs::write(&target, "old").unwrap();

        let mut partial = PartialFile::create(&target).await.unwrap();
        partial.write(b"new").await.unwrap();
        let err = partial.persist(IfExists::Refuse).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(entries(&dir), ["out.csv"]);

        let mut partial = PartialFile::create(&target).await.unwrap();
        partial.write(b"new").await.unwrap();
        partial.persist(IfExists::Replace).await.unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(entries(&dir), ["out.csv"]);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
