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
//! `apply` and `workspace select` take the gate's [`Approval`]; reads, `init` and `plan` do
//! not.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::process::{Child, Command};

use super::operation::{self, Collected, DirLock};
use super::plan::Plan;
use super::stream::{ChangeSummary, OutputInfo};
use crate::gate::Approval;

pub use super::error::TerraformError;
pub use super::operation::{Canceller, Finished, Operation, RunEvent};
pub use super::program::{ProgramVersion, Terraform};

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

/// Terraform in one root module directory.
#[derive(Debug, Clone)]
pub struct Workdir {
    tf: Terraform,
    dir: PathBuf,
}

impl Workdir {
    /// Commands of `tf` in `dir` (canonicalised, so that the lock knows it by one name).
    pub(super) fn new(tf: Terraform, dir: PathBuf) -> Self {
        Self {
            tf,
            dir: std::fs::canonicalize(&dir).unwrap_or(dir),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The program (and its version, if detected) this directory runs.
    pub fn terraform(&self) -> &Terraform {
        &self.tf
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
    pub fn apply(
        &self,
        _approval: &Approval,
        plan: &PlanFile,
    ) -> Result<Operation<ApplyResult>, TerraformError> {
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
    pub async fn select_workspace(
        &self,
        _approval: &Approval,
        name: &str,
        create: bool,
    ) -> Result<(), TerraformError> {
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

    /// Starts a command whose lines become events; `done` maps a successful run.
    fn stream<T: Send + 'static>(
        &self,
        name: &str,
        args: &[&str],
        done: impl FnOnce(Collected) -> Result<T, TerraformError> + Send + 'static,
    ) -> Result<Operation<T>, TerraformError> {
        let lock = DirLock::acquire(&self.dir)?;
        let json = args.contains(&"-json");
        let child = self.spawn(args)?;
        Ok(operation::start(child, lock, name, &self.dir, json, done))
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
}
