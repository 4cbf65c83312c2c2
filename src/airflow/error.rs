//! Errors written for people: which environment, which call, what went wrong, what to do.

use std::fmt;

/// What kind of failure, so views can react (retry, re-authenticate, say "not found").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Nothing answers at the URL (connection refused, timeout, DNS).
    Unreachable,
    /// Credentials missing, wrong or expired and could not be refreshed.
    Unauthorized,
    /// The server understood and refused (403).
    Forbidden,
    NotFound,
    /// The request was wrong (400/422): the message says why.
    Invalid,
    /// Anything else: 5xx, an answer that is not what the API documents.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AirflowError {
    pub kind: ErrorKind,
    /// The environment's name.
    pub environment: String,
    /// What the console was doing, e.g. `list DAG runs of prepare_data_nyc`.
    pub operation: String,
    /// Airflow's own words (sanitized by the view that shows them).
    pub message: String,
}

impl AirflowError {
    pub fn new(
        kind: ErrorKind,
        environment: impl Into<String>,
        operation: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            environment: environment.into(),
            operation: operation.into(),
            message: message.into(),
        }
    }

    fn hint(&self) -> Option<&'static str> {
        match self.kind {
            ErrorKind::Unreachable => Some("is the Airflow api-server up? (retrying on refresh)"),
            ErrorKind::Unauthorized => {
                Some("check the user and password (or the IAM role for MWAA)")
            }
            ErrorKind::Forbidden => Some("the user lacks the permission for this"),
            _ => None,
        }
    }
}

impl fmt::Display for AirflowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Airflow {}: cannot {}: {}",
            self.environment, self.operation, self.message
        )?;
        if let Some(hint) = self.hint() {
            write!(f, " — {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AirflowError {}
