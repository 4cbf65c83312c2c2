//! Errors as the UI sees them: the sentence for people (from the service client that failed)
//! and a [`Problem`] kind the views and the status bar act on, e.g. expired credentials stay on
//! screen with what to do until a call succeeds again; an unreachable endpoint makes `ctrl-r`
//! rebuild the context's clients.
//!
//! Every client error converts into a [`UiError`] keeping its kind; a plain string (a local
//! mistake, a message composed by a view) is [`Problem::Other`].

use std::fmt;

use crate::airflow::{AirflowError, ErrorKind as AirflowKind};
use crate::aws::{AwsError, ErrorKind as AwsKind};
use crate::terraform::TerraformError;

/// What kind of failure, whatever the layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Problem {
    /// No credentials, or credentials the service rejected (expired SSO session, bad keys).
    Credentials,
    AccessDenied,
    NotFound,
    Throttled,
    /// Nothing answered: connection refused, DNS, timeout, a moved endpoint.
    Unreachable,
    /// What was asked was wrong (bad arguments, bad SQL, a local file problem).
    InvalidInput,
    /// The service failed or answered something unexpected.
    Server,
    Other,
}

impl Problem {
    /// A short word for the status bar.
    pub fn label(self) -> &'static str {
        match self {
            Problem::Credentials => "credentials",
            Problem::AccessDenied => "access denied",
            Problem::NotFound => "not found",
            Problem::Throttled => "throttled",
            Problem::Unreachable => "unreachable",
            Problem::InvalidInput => "invalid input",
            Problem::Server => "server error",
            Problem::Other => "error",
        }
    }
}

/// A failure on its way to the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiError {
    pub problem: Problem,
    /// The whole sentence: what failed, where, why and what to do (remote text inside is
    /// sanitized by whatever draws it).
    pub message: String,
}

impl UiError {
    pub fn new(problem: Problem, message: impl Into<String>) -> Self {
        Self {
            problem,
            message: message.into(),
        }
    }

    /// What to do about it, when the kind says more than the message: shown in the status bar
    /// for as long as the problem lasts.
    pub fn advice(&self) -> Option<&'static str> {
        match self.problem {
            Problem::Credentials => {
                Some("credentials missing or expired: `aws sso login`, then ctrl-r")
            }
            Problem::Unreachable => Some("endpoint not answering: ctrl-r reconnects"),
            _ => None,
        }
    }

    /// Problems that belong to the whole context rather than one view: they stay in the
    /// status bar until a call succeeds.
    pub fn is_sticky(&self) -> bool {
        matches!(self.problem, Problem::Credentials | Problem::Unreachable)
    }

    /// The same problem with `context` in front, e.g. "dry run failed, nothing cleared: …".
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

impl fmt::Display for UiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UiError {}

impl From<String> for UiError {
    fn from(message: String) -> Self {
        UiError::new(Problem::Other, message)
    }
}

impl From<&str> for UiError {
    fn from(message: &str) -> Self {
        UiError::new(Problem::Other, message)
    }
}

impl From<AwsError> for UiError {
    fn from(error: AwsError) -> Self {
        let problem = match error.kind {
            AwsKind::AccessDenied => Problem::AccessDenied,
            AwsKind::NotFound => Problem::NotFound,
            AwsKind::Throttled => Problem::Throttled,
            AwsKind::Credentials => Problem::Credentials,
            AwsKind::Unreachable | AwsKind::Timeout => Problem::Unreachable,
            AwsKind::LocalFile => Problem::InvalidInput,
            AwsKind::Other => Problem::Server,
        };
        UiError::new(problem, error.to_string())
    }
}

impl From<AirflowError> for UiError {
    fn from(error: AirflowError) -> Self {
        let problem = match error.kind {
            AirflowKind::Unreachable => Problem::Unreachable,
            AirflowKind::Unauthorized => Problem::Credentials,
            AirflowKind::Forbidden => Problem::AccessDenied,
            AirflowKind::NotFound => Problem::NotFound,
            AirflowKind::Invalid => Problem::InvalidInput,
            AirflowKind::Other => Problem::Server,
        };
        UiError::new(problem, error.to_string())
    }
}

impl From<TerraformError> for UiError {
    fn from(error: TerraformError) -> Self {
        let problem = match &error {
            TerraformError::NotFound { .. } => Problem::NotFound,
            _ => Problem::Other,
        };
        UiError::new(problem, error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_errors_keep_their_kind_and_their_sentence() {
        let aws = AwsError::new("S3", "ListBuckets", AwsKind::Credentials, "ExpiredToken");
        let ui = UiError::from(aws.clone());
        assert_eq!(ui.problem, Problem::Credentials);
        assert_eq!(ui.message, aws.to_string());
        assert!(ui.is_sticky());
        assert!(ui.advice().unwrap().contains("aws sso login"));

        let airflow =
            AirflowError::new(AirflowKind::Unreachable, "sandbox", "list DAGs", "refused");
        let ui = UiError::from(airflow);
        assert_eq!(ui.problem, Problem::Unreachable);
        assert!(ui.message.contains("list DAGs"));

        let local = UiError::from("select a job first");
        assert_eq!(local.problem, Problem::Other);
        assert!(!local.is_sticky());
        assert_eq!(local.advice(), None);
    }

    #[test]
    fn context_keeps_the_kind() {
        let ui = UiError::new(Problem::Throttled, "Glue GetJobRuns: slow down")
            .context("dry run failed");
        assert_eq!(ui.problem, Problem::Throttled);
        assert_eq!(ui.to_string(), "dry run failed: Glue GetJobRuns: slow down");
    }
}
