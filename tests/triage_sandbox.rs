//! Triage against the sandbox with its real Airflow 3, one sandbox for every assertion: an
//! injected Glue job failure, EMR step failure and Redshift SQL failure fail three runs of
//! prepare_data_nyc (one stage each); each failed task is resolved, from what Airflow recorded,
//! to the AWS resource it drove and that resource's error text and root-cause log, through the
//! self-hosted REST API and through the MWAA API; a task that drove nothing resolves to none;
//! the pipeline strip shows the latest run's stages and the lake's layers; and the real binary's
//! `triage --output json|table` names the three failures and exits 1.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use platform_tui::airflow::{Airflow, DagRun, RunQuery, State, TaskInstance};
use platform_tui::clients::Clients;
use platform_tui::config::Context;
use platform_tui::gate::{catalog, Approval};
use platform_tui::sandbox::{self, AirflowMode};
use platform_tui::triage::{self, LinkKind, LogRef, Scope, TaskLink};
use platform_tui::{paths, sandbox::SandboxInfo};
use serde_json::Value;
use support::gate::approval;

const DAG: &str = "prepare_data_nyc";
const MWAA: &str = "nyctaxi-sandbox-mwaa";
const GLUE_ERROR: &str = "KeyError: 'fare_amount'";
const EMR_ERROR: &str =
    "AnalysisException: [PATH_NOT_FOUND] Path does not exist: s3://nyctaxi-sandbox-datalake/staging/trips/";
const SQL_ERROR: &str = "ERROR: relation \"nyc.green_trips_daily_zone\" does not exist";
/// Three runs one after another (max_active_runs=1), about a minute each at most.
const RUNS_TIMEOUT: Duration = Duration::from_secs(540);

struct DownOnDrop;

impl Drop for DownOnDrop {
    fn drop(&mut self) {
        let _ = sandbox::down(&mut |_| {});
    }
}

#[test]
fn failures_in_three_layers_are_traced_to_their_aws_resource_and_error() {
    let started = Instant::now();
    let home = tempfile::tempdir().unwrap();
    std::env::set_var(paths::HOME_OVERRIDE, home.path());
    let info =
        sandbox::up_with(AirflowMode::Start, &mut |line| eprintln!("{line}")).expect("sandbox up");
    let _down = DownOnDrop;
    eprintln!("sandbox up in {:.0?}", started.elapsed());
    for (target, message) in [
        ("glue-job", GLUE_ERROR),
        ("emr-step", EMR_ERROR),
        ("redshift-sql", SQL_ERROR),
    ] {
        sandbox::inject_failure(target, None, Some(message), 1).expect("inject");
    }

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let clients = Clients::connect(&context(&info)).await.unwrap();
        let airflow = clients.airflow.connect(Some("sandbox")).await.unwrap();
        let runs = three_failed_runs(&airflow).await;
        eprintln!("three failed runs after {:.0?}", started.elapsed());

        // Self-hosted (REST v2, JWT): each failure resolved to its resource and error text.
        let traced = trace(&airflow, &clients, &runs).await;
        // MWAA (InvokeRestApi and the web login): the same answers.
        let mwaa = clients.airflow.connect(Some(MWAA)).await.unwrap();
        assert_eq!(trace(&mwaa, &clients, &runs).await, traced);
        eprintln!("traced on both paths after {:.0?}", started.elapsed());

        // A task that drove nothing (it never ran: upstream failed) resolves to none.
        let glue_run = run_failed_at(&airflow, &runs, "process_to_staging_nyc").await;
        let load = airflow
            .task_record(
                &instance(&airflow, &glue_run, "load_nyc_to_redshift")
                    .await
                    .key,
            )
            .await
            .unwrap();
        assert_eq!(load.instance.state, State::UpstreamFailed);
        assert_eq!(triage::resolve(&load, &airflow, &clients).await, None);

        // What is failing now, with the strip of the latest run.
        let scope = Scope {
            context: "sandbox",
            datalake_bucket: Some(&info.datalake_bucket),
            pipeline_dag: DAG,
        };
        let now = triage::triage(&clients, &scope).await;
        assert!(now.is_failing());
        assert!(now.unread.is_empty(), "{:?}", now.unread);
        pipeline_strip(&now, &runs);
    });

    // The real binary, for scripts: JSON and a table, exit status 1.
    let (status, json) = platform_tui(home.path(), &["triage", "--sandbox", "--output", "json"]);
    assert_eq!(status, Some(1), "{json}");
    let document: Value = serde_json::from_str(json.trim()).expect("one JSON document");
    assert_eq!(document["failing"], Value::Bool(true));
    for (kind, error) in [
        ("glue_run", GLUE_ERROR),
        ("emr_step", EMR_ERROR),
        ("sql_statement", SQL_ERROR),
    ] {
        let named = document["items"].as_array().unwrap().iter().any(|item| {
            item["layer"] == "airflow"
                && item["link"]["kind"] == kind
                && item["error"].as_str() == Some(error)
        });
        assert!(named, "no Airflow failure traced to a {kind}: {document:#}");
    }
    let (status, table) = platform_tui(home.path(), &["triage", "--sandbox", "--output", "table"]);
    assert_eq!(status, Some(1), "{table}");
    assert!(
        table.contains(GLUE_ERROR) && table.contains("pipeline prepare_data_nyc"),
        "{table}"
    );
    eprintln!("whole test in {:.0?}", started.elapsed());
}

/// The context `platform-tui --sandbox` opens on.
fn context(info: &SandboxInfo) -> Context {
    Context {
        name: "sandbox".into(),
        endpoint_url: Some(info.endpoint_url.clone()),
        region: Some(info.region.clone()),
        datalake_bucket: Some(info.datalake_bucket.clone()),
        sandbox: true,
        ..Context::default()
    }
}

/// Unpauses the DAG (a scheduled run), triggers two more, and waits until all three failed,
/// one in each stage the injections fail.
async fn three_failed_runs(airflow: &Airflow) -> Vec<DagRun> {
    let unpause = approval(&catalog::AIRFLOW_UNPAUSE).await;
    airflow.set_paused(&unpause, DAG, false).await.unwrap();
    let deadline = Instant::now() + RUNS_TIMEOUT;
    while runs(airflow).await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "no scheduled run after unpausing"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let trigger = approval(&catalog::AIRFLOW_TRIGGER).await;
    for _ in 0..2 {
        trigger_when_the_database_lets_us(airflow, &trigger).await;
    }
    loop {
        let runs = runs(airflow).await;
        if runs.len() == 3 && runs.iter().all(|r| !r.state.is_active()) {
            assert!(runs.iter().all(|r| r.state == State::Failed), "{runs:#?}");
            return runs;
        }
        assert!(Instant::now() < deadline, "runs still going: {runs:#?}");
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// Triggers a run. The sandbox's Airflow keeps its state in SQLite: while the scheduler writes
/// (it is creating the scheduled run just now) the API server may answer 500 "Database error",
/// its transaction rolled back and no run created; asked again a moment later, it succeeds.
async fn trigger_when_the_database_lets_us(airflow: &Airflow, approval: &Approval) {
    for attempt in 1.. {
        match airflow.trigger(approval, DAG, serde_json::json!({})).await {
            Ok(_) => return,
            Err(error) if attempt < 5 && error.to_string().contains("Database error") => {
                eprintln!("trigger answered {error}; again in 2 s");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            Err(error) => panic!("trigger: {error}"),
        }
    }
}

async fn runs(airflow: &Airflow) -> Vec<DagRun> {
    airflow
        .dag_runs(DAG, &RunQuery::default())
        .await
        .unwrap()
        .items
}

async fn instance(airflow: &Airflow, run: &DagRun, task_id: &str) -> TaskInstance {
    airflow
        .task_instances(DAG, &run.run_id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.key.task_id == task_id)
        .unwrap_or_else(|| panic!("no {task_id} in {}", run.run_id))
}

/// The run whose `task_id` failed.
async fn run_failed_at(airflow: &Airflow, runs: &[DagRun], task_id: &str) -> DagRun {
    for run in runs {
        let instances = airflow.task_instances(DAG, &run.run_id).await.unwrap();
        if instances
            .iter()
            .any(|t| t.key.task_id == task_id && t.state == State::Failed)
        {
            return run.clone();
        }
    }
    panic!("no run failed at {task_id}");
}

/// Each failed task's link, checked: the right kind of resource, failed, its error text, and a
/// root-cause log whose lines hold that text.
async fn trace(airflow: &Airflow, clients: &Clients, runs: &[DagRun]) -> Vec<TaskLink> {
    let mut links = Vec::new();
    for (task_id, error) in [
        ("process_to_staging_nyc", GLUE_ERROR),
        ("emr_step_sensor", EMR_ERROR),
        ("load_nyc_to_redshift", SQL_ERROR),
    ] {
        let run = run_failed_at(airflow, runs, task_id).await;
        let key = instance(airflow, &run, task_id).await.key;
        let record = airflow.task_record(&key).await.unwrap();
        let link = triage::resolve(&record, airflow, clients)
            .await
            .unwrap_or_else(|| panic!("{task_id} names no resource: {record:#?}"));
        let expected_kind = match &link.kind {
            LinkKind::GlueRun { job, run_id } => {
                task_id == "process_to_staging_nyc"
                    && job == "nyctaxi-sandbox-process-to-staging"
                    && run_id.starts_with("jr_")
            }
            LinkKind::EmrStep { cluster, step } => {
                task_id == "emr_step_sensor" && cluster.starts_with("j-") && step.starts_with("s-")
            }
            LinkKind::SqlStatement { id } => task_id == "load_nyc_to_redshift" && !id.is_empty(),
            _ => false,
        };
        assert!(expected_kind, "{task_id}: {link:#?}");
        assert!(link.failed, "{link:#?}");
        assert_eq!(link.first_error.as_deref(), Some(error), "{link:#?}");
        let log = link.root_cause.as_ref().expect("a root-cause log");
        let lines = read_log(log, clients).await;
        assert!(
            lines.iter().any(|l| l.contains(error)),
            "{} does not say {error:?}: {lines:#?}",
            log.describe()
        );
        eprintln!("{task_id} → {}", link.summary());
        links.push(link);
    }
    links
}

async fn read_log(log: &LogRef, clients: &Clients) -> Vec<String> {
    let mut source = log.source(clients, false);
    let mut lines = Vec::new();
    loop {
        let chunk = source.fetch_next().await.expect("the log reads");
        lines.extend(chunk.lines.into_iter().map(|l| l.text));
        if source.is_finished() || !chunk.more {
            return lines;
        }
    }
}

/// The latest run (failed in its SQL stage) as the strip shows it.
fn pipeline_strip(now: &triage::Triage, runs: &[DagRun]) {
    let strip = now
        .pipeline
        .as_ref()
        .expect("the strip of prepare_data_nyc");
    let latest = runs.iter().max_by_key(|r| r.run_after).unwrap();
    assert_eq!(strip.run_id, latest.run_id);
    let stages: Vec<(&str, &str)> = strip
        .stages
        .iter()
        .map(|s| (s.task_id.as_str(), s.state.as_str()))
        .collect();
    assert_eq!(
        stages,
        [
            ("s3_sensor_nyc", "success"),
            ("crawl_data_nyc", "success"),
            ("process_to_staging_nyc", "success"),
            ("create_emr_jobflow", "success"),
            ("add_emr_step", "success"),
            ("emr_step_sensor", "success"),
            ("terminate_jobflow", "success"),
            ("load_nyc_to_redshift", "failed"),
        ]
    );
    let states: Vec<Option<&str>> = strip
        .stages
        .iter()
        .map(|s| s.link.as_ref().and_then(|l| l.state.as_deref()))
        .collect();
    assert_eq!(states[2], Some("SUCCEEDED"), "{:#?}", strip.stages);
    assert_eq!(states[5], Some("COMPLETED"), "{:#?}", strip.stages);
    assert_eq!(states[7], Some("FAILED"), "{:#?}", strip.stages);
    let prefixes: Vec<&str> = strip.layers.iter().map(|l| l.prefix.as_str()).collect();
    assert_eq!(
        prefixes,
        [
            "s3://nyctaxi-sandbox-datalake/raw/",
            "s3://nyctaxi-sandbox-datalake/staging/",
            "s3://nyctaxi-sandbox-datalake/gold/"
        ]
    );
    assert!(
        strip.layers.iter().all(|l| l.complete && l.objects > 0),
        "{:#?}",
        strip.layers
    );
    assert!(
        strip.layers[1].written_in_run > 0,
        "the run wrote staging/: {:#?}",
        strip.layers
    );
}

/// Runs the real binary with the test's home: (exit code, stdout).
fn platform_tui(home: &Path, args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_platform-tui"))
        .args(args)
        .env(paths::HOME_OVERRIDE, home)
        .output()
        .expect("run platform-tui");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    }
    (output.status.code(), stdout)
}
