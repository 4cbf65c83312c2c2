//! What is failing now across every layer of a context: Airflow runs that failed since their
//! DAG last succeeded (and the runs still going), each with its failing task and the AWS
//! resource behind it, looked up; Glue jobs whose latest run failed; crawlers whose last crawl
//! failed; failed steps of the newest EMR cluster of each name; SQL statements whose latest
//! submission failed. A layer that cannot be read is said, never taken for "nothing failing".

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};
use serde::Serialize;

use super::error_line;
use super::pipeline::{self, Pipeline};
use super::resolve::{look_up, resolve, TaskLink};
use crate::airflow::{Airflow, DagRun, RunQuery, State, TaskInstance, TaskKey};
use crate::aws::emr::ClusterFilter;
use crate::aws::glue::RunState;
use crate::aws::redshift::StatementState;
use crate::clients::Clients;
use crate::logs::airflow::task_log_source;
use crate::logs::structured;
use crate::triage::link::LinkKind;

/// Runs read per DAG (newest first) to find those that failed since its last success.
const RUNS_PER_DAG: usize = 25;
/// Failed runs reported per DAG, newest first.
const FAILED_RUNS_PER_DAG: usize = 5;
/// Lookups in flight at once.
const PARALLEL: usize = 6;
/// MWAA environment states in which no Airflow runs.
const NO_AIRFLOW_YET: &[&str] = &["CREATING", "CREATE_FAILED", "DELETING", "DELETED"];

/// The layer a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    Airflow,
    Glue,
    Crawler,
    Emr,
    Sql,
}

impl Layer {
    pub fn name(self) -> &'static str {
        match self {
            Layer::Airflow => "airflow",
            Layer::Glue => "glue",
            Layer::Crawler => "crawler",
            Layer::Emr => "emr",
            Layer::Sql => "sql",
        }
    }
}

/// One thing that is failing (or, for Airflow runs, still running).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub layer: Layer,
    /// The Airflow environment (Airflow items only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// What it is: `prepare_data_nyc manual__… process_to_staging_nyc`, `glue job j run jr_…`.
    pub subject: String,
    /// Its state in its own layer (`failed`, `running`, `FAILED`).
    pub state: String,
    /// Failing (false: a run that is still going and has no failed task).
    pub failing: bool,
    /// When it failed (or started, while it runs).
    pub at: Option<DateTime<Utc>>,
    /// The first error line: the root cause's when known.
    pub error: Option<String>,
    /// The failing (or running) task of an Airflow run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskRef>,
    /// The AWS resource: behind an Airflow task (its root cause), or the failing one itself.
    pub link: Option<TaskLink>,
}

/// The task instance an Airflow item is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskRef {
    pub dag_id: String,
    pub run_id: String,
    pub task_id: String,
    pub map_index: i64,
    pub try_number: u32,
    pub state: String,
}

impl TaskRef {
    fn of(ti: &TaskInstance) -> Self {
        TaskRef {
            dag_id: ti.key.dag_id.clone(),
            run_id: ti.key.run_id.clone(),
            task_id: ti.key.task_id.clone(),
            map_index: ti.key.map_index,
            try_number: ti.try_number,
            state: ti.state.as_str().to_owned(),
        }
    }

    pub fn key(&self) -> TaskKey {
        TaskKey {
            dag_id: self.dag_id.clone(),
            run_id: self.run_id.clone(),
            task_id: self.task_id.clone(),
            map_index: self.map_index,
        }
    }
}

/// A layer (or one Airflow environment) that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unread {
    pub layer: Layer,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    pub error: String,
}

/// What is failing now in one context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Triage {
    pub context: String,
    pub at: DateTime<Utc>,
    /// Failing first, then running; newest first within each.
    pub items: Vec<Item>,
    /// The pipeline strip (prepare_data_nyc's latest run), when an environment has the DAG.
    pub pipeline: Option<Pipeline>,
    pub unread: Vec<Unread>,
}

impl Triage {
    /// Something is failing.
    pub fn is_failing(&self) -> bool {
        self.items.iter().any(|i| i.failing)
    }
}

/// Which context to look at, and where its data lake is.
pub struct Scope<'a> {
    pub context: &'a str,
    pub datalake_bucket: Option<&'a str>,
    pub pipeline_dag: &'a str,
}

/// Reads every layer of the context (at the same time) and gathers what is failing.
pub async fn triage(clients: &Clients, scope: &Scope<'_>) -> Triage {
    let at = Utc::now();
    let (airflow, glue, crawlers, emr, sql) = futures::join!(
        airflow_layer(clients, scope),
        glue_jobs(clients),
        crawlers(clients),
        emr_steps(clients),
        sql_statements(clients),
    );
    let mut triage = Triage {
        context: scope.context.to_owned(),
        at,
        items: Vec::new(),
        pipeline: airflow.pipeline,
        unread: airflow.unread,
    };
    triage.items.extend(airflow.items);
    for (layer, result) in [
        (Layer::Glue, glue),
        (Layer::Crawler, crawlers),
        (Layer::Emr, emr),
        (Layer::Sql, sql),
    ] {
        match result {
            Ok(items) => triage.items.extend(items),
            Err(error) => triage.unread.push(Unread {
                layer,
                environment: None,
                error,
            }),
        }
    }
    triage
        .items
        .sort_by(|a, b| b.failing.cmp(&a.failing).then(b.at.cmp(&a.at)));
    triage
}

struct AirflowLayer {
    items: Vec<Item>,
    pipeline: Option<Pipeline>,
    unread: Vec<Unread>,
}

/// Every Airflow environment of the context, each read once (environments that reach the same
/// webserver, such as the sandbox's own and its MWAA stand-in, count once).
async fn airflow_layer(clients: &Clients, scope: &Scope<'_>) -> AirflowLayer {
    let mut layer = AirflowLayer {
        items: Vec::new(),
        pipeline: None,
        unread: Vec::new(),
    };
    let environments = match clients.airflow.list().await {
        Ok(environments) => environments,
        Err(e) => {
            layer.unread.push(Unread {
                layer: Layer::Airflow,
                environment: None,
                error: e.to_string(),
            });
            return layer;
        }
    };
    let mut urls = HashSet::new();
    for environment in environments {
        if NO_AIRFLOW_YET.contains(&environment.status.as_str()) {
            continue; // an MWAA environment without a webserver has nothing to fail
        }
        let same_server = environment.url.as_ref().map(|u| {
            u.trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_owned()
        });
        if let Some(url) = same_server {
            if !urls.insert(url) {
                continue;
            }
        }
        let name = environment.name;
        let read = async {
            let airflow = clients
                .airflow
                .connect(Some(&name))
                .await
                .map_err(|e| e.to_string())?;
            let strip = layer.pipeline.is_none();
            environment_items(&airflow, clients, scope, strip).await
        };
        match read.await {
            Ok((items, pipeline)) => {
                layer.items.extend(items);
                if layer.pipeline.is_none() {
                    layer.pipeline = pipeline;
                }
            }
            Err(error) => layer.unread.push(Unread {
                layer: Layer::Airflow,
                environment: Some(name),
                error,
            }),
        }
    }
    layer
}

/// One environment: its failing and running runs, and (when `strip`) the pipeline strip if it
/// has the DAG.
async fn environment_items(
    airflow: &Airflow,
    clients: &Clients,
    scope: &Scope<'_>,
    strip: bool,
) -> Result<(Vec<Item>, Option<Pipeline>), String> {
    let dags = airflow.dags().await.map_err(|e| e.to_string())?;
    let recent = RunQuery {
        limit: RUNS_PER_DAG,
        ..RunQuery::default()
    };
    // Owned ids (not `&Dag`): a closure over borrowed items makes the future lose `Send` for
    // the views that spawn it (rustc's higher-ranked lifetime limitation).
    let ids: Vec<String> = dags.iter().map(|d| d.dag_id.clone()).collect();
    let runs: Vec<Vec<DagRun>> = stream::iter(ids)
        .map(|dag_id| {
            let recent = &recent;
            async move {
                let page = airflow.dag_runs(&dag_id, recent).await?;
                Ok::<_, crate::airflow::AirflowError>(page.items)
            }
        })
        .buffered(PARALLEL)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let watched: Vec<DagRun> = runs.into_iter().flat_map(runs_to_watch).collect();
    let items = stream::iter(watched)
        .map(|run| run_item(airflow, clients, run))
        .buffered(PARALLEL)
        .collect::<Vec<_>>()
        .await;
    let pipeline = if strip && dags.iter().any(|d| d.dag_id == scope.pipeline_dag) {
        pipeline::strip(airflow, clients, scope.pipeline_dag, scope.datalake_bucket)
            .await
            .map_err(|e| e.to_string())?
    } else {
        None
    };
    Ok((items, pipeline))
}

/// Of one DAG's runs (newest first): those still going, and those that failed since the last
/// success (at most [`FAILED_RUNS_PER_DAG`]).
fn runs_to_watch(runs: Vec<DagRun>) -> Vec<DagRun> {
    let mut watched = Vec::new();
    let mut failed = 0;
    let mut succeeded = false;
    for run in runs {
        if run.state.is_active() {
            watched.push(run);
        } else if run.state == State::Success {
            succeeded = true;
        } else if run.state == State::Failed && !succeeded && failed < FAILED_RUNS_PER_DAG {
            failed += 1;
            watched.push(run);
        }
    }
    watched
}

/// A run with its failing task (the failed one that ended first: what failed after it failed
/// because of it) or, while it runs without failure, its running task; the task's resource
/// looked up.
async fn run_item(airflow: &Airflow, clients: &Clients, run: DagRun) -> Item {
    let subject = format!("{} {}", run.dag_id, run.run_id);
    let mut item = Item {
        layer: Layer::Airflow,
        environment: Some(airflow.info().name.clone()),
        subject,
        state: run.state.as_str().to_owned(),
        failing: run.state.is_failure(),
        at: run.end_date.or(run.start_date).or(run.run_after),
        error: None,
        task: None,
        link: None,
    };
    let instances = match airflow.task_instances(&run.dag_id, &run.run_id).await {
        Ok(instances) => instances,
        Err(e) => {
            item.error = Some(format!("its tasks could not be read: {e}"));
            return item;
        }
    };
    let Some(task) = focus(&instances) else {
        return item;
    };
    item.failing |= task.state == State::Failed;
    item.subject = format!("{} {}", item.subject, task.key.task_id);
    item.task = Some(TaskRef::of(task));
    match airflow.task_record(&task.key).await {
        Ok(record) => {
            item.link = resolve(&record, airflow, clients).await;
            item.error = item.link.as_ref().and_then(|l| {
                l.first_error.clone().or_else(|| {
                    l.lookup_error
                        .as_ref()
                        .map(|e| format!("not looked up: {e}"))
                })
            });
        }
        Err(e) => item.error = Some(format!("what the task recorded could not be read: {e}")),
    }
    if item.error.is_none() && task.state == State::Failed {
        item.error = error_in_task_log(airflow, clients, task).await;
    }
    item
}

/// The error line of a failed task's own log, for a failure no AWS resource explains.
async fn error_in_task_log(
    airflow: &Airflow,
    clients: &Clients,
    task: &TaskInstance,
) -> Option<String> {
    let logs = clients.logs.clone();
    let key = task.key.clone();
    let mut source = task_log_source(airflow.clone(), logs, key, task.try_number, false);
    let chunk = source.fetch_next().await.ok()?;
    // MWAA's CloudWatch task logs are JSON records: their readable lines carry the exception.
    let lines: Vec<String> = chunk
        .lines
        .into_iter()
        .flat_map(|l| structured::readable(&l.text, None).unwrap_or_else(|| vec![l.text]))
        .collect();
    error_line::in_log(&lines)
}

/// The task a run is about: the failed one that ended first (what failed after it failed
/// because of it), else a running one. Where a task table or grid puts its cursor first.
pub fn focus(instances: &[TaskInstance]) -> Option<&TaskInstance> {
    let failed = instances
        .iter()
        .filter(|t| t.state == State::Failed)
        .min_by_key(|t| t.end_date.or(t.start_date));
    failed.or_else(|| {
        instances
            .iter()
            .filter(|t| t.state.is_active() && t.state != State::Scheduled)
            .min_by_key(|t| t.start_date)
    })
}

/// An AWS-layer item for a failing resource, looked up for its error and root-cause log.
async fn aws_item(
    layer: Layer,
    subject: String,
    at: Option<DateTime<Utc>>,
    kind: LinkKind,
    clients: &Clients,
) -> Item {
    let link = look_up(kind, clients).await;
    Item {
        layer,
        environment: None,
        subject,
        state: link.state.clone().unwrap_or_else(|| "failed".into()),
        failing: true,
        at,
        error: link.first_error.clone(),
        task: None,
        link: Some(link),
    }
}

/// Glue jobs whose latest run failed.
async fn glue_jobs(clients: &Clients) -> Result<Vec<Item>, String> {
    let jobs = clients.glue.jobs().await.map_err(|e| e.to_string())?;
    let jobs = clients
        .glue
        .with_latest_runs(jobs)
        .await
        .map_err(|e| e.to_string())?;
    let failed = jobs.into_iter().filter_map(|job| {
        let run = job.last_run?;
        (run.run_state() == RunState::Failed).then_some(run)
    });
    Ok(stream::iter(failed)
        .map(|run| {
            let subject = format!("glue job {} run {}", run.job_name, run.id);
            let kind = LinkKind::GlueRun {
                job: run.job_name.clone(),
                run_id: run.id.clone(),
            };
            aws_item(
                Layer::Glue,
                subject,
                run.completed.or(run.started),
                kind,
                clients,
            )
        })
        .buffered(PARALLEL)
        .collect()
        .await)
}

/// Crawlers whose last crawl failed.
async fn crawlers(clients: &Clients) -> Result<Vec<Item>, String> {
    let crawlers = clients.glue.crawlers().await.map_err(|e| e.to_string())?;
    let failed = crawlers.into_iter().filter(|c| {
        c.state == "READY"
            && c.last_crawl
                .as_ref()
                .is_some_and(|crawl| crawl.status == "FAILED")
    });
    Ok(stream::iter(failed)
        .map(|crawler| {
            let at = crawler.last_crawl.as_ref().and_then(|c| c.started);
            let subject = format!("crawler {}", crawler.name);
            let kind = LinkKind::Crawler { name: crawler.name };
            aws_item(Layer::Crawler, subject, at, kind, clients)
        })
        .buffered(PARALLEL)
        .collect()
        .await)
}

/// Failed steps of the newest cluster of each name (an older cluster's failure was followed by
/// a newer cluster), and that cluster itself when it ended with errors without a failed step.
async fn emr_steps(clients: &Clients) -> Result<Vec<Item>, String> {
    let page = clients
        .emr
        .list_clusters_page(ClusterFilter::All, None)
        .await
        .map_err(|e| e.to_string())?;
    let mut newest = BTreeMap::new();
    for cluster in page.clusters {
        let slot = newest
            .entry(cluster.name.clone())
            .or_insert(cluster.clone());
        if cluster.created > slot.created {
            *slot = cluster;
        }
    }
    let mut items = Vec::new();
    for cluster in newest.into_values() {
        let steps = clients
            .emr
            .list_steps(&cluster.id)
            .await
            .map_err(|e| e.to_string())?;
        let failed: Vec<_> = steps.iter().filter(|s| s.state == "FAILED").collect();
        for step in &failed {
            let subject = format!(
                "emr cluster {} step {} ({})",
                cluster.id, step.id, step.name
            );
            let kind = LinkKind::EmrStep {
                cluster: cluster.id.clone(),
                step: step.id.clone(),
            };
            items.push(aws_item(Layer::Emr, subject, step.ended, kind, clients).await);
        }
        if failed.is_empty() && cluster.state == "TERMINATED_WITH_ERRORS" {
            let subject = format!("emr cluster {} ({})", cluster.id, cluster.name);
            let kind = LinkKind::EmrCluster {
                id: cluster.id.clone(),
            };
            items.push(aws_item(Layer::Emr, subject, cluster.ended, kind, clients).await);
        }
    }
    Ok(items)
}

/// Statements whose latest submission (by name, or by text when unnamed) failed.
async fn sql_statements(clients: &Clients) -> Result<Vec<Item>, String> {
    let statements = clients
        .redshift
        .list_statements()
        .await
        .map_err(|e| e.to_string())?;
    let mut latest = BTreeMap::new();
    for statement in statements {
        let group = statement
            .name
            .clone()
            .unwrap_or_else(|| statement.sql.clone());
        let slot = latest.entry(group).or_insert(statement.clone());
        if statement.created > slot.created {
            *slot = statement;
        }
    }
    let failed = latest
        .into_values()
        .filter(|s| matches!(s.state, StatementState::Failed | StatementState::Aborted));
    Ok(stream::iter(failed)
        .map(|statement| {
            let subject = match &statement.name {
                Some(name) => format!("sql statement {} ({name})", statement.id),
                None => format!("sql statement {}", statement.id),
            };
            let kind = LinkKind::SqlStatement {
                id: statement.id.clone(),
            };
            aws_item(Layer::Sql, subject, statement.created, kind, clients)
        })
        .buffered(PARALLEL)
        .collect()
        .await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: &str, state: State) -> DagRun {
        DagRun {
            dag_id: "d".into(),
            run_id: id.into(),
            state,
            run_type: "manual".into(),
            logical_date: None,
            run_after: None,
            queued_at: None,
            start_date: None,
            end_date: None,
            conf: serde_json::json!({}),
            note: None,
        }
    }

    #[test]
    fn runs_that_failed_since_the_last_success_and_running_ones_are_watched() {
        let runs = vec![
            run("r6", State::Running),
            run("r5", State::Failed),
            run("r4", State::Failed),
            run("r3", State::Success),
            run("r2", State::Failed),
            run("r1", State::Queued),
        ];
        let ids: Vec<String> = runs_to_watch(runs).into_iter().map(|r| r.run_id).collect();
        assert_eq!(ids, ["r6", "r5", "r4", "r1"]);
    }

    #[test]
    fn the_focus_is_the_first_failure_else_a_running_task() {
        let ti = |task: &str, state: State, end: i64| {
            let key = TaskKey {
                dag_id: "d".into(),
                run_id: "r".into(),
                task_id: task.into(),
                map_index: -1,
            };
            let mut ti = TaskInstance::new(key, state, 1);
            ti.end_date = DateTime::from_timestamp(end, 0);
            ti.start_date = DateTime::from_timestamp(end - 10, 0);
            ti
        };
        let failed = [
            ti("a", State::Success, 10),
            ti("c", State::Failed, 40),
            ti("b", State::Failed, 30),
            ti("d", State::UpstreamFailed, 41),
        ];
        assert_eq!(focus(&failed).map(|t| t.key.task_id.as_str()), Some("b"));
        let running = [ti("a", State::Success, 10), ti("b", State::Running, 20)];
        assert_eq!(focus(&running).map(|t| t.key.task_id.as_str()), Some("b"));
        assert!(focus(&[ti("a", State::Success, 10)]).is_none());
    }
}
