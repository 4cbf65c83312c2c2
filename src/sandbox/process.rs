//! The sandbox's processes (the emulator, Airflow's launcher) as operating-system processes: a
//! free port, a detached spawn in its own session, identity and liveness checks by pid, and a
//! graceful stop of its process group.

use std::fs::File;
use std::io;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// The emulator script, relative to the project checkout; also how its processes are recognised.
pub const EMULATOR_SCRIPT: &str = "sandbox/emulator.py";
/// Exit status of emulator.py when its port is taken (see the script's docstring).
pub const EXIT_PORT_UNAVAILABLE: i32 = 2;

const POLL: Duration = Duration::from_millis(50);
const KILL_GRACE: Duration = Duration::from_secs(5);
const EXEC_SETTLE_TRIES: usize = 20;
const REAP_TRIES: usize = 100;
const REAP_POLL: Duration = Duration::from_millis(10);
const EXEC_SETTLE_POLL: Duration = Duration::from_millis(10);

/// Why a supervised process did not become ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// It exited first (`None`: killed by a signal, or not our child so the code is unknown).
    Exited(Option<i32>),
    /// It exited with its "port taken" status: retry on another port.
    PortTaken,
    TimedOut,
}

/// What to wait for: the process (our `child` when we started it, else known by `pid`), the exit
/// status that means its port was taken, how long, how often to look.
pub struct Readiness<'a> {
    pub pid: u32,
    pub child: Option<&'a mut Child>,
    pub port_taken_status: i32,
    pub timeout: Duration,
    pub poll: Duration,
}

impl Readiness<'_> {
    /// Polls `ready` until it holds; fails as soon as the process exits, or at the timeout.
    pub fn wait(mut self, mut ready: impl FnMut() -> bool) -> Result<(), Failure> {
        let deadline = Instant::now() + self.timeout;
        loop {
            if ready() {
                return Ok(());
            }
            if let Some(code) = self.exit_code() {
                return Err(match code {
                    Some(status) if status == self.port_taken_status => Failure::PortTaken,
                    code => Failure::Exited(code),
                });
            }
            if Instant::now() >= deadline {
                return Err(Failure::TimedOut);
            }
            thread::sleep(self.poll);
        }
    }

    /// `Some(exit code)` once the process has exited.
    fn exit_code(&mut self) -> Option<Option<i32>> {
        match self.child.as_deref_mut() {
            Some(child) => child.try_wait().ok().flatten().map(|status| status.code()),
            None => (!is_running(self.pid)).then_some(None),
        }
    }
}

/// A port on 127.0.0.1 that was free a moment ago (the kernel picks it).
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).context(
        "cannot open any TCP port on 127.0.0.1: is the loopback interface up \
         (`ip link set lo up`) and are local ports available?",
    )?;
    Ok(listener.local_addr()?.port())
}

/// Starts `python sandbox/emulator.py --host 127.0.0.1 --port PORT --seed`, detached, with
/// `control_token` as the secret its control API asks for.
pub fn spawn_emulator(
    python: &Path,
    project: &Path,
    port: u16,
    control_token: &str,
    log: File,
) -> Result<Child> {
    let port = port.to_string();
    let args = ["--host", "127.0.0.1", "--port", port.as_str(), "--seed"];
    let env = [("PLATFORM_API_TOKEN", control_token)];
    spawn_detached(python, project, EMULATOR_SCRIPT, &args, &env, log)
}

/// Starts `python SCRIPT ARGS...` (SCRIPT relative to the project) in a new session, so
/// terminal signals and hang-ups never reach it, output appended to `log`. Proxy settings are
/// dropped: the sandbox's processes only talk to each other on 127.0.0.1.
pub fn spawn_detached(
    python: &Path,
    project: &Path,
    script: &str,
    args: &[&str],
    env: &[(&str, &str)],
    log: File,
) -> Result<Child> {
    let stderr = log.try_clone()?;
    let mut command = Command::new(python);
    command
        .arg(project.join(script))
        .args(args)
        .current_dir(project)
        .env("PYTHONUNBUFFERED", "1")
        .envs(env.iter().copied())
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(stderr);
    // SAFETY: setsid is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command
        .spawn()
        .with_context(|| format!("cannot start {} {script}", python.display()))
}

/// True while `pid` runs. A zombie counts as gone (an orphan's zombie lingers where the init
/// process does not reap); if it is our own exited child, it is reaped here.
pub fn is_running(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill with signal 0 only checks that the pid exists.
    let exists = unsafe { libc::kill(pid, 0) } == 0
        || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    if exists && is_zombie(pid) {
        reap(pid);
        return false;
    }
    exists
}

/// Collects our own exited child. A zombie leader of a multi-threaded process can be collected
/// only once its last thread is gone, which takes a moment; others' processes give ECHILD.
fn reap(pid: libc::pid_t) {
    for _ in 0..REAP_TRIES {
        // SAFETY: WNOHANG never blocks.
        if unsafe { libc::waitpid(pid, std::ptr::null_mut(), libc::WNOHANG) } != 0 {
            return;
        }
        thread::sleep(REAP_POLL);
    }
}

/// The state letter of /proc/<pid>/stat (after the parenthesised command name) is Z or X.
fn is_zombie(pid: libc::pid_t) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat
        .rfind(')')
        .and_then(|end| stat[end + 1..].trim_start().chars().next());
    matches!(state, Some('Z' | 'X'))
}

/// True if `pid` is a sandbox emulator (its command line runs sandbox/emulator.py), so a pid
/// reused by another program is never signalled.
pub fn is_our_emulator(pid: u32) -> bool {
    runs_script(pid, EMULATOR_SCRIPT)
}

/// True if `pid`'s command line runs `script` (a path relative to the project).
pub fn runs_script(pid: u32, script: &str) -> bool {
    // A process that is still inside exec() shows an empty command line for a moment.
    for _ in 0..EXEC_SETTLE_TRIES {
        match command_line(pid) {
            Some(args) if args.is_empty() => thread::sleep(EXEC_SETTLE_POLL),
            Some(args) => return args.iter().any(|arg| arg.ends_with(script)),
            None => return false,
        }
    }
    false
}

fn command_line(pid: u32) -> Option<Vec<String>> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    Some(
        raw.split(|&b| b == 0)
            .filter(|arg| !arg.is_empty())
            .map(|arg| String::from_utf8_lossy(arg).into_owned())
            .collect(),
    )
}

/// SIGTERM (and SIGCONT) to the process group `pid` leads (the emulator's or Airflow's
/// launcher's), SIGKILL after `grace`; returns once it is gone.
pub fn stop(pid: u32, grace: Duration) -> Result<()> {
    let target = signal_target(pid)?;
    send(target, libc::SIGTERM);
    send(target, libc::SIGCONT); // a stopped (^Z, SIGSTOP) process acts on SIGTERM only when resumed
    if wait_gone(pid, grace) {
        return Ok(());
    }
    send(target, libc::SIGKILL);
    if wait_gone(pid, KILL_GRACE) {
        return Ok(());
    }
    bail!("the sandbox process {pid} survived SIGKILL; check `ps -o pid,stat,cmd -p {pid}`")
}

/// The process group when the emulator leads one (it does, after setsid), else the pid alone.
fn signal_target(pid: u32) -> Result<libc::pid_t> {
    let pid = libc::pid_t::try_from(pid).context("pid out of range")?;
    // SAFETY: getpgid only reads kernel state for a pid.
    let group = unsafe { libc::getpgid(pid) };
    Ok(if group == pid { -pid } else { pid })
}

fn send(target: libc::pid_t, signal: libc::c_int) {
    // SAFETY: sending a signal to a pid or process group we identified as the emulator's.
    unsafe {
        libc::kill(target, signal);
    }
}

fn wait_gone(pid: u32, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if !is_running(pid) {
            return true;
        }
        thread::sleep(POLL);
    }
    !is_running(pid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_that_is_not_the_emulator_is_never_ours() {
        let mut child = Command::new("sleep").arg("5").spawn().unwrap();
        assert!(is_running(child.id()));
        assert!(!is_our_emulator(child.id()));
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(!is_running(child.id()));
    }

    #[test]
    fn a_just_spawned_emulator_is_recognised() {
        let mut child = Command::new("sh")
            .args(["-c", "sleep 5; true", EMULATOR_SCRIPT])
            // The shell's `sleep` outlives the kill: keep it off the test's output pipes.
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let ours = is_our_emulator(child.id());
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(ours, "the command line was read before exec finished");
    }

    #[test]
    fn a_zombie_is_not_running_and_our_own_is_reaped() {
        let mut child = Command::new("true").spawn().unwrap();
        let pid = libc::pid_t::try_from(child.id()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !is_zombie(pid) && Instant::now() < deadline {
            thread::sleep(POLL);
        }
        assert!(is_zombie(pid), "an exited, unreaped child is a zombie");
        assert!(!is_running(child.id()));
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "is_running reaps our zombie"
        );
        assert!(child.wait().is_err(), "already reaped");
    }

    #[test]
    fn an_exited_child_is_reaped_and_not_running() {
        let child = Command::new("true").spawn().unwrap();
        let pid = child.id();
        drop(child);
        assert!(wait_gone(pid, Duration::from_secs(5)));
    }

    #[test]
    fn free_port_is_bindable() {
        let port = free_port().unwrap();
        assert!(TcpListener::bind(("127.0.0.1", port)).is_ok());
    }
}
