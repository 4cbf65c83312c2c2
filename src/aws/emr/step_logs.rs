//! Step logs: EMR copies each step's `stdout`, `stderr` and `controller` logs, gzipped, to
//! `<LogUri>/<cluster-id>/steps/<step-id>/<name>.gz` in S3. Reading them goes through
//! [`crate::logs::S3ObjectSource`] (ranged GET through [`S3`], shared gunzip and line
//! splitting); [`StepLogSource`] keeps re-reading while the step runs.

use crate::errors::UiError;
use futures::future::BoxFuture;

use super::Emr;
use crate::aws::s3::S3;
use crate::logs::{LogChunk, LogSource, S3ObjectSource};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepLogKind {
    Stdout,
    Stderr,
    /// EMR's own log of launching the step (the command line, exit code).
    Controller,
}

impl StepLogKind {
    pub const ALL: [StepLogKind; 3] = [Self::Stderr, Self::Stdout, Self::Controller];

    pub fn name(self) -> &'static str {
        match self {
            Self::Stdout => "stdout",
            Self::Stderr => "stderr",
            Self::Controller => "controller",
        }
    }
}

/// Where one step log lives in S3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepLog {
    pub bucket: String,
    pub key: String,
}

impl StepLog {
    /// The object of `kind` for a step of a cluster whose log URI is `log_uri`
    /// (`s3://bucket/prefix/`; EMR reports `s3n://` too). `None` when the URI is not in S3.
    pub fn locate(
        log_uri: &str,
        cluster_id: &str,
        step_id: &str,
        kind: StepLogKind,
    ) -> Option<StepLog> {
        let path = ["s3://", "s3n://", "s3a://"]
            .iter()
            .find_map(|scheme| log_uri.strip_prefix(scheme))?;
        let (bucket, prefix) = path.split_once('/').unwrap_or((path, ""));
        if bucket.is_empty() {
            return None;
        }
        let prefix = prefix.trim_end_matches('/');
        let dir = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}/")
        };
        Some(StepLog {
            bucket: bucket.to_owned(),
            key: format!("{dir}{cluster_id}/steps/{step_id}/{}.gz", kind.name()),
        })
    }

    pub fn url(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }
}

/// The whole log as it is now (gunzipped, one string per line).
pub async fn read_step_log(s3: &S3, log: &StepLog) -> Result<Vec<String>, UiError> {
    let mut source = S3ObjectSource::new(s3.clone(), &log.bucket, &log.key, false);
    let chunk = source.fetch_next().await?;
    Ok(chunk.lines.into_iter().map(|l| l.text).collect())
}

/// A step log for the log viewer: while the step is pending or running, each fetch asks EMR
/// for the step's state and re-reads the object, returning only the lines that are new (a
/// missing object means "nothing yet"); once the step ended, one last read finishes the log.
pub struct StepLogSource {
    emr: Emr,
    cluster_id: String,
    step_id: String,
    object: S3ObjectSource,
    step_ended: bool,
}

impl StepLogSource {
    /// `step_live`: the step was pending or running when the log was opened.
    pub fn new(
        emr: Emr,
        s3: S3,
        cluster_id: &str,
        step_id: &str,
        log: &StepLog,
        step_live: bool,
    ) -> Self {
        Self {
            emr,
            cluster_id: cluster_id.to_owned(),
            step_id: step_id.to_owned(),
            object: S3ObjectSource::new(s3, &log.bucket, &log.key, step_live),
            step_ended: !step_live,
        }
    }

    async fn fetch(&mut self) -> Result<LogChunk, UiError> {
        if !self.step_ended {
            let step = self
                .emr
                .describe_step(&self.cluster_id, &self.step_id)
                .await
                .map_err(|e| e.to_string())?;
            if !step.is_live() {
                self.object.stop_following();
                self.step_ended = true;
            }
        }
        self.object.fetch_next().await
    }
}

impl LogSource for StepLogSource {
    fn fetch_next(&mut self) -> BoxFuture<'_, Result<LogChunk, UiError>> {
        Box::pin(self.fetch())
    }

    fn is_finished(&self) -> bool {
        self.object.is_finished()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_live_under_the_cluster_and_step() {
        let at =
            |uri: &str| StepLog::locate(uri, "j-1", "s-2", StepLogKind::Stderr).map(|l| l.url());
        let expected = Some("s3://logs/emr/j-1/steps/s-2/stderr.gz".to_owned());
        assert_eq!(at("s3://logs/emr/"), expected);
        assert_eq!(at("s3n://logs/emr"), expected);
        assert_eq!(
            at("s3://logs"),
            Some("s3://logs/j-1/steps/s-2/stderr.gz".to_owned())
        );
        assert_eq!(at("hdfs:///logs"), None);
        assert_eq!(at("s3:///x"), None);
    }
}
