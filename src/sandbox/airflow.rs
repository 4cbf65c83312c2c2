//! The sandbox's Airflow 3: `sandbox/airflow/launch.py` run by `.venv/airflow3`'s Python,
//! started after the emulator (its `aws_default` connection points there), detached in its own
//! session. Files in the sandbox dir: `airflow.pid`, `airflow.json`, `airflow.log` (the
//! launcher's output: `READY <url>` when healthy) and `airflow-home/` (AIRFLOW_HOME).
//!
//! The launcher stops its api-server, scheduler and dag-processor when it gets SIGTERM (and they
//! die with it even if it is killed), so stopping Airflow is stopping the launcher.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::process::Failure;
use super::state::{read_if_exists, write_atomically};
use super::{health, process, venv, SandboxInfo};
use crate::paths;

/// The launcher, relative to the project checkout; also how its process is recognised.
pub const LAUNCHER_SCRIPT: &str = "sandbox/airflow/launch.py";
/// The sandbox's Airflow user (the launcher seeds it).
pub const USERNAME: &str = "admin";
pub const PASSWORD: &str = "admin";
/// The launcher's exit status when its port is taken (see its docstring).
const EXIT_PORT_TAKEN: i32 = 4;
const START_ATTEMPTS: usize = 3;
/// Migration plus the three parts take ~20 s here; a busy 2-core machine is far slower.
const READY_TIMEOUT: Duration = Duration::from_secs(300);
/// The launcher gives its children 15 s before it kills them.
const STOP_GRACE: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(250);
const HEALTH_PATH: &str = "/api/v2/monitor/health";

/// A running sandbox Airflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AirflowInfo {
    /// The api-server's base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    pub port: u16,
    /// The launcher's pid (it leads its own session).
    pub pid: u32,
    /// The emulator its `aws_default` connection points at.
    pub emulator_url: String,
    pub home: PathBuf,
    pub log_file: PathBuf,
    /// RFC 3339, UTC.
    pub started_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Recorded {
    #[serde(flatten)]
    info: AirflowInfo,
    ready: bool,
}

/// Airflow's files in the sandbox dir.
pub struct AirflowFiles {
    dir: PathBuf,
}

impl AirflowFiles {
    pub fn at(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }

    fn pid_file(&self) -> PathBuf {
        self.dir.join("airflow.pid")
    }

    fn state_file(&self) -> PathBuf {
        self.dir.join("airflow.json")
    }

    fn log_file(&self) -> PathBuf {
        self.dir.join("airflow.log")
    }

    fn home(&self) -> PathBuf {
        self.dir.join("airflow-home")
    }

    fn read_pid(&self) -> Option<u32> {
        read_if_exists(&self.pid_file()).ok()??.trim().parse().ok()
    }

    fn read_state(&self) -> Option<Recorded> {
        serde_json::from_str(&read_if_exists(&self.state_file()).ok()??).ok()
    }

    fn record(&self, recorded: &Recorded) -> Result<()> {
        write_atomically(&self.pid_file(), recorded.info.pid.to_string().as_bytes())?;
        write_atomically(&self.state_file(), &serde_json::to_vec_pretty(recorded)?)
    }

    fn remove(&self) {
        for path in [self.pid_file(), self.state_file()] {
            let _ = fs::remove_file(path);
        }
    }

    fn new_log(&self) -> Result<File> {
        let log = self.log_file();
        if log.exists() {
            let _ = fs::rename(&log, self.dir.join("airflow.previous.log"));
        }
        crate::private_files::create(&log)
            .with_context(|| format!("cannot create {}", log.display()))
    }

    /// The launcher named by the pid file, if it still runs.
    fn live_pid(&self) -> Option<u32> {
        self.read_pid()
            .filter(|&pid| process::is_running(pid) && process::runs_script(pid, LAUNCHER_SCRIPT))
    }
}

/// The sandbox's Airflow if its launcher runs, it was ready, it answers healthy and it works
/// with the emulator at `emulator_url`.
pub fn running(files: &AirflowFiles, emulator_url: &str) -> Option<AirflowInfo> {
    let pid = files.live_pid()?;
    let recorded = files.read_state()?;
    (recorded.info.pid == pid
        && recorded.ready
        && recorded.info.emulator_url == emulator_url
        && is_healthy(recorded.info.port))
    .then_some(recorded.info)
}

/// Makes sure Airflow runs for the sandbox `emulator`: keeps a healthy one, waits for one that
/// is starting, replaces one that is broken or works with another emulator, else starts it.
pub fn ensure(
    files: &AirflowFiles,
    emulator: &SandboxInfo,
    progress: &mut dyn FnMut(&str),
) -> Result<AirflowInfo> {
    if let Some(info) = running(files, &emulator.endpoint_url) {
        progress(&format!(
            "Airflow already running at {} (pid {})",
            info.url, info.pid
        ));
        return Ok(info);
    }
    if let Some(pid) = files.live_pid() {
        match files.read_state() {
            Some(recorded)
                if recorded.info.pid == pid
                    && !recorded.ready
                    && recorded.info.emulator_url == emulator.endpoint_url =>
            {
                progress(&format!(
                    "Airflow is still starting (pid {pid}); waiting for it"
                ));
                let outcome = wait_until_ready(&recorded.info, None);
                return conclude(files, recorded.info, outcome);
            }
            _ => {
                progress(&format!(
                    "the sandbox's Airflow (pid {pid}) is unhealthy or belongs to an older emulator; restarting it"
                ));
                process::stop(pid, STOP_GRACE)?;
            }
        }
    }
    files.remove();
    let python = venv::ensure(&venv::AIRFLOW, progress)?;
    venv::check_script(&paths::project_dir(), LAUNCHER_SCRIPT)?;
    start(files, &python, emulator, progress)
}

/// Stops the sandbox's Airflow; true if one was running.
pub fn stop(files: &AirflowFiles, progress: &mut dyn FnMut(&str)) -> Result<bool> {
    let Some(pid) = files.live_pid() else {
        files.remove();
        return Ok(false);
    };
    progress(&format!("stopping Airflow (pid {pid})"));
    process::stop(pid, STOP_GRACE)?;
    files.remove();
    Ok(true)
}

fn start(
    files: &AirflowFiles,
    python: &Path,
    emulator: &SandboxInfo,
    progress: &mut dyn FnMut(&str),
) -> Result<AirflowInfo> {
    let project = paths::project_dir();
    let home = files.home();
    let mut attempt = 1;
    loop {
        let port = process::free_port()?;
        let port_arg = port.to_string();
        let home_arg = home.to_string_lossy();
        let args = [
            "--home",
            home_arg.as_ref(),
            "--port",
            port_arg.as_str(),
            "--emulator-url",
            emulator.endpoint_url.as_str(),
        ];
        let log = files.new_log()?;
        let mut child =
            process::spawn_detached(python, &project, LAUNCHER_SCRIPT, &args, &[], log)?;
        let info = AirflowInfo {
            url: format!("http://127.0.0.1:{port}"),
            port,
            pid: child.id(),
            emulator_url: emulator.endpoint_url.clone(),
            home: home.clone(),
            log_file: files.log_file(),
            started_at: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
        };
        files.record(&Recorded {
            info: info.clone(),
            ready: false,
        })?;
        progress(&format!(
            "starting Airflow 3 (api-server, scheduler, dag-processor) at {}; this takes 20-40 s (log: {})",
            info.url,
            info.log_file.display()
        ));
        let started = Instant::now();
        match wait_until_ready(&info, Some(&mut child)) {
            Err(Failure::PortTaken) if attempt < START_ATTEMPTS => {
                progress(&format!("port {port} was taken meanwhile; trying another"));
                files.remove();
                attempt += 1;
            }
            outcome => {
                let info = conclude(files, info, outcome)?;
                progress(&format!(
                    "Airflow ready at {} after {:.0} s (user {USERNAME}, password {PASSWORD})",
                    info.url,
                    started.elapsed().as_secs_f64()
                ));
                return Ok(info);
            }
        }
    }
}

fn wait_until_ready(info: &AirflowInfo, child: Option<&mut Child>) -> Result<(), Failure> {
    let readiness = process::Readiness {
        pid: info.pid,
        child,
        port_taken_status: EXIT_PORT_TAKEN,
        timeout: READY_TIMEOUT,
        poll: POLL,
    };
    readiness.wait(|| health::ready_endpoint(&info.log_file).is_some() && is_healthy(info.port))
}

fn conclude(
    files: &AirflowFiles,
    info: AirflowInfo,
    outcome: Result<(), Failure>,
) -> Result<AirflowInfo> {
    if let Err(failure) = outcome {
        if process::is_running(info.pid) {
            let _ = process::stop(info.pid, STOP_GRACE);
        }
        files.remove();
        let what = match failure {
            Failure::Exited(Some(code)) => {
                format!(
                    "the sandbox's Airflow launcher exited with status {code} before it was ready"
                )
            }
            Failure::Exited(None) => {
                "the sandbox's Airflow launcher stopped before it was ready".into()
            }
            Failure::PortTaken => {
                format!("no free port for Airflow after {START_ATTEMPTS} attempts")
            }
            Failure::TimedOut => format!(
                "Airflow was not healthy after {} s; it was stopped",
                READY_TIMEOUT.as_secs()
            ),
        };
        return Err(anyhow!(
            "{what}. Last lines of {}:\n{}\nRun `platform-tui sandbox up` again, or \
             `platform-tui sandbox up --without-airflow` to work without Airflow.",
            info.log_file.display(),
            health::last_log_lines(&info.log_file)
        ));
    }
    files.record(&Recorded {
        info: info.clone(),
        ready: true,
    })?;
    Ok(info)
}

/// True if Airflow's health endpoint on 127.0.0.1:`port` reports its database and scheduler
/// healthy.
pub fn is_healthy(port: u16) -> bool {
    let Some((200, body)) = health::request(port, "GET", HEALTH_PATH, None) else {
        return false;
    };
    let Ok(health) = serde_json::from_str::<serde_json::Value>(&body) else {
        return false;
    };
    ["metadatabase", "scheduler"]
        .iter()
        .all(|part| health[part]["status"] == "healthy")
}

/// Tells the emulator's MWAA API (sandbox/platform_ext/mwaa.py) where Airflow is, so
/// GetEnvironment, CreateWebLoginToken and InvokeRestApi can answer. Returns the emulator's
/// answer, or why it failed.
pub fn register(emulator: &SandboxInfo, airflow: &AirflowInfo) -> Result<String> {
    let body = serde_json::json!({
        "url": airflow.url,
        "username": USERNAME,
        "password": PASSWORD,
    })
    .to_string();
    let token = super::control_token()?;
    match health::request_with_token(
        emulator.port,
        "POST",
        "/platform-api/mwaa/airflow",
        Some(&body),
        Some(&token),
    ) {
        Some((status, answer)) if (200..300).contains(&status) => Ok(answer.trim().to_string()),
        Some((status, answer)) => Err(anyhow!(
            "the emulator refused Airflow's registration ({status}): {}",
            answer.trim()
        )),
        None => Err(anyhow!(
            "the emulator at {} did not answer",
            emulator.endpoint_url
        )),
    }
}
