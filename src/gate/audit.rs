//! The audit trail: one JSON object per line in `<state dir>/audit.jsonl`, appended for every
//! action that reaches the gate (attempted, refused, cancelled, succeeded or failed). Each
//! record is on disk (written and synced) before `append` returns, and the file is private
//! to its owner (0600, in a 0700 directory).

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub time: String,
    pub context: String,
    pub action: String,
    pub target: String,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Written before the work starts; the outcome follows in a record of its own.
    Attempted,
    Refused,
    Cancelled,
    Succeeded,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Attempted => "attempted",
            Outcome::Refused => "refused",
            Outcome::Cancelled => "cancelled",
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record and syncs it to disk. A record that cannot be written is reported
    /// to the caller with the file's path: the gate refuses to run an action whose
    /// "attempted" record failed.
    pub fn append(
        &self,
        context: &str,
        action: &str,
        target: &str,
        outcome: Outcome,
        detail: Option<&str>,
    ) -> Result<AuditRecord, AuditError> {
        let record = AuditRecord {
            time: Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
            context: context.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            outcome,
            detail: detail.map(str::to_string),
        };
        self.write_line(&record).map_err(|source| AuditError {
            path: self.path.clone(),
            source,
        })?;
        Ok(record)
    }

    fn write_line(&self, record: &AuditRecord) -> std::io::Result<()> {
        let mut line = serde_json::to_string(record).map_err(std::io::Error::other)?;
        line.push('\n');
        let mut file = crate::private_files::append(&self.path)?;
        file.write_all(line.as_bytes())?;
        file.sync_data()
    }

    /// Reads every record, newest last; lines that are not records are skipped.
    pub fn read_all(&self) -> std::io::Result<Vec<AuditRecord>> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => Ok(text
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }
}

/// A record that could not be written, with where it should have gone.
#[derive(Debug)]
pub struct AuditError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

impl fmt::Display for AuditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot write the audit trail {}: {}",
            self.path.display(),
            self.source
        )
    }
}

impl std::error::Error for AuditError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}
