//! The sandbox's Python: `.venv/sandbox`, made (or found up to date) by `scripts/venv sandbox`,
//! which installs the pinned sandbox/requirements.txt and prints the interpreter's path last.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::paths;

const VENV_NAME: &str = "sandbox";
const WHAT_IS_NEEDED: &str = "The sandbox needs Python 3.11 or newer with venv and pip \
     (Debian/Ubuntu: apt-get install python3 python3-venv python3-pip) and access to PyPI \
     the first time.";

/// Returns the sandbox venv's python, creating or updating the venv when needed.
pub fn ensure_python(progress: &mut dyn FnMut(&str)) -> Result<PathBuf> {
    let project = paths::project_dir();
    let script = project.join("scripts/venv");
    if !script.is_file() {
        bail!(
            "{} is missing: the sandbox runs from a platform-tui checkout; set {} to it",
            script.display(),
            paths::PROJECT_OVERRIDE
        );
    }
    if !paths::venv_dir(VENV_NAME).join("bin/python").exists() {
        progress("creating the Python environment .venv/sandbox (installs moto; about a minute)");
    }
    let output = Command::new(&script)
        .arg(VENV_NAME)
        .current_dir(&project)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", script.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let python = stdout.lines().last().map(str::trim).unwrap_or_default();
    if !output.status.success() || python.is_empty() {
        bail!(
            "could not prepare the sandbox's Python environment ({} {VENV_NAME} failed):\n{}\n{WHAT_IS_NEEDED}",
            script.display(),
            super::quote_tail(&String::from_utf8_lossy(&output.stderr), 15)
        );
    }
    let python = PathBuf::from(python);
    if !python.exists() {
        bail!(
            "{} reported {}, which does not exist",
            script.display(),
            python.display()
        );
    }
    check_emulator_script(&project)?;
    Ok(python)
}

fn check_emulator_script(project: &Path) -> Result<()> {
    let script = project.join(super::process::EMULATOR_SCRIPT);
    if !script.is_file() {
        bail!("{} is missing from the checkout", script.display());
    }
    Ok(())
}
