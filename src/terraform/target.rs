//! Which Terraform a context drives, from its `[contexts.NAME.terraform]` settings; and for a
//! `--sandbox` context without them, the demo configuration (sandbox/terraform-demo) with
//! its own CLI configuration, so a new user can try provisioning at once.
//!
//! The demo runs in a copy under the state directory (`<state>/terraform-demo/root`, the
//! `.tf` files refreshed from the checkout on every open, anything else such as a
//! `terraform.tfvars` kept), with the project's Terraform (`scripts/terraform`) and our test
//! provider (`example.com/platform/cloud`, sandbox/tfprovider) from a filesystem mirror.
//! Its "cloud" is `<state>/terraform-demo/cloud`, one JSON file per object.

use std::path::{Path, PathBuf};

use super::error::TerraformError;
use super::program::Terraform;
use super::runner::Workdir;
use crate::config::Context;
use crate::paths;

/// The test provider the demo uses, as the mirror knows it.
const DEMO_PROVIDER: &str = "example.com/platform/cloud";
const DEMO_PROVIDER_VERSION: &str = "0.1.0";

/// Where and with what a context runs Terraform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The root module as configured (relative to the project directory, `~` expanded).
    pub dir: PathBuf,
    /// `terraform`/`tofu` or a path; `None`: found on PATH.
    pub program: Option<PathBuf>,
    /// The sandbox demo (prepared by [`Target::open`]).
    pub demo: bool,
}

impl Target {
    /// The context's target: its settings, else the demo for a sandbox context, else `None`
    /// (see [`config_snippet`]).
    pub fn of(context: &Context) -> Option<Self> {
        if let Some(settings) = &context.terraform {
            let dir = paths::expand_home(&settings.directory.to_string_lossy());
            let dir = match dir.is_absolute() {
                true => dir,
                false => paths::project_dir().join(dir),
            };
            let program = settings
                .program
                .as_ref()
                .map(|p| paths::expand_home(&p.to_string_lossy()));
            return Some(Self {
                dir,
                program,
                demo: false,
            });
        }
        context.sandbox.then(|| Self {
            dir: demo_home().join("root"),
            program: Some(paths::project_dir().join("scripts/terraform")),
            demo: true,
        })
    }

    /// Prepares the demo if this is it, finds the program and asks its version.
    pub async fn open(&self) -> Result<Workdir, TerraformError> {
        let terraform = Terraform::locate(self.program.as_deref())?;
        let terraform = match self.demo {
            true => prepare_demo(terraform).await?,
            false => terraform,
        };
        Ok(terraform.detected().await?.workdir(&self.dir))
    }
}

/// What to add to config.toml to drive Terraform from `context`.
pub fn config_snippet(context: &str) -> String {
    format!(
        "[contexts.{context}.terraform]\ndirectory = \"infra/envs/prod\"   # the root module, relative to the project\nprogram = \"terraform\"              # or \"tofu\", or a path (default: found on PATH)"
    )
}

/// `<state>/terraform-demo`: the demo's working copy, mirror, CLI configuration and cloud.
pub fn demo_home() -> PathBuf {
    paths::state_dir().join("terraform-demo")
}

/// The demo's "cloud": one JSON file per object (edit one to make drift).
pub fn demo_cloud() -> PathBuf {
    demo_home().join("cloud")
}

/// Copies the demo configuration, installs the test provider in a mirror and points
/// `terraform` at both.
async fn prepare_demo(terraform: Terraform) -> Result<Terraform, TerraformError> {
    let home = demo_home();
    let source = paths::project_dir().join("sandbox/terraform-demo");
    let python = provider_python().await?;
    let prepared = tokio::task::spawn_blocking(move || -> std::io::Result<PathBuf> {
        copy_tf_files(&source, &home.join("root"))?;
        let mirror = home.join("mirror");
        install_provider(&mirror, &python)?;
        std::fs::create_dir_all(home.join("cloud"))?;
        let cli_config = home.join("terraformrc");
        std::fs::write(&cli_config, mirror_config(&mirror))?;
        Ok(cli_config)
    })
    .await
    .map_err(|e| demo_error(e.to_string()))?
    .map_err(|e| demo_error(e.to_string()))?;
    Ok(terraform
        .cli_config_file(prepared)
        .env("TF_VAR_cloud_dir", demo_cloud()))
}

fn demo_error(detail: String) -> TerraformError {
    TerraformError::Output {
        command: "(preparing the sandbox demo)".into(),
        detail,
    }
}

/// True when the demo's test provider has its Python environment (else preparing the demo
/// creates it first, which takes a while).
pub fn provider_ready() -> bool {
    paths::venv_dir("tfprovider").join("bin/python").exists()
}

/// The python of `.venv/tfprovider`, created by `scripts/venv tfprovider` if missing.
async fn provider_python() -> Result<PathBuf, TerraformError> {
    let python = paths::venv_dir("tfprovider").join("bin/python");
    if provider_ready() {
        return Ok(python);
    }
    let out = tokio::process::Command::new(paths::project_dir().join("scripts/venv"))
        .arg("tfprovider")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|e| demo_error(format!("scripts/venv tfprovider: {e}")))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    match (out.status.success(), stdout.lines().last()) {
        (true, Some(line)) => Ok(PathBuf::from(line.trim())),
        _ => Err(demo_error(format!(
            "scripts/venv tfprovider failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))),
    }
}

/// Copies the `.tf` files of `from` (and its subdirectories) into `to`.
fn copy_tf_files(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tf_files(&entry.path(), &target)?;
        } else if entry.path().extension().is_some_and(|e| e == "tf") {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// A launcher of sandbox/tfprovider/cloud_provider.py in an unpacked filesystem mirror.
fn install_provider(mirror: &Path, python: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = mirror
        .join(DEMO_PROVIDER)
        .join(DEMO_PROVIDER_VERSION)
        .join("linux_amd64");
    std::fs::create_dir_all(&dir)?;
    let script = paths::project_dir().join("sandbox/tfprovider/cloud_provider.py");
    let launcher = dir.join("terraform-provider-cloud");
    let text = format!("#!/bin/sh\nexec {python:?} {script:?} \"$@\"\n");
    if std::fs::read_to_string(&launcher).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(&launcher, text)?;
    }
    std::fs::set_permissions(&launcher, std::fs::Permissions::from_mode(0o755))
}

/// A CLI configuration installing the demo provider only from `mirror`.
fn mirror_config(mirror: &Path) -> String {
    format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = {mirror:?}\n    \
         include = [\"{DEMO_PROVIDER}\"]\n  }}\n  direct {{\n    exclude = [\"{DEMO_PROVIDER}\"]\n  }}\n}}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TerraformSettings;

    #[test]
    fn settings_win_relative_directories_are_from_the_project() {
        let context = Context {
            sandbox: true,
            terraform: Some(TerraformSettings {
                directory: "infra/envs/prod".into(),
                program: Some("tofu".into()),
            }),
            ..Context::default()
        };
        let target = Target::of(&context).unwrap();
        assert_eq!(target.dir, paths::project_dir().join("infra/envs/prod"));
        assert_eq!(target.program, Some(PathBuf::from("tofu")));
        assert!(!target.demo);
    }

    #[test]
    fn sandbox_without_settings_gets_the_demo_and_others_nothing() {
        let sandbox = Context {
            sandbox: true,
            ..Context::default()
        };
        let target = Target::of(&sandbox).unwrap();
        assert!(target.demo);
        assert!(target.dir.ends_with("terraform-demo/root"));
        assert_eq!(Target::of(&Context::default()), None);
        assert!(config_snippet("prod").contains("[contexts.prod.terraform]"));
    }
}
