//! The one Airflow client the views use. It picks the REST dialect (v1 for Airflow 2.x, v2 for
//! 3.x) from the server's version and the transport (basic auth, JWT, MWAA web login or
//! InvokeRestApi) from how the environment is reached, and keeps its tokens fresh.
//!
//! Every method names what it does in its error (see [`AirflowError`]). Methods that change
//! something (trigger, pause/unpause, clear, mark) take the gate's [`Approval`]; dry runs
//! ([`Airflow::would_clear_tasks`], [`Airflow::would_clear_run`]) do not.

use std::collections::HashMap;
use std::sync::Arc;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::Method;
use serde_json::{json, Value};

use super::error::{AirflowError, ErrorKind};
use super::model::*;
use super::transport::{Access, Api, Call, Failure, Transport};
use super::{task_log, wire};
use crate::gate::Approval;

/// Page size for lists read whole (the APIs cap pages at 100 by default).
const PAGE: usize = 100;
/// How many task records (or XCom entries) are asked for at once.
const PARALLEL_REQUESTS: usize = 8;
/// How many DAG ids one batch request for last runs names (one page of DAGs).
const BATCH_DAG_IDS: usize = 100;
/// XCom entries read per task instance at most (the platform's operators push one to three).
const XCOM_ENTRIES: usize = 10;

/// Characters escaped in a path segment: everything but `A-Z a-z 0-9 - . _ ~` (`~` is the
/// API's wildcard; run ids carry `:` and `+`).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One path segment, percent-encoded.
pub fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

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
    transport: Transport,
    log_location: TaskLogLocation,
}

impl Airflow {
    pub(crate) fn new(
        info: EnvironmentInfo,
        access: Access,
        log_location: TaskLogLocation,
    ) -> Airflow {
        Airflow {
            inner: Arc::new(Inner {
                info,
                transport: Transport::new(access),
                log_location,
            }),
        }
    }

    /// A self-hosted server at `url` (no trailing `/api/...`): basic auth on 2.x, a JWT from
    /// `/auth/token` on 3.x, or no credentials when `login` is None.
    pub fn self_hosted(name: &str, url: &str, login: Option<(String, String)>) -> Airflow {
        let base_url = url.trim_end_matches('/').to_owned();
        let info = EnvironmentInfo::self_hosted(name, &base_url);
        let access = Access::Server {
            base_url,
            login: login.map(|(username, password)| super::transport::Login { username, password }),
        };
        Airflow::new(info, access, TaskLogLocation::Rest)
    }

    /// What the environments view shows about this environment.
    pub fn info(&self) -> &EnvironmentInfo {
        &self.inner.info
    }

    pub fn task_log_location(&self) -> TaskLogLocation {
        self.inner.log_location.clone()
    }

    /// The Airflow version the server reports (detected on first use), e.g. `3.3.2`.
    pub async fn version(&self) -> Result<Option<String>, AirflowError> {
        let dialect = self
            .inner
            .transport
            .dialect()
            .await
            .map_err(|f| self.error("read the Airflow version", f))?;
        Ok(dialect.version.clone())
    }

    /// The REST API dialect in use (`V1` on 2.x, `V2` on 3.x).
    pub async fn api(&self) -> Result<Api, AirflowError> {
        self.dialect_api("read the Airflow version").await
    }

    /// How many times a session was opened (login, token fetch or web login) so far.
    pub fn logins(&self) -> u64 {
        self.inner.transport.logins()
    }

    /// How many requests were sent so far (see [`Transport::requests`]).
    pub fn requests(&self) -> u64 {
        self.inner.transport.requests()
    }

    async fn dialect_api(&self, operation: &str) -> Result<Api, AirflowError> {
        let dialect = self
            .inner
            .transport
            .dialect()
            .await
            .map_err(|f| self.error(operation, f))?;
        Ok(dialect.api)
    }

    fn error(&self, operation: &str, failure: Failure) -> AirflowError {
        let (kind, message) = match failure {
            Failure::Unreachable(message) => (ErrorKind::Unreachable, message),
            Failure::Status(status, message) => {
                let kind = match status {
                    401 => ErrorKind::Unauthorized,
                    403 => ErrorKind::Forbidden,
                    404 => ErrorKind::NotFound,
                    400 | 409 | 422 => ErrorKind::Invalid,
                    _ => ErrorKind::Other,
                };
                (kind, format!("{message} (HTTP {status})"))
            }
            Failure::Other(message) => (ErrorKind::Other, message),
        };
        AirflowError::new(kind, &self.inner.info.name, operation, message)
    }

    async fn call(
        &self,
        operation: &str,
        method: Method,
        path: String,
        query: Vec<(String, String)>,
        body: Option<Value>,
    ) -> Result<Value, AirflowError> {
        let call = Call {
            reads_only: method == Method::GET || is_batch_list(&path),
            method,
            path,
            query,
            body,
        };
        self.inner
            .transport
            .send(&call)
            .await
            .map_err(|f| self.error(operation, f))
    }

    async fn get(
        &self,
        operation: &str,
        path: String,
        query: Vec<(String, String)>,
    ) -> Result<Value, AirflowError> {
        self.call(operation, Method::GET, path, query, None).await
    }

    /// Every item of a paged collection `field` at `path`.
    async fn all(
        &self,
        operation: &str,
        path: String,
        field: &str,
        query: Vec<(String, String)>,
    ) -> Result<Vec<Value>, AirflowError> {
        let mut items = Vec::new();
        loop {
            let mut page_query = query.clone();
            page_query.push(("limit".into(), PAGE.to_string()));
            page_query.push(("offset".into(), items.len().to_string()));
            let page = self.get(operation, path.clone(), page_query).await?;
            let got = wire::items(&page, field);
            items.extend(got.iter().cloned());
            let total = wire::total_entries(&page).map_or(usize::MAX, |t| t as usize);
            if got.len() < PAGE || items.len() >= total {
                return Ok(items);
            }
        }
    }

    /// Every DAG (all pages), sorted by id.
    pub async fn dags(&self) -> Result<Vec<Dag>, AirflowError> {
        let query = vec![("order_by".into(), "dag_id".into())];
        let items = self.all("list DAGs", "/dags".into(), "dags", query).await?;
        let mut dags: Vec<Dag> = items.iter().map(wire::dag).collect();
        dags.sort_by(|a, b| a.dag_id.cmp(&b.dag_id));
        Ok(dags)
    }

    /// Every DAG with `last_run` filled (the newest run of each): the DAG pages, then one
    /// batch request per hundred DAGs (see [`Airflow::last_runs`]).
    pub async fn dags_with_last_run(&self) -> Result<Vec<Dag>, AirflowError> {
        let dags = self.dags().await?;
        self.with_last_runs(dags).await
    }

    /// `dags` with `last_run` filled from [`Airflow::last_runs`].
    pub async fn with_last_runs(&self, mut dags: Vec<Dag>) -> Result<Vec<Dag>, AirflowError> {
        let ids: Vec<String> = dags.iter().map(|d| d.dag_id.clone()).collect();
        let mut newest = self.last_runs(&ids).await?;
        for dag in &mut dags {
            dag.last_run = newest.remove(&dag.dag_id);
        }
        Ok(dags)
    }

    /// The newest run of each of `dag_ids` (DAGs without runs are absent), asked in batches:
    /// `POST /dags/~/dagRuns/list` (v1 and v2) naming up to [`BATCH_DAG_IDS`] DAGs, newest
    /// first. The first run of a DAG in the answer is its newest; a full page may leave DAGs
    /// out (crowded out by another DAG's runs), so those are asked again, on their own.
    pub async fn last_runs(
        &self,
        dag_ids: &[String],
    ) -> Result<HashMap<String, DagRun>, AirflowError> {
        let operation = "list the last runs of the DAGs";
        let order_by = newest_first(self.dialect_api(operation).await?);
        let mut newest: HashMap<String, DagRun> = HashMap::new();
        for batch in dag_ids.chunks(BATCH_DAG_IDS) {
            let mut missing: Vec<&String> = batch.iter().collect();
            while !missing.is_empty() {
                let body = json!({
                    "dag_ids": missing,
                    "order_by": order_by,
                    "page_limit": PAGE,
                    "page_offset": 0,
                });
                let path = "/dags/~/dagRuns/list".to_owned();
                let answer = self
                    .call(operation, Method::POST, path, Vec::new(), Some(body))
                    .await?;
                let runs = wire::items(&answer, "dag_runs");
                for run in runs.iter().map(wire::dag_run) {
                    newest.entry(run.dag_id.clone()).or_insert(run);
                }
                let before = missing.len();
                missing.retain(|id| !newest.contains_key(*id));
                // A short page held every run of those DAGs: the rest have none.
                if runs.len() < PAGE || missing.len() == before {
                    break;
                }
            }
        }
        Ok(newest)
    }

    /// The tasks of a DAG, in dependency order (upstream first).
    pub async fn tasks(&self, dag_id: &str) -> Result<Vec<Task>, AirflowError> {
        let operation = format!("list tasks of {dag_id}");
        let path = format!("/dags/{}/tasks", encode_segment(dag_id));
        let answer = self.get(&operation, path, Vec::new()).await?;
        let tasks = wire::items(&answer, "tasks")
            .iter()
            .map(wire::task)
            .collect();
        Ok(wire::in_dependency_order(tasks))
    }

    /// One page of runs, newest first (by run_after / logical date). `dag_id` `~` is every DAG.
    pub async fn dag_runs(
        &self,
        dag_id: &str,
        query: &RunQuery,
    ) -> Result<Page<DagRun>, AirflowError> {
        let operation = format!("list runs of {dag_id}");
        let newest_first = newest_first(self.dialect_api(&operation).await?);
        let limit = if query.limit == 0 { PAGE } else { query.limit };
        let mut params = vec![
            ("limit".to_owned(), limit.to_string()),
            ("offset".to_owned(), query.offset.to_string()),
            ("order_by".to_owned(), newest_first.to_owned()),
        ];
        params.extend(
            query
                .states
                .iter()
                .map(|s| ("state".to_owned(), s.as_str().to_owned())),
        );
        let path = format!("/dags/{}/dagRuns", encode_segment(dag_id));
        let answer = self.get(&operation, path, params).await?;
        Ok(Page {
            items: wire::items(&answer, "dag_runs")
                .iter()
                .map(wire::dag_run)
                .collect(),
            total: wire::total_entries(&answer),
        })
    }

    /// The task instances of one run (current try of each).
    pub async fn task_instances(
        &self,
        dag_id: &str,
        run_id: &str,
    ) -> Result<Vec<TaskInstance>, AirflowError> {
        let items = self.task_instance_answers(dag_id, run_id).await?;
        Ok(items.iter().map(wire::task_instance).collect())
    }

    /// The task instances of one run as the API answers them.
    async fn task_instance_answers(
        &self,
        dag_id: &str,
        run_id: &str,
    ) -> Result<Vec<Value>, AirflowError> {
        let operation = format!("list task instances of {dag_id} {run_id}");
        let path = format!("{}/taskInstances", run_path(dag_id, run_id));
        self.all(&operation, path, "task_instances", Vec::new())
            .await
    }

    /// Failed task instances across every DAG and run, newest first, at most `limit`.
    pub async fn failed_task_instances(
        &self,
        limit: usize,
    ) -> Result<Vec<TaskInstance>, AirflowError> {
        let operation = "list failed task instances";
        let path = "/dags/~/dagRuns/~/taskInstances".to_owned();
        let failed = ("state".to_owned(), "failed".to_owned());
        let items = match self.dialect_api(operation).await? {
            // v2 sorts on the server: one page is enough.
            Api::V2 => {
                let query = vec![
                    failed,
                    ("order_by".into(), "-end_date".into()),
                    ("limit".into(), limit.to_string()),
                ];
                let answer = self.get(operation, path, query).await?;
                wire::items(&answer, "task_instances").to_vec()
            }
            // v1 cannot sort task instances: read them all and sort here.
            Api::V1 => {
                self.all(operation, path, "task_instances", vec![failed])
                    .await?
            }
        };
        let mut instances: Vec<TaskInstance> = items.iter().map(wire::task_instance).collect();
        instances.sort_by(|a, b| {
            let newest = |t: &TaskInstance| t.end_date.or(t.start_date);
            newest(b).cmp(&newest(a))
        });
        instances.truncate(limit);
        Ok(instances)
    }

    /// Every try of one task instance, oldest first.
    /// Airflow before 2.10 has no tries endpoint: there, every earlier try is listed with its
    /// number only (state `none`), and the last is the task instance itself.
    pub async fn task_tries(&self, key: &TaskKey) -> Result<Vec<TaskInstance>, AirflowError> {
        let operation = format!("list tries of {}", key.task_id);
        let path = format!("{}/tries", task_path(key));
        let items = match self
            .all(&operation, path, "task_instances", Vec::new())
            .await
        {
            Ok(items) => items,
            Err(e) if e.kind == ErrorKind::NotFound => {
                return Ok(tries_without_history(self.task_instance(key).await?));
            }
            Err(e) => return Err(e),
        };
        let mut tries: Vec<TaskInstance> = items
            .iter()
            .map(wire::task_instance)
            .filter(|t| t.try_number > 0)
            .collect();
        tries.sort_by_key(|t| t.try_number);
        tries.dedup_by_key(|t| t.try_number);
        Ok(tries)
    }

    /// The log of one try: everything on the first call (`token` None), then only new lines.
    /// Try 0 never ran: its log is empty and finished.
    pub async fn task_log(
        &self,
        key: &TaskKey,
        try_number: u32,
        token: Option<&str>,
    ) -> Result<TaskLogChunk, AirflowError> {
        if try_number == 0 {
            return Ok(TaskLogChunk {
                end_of_log: true,
                ..TaskLogChunk::default()
            });
        }
        let operation = format!("read the log of {} try {try_number}", key.task_id);
        let path = format!("{}/logs/{try_number}", task_base_path(key));
        let mut query = vec![("full_content".to_owned(), "false".to_owned())];
        query.extend(map_index_query(key));
        if let Some(token) = token {
            query.push(("token".into(), token.to_owned()));
        }
        let answer = self.get(&operation, path, query).await?;
        Ok(task_log::chunk(&answer))
    }

    pub async fn import_errors(&self) -> Result<Vec<ImportError>, AirflowError> {
        let items = self
            .all(
                "list import errors",
                "/importErrors".into(),
                "import_errors",
                Vec::new(),
            )
            .await?;
        Ok(items.iter().map(wire::import_error).collect())
    }

    pub async fn set_paused(
        &self,
        _approval: &Approval,
        dag_id: &str,
        paused: bool,
    ) -> Result<Dag, AirflowError> {
        let verb = if paused { "pause" } else { "unpause" };
        let answer = self
            .call(
                &format!("{verb} {dag_id}"),
                Method::PATCH,
                format!("/dags/{}", encode_segment(dag_id)),
                vec![("update_mask".into(), "is_paused".into())],
                Some(json!({ "is_paused": paused })),
            )
            .await?;
        Ok(wire::dag(&answer))
    }

    /// Triggers a run now with `conf` (a JSON object).
    pub async fn trigger(
        &self,
        _approval: &Approval,
        dag_id: &str,
        conf: serde_json::Value,
    ) -> Result<DagRun, AirflowError> {
        let operation = format!("trigger {dag_id}");
        if !conf.is_object() {
            return Err(AirflowError::new(
                ErrorKind::Invalid,
                &self.inner.info.name,
                operation,
                "the conf must be a JSON object ({...})",
            ));
        }
        let body = match self.dialect_api(&operation).await? {
            Api::V1 => json!({ "conf": conf }),
            // 3.x requires the field; null means "now, without a logical date".
            Api::V2 => json!({ "conf": conf, "logical_date": null }),
        };
        let path = format!("/dags/{}/dagRuns", encode_segment(dag_id));
        let answer = self
            .call(&operation, Method::POST, path, Vec::new(), Some(body))
            .await?;
        Ok(wire::dag_run(&answer))
    }

    /// Clears (reruns) task instances of one run; returns those cleared.
    pub async fn clear_tasks(
        &self,
        _approval: &Approval,
        dag_id: &str,
        request: &ClearTasks,
    ) -> Result<Vec<TaskInstance>, AirflowError> {
        self.clear(dag_id, request, false).await
    }

    /// The dry run of [`Airflow::clear_tasks`]: lists what it would clear, changes nothing.
    pub async fn would_clear_tasks(
        &self,
        dag_id: &str,
        request: &ClearTasks,
    ) -> Result<Vec<TaskInstance>, AirflowError> {
        self.clear(dag_id, request, true).await
    }

    /// Clears a whole run (every task reruns); returns those cleared.
    pub async fn clear_run(
        &self,
        approval: &Approval,
        dag_id: &str,
        run_id: &str,
    ) -> Result<Vec<TaskInstance>, AirflowError> {
        self.clear_tasks(approval, dag_id, &ClearTasks::whole_run(run_id))
            .await
    }

    /// The dry run of [`Airflow::clear_run`]: lists what it would clear, changes nothing.
    pub async fn would_clear_run(
        &self,
        dag_id: &str,
        run_id: &str,
    ) -> Result<Vec<TaskInstance>, AirflowError> {
        self.would_clear_tasks(dag_id, &ClearTasks::whole_run(run_id))
            .await
    }

    async fn clear(
        &self,
        dag_id: &str,
        request: &ClearTasks,
        dry_run: bool,
    ) -> Result<Vec<TaskInstance>, AirflowError> {
        let operation = if dry_run {
            format!("list what clearing in {dag_id} {} reruns", request.run_id)
        } else {
            format!("clear tasks of {dag_id} {}", request.run_id)
        };
        let mut body = json!({
            "dry_run": dry_run,
            "dag_run_id": request.run_id,
            "include_downstream": request.include_downstream,
            "include_upstream": request.include_upstream,
            "only_failed": request.only_failed,
            "reset_dag_runs": true,
        });
        if !request.task_ids.is_empty() {
            body["task_ids"] = json!(request.task_ids);
        }
        let path = format!("/dags/{}/clearTaskInstances", encode_segment(dag_id));
        let answer = self
            .call(&operation, Method::POST, path, Vec::new(), Some(body))
            .await?;
        let items = wire::items(&answer, "task_instances");
        let mut cleared: Vec<TaskInstance> = items
            .iter()
            .map(|v| {
                let mut ti = wire::task_instance(v);
                if ti.key.dag_id.is_empty() {
                    ti.key.dag_id = dag_id.to_owned();
                }
                ti
            })
            .collect();
        // Airflow 2's answer names the task instances without their state: look them up, so
        // the dry run says what each one is before it reruns.
        if !items.iter().all(wire::has_state) {
            let now = self.task_instances(dag_id, &request.run_id).await?;
            for ti in &mut cleared {
                if let Some(current) = now.iter().find(|c| {
                    c.key.task_id == ti.key.task_id && c.key.map_index == ti.key.map_index
                }) {
                    ti.state = current.state.clone();
                    ti.try_number = current.try_number;
                }
            }
        }
        Ok(cleared)
    }

    /// Marks one task instance success or failed.
    pub async fn mark_task(
        &self,
        _approval: &Approval,
        key: &TaskKey,
        state: MarkState,
    ) -> Result<TaskInstance, AirflowError> {
        let operation = format!("mark {} {}", key.task_id, state.as_str());
        let api = self.dialect_api(&operation).await?;
        let path = task_base_path(key);
        let (query, body) = match api {
            Api::V1 => (
                Vec::new(),
                json!({ "dry_run": false, "new_state": state.as_str() }),
            ),
            Api::V2 => (map_index_query(key), json!({ "new_state": state.as_str() })),
        };
        let path = match (api, key.map_index) {
            (Api::V1, index) if index >= 0 => format!("{path}/{index}"),
            _ => path,
        };
        self.call(&operation, Method::PATCH, path, query, Some(body))
            .await?;
        self.task_instance(key).await
    }

    /// One task instance as it is now.
    pub async fn task_instance(&self, key: &TaskKey) -> Result<TaskInstance, AirflowError> {
        let operation = format!("read task instance {}", key.task_id);
        let answer = self.get(&operation, task_path(key), Vec::new()).await?;
        Ok(wire::task_instance(&answer))
    }

    /// What Airflow recorded about one task instance: its rendered template fields, XCom
    /// entries and extra links (see [`TaskRecord`]).
    pub async fn task_record(&self, key: &TaskKey) -> Result<TaskRecord, AirflowError> {
        let operation = format!("read task instance {}", key.task_id);
        let answer = self.get(&operation, task_path(key), Vec::new()).await?;
        self.record_of(&answer).await
    }

    /// The records of every task instance of one run, in the API's order.
    pub async fn task_records(
        &self,
        dag_id: &str,
        run_id: &str,
    ) -> Result<Vec<TaskRecord>, AirflowError> {
        use futures::stream::{self, StreamExt, TryStreamExt};
        let items = self.task_instance_answers(dag_id, run_id).await?;
        stream::iter(items)
            .map(|v| async move { self.record_of(&v).await })
            .buffered(PARALLEL_REQUESTS)
            .try_collect()
            .await
    }

    async fn record_of(&self, answer: &Value) -> Result<TaskRecord, AirflowError> {
        let instance = wire::task_instance(answer);
        let mut record = TaskRecord {
            rendered_fields: wire::rendered_fields(answer),
            xcom: Vec::new(),
            links: Vec::new(),
            xcom_left_out: 0,
            instance,
        };
        // A task that never started pushed nothing and has no links.
        if record.instance.try_number == 0 || record.instance.start_date.is_none() {
            return Ok(record);
        }
        let key = &record.instance.key;
        let (xcom, links) = futures::try_join!(self.xcom_entries(key), self.extra_links(key))?;
        (record.xcom, record.xcom_left_out) = xcom;
        record.links = links;
        Ok(record)
    }

    /// The XCom entries of one task instance (at most [`XCOM_ENTRIES`]; the count of those left
    /// out comes second).
    pub async fn xcom_entries(
        &self,
        key: &TaskKey,
    ) -> Result<(Vec<XComEntry>, usize), AirflowError> {
        use futures::stream::{self, StreamExt, TryStreamExt};
        let operation = format!("list XCom entries of {}", key.task_id);
        let path = format!("{}/xcomEntries", task_base_path(key));
        let mut query = map_index_query(key);
        query.push(("limit".into(), XCOM_ENTRIES.to_string()));
        let listed = match self.get(&operation, path.clone(), query).await {
            Ok(listed) => listed,
            Err(e) if e.kind == ErrorKind::NotFound => return Ok((Vec::new(), 0)),
            Err(e) => return Err(e),
        };
        let keys: Vec<String> = wire::items(&listed, "xcom_entries")
            .iter()
            .filter_map(|entry| wire::text(entry, "key"))
            .take(XCOM_ENTRIES)
            .collect();
        let total = wire::total_entries(&listed).map_or(keys.len(), |t| t as usize);
        let entries: Vec<XComEntry> = stream::iter(keys)
            .map(|xcom_key| {
                let operation = format!("read XCom {xcom_key} of {}", key.task_id);
                let path = format!("{path}/{}", encode_segment(&xcom_key));
                async move {
                    let entry = self.get(&operation, path, map_index_query(key)).await?;
                    Ok::<_, AirflowError>(XComEntry {
                        value: wire::xcom_value(&entry),
                        key: xcom_key,
                    })
                }
            })
            .buffered(PARALLEL_REQUESTS)
            .try_collect()
            .await?;
        let left_out = total.saturating_sub(entries.len());
        Ok((entries, left_out))
    }

    /// The operator extra links of one task instance (none when the server has no such
    /// endpoint).
    pub async fn extra_links(&self, key: &TaskKey) -> Result<Vec<ExtraLink>, AirflowError> {
        let operation = format!("read the extra links of {}", key.task_id);
        let path = format!("{}/links", task_base_path(key));
        match self.get(&operation, path, map_index_query(key)).await {
            Ok(answer) => Ok(wire::extra_links(&answer)),
            Err(e) if e.kind == ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }
}

/// A batch list (`POST …/list`): a read sent as a POST for its long body.
fn is_batch_list(path: &str) -> bool {
    path.ends_with("/dagRuns/list")
}

/// The runs' sort order newest first: by logical date on v1, by `run_after` on v2.
fn newest_first(api: Api) -> &'static str {
    match api {
        Api::V1 => "-execution_date",
        Api::V2 => "-run_after",
    }
}

/// `map_index=N` for a mapped task instance, nothing otherwise.
fn map_index_query(key: &TaskKey) -> Vec<(String, String)> {
    if key.map_index >= 0 {
        vec![("map_index".into(), key.map_index.to_string())]
    } else {
        Vec::new()
    }
}

/// Tries 1..=n of a task instance whose history the server cannot list: the earlier ones
/// known by number only.
fn tries_without_history(current: TaskInstance) -> Vec<TaskInstance> {
    let earlier = (1..current.try_number).map(|try_number| TaskInstance {
        try_number,
        state: State::None,
        queued_at: None,
        start_date: None,
        end_date: None,
        duration: None,
        hostname: None,
        note: None,
        ..current.clone()
    });
    let last = (current.try_number > 0).then_some(current.clone());
    earlier.chain(last).collect()
}

/// `/dags/{dag}/dagRuns/{run}`, encoded.
fn run_path(dag_id: &str, run_id: &str) -> String {
    format!(
        "/dags/{}/dagRuns/{}",
        encode_segment(dag_id),
        encode_segment(run_id)
    )
}

/// `/dags/{dag}/dagRuns/{run}/taskInstances/{task}`, encoded (sub-resources such as
/// `xcomEntries` and `links` take the map index as a query parameter).
fn task_base_path(key: &TaskKey) -> String {
    format!(
        "{}/taskInstances/{}",
        run_path(&key.dag_id, &key.run_id),
        encode_segment(&key.task_id)
    )
}

/// `/dags/{dag}/dagRuns/{run}/taskInstances/{task}[/{map_index}]`, encoded.
fn task_path(key: &TaskKey) -> String {
    let path = task_base_path(key);
    if key.map_index >= 0 {
        format!("{path}/{}", key.map_index)
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_are_percent_encoded_and_the_wildcard_is_kept() {
        assert_eq!(
            encode_segment("manual__2026-11-24T04:00:00+00:00"),
            "manual__2026-11-24T04%3A00%3A00%2B00%3A00"
        );
        assert_eq!(encode_segment("~"), "~");
        assert_eq!(encode_segment("a b/c"), "a%20b%2Fc");
        let key = TaskKey {
            dag_id: "d".into(),
            run_id: "r+1".into(),
            task_id: "t".into(),
            map_index: 2,
        };
        assert_eq!(task_path(&key), "/dags/d/dagRuns/r%2B1/taskInstances/t/2");
    }

    #[test]
    fn tries_without_history_are_numbered_up_to_the_current_one() {
        let current = wire::task_instance(&serde_json::json!({
            "dag_id": "d", "dag_run_id": "r", "task_id": "t", "state": "success",
            "try_number": 3, "start_date": "2026-11-24T04:00:00Z"
        }));
        let tries = tries_without_history(current.clone());
        let numbers: Vec<(u32, State)> = tries
            .iter()
            .map(|t| (t.try_number, t.state.clone()))
            .collect();
        assert_eq!(
            numbers,
            [(1, State::None), (2, State::None), (3, State::Success)]
        );
        assert_eq!(tries[0].start_date, None);
        assert_eq!(tries[2], current);
        let never = TaskInstance {
            try_number: 0,
            ..current
        };
        assert!(tries_without_history(never).is_empty());
    }

    #[tokio::test]
    async fn nothing_listening_is_unreachable_and_said_so() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let airflow = Airflow::self_hosted("ops", &format!("http://127.0.0.1:{port}"), None);
        let err = airflow.dags().await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unreachable);
        let text = err.to_string();
        assert!(
            text.starts_with(&format!(
                "Airflow ops: cannot list DAGs: http://127.0.0.1:{port}/api/v2/version did not answer"
            )),
            "{text}"
        );
        assert!(
            text.ends_with("is the Airflow api-server up? (retrying on refresh)"),
            "{text}"
        );
        // Nothing was cached from the failure: the next call tries again.
        assert_eq!(
            airflow.dags().await.unwrap_err().kind,
            ErrorKind::Unreachable
        );
    }
}
