//! The sandbox's Pythons: `.venv/sandbox` (the emulator), `.venv/spark` (pyspark, which the
//! emulator runs the Glue job and EMR steps with) and `.venv/airflow3` (its Airflow), made (or
//! found up to date) by `scripts/venv NAME`, which installs the pinned requirements
//! (sandbox/requirements.txt, requirements/spark.txt, requirements/airflow3.txt) and prints the
//! interpreter's path last.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::paths;

/// One of the sandbox's venvs and what creating it means for the user.
pub struct Venv {
    pub name: &'static str,
    /// Shown while it is created for the first time.
    pub first_time: &'static str,
}

pub const EMULATOR: Venv = Venv {
    name: "sandbox",
    first_time: "creating the Python environment .venv/sandbox (installs moto; about a minute)",
};

pub const SPARK: Venv = Venv {
    name: "spark",
    first_time: "creating the Python environment .venv/spark (installs pyspark, which runs the \
         sandbox's Glue job and EMR steps; about a minute)",
};

pub const AIRFLOW: Venv = Venv {
    name: "airflow3",
    first_time: "creating the Python environment .venv/airflow3 (installs Airflow 3 and the \
         amazon provider; about two minutes)",
};
const WHAT_IS_NEEDED: &str = "The sandbox needs Python 3.11 or newer with venv and pip \
     (Debian/Ubuntu: apt-get install python3 python3-venv python3-pip) and access to PyPI \
     the first time.";

/// Returns the emulator venv's python, creating or updating it and the Spark venv (found by the
/// emulator at `.venv/spark`) when needed; warns when Spark will find no Java.
pub fn ensure_python(progress: &mut dyn FnMut(&str)) -> Result<PathBuf> {
    let python = ensure(&EMULATOR, progress)?;
    ensure(&SPARK, progress)?;
    if !java_found() {
        progress(
            "warning: no `java` on PATH and no JAVA_HOME: the sandbox's Glue job runs and EMR \
             steps run on Spark, which needs Java 17 (Debian: apt-get install \
             openjdk-17-jre-headless); they will fail until it is installed",
        );
    }
    check_script(&paths::project_dir(), super::process::EMULATOR_SCRIPT)?;
    Ok(python)
}

/// True if Spark can start a JVM: `$JAVA_HOME/bin/java` or `java` on PATH.
fn java_found() -> bool {
    let home = std::env::var_os("JAVA_HOME").map(|home| PathBuf::from(home).join("bin/java"));
    let on_path: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("java"))
                .collect()
        })
        .unwrap_or_default();
    home.into_iter().chain(on_path).any(|java| java.is_file())
}

/// Returns `venv`'s python, creating or updating the venv when needed.
pub fn ensure(venv: &Venv, progress: &mut dyn FnMut(&str)) -> Result<PathBuf> {
    let project = paths::project_dir();
    let script = project.join("scripts/venv");
    if !script.is_file() {
        bail!(
            "{} is missing: the sandbox runs from a platform-tui checkout; set {} to it",
            script.display(),
            paths::PROJECT_OVERRIDE
        );
    }
    if !paths::venv_dir(venv.name).join("bin/python").exists() {
        progress(venv.first_time);
    }
    let output = Command::new(&script)
        .arg(venv.name)
        .current_dir(&project)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", script.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let python = stdout.lines().last().map(str::trim).unwrap_or_default();
    if !output.status.success() || python.is_empty() {
        bail!(
            "could not prepare the sandbox's Python environment ({} {} failed):\n{}\n{WHAT_IS_NEEDED}",
            script.display(),
            venv.name,
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
    Ok(python)
}

/// Fails unless the checkout has `script` (relative to the project).
pub fn check_script(project: &Path, script: &str) -> Result<()> {
    let script = project.join(script);
    if !script.is_file() {
        bail!("{} is missing from the checkout", script.display());
    }
    Ok(())
}
