//! Runs Terraform (or OpenTofu) in a working directory as tokio child processes.
//!
//! Streaming commands (`init`, `plan`, `apply`) return an [`Operation`] at once: its
//! `events` channel yields every line as it comes ([`RunEvent`]), `cancel()` interrupts the
//! child (SIGINT first, as a terminal's Ctrl-C; a second cancel kills it) and `finish()`
//! gives the typed result. Short commands (`show`, `state list`, `output`, `workspace`) are
//! plain async functions. Only one operation runs per directory at a time: a second one
//! gets [`TerraformError::Busy`] instead of racing the first on the state.
//!
//! `apply` accepts only a [`PlanFile`] returned by `plan` in the same directory, so nothing
//! is applied that was not planned (and Terraform refuses the file if the state moved on).

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncBufRead, AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::plan::Plan;
use super::stream::{self, ChangeSummary, Diagnostic, Event, OutputInfo, Severity, Version};

/// Everything that can go wrong running Terraform, written for people.
#[derive(Debug, thiserror::Error)]
pub enum TerraformError {
    #[error("no terraform or tofu program found (looked in: {searched})")]
    NotFound { searched: String },
    #[error("another Terraform operation is running in {}: wait for it or cancel it", dir.display())]
    Busy { dir: PathBuf },
    #[error("cannot start {}: {source}", program.display())]
    Spawn {
        program: PathBuf,
        source: std::io::Error,
    },
    #[error("terraform {command} failed in {}{}: {}", dir.display(), exit_text(*exit_code), failure_text(diagnostics, stderr))]
    Failed {
        command: String,
        dir: PathBuf,
        exit_code: Option<i32>,
        /// Error diagnostics from the `-json` stream, in order.
        diagnostics: Vec<Diagnostic>,
        /// Standard error, for commands without a `-json` stream.
        stderr: String,
    },
    #[error("terraform {command} in {} was cancelled", dir.display())]
    Cancelled { command: String, dir: PathBuf },
    #[error("{program:?} {version} speaks UI protocol {ui}; this console understands 1.x: use Terraform >= 0.15.3 and < 2")]
    UnsupportedUi {
        program: stream::Program,
        version: String,
        ui: String,
    },
    #[error("unexpected output of terraform {command}: {detail}")]
    Output { command: String, detail: String },
    #[error("the plan file {} belongs to {}, not {}", plan.display(), plan_dir.display(), dir.display())]
    ForeignPlan {
        plan: PathBuf,
        plan_dir: PathBuf,
        dir: PathBuf,
    },
}

fn exit_text(code: Option<i32>) -> String {
    code.map_or_else(
        || " (killed by a signal)".to_string(),
        |c| format!(" (exit {c})"),
    )
}

fn failure_text(diagnostics: &[Diagnostic], stderr: &str) -> String {
    if diagnostics.is_empty() {
        return stderr.trim().to_string();
    }
    diagnostics
        .iter()
        .map(|d| match d.detail.is_empty() {
            true => d.summary.clone(),
            false => format!("{}: {}", d.summary, d.detail.trim()),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A Terraform-compatible program and the environment to run it with.
#[derive(Debug, Clone)]
pub struct Terraform {
    program: PathBuf,
    env: Vec<(OsString, OsString)>,
    /// Known after [`Terraform::detect`]; decides e.g. whether `init` can stream `-json`.
    version: Option<ProgramVersion>,
}

/// What `version -json` says about the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramVersion {
    pub program: stream::Program,
    /// e.g. "1.15.5".
    pub version: String,
}

impl ProgramVersion {
    /// (major, minor) of the version, if it parses.
    pub fn major_minor(&self) -> Option<(u32, u32)> {
        let mut parts = self.version.split(['.', '-']);
        Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
    }

    /// `init -json` exists from Terraform 1.9 (older versions reject the flag).
    pub fn has_json_init(&self) -> bool {
        self.major_minor().is_some_and(|v| v >= (1, 9))
    }
}

impl Terraform {
    /// Uses `program` as given (a path, or a name looked up in PATH when run).
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
            env: Vec::new(),
            version: None,
        }
    }

    /// [`Terraform::locate`], then [`Terraform::detected`].
    pub async fn detect(explicit: Option<&Path>) -> Result<Self, TerraformError> {
        Self::locate(explicit)?.detected().await
    }

    /// Asks the program its version and remembers it ([`Terraform::version`]).
    pub async fn detected(mut self) -> Result<Self, TerraformError> {
        self.version = Some(self.query_version().await?);
        Ok(self)
    }

    /// The same environment with another program (its version not yet known).
    pub fn with_program(self, program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
            version: None,
            ..self
        }
    }

    /// The version found by [`Terraform::detect`] (`None` before).
    pub fn version(&self) -> Option<&ProgramVersion> {
        self.version.as_ref()
    }

    /// Runs `version -json`.
    pub async fn query_version(&self) -> Result<ProgramVersion, TerraformError> {
        let out = Command::new(&self.program)
            .args(["version", "-json"])
            .env("TF_IN_AUTOMATION", "1")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|source| TerraformError::Spawn {
                program: self.program.clone(),
                source,
            })?;
        let output_error = |detail: String| TerraformError::Output {
            command: "version -json".into(),
            detail,
        };
        let json: serde_json::Value =
            serde_json::from_slice(&out.stdout).map_err(|e| output_error(e.to_string()))?;
        let version = json["terraform_version"]
            .as_str()
            .ok_or_else(|| output_error("no terraform_version".into()))?;
        let is_tofu = self
            .program
            .file_name()
            .is_some_and(|n| n.to_string_lossy().contains("tofu"));
        Ok(ProgramVersion {
            program: match is_tofu {
                true => stream::Program::OpenTofu,
                false => stream::Program::Terraform,
            },
            version: version.to_string(),
        })
    }

    /// Finds the program: `explicit` if given (it must exist), else `terraform`, then
    /// `tofu`, in PATH.
    pub fn locate(explicit: Option<&Path>) -> Result<Self, TerraformError> {
        if let Some(path) = explicit {
            return match is_executable(path) || find_in_path(path).is_some() {
                true => Ok(Self::new(find_in_path(path).unwrap_or(path.to_path_buf()))),
                false => Err(TerraformError::NotFound {
                    searched: path.display().to_string(),
                }),
            };
        }
        ["terraform", "tofu"]
            .iter()
            .find_map(|name| find_in_path(Path::new(name)))
            .map(Self::new)
            .ok_or_else(|| TerraformError::NotFound {
                searched: "terraform and tofu in PATH".into(),
            })
    }

    pub fn program(&self) -> &Path {
        &self.program
    }

    /// Adds an environment variable for every command (e.g. AWS_PROFILE, TF_VAR_x).
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Sets TF_CLI_CONFIG_FILE (provider mirrors, credentials).
    pub fn cli_config_file(self, path: impl AsRef<Path>) -> Self {
        self.env("TF_CLI_CONFIG_FILE", path.as_ref().as_os_str())
    }

    /// Commands in the Terraform root module `dir`.
    pub fn workdir(&self, dir: impl Into<PathBuf>) -> Workdir {
        let dir = dir.into();
        Workdir {
            tf: self.clone(),
            dir: std::fs::canonicalize(&dir).unwrap_or(dir),
        }
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn find_in_path(name: &Path) -> Option<PathBuf> {
    if name.components().count() > 1 {
        return is_executable(name).then(|| name.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

/// Options of a plan.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Only refresh: the plan lists drift (changes made outside Terraform) and applying it
    /// accepts them into the state.
    pub refresh_only: bool,
    /// `-var NAME=VALUE`, in order.
    pub vars: Vec<(String, String)>,
    /// Plan to destroy everything.
    pub destroy: bool,
}

/// A saved plan, the only thing [`Workdir::apply`] accepts. It lives in the directory's
/// `.terraform/` until [`PlanFile::discard`]ed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFile {
    pub path: PathBuf,
    /// The directory it was planned in.
    pub dir: PathBuf,
    pub refresh_only: bool,
    /// The plan's `change_summary`, if Terraform sent one.
    pub summary: Option<ChangeSummary>,
}

impl PlanFile {
    /// Deletes the plan file (e.g. after its apply, or when the review is abandoned: an
    /// applied or outdated plan can never be applied again).
    pub fn discard(self) -> std::io::Result<()> {
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// The result of an apply.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyResult {
    pub summary: Option<ChangeSummary>,
    /// Root outputs (sensitive values withheld).
    pub outputs: Vec<OutputInfo>,
}

/// A workspace of `workspace list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    pub name: String,
    pub current: bool,
}

/// A root output of `output -json`; `value` is `None` when it is sensitive.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputValue {
    pub name: String,
    pub sensitive: bool,
    pub value_type: serde_json::Value,
    pub value: Option<serde_json::Value>,
}

/// What a running operation reports, in order; `Finished` is the last one.
// Nearly every event is `Ui`: boxing it would only add an allocation per line.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum RunEvent {
    /// A line of the `-json` stream on standard output.
    Ui(Event),
    /// A line of standard output of a command run without `-json` (old `init`).
    Stdout(String),
    /// A line of standard error (e.g. a crash, or a warning printed before the stream).
    Stderr(String),
    Finished(Finished),
}

/// How the child process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finished {
    /// `None` when killed by a signal.
    pub exit_code: Option<i32>,
    pub cancelled: bool,
    pub elapsed: Duration,
}

/// A running streaming command.
#[derive(Debug)]
pub struct Operation<T> {
    /// Every event as it happens; closed after [`RunEvent::Finished`].
    pub events: mpsc::UnboundedReceiver<RunEvent>,
    canceller: Canceller,
    result: JoinHandle<Result<T, TerraformError>>,
}

impl<T> Operation<T> {
    /// Interrupts the command: SIGINT first (Terraform stops gracefully, saving state), a
    /// second call kills it.
    pub fn cancel(&self) {
        self.canceller.cancel();
    }

    /// A handle to cancel from elsewhere (e.g. the UI's key handler) while `events` is read.
    pub fn canceller(&self) -> Canceller {
        self.canceller.clone()
    }

    /// Waits for the command to end and returns its result. Events not yet read stay
    /// in `events` (this does not wait for them to be read).
    pub async fn finish(self) -> Result<T, TerraformError> {
        self.result.await.unwrap_or_else(|e| {
            Err(TerraformError::Output {
                command: "(task)".into(),
                detail: e.to_string(),
            })
        })
    }

    /// Splits into the event stream, a canceller and the result, e.g. to forward events
    /// from one task and await the result in another.
    pub fn into_parts(
        self,
    ) -> (
        mpsc::UnboundedReceiver<RunEvent>,
        Canceller,
        JoinHandle<Result<T, TerraformError>>,
    ) {
        (self.events, self.canceller, self.result)
    }
}

/// Cancels a running operation (cheap to clone).
#[derive(Debug, Clone)]
pub struct Canceller {
    state: Arc<CancelState>,
}

#[derive(Debug)]
struct CancelState {
    /// Process group of the child (the child is its leader); `None` if it had no pid.
    pgid: Option<i32>,
    requests: AtomicU32,
    /// Set once the child has been reaped: its group id may be reused, never signal it.
    exited: AtomicBool,
}

impl Canceller {
    fn new(pid: Option<u32>) -> Self {
        Self {
            state: Arc::new(CancelState {
                pgid: pid.and_then(|p| i32::try_from(p).ok()).filter(|p| *p > 0),
                requests: AtomicU32::new(0),
                exited: AtomicBool::new(false),
            }),
        }
    }

    pub fn cancel(&self) {
        let n = self.state.requests.fetch_add(1, Ordering::SeqCst);
        let signal = if n == 0 { libc::SIGINT } else { libc::SIGKILL };
        let Some(pgid) = self.state.pgid else { return };
        if self.state.exited.load(Ordering::SeqCst) {
            return;
        }
        // SAFETY: kill(2) of -pgid (pgid positive, see `new`) signals only our child's
        // process group, which has not been reaped yet; it has no memory effects.
        unsafe {
            libc::kill(-pgid, signal);
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.state.requests.load(Ordering::SeqCst) > 0
    }

    fn child_exited(&self) {
        self.state.exited.store(true, Ordering::SeqCst);
    }
}

/// Directories with an operation in progress (in this process).
fn busy_dirs() -> &'static Mutex<HashSet<PathBuf>> {
    static BUSY: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    BUSY.get_or_init(Default::default)
}

/// Holds a directory's lock until dropped.
#[derive(Debug)]
struct DirLock(PathBuf);

impl DirLock {
    fn acquire(dir: &Path) -> Result<Self, TerraformError> {
        let mut busy = busy_dirs().lock().unwrap_or_else(|e| e.into_inner());
        match busy.insert(dir.to_path_buf()) {
            true => Ok(Self(dir.to_path_buf())),
            false => Err(TerraformError::Busy {
                dir: dir.to_path_buf(),
            }),
        }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let mut busy = busy_dirs().lock().unwrap_or_else(|e| e.into_inner());
        busy.remove(&self.0);
    }
}

/// What a streaming command's events add up to.
#[derive(Debug, Default)]
struct Collected {
    summary: Option<ChangeSummary>,
    outputs: Vec<OutputInfo>,
    errors: Vec<Diagnostic>,
    unsupported: Option<Version>,
    /// Standard error, up to [`STDERR_KEPT`] bytes.
    stderr: String,
}

/// How much of a command's standard error its error keeps.
const STDERR_KEPT: usize = 16 * 1024;

impl Collected {
    fn add(&mut self, event: &Event) {
        match event {
            Event::ChangeSummary(s) => self.summary = Some(*s),
            Event::Outputs(o) => self.outputs = o.clone(),
            Event::Diagnostic(d) if d.severity == Severity::Error => self.errors.push(d.clone()),
            Event::Version(v) if !v.is_supported() => self.unsupported = Some(v.clone()),
            _ => {}
        }
    }
}

/// Terraform in one root module directory.
#[derive(Debug, Clone)]
pub struct Workdir {
    tf: Terraform,
    dir: PathBuf,
}

impl Workdir {
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `init -input=false`: modules, providers and backend. Streams `-json` unless the
    /// program is known (from [`Terraform::detect`]) to predate `init -json`; then every
    /// line of its text comes as [`RunEvent::Stdout`].
    pub fn init(&self) -> Result<Operation<()>, TerraformError> {
        let json = self
            .tf
            .version
            .as_ref()
            .is_none_or(ProgramVersion::has_json_init);
        let args: &[&str] = match json {
            true => &["init", "-input=false", "-json"],
            false => &["init", "-input=false", "-no-color"],
        };
        self.stream("init", args, |_| Ok(()))
    }

    /// `plan -out=FILE -json`; the result is the plan file to review and apply.
    pub fn plan(&self, options: &PlanOptions) -> Result<Operation<PlanFile>, TerraformError> {
        let path = self.new_plan_path();
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let mut args: Vec<String> = ["plan", "-input=false", "-json"].map(String::from).into();
        args.push(format!("-out={}", path.display()));
        if options.refresh_only {
            args.push("-refresh-only".into());
        }
        if options.destroy {
            args.push("-destroy".into());
        }
        for (name, value) in &options.vars {
            args.push("-var".into());
            args.push(format!("{name}={value}"));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (dir, refresh_only) = (self.dir.clone(), options.refresh_only);
        self.stream("plan", &args, move |collected| {
            Ok(PlanFile {
                path,
                dir,
                refresh_only,
                summary: collected.summary,
            })
        })
    }

    /// `apply -json PLANFILE`: applies exactly the reviewed plan.
    pub fn apply(&self, plan: &PlanFile) -> Result<Operation<ApplyResult>, TerraformError> {
        self.check_own(plan)?;
        let file = plan.path.to_string_lossy().into_owned();
        let args = ["apply", "-input=false", "-json", &file];
        self.stream("apply", &args, |collected| {
            Ok(ApplyResult {
                summary: collected.summary,
                outputs: collected.outputs,
            })
        })
    }

    /// `show -json PLANFILE`, parsed (sensitive values masked, see [`Plan`]).
    pub async fn show(&self, plan: &PlanFile) -> Result<Plan, TerraformError> {
        self.check_own(plan)?;
        let file = plan.path.to_string_lossy().into_owned();
        let text = self
            .output("show", &["show", "-json", "-no-color", &file])
            .await?;
        Plan::from_json(&text).map_err(|e| TerraformError::Output {
            command: "show -json".into(),
            detail: e.to_string(),
        })
    }

    /// `workspace list`.
    pub async fn workspaces(&self) -> Result<Vec<Workspace>, TerraformError> {
        let text = self
            .output("workspace list", &["workspace", "list", "-no-color"])
            .await?;
        Ok(parse_workspaces(&text))
    }

    /// `workspace select NAME` (`-or-create` when `create` is set).
    pub async fn select_workspace(&self, name: &str, create: bool) -> Result<(), TerraformError> {
        let mut args = vec!["workspace", "select", "-no-color"];
        if create {
            args.push("-or-create");
        }
        args.push(name);
        self.output("workspace select", &args).await.map(drop)
    }

    /// `state list`: resource instance addresses in the state.
    pub async fn state_list(&self) -> Result<Vec<String>, TerraformError> {
        let text = self
            .output("state list", &["state", "list", "-no-color"])
            .await?;
        Ok(text
            .lines()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect())
    }

    /// `output -json`: root outputs in the state, sorted by name, sensitive values dropped.
    pub async fn outputs(&self) -> Result<Vec<OutputValue>, TerraformError> {
        let text = self
            .output("output", &["output", "-json", "-no-color"])
            .await?;
        parse_output_values(&text).map_err(|e| TerraformError::Output {
            command: "output -json".into(),
            detail: e.to_string(),
        })
    }

    fn check_own(&self, plan: &PlanFile) -> Result<(), TerraformError> {
        match plan.dir == self.dir {
            true => Ok(()),
            false => Err(TerraformError::ForeignPlan {
                plan: plan.path.clone(),
                plan_dir: plan.dir.clone(),
                dir: self.dir.clone(),
            }),
        }
    }

    fn new_plan_path(&self) -> PathBuf {
        static SEQUENCE: AtomicU64 = AtomicU64::new(0);
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let name = format!("platform-tui-{stamp}-{}-{n}.tfplan", std::process::id());
        self.dir.join(".terraform").join(name)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.tf.program);
        command
            .args(args)
            .current_dir(&self.dir)
            .env("TF_IN_AUTOMATION", "1")
            .envs(self.tf.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    fn spawn(&self, args: &[&str]) -> Result<Child, TerraformError> {
        let mut command = self.command(args);
        // own process group: a cancel reaches Terraform and its provisioners, like Ctrl-C
        command.process_group(0);
        command.spawn().map_err(|source| TerraformError::Spawn {
            program: self.tf.program.clone(),
            source,
        })
    }

    /// Runs a short command to completion and returns its standard output.
    async fn output(&self, name: &str, args: &[&str]) -> Result<String, TerraformError> {
        let _lock = DirLock::acquire(&self.dir)?;
        let child = self.spawn(args)?;
        let out = child
            .wait_with_output()
            .await
            .map_err(|source| TerraformError::Spawn {
                program: self.tf.program.clone(),
                source,
            })?;
        if !out.status.success() {
            return Err(TerraformError::Failed {
                command: name.into(),
                dir: self.dir.clone(),
                exit_code: out.status.code(),
                diagnostics: Vec::new(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Starts a `-json` command whose lines become events; `done` maps a successful run.
    fn stream<T: Send + 'static>(
        &self,
        name: &str,
        args: &[&str],
        done: impl FnOnce(Collected) -> Result<T, TerraformError> + Send + 'static,
    ) -> Result<Operation<T>, TerraformError> {
        let lock = DirLock::acquire(&self.dir)?;
        let json = args.contains(&"-json");
        let mut child = self.spawn(args)?;
        let canceller = Canceller::new(child.id());
        let (tx, events) = mpsc::unbounded_channel();
        let stdout = child.stdout.take().map(BufReader::new);
        let stderr = child.stderr.take().map(BufReader::new);
        let (name, dir, watch) = (name.to_string(), self.dir.clone(), canceller.clone());
        let result = tokio::spawn(async move {
            let _lock = lock;
            let started = Instant::now();
            let (collected, status) = pump(child, json, stdout, stderr, &tx, &watch).await;
            let finished = Finished {
                exit_code: status.as_ref().ok().and_then(|s| s.code()),
                cancelled: watch.is_cancelled(),
                elapsed: started.elapsed(),
            };
            let _ = tx.send(RunEvent::Finished(finished));
            if let Some(v) = collected.unsupported {
                return Err(TerraformError::UnsupportedUi {
                    program: v.program,
                    version: v.version,
                    ui: v.ui,
                });
            }
            let success = status.as_ref().is_ok_and(|s| s.success());
            match (success, finished.cancelled) {
                (true, _) => done(collected),
                (false, true) => Err(TerraformError::Cancelled { command: name, dir }),
                (false, false) => Err(TerraformError::Failed {
                    command: name,
                    dir,
                    exit_code: finished.exit_code,
                    diagnostics: collected.errors,
                    stderr: collected.stderr,
                }),
            }
        });
        Ok(Operation {
            events,
            canceller,
            result,
        })
    }
}

/// Forwards the child's output as events until it exits. An unsupported UI version stops
/// the child at once (it is the first line, before anything changed).
async fn pump(
    mut child: Child,
    json: bool,
    stdout: Option<BufReader<tokio::process::ChildStdout>>,
    stderr: Option<BufReader<tokio::process::ChildStderr>>,
    tx: &mpsc::UnboundedSender<RunEvent>,
    canceller: &Canceller,
) -> (Collected, std::io::Result<std::process::ExitStatus>) {
    let mut collected = Collected::default();
    let mut stderr_text = String::new();
    let read_stdout = async {
        let Some(mut reader) = stdout else { return };
        while let Some(line) = next_line(&mut reader).await {
            if !json {
                let _ = tx.send(RunEvent::Stdout(line));
                continue;
            }
            let event = stream::parse_line(&line);
            collected.add(&event);
            let stop = collected.unsupported.is_some();
            let _ = tx.send(RunEvent::Ui(event));
            if stop {
                canceller.cancel();
                canceller.cancel();
                return;
            }
        }
    };
    let read_stderr = async {
        let Some(mut reader) = stderr else { return };
        while let Some(line) = next_line(&mut reader).await {
            if stderr_text.len() < STDERR_KEPT {
                stderr_text.push_str(&line);
                stderr_text.push('\n');
            }
            let _ = tx.send(RunEvent::Stderr(line));
        }
    };
    futures::join!(read_stdout, read_stderr);
    collected.stderr = stderr_text;
    let status = child.wait().await;
    canceller.child_exited();
    (collected, status)
}

/// The next line without its line ending (invalid UTF-8 replaced), `None` at the end.
async fn next_line(reader: &mut (impl AsyncBufRead + Unpin)) -> Option<String> {
    let mut buf = Vec::new();
    match reader.read_until(b'\n', &mut buf).await {
        Ok(0) | Err(_) => None,
        Ok(_) => {
            while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                buf.pop();
            }
            Some(String::from_utf8_lossy(&buf).into_owned())
        }
    }
}

/// Parses `workspace list`: one name per line, the current one starred.
pub fn parse_workspaces(text: &str) -> Vec<Workspace> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| match line.strip_prefix('*') {
            Some(name) => Workspace {
                name: name.trim().to_string(),
                current: true,
            },
            None => Workspace {
                name: line.to_string(),
                current: false,
            },
        })
        .collect()
}

#[derive(serde::Deserialize)]
struct RawOutputValue {
    #[serde(default)]
    sensitive: bool,
    #[serde(default, rename = "type")]
    value_type: serde_json::Value,
    #[serde(default)]
    value: serde_json::Value,
}

/// Parses `output -json`, dropping sensitive values.
pub fn parse_output_values(text: &str) -> Result<Vec<OutputValue>, serde_json::Error> {
    let raw: std::collections::BTreeMap<String, RawOutputValue> = serde_json::from_str(text)?;
    Ok(raw
        .into_iter()
        .map(|(name, o)| OutputValue {
            name,
            sensitive: o.sensitive,
            value_type: o.value_type,
            value: (!o.sensitive).then_some(o.value),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_list() {
        let w = parse_workspaces("  default\n* staging\n\n");
        assert_eq!(
            w,
            [
                Workspace {
                    name: "default".into(),
                    current: false
                },
                Workspace {
                    name: "staging".into(),
                    current: true
                }
            ]
        );
    }

    #[test]
    fn output_values_drop_sensitive() {
        let o = parse_output_values(
            r#"{"a":{"sensitive":true,"type":"string","value":"secret"},"b":{"sensitive":false,"type":"number","value":2}}"#,
        )
        .unwrap();
        assert_eq!(o[0].value, None);
        assert_eq!(o[1].value, Some(serde_json::json!(2)));
        assert!(!format!("{o:?}").contains("secret"));
    }

    #[test]
    fn lock_is_per_directory() {
        let a = DirLock::acquire(Path::new("/tmp/lock-test-a")).unwrap();
        assert!(matches!(
            DirLock::acquire(Path::new("/tmp/lock-test-a")),
            Err(TerraformError::Busy { .. })
        ));
        let _b = DirLock::acquire(Path::new("/tmp/lock-test-b")).unwrap();
        drop(a);
        assert!(DirLock::acquire(Path::new("/tmp/lock-test-a")).is_ok());
    }
}
