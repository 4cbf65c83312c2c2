//! The pipeline strip: the stages (tasks, in dependency order) of a DAG's latest run, each with
//! the AWS resource it drove and that resource's state, and the data lake's layers (raw/,
//! staging/, gold/): objects and bytes in each, and how many of them the run wrote (modified
//! while it ran).

use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};
use serde::Serialize;

use super::resolve::{resolve, TaskLink};
use crate::airflow::{Airflow, AirflowError, DagRun, RunQuery};
use crate::aws::s3::Entry;
use crate::clients::Clients;

/// The DAG the strip is drawn for unless told otherwise.
pub const PIPELINE_DAG: &str = "prepare_data_nyc";
/// The data lake's layers, in the order data flows through them.
pub const LAYERS: [&str; 3] = ["raw/", "staging/", "gold/"];
/// Listing pages (of 1,000 keys) read per layer; a larger layer is counted in part, and said so.
const PAGES_PER_LAYER: usize = 20;
const PARALLEL: usize = 4;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pipeline {
    pub environment: String,
    pub dag_id: String,
    pub run_id: String,
    pub run_state: String,
    pub run_start: Option<DateTime<Utc>>,
    pub run_end: Option<DateTime<Utc>>,
    pub stages: Vec<Stage>,
    /// Empty when the context names no data lake bucket.
    pub layers: Vec<LayerObjects>,
    /// Why the layers are not counted, when they are not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layers_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    pub task_id: String,
    pub state: String,
    pub try_number: u32,
    /// The AWS resource the stage drove, looked up; `None` when it drove none (or never ran).
    pub link: Option<TaskLink>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerObjects {
    /// `s3://bucket/raw/`.
    pub prefix: String,
    pub objects: u64,
    pub bytes: u64,
    /// Objects modified while the run ran (from its start to its end, or to now).
    pub written_in_run: u64,
    pub bytes_in_run: u64,
    /// Every object was counted (false: the listing was cut at its bound).
    pub complete: bool,
}

/// The strip of `dag_id`'s latest run; `None` when it never ran.
pub async fn strip(
    airflow: &Airflow,
    clients: &Clients,
    dag_id: &str,
    bucket: Option<&str>,
) -> Result<Option<Pipeline>, AirflowError> {
    let newest = RunQuery {
        limit: 1,
        ..RunQuery::default()
    };
    let Some(run) = airflow
        .dag_runs(dag_id, &newest)
        .await?
        .items
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let stages = stages(airflow, clients, dag_id, &run.run_id).await?;
    let (layers, layers_error) = match bucket {
        Some(bucket) => match layers_of(clients, bucket, &run).await {
            Ok(layers) => (layers, None),
            Err(e) => (Vec::new(), Some(e)),
        },
        None => (
            Vec::new(),
            Some("the context names no datalake_bucket".into()),
        ),
    };
    Ok(Some(Pipeline {
        environment: airflow.info().name.clone(),
        dag_id: dag_id.to_owned(),
        run_id: run.run_id.clone(),
        run_state: run.state.as_str().to_owned(),
        run_start: run.start_date,
        run_end: run.end_date,
        stages,
        layers,
        layers_error,
    }))
}

/// Every task instance of one run in dependency order, each with the AWS resource it drove,
/// looked up (what a task table's resource column shows).
pub async fn stages(
    airflow: &Airflow,
    clients: &Clients,
    dag_id: &str,
    run_id: &str,
) -> Result<Vec<Stage>, AirflowError> {
    let (tasks, records) =
        futures::try_join!(airflow.tasks(dag_id), airflow.task_records(dag_id, run_id))?;
    let ordered: Vec<_> = tasks
        .iter()
        .filter_map(|task| {
            records
                .iter()
                .find(|r| r.instance.key.task_id == task.task_id)
                .cloned()
        })
        .collect();
    // Owned records: see `now::environment_items` (futures that views spawn must be `Send`).
    Ok(stream::iter(ordered)
        .map(|record| async move {
            Stage {
                task_id: record.instance.key.task_id.clone(),
                state: record.instance.state.as_str().to_owned(),
                try_number: record.instance.try_number,
                link: resolve(&record, airflow, clients).await,
            }
        })
        .buffered(PARALLEL)
        .collect()
        .await)
}

async fn layers_of(
    clients: &Clients,
    bucket: &str,
    run: &DagRun,
) -> Result<Vec<LayerObjects>, String> {
    let end = if run.state.is_active() {
        None
    } else {
        run.end_date
    };
    let window = (run.start_date, end);
    let mut layers = Vec::new();
    for prefix in LAYERS {
        layers.push(count(clients, bucket, prefix, window).await?);
    }
    Ok(layers)
}

/// Objects and bytes under `prefix`, and those modified within `window` (an open end: now).
async fn count(
    clients: &Clients,
    bucket: &str,
    prefix: &str,
    window: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
) -> Result<LayerObjects, String> {
    let mut layer = LayerObjects {
        prefix: format!("s3://{bucket}/{prefix}"),
        objects: 0,
        bytes: 0,
        written_in_run: 0,
        bytes_in_run: 0,
        complete: false,
    };
    let in_run = |t: Option<DateTime<Utc>>| match (t, window.0) {
        (Some(t), Some(start)) => t >= start && window.1.is_none_or(|end| t <= end),
        _ => false,
    };
    let mut token = None;
    for _ in 0..PAGES_PER_LAYER {
        let page = clients
            .s3
            .list_page(bucket, prefix, None, token, None)
            .await
            .map_err(|e| e.to_string())?;
        for entry in &page.entries {
            if let Entry::Object {
                size,
                last_modified,
                ..
            } = entry
            {
                layer.objects += 1;
                layer.bytes += size;
                if in_run(*last_modified) {
                    layer.written_in_run += 1;
                    layer.bytes_in_run += size;
                }
            }
        }
        token = page.next_token;
        if token.is_none() {
            layer.complete = true;
            break;
        }
    }
    Ok(layer)
}
