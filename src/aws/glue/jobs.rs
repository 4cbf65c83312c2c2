//! Glue jobs and their runs: definitions (script, version, workers, default arguments), run
//! history with state, timing and the error message, and run control (start with arguments,
//! stop).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;

use super::{text, time, Glue};
use crate::aws::{AwsError, ErrorKind};
use crate::gate::Approval;

/// Where Glue writes a run's driver output and its stderr (tracebacks), stream = run id.
pub const OUTPUT_LOG_GROUP: &str = "/aws-glue/jobs/output";
pub const ERROR_LOG_GROUP: &str = "/aws-glue/jobs/error";

/// Latest-run lookups in flight at once when listing jobs.
pub const LATEST_RUN_LOOKUPS: usize = 6;
/// Runs asked for when looking for the latest one. AWS returns runs newest first; the emulator
/// oldest first, so the newest of the page is picked either way.
const LATEST_RUN_PAGE: i32 = 50;

#[derive(serde::Serialize, Debug, Clone, PartialEq)]
pub struct Job {
    pub name: String,
    pub description: Option<String>,
    pub role: Option<String>,
    /// `glueetl`, `pythonshell`, `gluestreaming`.
    pub command: Option<String>,
    pub script_location: Option<String>,
    pub python_version: Option<String>,
    pub glue_version: Option<String>,
    pub worker_type: Option<String>,
    pub number_of_workers: Option<i32>,
    pub max_capacity: Option<f64>,
    pub max_retries: i32,
    /// Minutes.
    pub timeout: Option<i32>,
    pub default_arguments: BTreeMap<String, String>,
    pub created: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    /// Filled by [`Glue::with_latest_runs`]; `None` also when the job never ran.
    pub last_run: Option<JobRun>,
}

/// Where a run stands, for colours and for what may be done with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// Not started yet: STARTING, WAITING.
    Pending,
    /// RUNNING, STOPPING.
    Running,
    Succeeded,
    /// FAILED, TIMEOUT, ERROR, EXPIRED.
    Failed,
    Stopped,
}

impl RunState {
    pub fn of(state: &str) -> RunState {
        match state {
            "RUNNING" | "STOPPING" => RunState::Running,
            "SUCCEEDED" => RunState::Succeeded,
            "STOPPED" => RunState::Stopped,
            "FAILED" | "TIMEOUT" | "ERROR" | "EXPIRED" => RunState::Failed,
            _ => RunState::Pending,
        }
    }

    /// The run may still be stopped.
    pub fn is_active(self) -> bool {
        matches!(self, RunState::Pending | RunState::Running)
    }
}

#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    pub id: String,
    pub job_name: String,
    pub attempt: i32,
    /// The service's word: STARTING, RUNNING, SUCCEEDED, FAILED, STOPPED, TIMEOUT, ….
    pub state: String,
    pub started: Option<DateTime<Utc>>,
    pub completed: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    /// Time the run consumed resources (Glue's ExecutionTime).
    pub execution_time: Duration,
    pub error: Option<String>,
    pub arguments: BTreeMap<String, String>,
    pub previous_run_id: Option<String>,
    pub log_group: Option<String>,
    pub worker_type: Option<String>,
    pub number_of_workers: Option<i32>,
}

impl JobRun {
    pub fn run_state(&self) -> RunState {
        RunState::of(&self.state)
    }

    /// Wall-clock time from start to completion, or to `now` while it runs.
    pub fn duration(&self, now: DateTime<Utc>) -> Option<Duration> {
        let started = self.started?;
        let end = match self.completed {
            Some(completed) => completed,
            None if self.run_state().is_active() => now,
            None => return None,
        };
        (end - started).to_std().ok()
    }
}

/// A run that BatchStopJobRun could not stop, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopFailure {
    pub run_id: String,
    pub code: String,
    pub message: String,
}

impl Glue {
    /// Every job definition, without runs (see [`Glue::with_latest_runs`]).
    pub async fn jobs(&self) -> Result<Vec<Job>, AwsError> {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .client
                .get_jobs()
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.endpoint.error("GetJobs", None, e))?;
            out.extend(page.jobs().iter().map(job));
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(out);
            }
        }
    }

    pub async fn job(&self, name: &str) -> Result<Job, AwsError> {
        let out = self
            .client
            .get_job()
            .job_name(name)
            .send()
            .await
            .map_err(|e| self.endpoint.error("GetJob", Some(name), e))?;
        out.job().map(job).ok_or_else(|| {
            self.endpoint.failure(
                "GetJob",
                ErrorKind::NotFound,
                format!("no job {name} in the answer"),
            )
        })
    }

    /// The jobs with their latest run, looked up [`LATEST_RUN_LOOKUPS`] at a time, in order.
    pub async fn with_latest_runs(&self, jobs: Vec<Job>) -> Result<Vec<Job>, AwsError> {
        futures::stream::iter(jobs)
            .map(|mut job| async move {
                job.last_run = self.latest_run(&job.name).await?;
                Ok(job)
            })
            .buffered(LATEST_RUN_LOOKUPS)
            .collect::<Vec<Result<Job, AwsError>>>()
            .await
            .into_iter()
            .collect()
    }

    pub async fn latest_run(&self, job: &str) -> Result<Option<JobRun>, AwsError> {
        let page = self
            .client
            .get_job_runs()
            .job_name(job)
            .max_results(LATEST_RUN_PAGE)
            .send()
            .await
            .map_err(|e| self.endpoint.error("GetJobRuns", Some(job), e))?;
        Ok(page
            .job_runs()
            .iter()
            .map(|r| job_run(job, r))
            .max_by_key(|r| r.started))
    }

    /// Every run of `job`, newest first.
    pub async fn job_runs(&self, job: &str) -> Result<Vec<JobRun>, AwsError> {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .client
                .get_job_runs()
                .job_name(job)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.endpoint.error("GetJobRuns", Some(job), e))?;
            out.extend(page.job_runs().iter().map(|r| job_run(job, r)));
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        out.sort_by_key(|r| std::cmp::Reverse(r.started));
        Ok(out)
    }

    pub async fn job_run(&self, job: &str, run_id: &str) -> Result<JobRun, AwsError> {
        let target = format!("{job} {run_id}");
        let out = self
            .client
            .get_job_run()
            .job_name(job)
            .run_id(run_id)
            .send()
            .await
            .map_err(|e| self.endpoint.error("GetJobRun", Some(&target), e))?;
        out.job_run().map(|r| job_run(job, r)).ok_or_else(|| {
            self.endpoint.failure(
                "GetJobRun",
                ErrorKind::NotFound,
                format!("no run {target} in the answer"),
            )
        })
    }

    /// Starts a run of `job` with `arguments` (which override the job's defaults); returns the
    /// new run's id.
    pub async fn start_job_run(
        &self,
        _approval: &Approval,
        job: &str,
        arguments: &BTreeMap<String, String>,
    ) -> Result<String, AwsError> {
        let arguments: HashMap<String, String> = arguments.clone().into_iter().collect();
        let out = self
            .client
            .start_job_run()
            .job_name(job)
            .set_arguments((!arguments.is_empty()).then_some(arguments))
            .send()
            .await
            .map_err(|e| self.endpoint.error("StartJobRun", Some(job), e))?;
        Ok(out.job_run_id().unwrap_or_default().to_owned())
    }

    /// Asks Glue to stop runs of `job`; returns the runs it refused to stop, with the reason.
    pub async fn batch_stop_job_run(
        &self,
        _approval: &Approval,
        job: &str,
        run_ids: &[String],
    ) -> Result<Vec<StopFailure>, AwsError> {
        let out = self
            .client
            .batch_stop_job_run()
            .job_name(job)
            .set_job_run_ids(Some(run_ids.to_vec()))
            .send()
            .await
            .map_err(|e| self.endpoint.error("BatchStopJobRun", Some(job), e))?;
        Ok(out
            .errors()
            .iter()
            .map(|e| StopFailure {
                run_id: e.job_run_id().unwrap_or_default().to_owned(),
                code: e
                    .error_detail()
                    .and_then(|d| d.error_code())
                    .unwrap_or("error")
                    .to_owned(),
                message: e
                    .error_detail()
                    .and_then(|d| d.error_message())
                    .unwrap_or_default()
                    .to_owned(),
            })
            .collect())
    }

    /// Stops one run; a refusal (e.g. the run already finished) is an error naming the run.
    pub async fn stop_job_run(
        &self,
        approval: &Approval,
        job: &str,
        run_id: &str,
    ) -> Result<(), AwsError> {
        let failures = self
            .batch_stop_job_run(approval, job, &[run_id.to_owned()])
            .await?;
        match failures.into_iter().next() {
            None => Ok(()),
            Some(f) => Err(self
                .endpoint
                .failure(
                    "BatchStopJobRun",
                    ErrorKind::Other,
                    format!("{}: {}", f.code, f.message),
                )
                .on(format!("{job} {run_id}"))),
        }
    }
}

fn arguments(map: Option<&HashMap<String, String>>) -> BTreeMap<String, String> {
    map.map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn job(j: &aws_sdk_glue::types::Job) -> Job {
    let command = j.command();
    Job {
        name: j.name().unwrap_or_default().to_owned(),
        description: text(j.description()),
        role: text(j.role()),
        command: command.and_then(|c| text(c.name())),
        script_location: command.and_then(|c| text(c.script_location())),
        python_version: command.and_then(|c| text(c.python_version())),
        glue_version: text(j.glue_version()),
        worker_type: j.worker_type().map(|w| w.as_str().to_owned()),
        number_of_workers: j.number_of_workers(),
        max_capacity: j.max_capacity(),
        max_retries: j.max_retries(),
        timeout: j.timeout(),
        default_arguments: arguments(j.default_arguments()),
        created: time(j.created_on()),
        modified: time(j.last_modified_on()),
        last_run: None,
    }
}

fn job_run(job: &str, r: &aws_sdk_glue::types::JobRun) -> JobRun {
    JobRun {
        id: r.id().unwrap_or_default().to_owned(),
        job_name: r.job_name().unwrap_or(job).to_owned(),
        attempt: r.attempt(),
        state: r
            .job_run_state()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_else(|| "UNKNOWN".into()),
        started: time(r.started_on()),
        completed: time(r.completed_on()),
        modified: time(r.last_modified_on()),
        execution_time: Duration::from_secs(r.execution_time().max(0) as u64),
        error: text(r.error_message()),
        arguments: arguments(r.arguments()),
        previous_run_id: text(r.previous_run_id()),
        log_group: text(r.log_group_name()),
        worker_type: r.worker_type().map(|w| w.as_str().to_owned()),
        number_of_workers: r.number_of_workers(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_sort_into_phases() {
        assert_eq!(RunState::of("STARTING"), RunState::Pending);
        assert_eq!(RunState::of("WAITING"), RunState::Pending);
        assert_eq!(RunState::of("STOPPING"), RunState::Running);
        assert_eq!(RunState::of("TIMEOUT"), RunState::Failed);
        assert_eq!(RunState::of("STOPPED"), RunState::Stopped);
        assert!(RunState::of("RUNNING").is_active());
        assert!(!RunState::of("SUCCEEDED").is_active());
    }

    #[test]
    fn duration_runs_to_now_while_active() {
        let start = DateTime::from_timestamp(1_000, 0).unwrap();
        let mut run = JobRun {
            id: "jr_1".into(),
            job_name: "j".into(),
            attempt: 0,
            state: "RUNNING".into(),
            started: Some(start),
            completed: None,
            modified: None,
            execution_time: Duration::ZERO,
            error: None,
            arguments: BTreeMap::new(),
            previous_run_id: None,
            log_group: None,
            worker_type: None,
            number_of_workers: None,
        };
        let now = DateTime::from_timestamp(1_090, 0).unwrap();
        assert_eq!(run.duration(now), Some(Duration::from_secs(90)));
        run.state = "FAILED".into();
        assert_eq!(run.duration(now), None);
        run.completed = Some(DateTime::from_timestamp(1_030, 0).unwrap());
        assert_eq!(run.duration(now), Some(Duration::from_secs(30)));
    }
}
