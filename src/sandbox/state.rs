//! The sandbox's files in the XDG state dir: `emulator.pid`, `state.json`, `emulator.log` and a
//! `lock` that serialises `up` and `down` between processes (Airflow's: see airflow.rs).

use std::fs::{self, File};
use std::io;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::private_files;
use serde::{Deserialize, Serialize};

/// A running sandbox, as `up` and `status` report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxInfo {
    pub endpoint_url: String,
    pub port: u16,
    pub pid: u32,
    pub region: String,
    pub datalake_bucket: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub log_file: PathBuf,
    /// Whether this sandbox runs Airflow (`sandbox up --without-airflow` records false).
    #[serde(default)]
    pub with_airflow: bool,
    /// Its Airflow, when it runs and answers (kept in airflow.json, filled in when read).
    #[serde(skip)]
    pub airflow: Option<super::airflow::AirflowInfo>,
}

/// `state.json`: the info plus whether the emulator has finished seeding.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Recorded {
    #[serde(flatten)]
    pub info: SandboxInfo,
    pub ready: bool,
}

/// The sandbox's directory and the files in it.
pub struct Files {
    dir: PathBuf,
}

/// Held while `up` or `down` works; released on drop (the kernel also releases it if we die).
pub struct Lock(#[allow(dead_code)] File);

impl Files {
    pub fn at(dir: PathBuf) -> Self {
        Self { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn pid_file(&self) -> PathBuf {
        self.dir.join("emulator.pid")
    }

    pub fn state_file(&self) -> PathBuf {
        self.dir.join("state.json")
    }

    pub fn log_file(&self) -> PathBuf {
        self.dir.join("emulator.log")
    }

    /// The secret the emulator's control API asks for; new for each emulator, 0600.
    pub fn control_token_file(&self) -> PathBuf {
        self.dir.join("control.token")
    }

    /// Makes a new control token (32 random bytes from the kernel, hex) and keeps it.
    pub fn new_control_token(&self) -> Result<String> {
        use std::io::Read;
        let mut bytes = [0u8; 32];
        File::open("/dev/urandom")
            .and_then(|mut random| random.read_exact(&mut bytes))
            .context("cannot read /dev/urandom for the sandbox's control token")?;
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        write_atomically(&self.control_token_file(), token.as_bytes())?;
        Ok(token)
    }

    pub fn read_control_token(&self) -> Result<String> {
        let path = self.control_token_file();
        read_if_exists(&path)?
            .map(|token| token.trim().to_string())
            .with_context(|| {
                format!(
                    "{} is missing: restart the sandbox (`platform-tui sandbox down`, then `up`)",
                    path.display()
                )
            })
    }

    fn previous_log_file(&self) -> PathBuf {
        self.dir.join("emulator.previous.log")
    }

    /// Creates the directory and waits for any other `up`/`down` to finish.
    pub fn lock(&self, progress: &mut dyn FnMut(&str)) -> Result<Lock> {
        private_files::create_dir(&self.dir).with_context(|| {
            format!("cannot create the sandbox directory {}", self.dir.display())
        })?;
        let path = self.dir.join("lock");
        let file = private_files::create(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        if !flock(&file, libc::LOCK_EX | libc::LOCK_NB)? {
            progress("waiting for another `platform-tui sandbox` command to finish");
            flock(&file, libc::LOCK_EX)?;
        }
        Ok(Lock(file))
    }

    pub fn read_pid(&self) -> Result<Option<u32>> {
        let path = self.pid_file();
        let Some(text) = read_if_exists(&path)? else {
            return Ok(None);
        };
        text.trim().parse().map(Some).with_context(|| {
            format!(
                "{} does not hold a process id; delete it and retry",
                path.display()
            )
        })
    }

    pub fn read_state(&self) -> Result<Option<Recorded>> {
        let path = self.state_file();
        let Some(text) = read_if_exists(&path)? else {
            return Ok(None);
        };
        serde_json::from_str(&text).map(Some).with_context(|| {
            format!(
                "{} is unreadable; run `platform-tui sandbox down` and retry",
                path.display()
            )
        })
    }

    /// Records a freshly spawned emulator: pid file first, so `down` can always find it.
    pub fn record(&self, recorded: &Recorded) -> Result<()> {
        write_atomically(&self.pid_file(), recorded.info.pid.to_string().as_bytes())?;
        write_atomically(&self.state_file(), &serde_json::to_vec_pretty(recorded)?)
    }

    pub fn remove(&self) {
        for path in [
            self.pid_file(),
            self.state_file(),
            self.control_token_file(),
        ] {
            let _ = fs::remove_file(path);
        }
    }

    /// A fresh log for a new emulator; the last run's log is kept beside it.
    pub fn new_log(&self) -> Result<File> {
        let log = self.log_file();
        if log.exists() {
            let _ = fs::rename(&log, self.previous_log_file());
        }
        private_files::create(&log).with_context(|| format!("cannot create {}", log.display()))
    }
}

/// False if the lock is held elsewhere and `operation` asked not to block.
fn flock(file: &File, operation: libc::c_int) -> Result<bool> {
    // SAFETY: flock on a descriptor we own; no memory is involved.
    if unsafe { libc::flock(file.as_raw_fd(), operation) } == 0 {
        return Ok(true);
    }
    let error = io::Error::last_os_error();
    if error.kind() == io::ErrorKind::WouldBlock {
        return Ok(false);
    }
    Err(error).context("cannot lock the sandbox directory")
}

pub(super) fn read_if_exists(path: &Path) -> Result<Option<String>> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

pub(super) fn write_atomically(path: &Path, contents: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    private_files::write(&tmp, contents)
        .and_then(|()| fs::rename(&tmp, path))
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(pid: u32) -> Recorded {
        Recorded {
            info: SandboxInfo {
                endpoint_url: "http://127.0.0.1:4566".into(),
                port: 4566,
                pid,
                region: "us-east-1".into(),
                datalake_bucket: "nyctaxi-sandbox-datalake".into(),
                started_at: "2026-01-01T00:00:00Z".into(),
                log_file: "/tmp/emulator.log".into(),
                with_airflow: false,
                airflow: None,
            },
            ready: true,
        }
    }

    #[test]
    fn state_round_trips_and_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let files = Files::at(dir.path().to_path_buf());
        let _lock = files.lock(&mut |_| {}).unwrap();
        assert_eq!(files.read_pid().unwrap(), None);
        files.record(&recorded(42)).unwrap();
        assert_eq!(files.read_pid().unwrap(), Some(42));
        assert_eq!(files.read_state().unwrap().unwrap().info, recorded(42).info);
        files.remove();
        assert!(files.read_state().unwrap().is_none());
    }

    #[test]
    fn a_second_locker_says_it_waits_and_gets_the_lock_when_released() {
        let dir = tempfile::tempdir().unwrap();
        let first = Files::at(dir.path().to_path_buf())
            .lock(&mut |_| {})
            .unwrap();
        let path = dir.path().to_path_buf();
        let second = std::thread::spawn(move || {
            let mut said = Vec::new();
            let lock = Files::at(path).lock(&mut |m| said.push(m.to_string()));
            (lock.is_ok(), said)
        });
        std::thread::sleep(std::time::Duration::from_millis(200));
        drop(first);
        let (locked, said) = second.join().unwrap();
        assert!(locked);
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].contains("waiting"), "{said:?}");
    }

    #[test]
    fn a_garbled_pid_file_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let files = Files::at(dir.path().to_path_buf());
        fs::write(files.pid_file(), "not a pid").unwrap();
        let error = files.read_pid().unwrap_err().to_string();
        assert!(error.contains("emulator.pid"), "{error}");
    }
}
