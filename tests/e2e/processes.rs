//! The sandbox's processes as the kernel sees them: the pids its state files name, the
//! members of their sessions (`sandbox up` starts the emulator and the Airflow launcher each
//! in a session of its own), and SIGKILL by pid, to check that nothing outlives a crash.

use std::path::Path;
use std::time::{Duration, Instant};

/// How long the kernel and the launcher's children may take to go after their parent died.
const GONE_WITHIN: Duration = Duration::from_secs(30);

/// The pid in the sandbox's `name` pid file (`emulator.pid`, `airflow.pid`).
pub fn sandbox_pid(home: &Path, name: &str) -> u32 {
    let path = home.join("state/sandbox").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.trim()
        .parse()
        .unwrap_or_else(|e| panic!("{} holds {text:?}: {e}", path.display()))
}

/// SIGKILL to exactly `pid`.
pub fn kill_9(pid: u32) {
    let pid = i32::try_from(pid).expect("a pid fits an i32");
    // SAFETY: kill(2) with a positive pid signals that one process; no memory is involved.
    let result = unsafe { libc::kill(pid, libc::SIGKILL) };
    assert_eq!(
        result,
        0,
        "kill -9 {pid}: {}",
        std::io::Error::last_os_error()
    );
}

/// The live (not zombie) processes of session `sid`, as `pid command` lines.
pub fn session_members(sid: u32) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // pid (comm) state ppid pgrp session ...; comm may hold spaces and parentheses.
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            let (state, session) = (*fields.first()?, fields.get(3)?.parse::<u32>().ok()?);
            (session == sid && state != "Z").then(|| {
                let command = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                let command = String::from_utf8_lossy(&command).replace('\0', " ");
                format!("{pid} {command}")
            })
        })
        .collect()
}

/// Waits (bounded) until no process of session `sid` is left; panics naming the survivors.
pub fn expect_session_gone(sid: u32, what: &str) {
    let deadline = Instant::now() + GONE_WITHIN;
    loop {
        let members = session_members(sid);
        if members.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what} (session {sid}) left processes behind after {} s:\n{}",
            GONE_WITHIN.as_secs(),
            members.join("\n")
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
