//! Load of the DAG list on a real Airflow 3 with 20 and 500 DAGs: the time from a fresh client
//! to the list (DAGs shown, then with every last run) and the requests one refresh sends, as
//! requests a minute at the default 5 s refresh; beside the same for the old way (one runs
//! request per DAG) and the floor (the same requests over plain HTTP, token fetched before).
//!
//! Run: `cargo bench --bench airflow_load` (starts one Airflow per size with a scratch DAG
//! folder; a minute or two each). To reuse running servers (admin/admin):
//! `AIRFLOW_BENCH_URLS=20=http://127.0.0.1:8080,500=http://127.0.0.1:8081`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use platform_tui::airflow::{Airflow, RunQuery};
use serde_json::{json, Value};
use support::airflow::{eventually, AirflowServer, Options, Version};

const SIZES: [usize; 2] = [20, 500];
const RUNS: usize = 5;
/// The console's default refresh interval.
const REFRESH: Duration = Duration::from_secs(5);
/// How many per-DAG requests the old DAG list had in flight.
const OLD_PARALLEL: usize = 8;

fn client(url: &str) -> Airflow {
    Airflow::self_hosted("bench", url, Some(("admin".into(), "admin".into())))
}

fn write_dags(folder: &Path, count: usize) {
    std::fs::write(
        folder.join("many_dags.py"),
        format!(
            r#""""{count} generated Airflow DAGs for the load benchmark (one scheduled run each)."""
from datetime import datetime
from airflow import DAG
try:
    from airflow.providers.standard.operators.empty import EmptyOperator
except ImportError:
    from airflow.operators.empty import EmptyOperator

for i in range({count}):
    with DAG(f"load_{{i:03d}}", schedule="@daily", start_date=datetime(2024, 1, 1),
             catchup=False, is_paused_upon_creation=False, tags=["load"]) as dag:
        EmptyOperator(task_id="noop")
    globals()[f"dag_{{i}}"] = dag
"#
        ),
    )
    .expect("the scratch DAG file");
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn per_minute(requests: u64) -> u64 {
    requests * 60 / REFRESH.as_secs()
}

/// The old DAG list: the DAGs, then one newest-run request per DAG, eight at a time.
async fn old_way(airflow: &Airflow) -> usize {
    let dags = airflow.dags().await.expect("DAGs");
    let newest = RunQuery {
        limit: 1,
        ..RunQuery::default()
    };
    let runs: Vec<_> = futures::stream::iter(&dags)
        .map(|dag| airflow.dag_runs(&dag.dag_id, &newest))
        .buffered(OLD_PARALLEL)
        .try_collect()
        .await
        .expect("runs");
    runs.len()
}

/// The same requests as the new DAG list over plain HTTP: DAG pages, then batch lists.
async fn floor(http: &reqwest::Client, url: &str, token: &str) -> usize {
    let mut ids = Vec::new();
    loop {
        let page: Value = http
            .get(format!("{url}/api/v2/dags"))
            .bearer_auth(token)
            .query(&[
                ("limit", "100".to_owned()),
                ("offset", ids.len().to_string()),
                ("order_by", "dag_id".to_owned()),
            ])
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .expect("DAG page")
            .json()
            .await
            .expect("JSON");
        let got = page["dags"].as_array().cloned().unwrap_or_default();
        ids.extend(
            got.iter()
                .filter_map(|d| d["dag_id"].as_str().map(str::to_owned)),
        );
        if got.len() < 100 {
            break;
        }
    }
    for batch in ids.chunks(100) {
        http.post(format!("{url}/api/v2/dags/~/dagRuns/list"))
            .bearer_auth(token)
            .json(&json!({"dag_ids": batch, "order_by": "-run_after", "page_limit": 100}))
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .expect("batch list");
    }
    ids.len()
}

async fn token(http: &reqwest::Client, url: &str) -> String {
    let answer: Value = http
        .post(format!("{url}/auth/token"))
        .json(&json!({"username": "admin", "password": "admin"}))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("token JSON");
    answer["access_token"].as_str().expect("a token").to_owned()
}

async fn measure(size: usize, url: &str) {
    let warm = client(url);
    eventually(
        &format!("{size} DAGs, each with a run"),
        Duration::from_secs(600),
        || async {
            let dags = warm.dags_with_last_run().await.ok()?;
            (dags.len() >= size && dags.iter().all(|d| d.last_run.is_some())).then_some(())
        },
    )
    .await;

    let (mut rows, mut full) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let fresh = client(url);
        let started = Instant::now();
        let dags = fresh.dags().await.expect("DAGs");
        rows.push(started.elapsed());
        fresh.with_last_runs(dags).await.expect("last runs");
        full.push(started.elapsed());
    }

    let sent = warm.requests();
    warm.dags_with_last_run().await.expect("DAG list");
    let refresh_requests = warm.requests() - sent;

    let mut old = Vec::new();
    let sent = warm.requests();
    for _ in 0..RUNS {
        let started = Instant::now();
        old_way(&warm).await;
        old.push(started.elapsed());
    }
    let old_requests = (warm.requests() - sent) / RUNS as u64;

    let http = reqwest::Client::new();
    let token = token(&http, url).await;
    let mut raw = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        assert!(floor(&http, url, &token).await >= size);
        raw.push(started.elapsed());
    }

    println!(
        "{size} DAGs: DAGs shown {} / with last runs {} from a fresh client (median of {RUNS}); \
         a refresh sends {refresh_requests} requests = {} a minute idle",
        ms(median(rows)),
        ms(median(full)),
        per_minute(refresh_requests),
    );
    println!(
        "{size} DAGs, old way (a runs request per DAG): {} warm, {old_requests} requests = {} a \
         minute; floor (same requests as now over plain HTTP, warm): {}",
        ms(median(old)),
        per_minute(old_requests),
        ms(median(raw)),
    );
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(async {
        if let Ok(urls) = std::env::var("AIRFLOW_BENCH_URLS") {
            for pair in urls.split(',') {
                let (size, url) = pair.split_once('=').expect("SIZE=URL");
                measure(size.parse().expect("a size"), url).await;
            }
            return;
        }
        for size in SIZES {
            let folder = tempfile::tempdir().expect("a scratch DAG folder");
            write_dags(folder.path(), size);
            let started = Instant::now();
            let server = AirflowServer::start(
                Version::Three,
                Options {
                    dags: Some(folder.path().to_owned()),
                    ..Options::default()
                },
            );
            println!(
                "Airflow 3 with {size} DAGs ready in {}",
                ms(started.elapsed())
            );
            measure(size, &server.url()).await;
        }
    });
}
