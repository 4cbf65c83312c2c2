//! What the console knows about an Airflow environment, independent of the REST API version
//! (v1 on Airflow 2.x, v2 on 3.x) and of the way it is reached (self-hosted or MWAA). Every field
//! the API may omit is an `Option` or has a neutral default: MWAA runs 2.7–2.11 and 3.0.x.

use chrono::{DateTime, Utc};

/// The state of a DAG run or a task instance. `None` is Airflow's "no status" (not yet
/// scheduled); unknown states are kept as they were sent.
#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq, Hash)]
pub enum State {
    None,
    Scheduled,
    Queued,
    Running,
    Success,
    Failed,
    UpForRetry,
    UpForReschedule,
    UpstreamFailed,
    Skipped,
    Deferred,
    Removed,
    Restarting,
    Other(String),
}

impl State {
    /// Parses a state as the API sends it (`null` → `None`).
    pub fn from_api(state: Option<&str>) -> Self {
        match state.unwrap_or("none") {
            "none" | "" => State::None,
            "scheduled" => State::Scheduled,
            "queued" => State::Queued,
            "running" => State::Running,
            "success" => State::Success,
            "failed" => State::Failed,
            "up_for_retry" => State::UpForRetry,
            "up_for_reschedule" => State::UpForReschedule,
            "upstream_failed" => State::UpstreamFailed,
            "skipped" => State::Skipped,
            "deferred" => State::Deferred,
            "removed" => State::Removed,
            "restarting" => State::Restarting,
            other => State::Other(other.to_owned()),
        }
    }

    /// The name Airflow uses (`up_for_retry`); `none` for no status.
    pub fn as_str(&self) -> &str {
        match self {
            State::None => "none",
            State::Scheduled => "scheduled",
            State::Queued => "queued",
            State::Running => "running",
            State::Success => "success",
            State::Failed => "failed",
            State::UpForRetry => "up_for_retry",
            State::UpForReschedule => "up_for_reschedule",
            State::UpstreamFailed => "upstream_failed",
            State::Skipped => "skipped",
            State::Deferred => "deferred",
            State::Removed => "removed",
            State::Restarting => "restarting",
            State::Other(s) => s,
        }
    }

    /// Still going: the run or task may change state by itself.
    pub fn is_active(&self) -> bool {
        matches!(
            self,
            State::Scheduled
                | State::Queued
                | State::Running
                | State::UpForRetry
                | State::UpForReschedule
                | State::Deferred
                | State::Restarting
        )
    }

    /// Failed, or could not run because something upstream failed.
    pub fn is_failure(&self) -> bool {
        matches!(self, State::Failed | State::UpstreamFailed)
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One DAG as the DAG list shows it.
#[derive(serde::Serialize, Debug, Clone, PartialEq, Default)]
pub struct Dag {
    pub dag_id: String,
    pub is_paused: bool,
    /// The schedule as Airflow summarises it (`@daily`, a cron expression, `Dataset`…).
    pub schedule: Option<String>,
    pub tags: Vec<String>,
    pub owners: Vec<String>,
    pub description: Option<String>,
    pub next_run: Option<DateTime<Utc>>,
    pub has_import_errors: bool,
    /// The file that defines the DAG.
    pub fileloc: Option<String>,
    /// Filled by [`super::Airflow::dags_with_last_run`]; the plain list leaves it `None`.
    pub last_run: Option<DagRun>,
}

/// One run of a DAG.
#[derive(serde::Serialize, Debug, Clone, PartialEq)]
pub struct DagRun {
    pub dag_id: String,
    pub run_id: String,
    pub state: State,
    /// `manual`, `scheduled`, `backfill`, `asset_triggered`/`dataset_triggered`.
    pub run_type: String,
    /// `None` for runs triggered without one (Airflow 3 allows it).
    pub logical_date: Option<DateTime<Utc>>,
    /// When the run was due (Airflow 3 `run_after`; on 2.x the data interval end or logical date).
    pub run_after: Option<DateTime<Utc>>,
    pub queued_at: Option<DateTime<Utc>>,
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    /// The run's conf object as sent (`{}` when empty).
    pub conf: serde_json::Value,
    pub note: Option<String>,
}

impl DagRun {
    /// Seconds from start to end, or to `now` while it runs; `None` before it starts.
    pub fn duration_secs(&self, now: DateTime<Utc>) -> Option<f64> {
        let start = self.start_date?;
        let end = self.end_date.unwrap_or(now);
        Some((end - start).num_milliseconds().max(0) as f64 / 1000.0)
    }
}

/// One task of a DAG's definition (the rows of the grid, in dependency order).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Task {
    pub task_id: String,
    pub operator: Option<String>,
    pub downstream_task_ids: Vec<String>,
    pub retries: Option<u32>,
}

/// Names one task instance: the API's (dag, run, task, map index) key.
#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaskKey {
    pub dag_id: String,
    pub run_id: String,
    pub task_id: String,
    /// -1 for a task that is not mapped.
    pub map_index: i64,
}

/// One task instance (or one try of it, from the tries endpoint).
#[derive(serde::Serialize, Debug, Clone, PartialEq)]
pub struct TaskInstance {
    pub key: TaskKey,
    pub state: State,
    /// The current (or this) try; 0 when the task never ran.
    pub try_number: u32,
    pub max_tries: Option<u32>,
    pub operator: Option<String>,
    pub queued_at: Option<DateTime<Utc>>,
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    /// Seconds, as Airflow computed it.
    pub duration: Option<f64>,
    pub hostname: Option<String>,
    pub pool: Option<String>,
    pub note: Option<String>,
}

impl TaskInstance {
    /// An instance known by its key, state and try only (everything else unknown).
    pub fn new(key: TaskKey, state: State, try_number: u32) -> Self {
        Self {
            key,
            state,
            try_number,
            max_tries: None,
            operator: None,
            queued_at: None,
            start_date: None,
            end_date: None,
            duration: None,
            hostname: None,
            pool: None,
            note: None,
        }
    }
}

/// One XCom entry of a task instance. The value is JSON: Airflow 3 sends it so; Airflow 2's
/// API sends Python's text of it (`['s-1']`), read back into JSON (a text that is no Python
/// literal stays a JSON string, e.g. a bare run id).
#[derive(Debug, Clone, PartialEq)]
pub struct XComEntry {
    pub key: String,
    pub value: serde_json::Value,
}

/// An operator extra link (a button of the Airflow UI): its name and URL; `None` when the
/// operator has no URL for this try (it did not get that far).
#[derive(Debug, Clone, PartialEq)]
pub struct ExtraLink {
    pub name: String,
    pub url: Option<String>,
}

/// What Airflow recorded about one task instance that can say which outside resource it drove:
/// the instance, its rendered template fields, its XCom entries and its extra links. A task
/// that never ran has none of the last three.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    pub instance: TaskInstance,
    /// Template fields as rendered for this try (`{}` when Airflow has none).
    pub rendered_fields: serde_json::Map<String, serde_json::Value>,
    pub xcom: Vec<XComEntry>,
    pub links: Vec<ExtraLink>,
    /// XCom entries listed but not read: a task pushing more than the client reads.
    pub xcom_left_out: usize,
}

impl TaskRecord {
    /// The value of XCom `key`.
    pub fn xcom(&self, key: &str) -> Option<&serde_json::Value> {
        self.xcom.iter().find(|x| x.key == key).map(|x| &x.value)
    }

    /// The URL of extra link `name`.
    pub fn link(&self, name: &str) -> Option<&str> {
        self.links
            .iter()
            .find(|l| l.name == name)
            .and_then(|l| l.url.as_deref())
    }

    /// Rendered template field `field`.
    pub fn rendered(&self, field: &str) -> Option<&serde_json::Value> {
        self.rendered_fields.get(field)
    }
}

/// A DAG file that failed to import.
#[derive(serde::Serialize, Debug, Clone, PartialEq)]
pub struct ImportError {
    pub id: Option<i64>,
    pub filename: String,
    pub timestamp: Option<DateTime<Utc>>,
    pub stack_trace: String,
}

/// Which DAG runs to list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunQuery {
    /// Only these states; empty is all.
    pub states: Vec<State>,
    /// Page size (the API caps it, usually at 100).
    pub limit: usize,
    pub offset: usize,
}

/// One page of a longer list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many there are in all, when the API says.
    pub total: Option<u64>,
}

/// Which task instances to clear (rerun) in one run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClearTasks {
    pub run_id: String,
    /// Empty clears every task of the run.
    pub task_ids: Vec<String>,
    pub include_downstream: bool,
    pub include_upstream: bool,
    /// Airflow's default is true: only failed tasks would be cleared. The console sends false
    /// unless asked, because clearing a chosen task means rerun it.
    pub only_failed: bool,
}

impl ClearTasks {
    /// Every task of `run_id`.
    pub fn whole_run(run_id: &str) -> Self {
        Self {
            run_id: run_id.to_owned(),
            ..Self::default()
        }
    }
}

/// The state a task instance can be marked with by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkState {
    Success,
    Failed,
}

impl MarkState {
    pub fn as_str(self) -> &'static str {
        match self {
            MarkState::Success => "success",
            MarkState::Failed => "failed",
        }
    }
}

/// Lines of a task log that are new since the previous read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskLogChunk {
    /// Raw lines as Airflow sent them (the viewer sanitizes what it draws).
    pub lines: Vec<String>,
    /// Pass back to get only what was written after this chunk.
    pub continuation_token: Option<String>,
    /// Airflow says the log is complete (the try finished).
    pub end_of_log: bool,
}

/// How an environment is reached.
#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub enum EnvironmentKind {
    /// An Airflow server named in the context's config (or the sandbox's own).
    SelfHosted,
    /// An Amazon MWAA environment of the context's account and region.
    Mwaa,
}

/// One Airflow environment as the environments view lists it.
#[derive(serde::Serialize, Debug, Clone, PartialEq)]
pub struct EnvironmentInfo {
    pub name: String,
    pub kind: EnvironmentKind,
    /// `AVAILABLE`, `UPDATING`… for MWAA; `configured` for self-hosted ones.
    pub status: String,
    pub airflow_version: Option<String>,
    /// The webserver / api-server URL.
    pub url: Option<String>,
    pub last_update: Option<DateTime<Utc>>,
    /// Where task logs go, e.g. `CloudWatch airflow-prod-Task (INFO)`; `None` for the REST API.
    pub task_logs: Option<String>,
}

impl EnvironmentInfo {
    /// A self-hosted server as the config names it (its version is known once connected).
    pub fn self_hosted(name: &str, url: &str) -> Self {
        EnvironmentInfo {
            name: name.to_owned(),
            kind: EnvironmentKind::SelfHosted,
            status: "configured".into(),
            airflow_version: None,
            url: Some(url.trim_end_matches('/').to_owned()),
            last_update: None,
            task_logs: None,
        }
    }
}
