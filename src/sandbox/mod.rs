//! The sandbox: the platform running locally on the moto-based AWS emulator
//! (`sandbox/emulator.py --seed`) and a real Airflow 3 running the project's DAGs against it
//! (`sandbox/airflow/launch.py`, see airflow.rs), supervised by pid from the XDG state dir.
//!
//! Blocking std code: it runs before the TUI starts. `up` is idempotent, `down` stops only
//! processes that really are ours, `status` reports a sandbox only if it answers.

mod airflow;
mod context;
mod control;
mod health;
mod process;
mod state;
mod venv;

use std::path::Path;
use std::process::Child;
use std::time::Duration;

use anyhow::{anyhow, Result};
use chrono::{SecondsFormat, Utc};

use crate::paths;
use airflow::AirflowFiles;
pub use airflow::AirflowInfo;
pub use context::reach_running_sandbox;
pub use control::{clear_failures, inject_failure, TARGETS as FAILURE_TARGETS};
use process::Failure;
pub use state::SandboxInfo;
use state::{Files, Recorded};

/// The region every seeded resource lives in.
pub const REGION: &str = "us-east-1";
/// The seeded data lake bucket (raw/, staging/, gold/), as sandbox/seed.py names it.
pub const DATALAKE_BUCKET: &str = "nyctaxi-sandbox-datalake";

/// Start plus seeding takes a few seconds; a busy 2-core machine can be far slower.
const READY_TIMEOUT: Duration = Duration::from_secs(120);
const STOP_GRACE: Duration = Duration::from_secs(10);
/// A free port can be taken by someone else before the emulator binds it: retry with another.
const START_ATTEMPTS: usize = 3;
const POLL: Duration = Duration::from_millis(100);

/// Whether `up` starts the sandbox's Airflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AirflowMode {
    /// Start it (or keep it running) unless this sandbox was started without it.
    Start,
    /// The emulator only (`sandbox up --without-airflow`); a new sandbox remembers it.
    Skip,
}

/// Starts the sandbox with Airflow (see [`up_with`]).
pub fn up(progress: &mut dyn FnMut(&str)) -> Result<SandboxInfo> {
    up_with(AirflowMode::Start, progress)
}

/// Starts the sandbox (venv, emulator, seed, then Airflow unless `mode` skips it or the running
/// sandbox was started without it) or returns the one already running and healthy.
pub fn up_with(mode: AirflowMode, progress: &mut dyn FnMut(&str)) -> Result<SandboxInfo> {
    let files = sandbox_files();
    let _lock = files.lock(progress)?;
    let mut info = emulator_up(&files, mode, progress)?;
    let airflow_files = AirflowFiles::at(files.dir());
    if !info.with_airflow {
        if mode == AirflowMode::Start {
            progress(
                "this sandbox runs without Airflow (it was started with --without-airflow); \
                 `platform-tui sandbox down`, then `platform-tui sandbox up` adds it",
            );
        }
        return Ok(info);
    }
    if mode == AirflowMode::Skip {
        info.airflow = airflow::running(&airflow_files, &info.endpoint_url);
        return Ok(info);
    }
    let airflow = airflow::ensure(&airflow_files, &info, progress)?;
    match airflow::register(&info, &airflow) {
        Ok(_) => progress(
            "Airflow registered with the emulator's MWAA API (environment nyctaxi-sandbox-mwaa)",
        ),
        Err(error) => progress(&format!(
            "warning: {error:#}; the emulator's MWAA API cannot reach Airflow"
        )),
    }
    info.airflow = Some(airflow);
    Ok(info)
}

/// The emulator part of `up`: the running one, or a new one recording `mode`.
fn emulator_up(
    files: &Files,
    mode: AirflowMode,
    progress: &mut dyn FnMut(&str),
) -> Result<SandboxInfo> {
    match inspect(files)? {
        Existing::Ready(info) => {
            progress(&format!(
                "sandbox already running at {} (pid {})",
                info.endpoint_url, info.pid
            ));
            return Ok(info);
        }
        Existing::Starting(info) => {
            progress(&format!(
                "a sandbox is still starting (pid {}); waiting for it",
                info.pid
            ));
            let outcome = wait_until_ready(&info, None);
            return conclude(files, info, outcome);
        }
        Existing::Unhealthy(pid) => {
            progress(&format!(
                "the sandbox emulator (pid {pid}) does not answer; restarting it"
            ));
            process::stop(pid, STOP_GRACE)?;
            files.remove();
        }
        Existing::Stale(pid) => {
            progress(&stale_pid_file(pid));
            files.remove();
        }
        Existing::Nothing => {}
    }
    // An Airflow left from an earlier emulator would keep calling a dead endpoint.
    airflow::stop(&AirflowFiles::at(files.dir()), progress)?;
    let python = venv::ensure_python(progress)?;
    start(files, &python, mode, progress)
}

/// Stops the sandbox; true if a running emulator was stopped.
pub fn down(progress: &mut dyn FnMut(&str)) -> Result<bool> {
    let files = sandbox_files();
    let _lock = files.lock(progress)?;
    if airflow::stop(&AirflowFiles::at(files.dir()), progress)? {
        progress("Airflow stopped");
    }
    let Some(pid) = files.read_pid()? else {
        progress("no sandbox is running");
        return Ok(false);
    };
    if !process::is_running(pid) || !process::is_our_emulator(pid) {
        progress(&stale_pid_file(pid));
        files.remove();
        return Ok(false);
    }
    progress(&format!("stopping the sandbox emulator (pid {pid})"));
    process::stop(pid, STOP_GRACE)?;
    files.remove();
    progress("sandbox stopped");
    Ok(true)
}

/// The running sandbox, only if its emulator is alive, finished seeding and answers; with its
/// Airflow if that runs and answers too.
pub fn status() -> Result<Option<SandboxInfo>> {
    let files = sandbox_files();
    Ok(match inspect(&files)? {
        Existing::Ready(mut info) => {
            if info.with_airflow {
                info.airflow = airflow::running(&AirflowFiles::at(files.dir()), &info.endpoint_url);
            }
            Some(info)
        }
        _ => None,
    })
}

/// The running emulator (ready and answering), without asking after its Airflow.
pub fn running_emulator() -> Result<Option<SandboxInfo>> {
    Ok(match inspect(&sandbox_files())? {
        Existing::Ready(info) => Some(info),
        _ => None,
    })
}

/// The sandbox's own Airflow, as a client reaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxAirflow {
    /// The api-server's base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    pub username: String,
    pub password: String,
}

/// The running sandbox's Airflow, if the sandbox is up and its Airflow answers.
pub fn airflow() -> Option<SandboxAirflow> {
    let airflow = status().ok()??.airflow?;
    Some(SandboxAirflow {
        url: airflow.url,
        username: airflow::USERNAME.to_string(),
        password: airflow::PASSWORD.to_string(),
    })
}

fn stale_pid_file(pid: u32) -> String {
    format!("removing a stale pid file (process {pid} is no longer the sandbox emulator)")
}

/// The running sandbox's control token (its emulator's `/platform-api/` asks for it).
fn control_token() -> Result<String> {
    sandbox_files().read_control_token()
}

fn sandbox_files() -> Files {
    Files::at(paths::sandbox_dir())
}

/// What the state dir says about an earlier `up`.
enum Existing {
    Nothing,
    Ready(SandboxInfo),
    /// Alive and ours, still seeding (an earlier `up` was interrupted while it waited).
    Starting(SandboxInfo),
    /// Alive and ours, but not answering or without a usable state file.
    Unhealthy(u32),
    /// The pid file names a process that is gone or that is not our emulator any more.
    Stale(u32),
}

fn inspect(files: &Files) -> Result<Existing> {
    let Some(pid) = files.read_pid()? else {
        return Ok(Existing::Nothing);
    };
    if !process::is_running(pid) || !process::is_our_emulator(pid) {
        return Ok(Existing::Stale(pid));
    }
    Ok(match files.read_state() {
        Ok(Some(recorded)) if recorded.info.pid == pid => {
            if !recorded.ready {
                Existing::Starting(recorded.info)
            } else if health::answers(recorded.info.port) {
                Existing::Ready(recorded.info)
            } else {
                Existing::Unhealthy(pid)
            }
        }
        _ => Existing::Unhealthy(pid),
    })
}

fn start(
    files: &Files,
    python: &Path,
    mode: AirflowMode,
    progress: &mut dyn FnMut(&str),
) -> Result<SandboxInfo> {
    let project = paths::project_dir();
    let mut attempt = 1;
    loop {
        let port = process::free_port()?;
        let token = files.new_control_token()?;
        let mut child = process::spawn_emulator(python, &project, port, &token, files.new_log()?)?;
        let info = SandboxInfo {
            endpoint_url: format!("http://127.0.0.1:{port}"),
            port,
            pid: child.id(),
            region: REGION.to_string(),
            datalake_bucket: DATALAKE_BUCKET.to_string(),
            started_at: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
            log_file: files.log_file(),
            with_airflow: mode == AirflowMode::Start,
            airflow: None,
        };
        files.record(&Recorded {
            info: info.clone(),
            ready: false,
        })?;
        progress(&format!(
            "starting the AWS emulator on {} and seeding the data lake (log: {})",
            info.endpoint_url,
            info.log_file.display()
        ));
        match wait_until_ready(&info, Some(&mut child)) {
            Err(Failure::PortTaken) if attempt < START_ATTEMPTS => {
                progress(&format!("port {port} was taken meanwhile; trying another"));
                files.remove();
                attempt += 1;
            }
            outcome => return conclude(files, info, outcome),
        }
    }
}

/// Records a ready sandbox, or stops what is left of a failed start and explains the failure.
fn conclude(files: &Files, info: SandboxInfo, outcome: Result<(), Failure>) -> Result<SandboxInfo> {
    match outcome {
        Ok(()) => {
            files.record(&Recorded {
                info: info.clone(),
                ready: true,
            })?;
            Ok(info)
        }
        Err(failure) => {
            if process::is_running(info.pid) {
                let _ = process::stop(info.pid, STOP_GRACE);
            }
            files.remove();
            Err(explain(&failure, &info))
        }
    }
}

/// Why the emulator did not start, in words, with its log's last lines.
fn explain(failure: &Failure, info: &SandboxInfo) -> anyhow::Error {
    let log = info.log_file.display();
    let tail = health::last_log_lines(&info.log_file);
    let (what, advice) = match failure {
        Failure::Exited(Some(code)) => (
            format!("the sandbox emulator exited with status {code} before it was ready"),
            "Fix the cause shown above, then run `platform-tui sandbox up` again.".to_string(),
        ),
        Failure::Exited(None) => (
            "the sandbox emulator stopped before it was ready".to_string(),
            "Run `platform-tui sandbox up` again.".to_string(),
        ),
        Failure::PortTaken => (
            format!("no free port on 127.0.0.1 after {START_ATTEMPTS} attempts"),
            "Another program keeps taking local ports; stop it and retry.".to_string(),
        ),
        Failure::TimedOut => (
            format!(
                "the sandbox emulator (pid {}, port {}) was not ready after {} s",
                info.pid,
                info.port,
                READY_TIMEOUT.as_secs()
            ),
            "The machine may be overloaded; it was stopped. Run `platform-tui sandbox up` again."
                .to_string(),
        ),
    };
    anyhow!("{what}. Last lines of {log}:\n{tail}\n{advice}")
}

/// Ready means the emulator printed READY (seeding done) and its server answers.
fn wait_until_ready(info: &SandboxInfo, child: Option<&mut Child>) -> Result<(), Failure> {
    let readiness = process::Readiness {
        pid: info.pid,
        child,
        port_taken_status: process::EXIT_PORT_UNAVAILABLE,
        timeout: READY_TIMEOUT,
        poll: POLL,
    };
    readiness
        .wait(|| health::ready_endpoint(&info.log_file).is_some() && health::answers(info.port))
}

/// The last `count` lines of `text`, sanitized and indented, for quoting in an error message.
fn quote_tail(text: &str, count: usize) -> String {
    let lines = crate::sanitize::lines(text.trim_end());
    let tail = &lines[lines.len().saturating_sub(count)..];
    if tail.is_empty() {
        return "    (nothing was written)".to_string();
    }
    tail.iter()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}
