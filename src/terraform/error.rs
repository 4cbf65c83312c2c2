//! The errors of running Terraform, written for people.

use std::path::PathBuf;

use super::stream::{self, Diagnostic};

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
