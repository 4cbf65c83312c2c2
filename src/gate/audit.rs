//! The audit trail: one JSON object per line in `<state dir>/audit.jsonl`, appended for every
//! action that reaches the gate (allowed, refused, cancelled, succeeded or failed).

use std::fs::OpenOptions;
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
    Refused,
    Cancelled,
    Succeeded,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
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

    /// Appends one record. A record that cannot be written is reported to the caller: an
    /// action whose audit fails is still shown to the user with that failure.
    pub fn append(
        &self,
        context: &str,
        action: &str,
        target: &str,
        outcome: Outcome,
        detail: Option<&str>,
    ) -> std::io::Result<AuditRecord> {
        let record = AuditRecord {
            time: Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
            context: context.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            outcome,
            detail: detail.map(str::to_string),
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut line = serde_json::to_string(&record).map_err(std::io::Error::other)?;
        line.push('\n');
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        file.write_all(line.as_bytes())?;
        Ok(record)
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
