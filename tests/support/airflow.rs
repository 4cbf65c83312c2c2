//! Test harness: a real Airflow (`sandbox/airflow/launch.py` run by the Python of
//! `.venv/airflow3` or `.venv/airflow2`) on a free port of 127.0.0.1 with the test DAGs of
//! tests/fixtures/airflow_dags, stopped by pid (SIGTERM to the launcher, which stops its
//! children) when the handle drops. Starting one takes 20–60 s: start one per test binary.

use std::fs::File;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{free_port, project_root, watch_for_ready_line};

/// The launcher waits up to 300 s itself; allow a little more for `db migrate` on a busy box.
const READY_TIMEOUT: Duration = Duration::from_secs(360);
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// Which Airflow to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// 3.3.2 from `.venv/airflow3` (REST API v2, JWT).
    Three,
    /// 2.10.5 from `.venv/airflow2` (REST API v1, basic auth).
    Two,
}

impl Version {
    fn venv(self) -> &'static str {
        match self {
            Version::Three => "airflow3",
            Version::Two => "airflow2",
        }
    }
}

/// How to start it.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--jwt-expiration SECONDS` (Airflow 3).
    pub jwt_expiration: Option<u32>,
    /// `--emulator-url URL`.
    pub emulator_url: Option<String>,
    /// A DAG folder other than tests/fixtures/airflow_dags.
    pub dags: Option<PathBuf>,
}

/// A running Airflow; stopped (SIGTERM, then SIGKILL) on drop. Its home is a temporary
/// directory that outlives [`AirflowServer::stop`], so [`AirflowServer::restart`] brings the
/// same Airflow back (same database, secrets and port).
pub struct AirflowServer {
    version: Version,
    options: Options,
    port: u16,
    home: tempfile::TempDir,
    child: Option<Child>,
}

impl AirflowServer {
    pub fn start(version: Version, options: Options) -> AirflowServer {
        let home = tempfile::Builder::new()
            .prefix(&format!("platform-tui-{}-", version.venv()))
            .tempdir()
            .expect("a temporary AIRFLOW_HOME");
        let mut server = AirflowServer {
            version,
            options,
            port: free_port(),
            home,
            child: None,
        };
        server.launch();
        server
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Stops the launcher and its children (SIGTERM to the launcher's pid; SIGKILL after
    /// [`STOP_TIMEOUT`]).
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // SAFETY: kill(2) on the pid of our own child process, which is not reaped yet.
        unsafe {
            libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Starts the same Airflow again (same home and port) after [`AirflowServer::stop`].
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    fn launch(&mut self) {
        let root = project_root();
        let python = root.join(format!(".venv/{}/bin/python", self.version.venv()));
        assert!(
            python.exists(),
            "{} is missing: run `scripts/venv {}` (the test command does this)",
            python.display(),
            self.version.venv()
        );
        let dags = self
            .options
            .dags
            .clone()
            .unwrap_or_else(|| root.join("tests/fixtures/airflow_dags"));
        let stderr_path = self.home.path().join("launcher.stderr");
        let stderr = File::options()
            .create(true)
            .append(true)
            .open(&stderr_path)
            .expect("the launcher's stderr file");
        let mut command = Command::new(&python);
        command
            .arg(root.join("sandbox/airflow/launch.py"))
            .arg("--home")
            .arg(self.home.path())
            .args(["--port", &self.port.to_string()])
            .arg("--dags")
            .arg(&dags)
            .current_dir(&root)
            // Airflow 2's SequentialExecutor runs `airflow tasks run` from PATH.
            .env("PATH", path_with(python.parent().expect("the venv's bin")))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr);
        if let Some(seconds) = self.options.jwt_expiration {
            command.args(["--jwt-expiration", &seconds.to_string()]);
        }
        if let Some(url) = &self.options.emulator_url {
            command.args(["--emulator-url", url]);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
        let stdout = child.stdout.take().expect("stdout is piped");
        let ready_line = watch_for_ready_line(stdout);
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if ready_line.recv_timeout(Duration::from_millis(200)).is_ok() {
                self.child = Some(child);
                return;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "Airflow ({}) exited with {status} before READY; launcher stderr:\n{}",
                    self.version.venv(),
                    tail(&stderr_path)
                );
            }
            if Instant::now() > deadline {
                self.child = Some(child);
                self.stop();
                panic!(
                    "Airflow ({}) not READY within {READY_TIMEOUT:?}; launcher stderr:\n{}",
                    self.version.venv(),
                    tail(&stderr_path)
                );
            }
        }
    }

    /// The last lines the launcher wrote to stderr (for failure messages).
    pub fn stderr_tail(&self) -> String {
        tail(&self.home.path().join("launcher.stderr"))
    }
}

impl Drop for AirflowServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// PATH with `bin` first.
fn path_with(bin: &Path) -> std::ffi::OsString {
    let mut dirs = vec![bin.to_path_buf()];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).expect("PATH joins")
}

fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Polls `probe` every 500 ms until it returns `Some`, or panics naming `what`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
