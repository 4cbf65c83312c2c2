//! A running streaming command (`init`, `plan`, `apply`): its events as they come, its
//! cancellation (SIGINT to its process group, then SIGKILL) and its typed result; and the
//! per-directory lock that allows one operation at a time.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufRead, AsyncBufReadExt, BufReader};
use tokio::process::Child;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::error::TerraformError;
use super::stream::{self, ChangeSummary, Diagnostic, Event, OutputInfo, Severity, Version};

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
pub(super) struct DirLock(PathBuf);

impl DirLock {
    pub(super) fn acquire(dir: &Path) -> Result<Self, TerraformError> {
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
pub(super) struct Collected {
    pub(super) summary: Option<ChangeSummary>,
    pub(super) outputs: Vec<OutputInfo>,
    pub(super) errors: Vec<Diagnostic>,
    pub(super) unsupported: Option<Version>,
    /// Standard error, up to [`STDERR_KEPT`] bytes.
    pub(super) stderr: String,
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

/// Reads the child's output into events until it exits, then maps the outcome: `done` for
/// a success, [`TerraformError`] otherwise. `lock` is held until then.
pub(super) fn start<T: Send + 'static>(
    mut child: Child,
    lock: DirLock,
    name: &str,
    dir: &Path,
    json: bool,
    done: impl FnOnce(Collected) -> Result<T, TerraformError> + Send + 'static,
) -> Operation<T> {
    let canceller = Canceller::new(child.id());
    let (tx, events) = mpsc::unbounded_channel();
    let stdout = child.stdout.take().map(BufReader::new);
    let stderr = child.stderr.take().map(BufReader::new);
    let (name, dir, watch) = (name.to_string(), dir.to_path_buf(), canceller.clone());
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
    Operation {
        events,
        canceller,
        result,
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

#[cfg(test)]
mod tests {
    use super::*;

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
