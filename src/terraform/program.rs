//! The Terraform-compatible program: where it is, which version it is, and the environment
//! every command of it runs with.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::process::Command;

use super::error::TerraformError;
use super::runner::Workdir;
use super::stream;

/// A Terraform-compatible program and the environment to run it with.
#[derive(Debug, Clone)]
pub struct Terraform {
    pub(super) program: PathBuf,
    pub(super) env: Vec<(OsString, OsString)>,
    /// Known after [`Terraform::detect`]; decides e.g. whether `init` can stream `-json`.
    pub(super) version: Option<ProgramVersion>,
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
        Workdir::new(self.clone(), dir.into())
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
