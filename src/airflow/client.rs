//! The one Airflow client the views use. It picks the REST dialect (v1 for Airflow 2.x, v2 for
//! 3.x) from the server's version and the transport (basic auth, JWT, MWAA web login or
//! InvokeRestApi) from how the environment is reached, and keeps its tokens fresh.
//!
//! Every method names what it does in its error (see [`AirflowError`]).

use std::sync::Arc;

use super::error::{AirflowError, ErrorKind};
use super::model::*;

/// Where the logs of task tries are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskLogLocation {
    /// The REST log endpoint with continuation tokens (self-hosted Airflow).
    Rest,
    /// CloudWatch Logs (MWAA): this group, stream `dag_id=…/run_id=…/task_id=…/attempt=N.log`.
    CloudWatch { group: String },
}

/// A connected Airflow environment. Cheap to clone; clones share tokens and the version.
#[derive(Clone)]
pub struct Airflow {
    inner: Arc<Inner>,
}

struct Inner {
    info: EnvironmentInfo,
}

impl Airflow {
    /// What the environments view shows about this environment.
    pub fn info(&self) -> &EnvironmentInfo {
        &self.inner.info
    }

    pub fn task_log_location(&self) -> TaskLogLocation {
        TaskLogLocation::Rest
    }

    fn pending(&self, operation: &str) -> AirflowError {
        AirflowError::new(
            ErrorKind::Other,
            &self.inner.info.name,
            operation,
            "the Airflow client is being written",
        )
    }

    /// Every DAG (all pages), sorted by id.
    pub async fn dags(&self) -> Result<Vec<Dag>, AirflowError> {
        Err(self.pending("list DAGs"))
    }

    /// Every DAG with `last_run` filled (the newest run of each).
    pub async fn dags_with_last_run(&self) -> Result<Vec<Dag>, AirflowError> {
        Err(self.pending("list DAGs"))
    }

    /// The tasks of a DAG, in dependency order (upstream first).
    pub async fn tasks(&self, dag_id: &str) -> Result<Vec<Task>, AirflowError> {
        Err(self.pending(&format!("list tasks of {dag_id}")))
    }

    /// One page of runs, newest first (by run_after / logical date). `dag_id` `~` is every DAG.
    pub async fn dag_runs(
        &self,
        dag_id: &str,
        query: &RunQuery,
    ) -> Result<Page<DagRun>, AirflowError> {
        let _ = query;
        Err(self.pending(&format!("list runs of {dag_id}")))
    }

    /// The task instances of one run (current try of each).
    pub async fn task_instances(
        &self,
        dag_id: &str,
        run_id: &str,
    ) -> Result<Vec<TaskInstance>, AirflowError> {
        Err(self.pending(&format!("list task instances of {dag_id} {run_id}")))
    }

    /// Failed task instances across every DAG and run, newest first, at most `limit`.
    pub async fn failed_task_instances(
        &self,
        limit: usize,
    ) -> Result<Vec<TaskInstance>, AirflowError> {
        let _ = limit;
        Err(self.pending("list failed task instances"))
    }

    /// Every try of one task instance, oldest first.
    pub async fn task_tries(&self, key: &TaskKey) -> Result<Vec<TaskInstance>, AirflowError> {
        Err(self.pending(&format!("list tries of {}", key.task_id)))
    }

    /// The log of one try: everything on the first call (`token` None), then only new lines.
    pub async fn task_log(
        &self,
        key: &TaskKey,
        try_number: u32,
        token: Option<&str>,
    ) -> Result<TaskLogChunk, AirflowError> {
        let _ = (try_number, token);
        Err(self.pending(&format!("read the log of {}", key.task_id)))
    }

    pub async fn import_errors(&self) -> Result<Vec<ImportError>, AirflowError> {
        Err(self.pending("list import errors"))
    }

    pub async fn set_paused(&self, dag_id: &str, paused: bool) -> Result<Dag, AirflowError> {
        let _ = paused;
        Err(self.pending(&format!("pause {dag_id}")))
    }

    /// Triggers a run now with `conf` (a JSON object).
    pub async fn trigger(
        &self,
        dag_id: &str,
        conf: serde_json::Value,
    ) -> Result<DagRun, AirflowError> {
        let _ = conf;
        Err(self.pending(&format!("trigger {dag_id}")))
    }

    /// Clears (reruns) task instances of one run; with `dry_run` only lists them.
    pub async fn clear_tasks(
        &self,
        dag_id: &str,
        request: &ClearTasks,
    ) -> Result<Vec<TaskInstance>, AirflowError> {
        let _ = request;
        Err(self.pending(&format!("clear tasks of {dag_id}")))
    }

    /// Clears a whole run (every task reruns); with `dry_run` only lists them.
    pub async fn clear_run(
        &self,
        dag_id: &str,
        run_id: &str,
        dry_run: bool,
    ) -> Result<Vec<TaskInstance>, AirflowError> {
        let _ = dry_run;
        Err(self.pending(&format!("clear run {dag_id} {run_id}")))
    }

    /// Marks one task instance success or failed.
    pub async fn mark_task(
        &self,
        key: &TaskKey,
        state: MarkState,
    ) -> Result<TaskInstance, AirflowError> {
        Err(self.pending(&format!("mark {} {}", key.task_id, state.as_str())))
    }
}
