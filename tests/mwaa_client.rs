//! The MWAA path of the Airflow client against the sandbox emulator's MWAA API, backed by a
//! real Airflow 3.3.2 (JWTs live 5 s): environments, InvokeRestApi for short paths, the web
//! login (CreateWebLoginToken, then /pluginsv2/aws_mwaa/login's `_token` JWT) for long ones,
//! its renewal, and task logs from CloudWatch under MWAA's stream names. An environment backed
//! by Airflow 2.10.5 is spoken to in REST API v1 through InvokeRestApi (the sandbox has no
//! Airflow 2 web login route).

mod support;

use std::time::{Duration, Instant};

use platform_tui::airflow::*;
use platform_tui::aws::logs::CloudWatchLogs;
use platform_tui::aws::mwaa::Mwaa;
use platform_tui::aws::sdk_config;
use platform_tui::gate::catalog;
use platform_tui::logs::airflow::{task_log_source, task_log_stream};
use serde_json::json;
use support::airflow::{eventually, AirflowServer, Options, Version};
use support::gate::approval;
use support::Emulator;

const ENVIRONMENT: &str = "nyctaxi-sandbox-mwaa";
const TASK_LOG_GROUP: &str = "airflow-nyctaxi-sandbox-mwaa-Task";
const TIMEOUT: Duration = Duration::from_secs(240);

#[tokio::test]
async fn mwaa_environment_backed_by_airflow_3() {
    let emulator = Emulator::start();
    let started = Instant::now();
    let server = AirflowServer::start(
        Version::Three,
        Options {
            jwt_expiration: Some(5),
            emulator_url: Some(emulator.endpoint()),
            ..Options::default()
        },
    );
    eprintln!("Airflow 3 ready in {:?}", started.elapsed());
    let sdk = sdk_config(&emulator.settings()).await;
    let mwaa = Mwaa::new(&sdk);

    // Before Airflow registers, the environment is being created.
    assert_eq!(mwaa.environment_names().await.unwrap(), [ENVIRONMENT]);
    let creating = mwaa.environment(ENVIRONMENT).await.unwrap();
    assert_eq!(creating.status, "CREATING");
    assert_eq!(creating.airflow_version, None);
    let environments = Environments::new(Vec::new(), Some(mwaa.clone()), sdk.endpoint_url());
    let not_yet = environments.connect(None).await.err().expect("CREATING");
    assert_eq!(not_yet.kind, ErrorKind::Unreachable);
    assert!(not_yet.to_string().contains("is CREATING"), "{not_yet}");

    emulator.control(
        "mwaa/airflow",
        &json!({"url": server.url(), "username": "admin", "password": "admin"}).to_string(),
    );
    let environment = mwaa.environment(ENVIRONMENT).await.unwrap();
    assert_eq!(environment.status, "AVAILABLE");
    assert_eq!(environment.airflow_version.as_deref(), Some("3.3.2"));
    assert_eq!(
        environment.webserver_url.as_deref(),
        Some(server.url().trim_start_matches("http://"))
    );
    assert_eq!(environment.task_log_group.as_deref(), Some(TASK_LOG_GROUP));
    assert!(environment.last_update.is_some());

    let listed = environments.list().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].kind, EnvironmentKind::Mwaa);
    assert_eq!(
        listed[0].task_logs.as_deref(),
        Some("CloudWatch airflow-nyctaxi-sandbox-mwaa-Task (INFO)")
    );
    let airflow = environments.connect(None).await.unwrap();
    assert_eq!(airflow.info().name, ENVIRONMENT);
    assert_eq!(airflow.api().await.unwrap(), Api::V2);
    assert_eq!(
        airflow.task_log_location(),
        TaskLogLocation::CloudWatch {
            group: TASK_LOG_GROUP.into()
        }
    );

    // Short paths go through InvokeRestApi: no web login.
    let dags = eventually("the test DAGs are parsed", TIMEOUT, || async {
        let dags = airflow.dags().await.ok()?;
        dags.iter().any(|d| d.dag_id == "af_quick").then_some(dags)
    })
    .await;
    assert!(dags.iter().any(|d| d.dag_id == "af_toggle"));
    let invoke_started = Instant::now();
    airflow.tasks("af_quick").await.unwrap();
    eprintln!("InvokeRestApi GET tasks: {:?}", invoke_started.elapsed());
    let pause = approval(&catalog::AIRFLOW_PAUSE).await;
    let missing = airflow
        .set_paused(&pause, "no_such_dag", true)
        .await
        .unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound, "{missing}");
    assert_eq!(airflow.logins(), 0, "InvokeRestApi needs no web login");

    let trigger = approval(&catalog::AIRFLOW_TRIGGER).await;
    let unpause = approval(&catalog::AIRFLOW_UNPAUSE).await;
    let run = airflow
        .trigger(&trigger, "af_quick", json!({"greeting": "via MWAA"}))
        .await
        .unwrap();
    airflow
        .set_paused(&unpause, "af_quick", false)
        .await
        .unwrap();
    assert!(run.run_id.len() > 30, "{}", run.run_id);

    // A path with a run id is longer than 64 characters: the web login serves it.
    let web_started = Instant::now();
    airflow
        .task_instances("af_quick", &run.run_id)
        .await
        .unwrap();
    eprintln!(
        "web login + GET task instances: {:?}",
        web_started.elapsed()
    );
    assert_eq!(airflow.logins(), 1);
    let again = Instant::now();
    airflow
        .task_instances("af_quick", &run.run_id)
        .await
        .unwrap();
    eprintln!("GET task instances with the session: {:?}", again.elapsed());
    assert_eq!(airflow.logins(), 1, "the session is reused while valid");
    tokio::time::sleep(Duration::from_secs(6)).await;
    airflow
        .task_instances("af_quick", &run.run_id)
        .await
        .unwrap();
    assert_eq!(airflow.logins(), 2, "a new web login after the JWT expired");

    // Task logs: CloudWatch, stream dag_id=…/run_id=…/task_id=…/attempt=N.log with ':' as '_'.
    let hello = TaskKey {
        dag_id: "af_quick".into(),
        run_id: run.run_id.clone(),
        task_id: "hello".into(),
        map_index: -1,
    };
    let stream = task_log_stream(&hello, 1);
    assert!(!stream.contains(':'), "{stream}");
    assert!(stream.starts_with("dag_id=af_quick/run_id=manual__"));
    assert!(stream.ends_with("/task_id=hello/attempt=1.log"));
    eventually("hello has finished", TIMEOUT, || async {
        let instances = airflow.task_instances("af_quick", &run.run_id).await.ok()?;
        let hello = instances.into_iter().find(|t| t.key.task_id == "hello")?;
        (hello.state == State::Success).then_some(())
    })
    .await;
    let logs = CloudWatchLogs::new(&sdk);
    let greeting = eventually("hello's log is in CloudWatch", TIMEOUT, || async {
        let mut source = task_log_source(airflow.clone(), logs.clone(), hello.clone(), 1, false);
        let chunk = source.fetch_next().await.ok()?;
        chunk
            .lines
            .into_iter()
            .find(|l| l.text.contains("greeting=via MWAA"))
    })
    .await;
    assert!(greeting.timestamp.is_some());
    drop(server);
}

#[tokio::test]
async fn mwaa_environment_backed_by_airflow_2_speaks_api_v1() {
    let emulator = Emulator::start();
    let server = AirflowServer::start(
        Version::Two,
        Options {
            emulator_url: Some(emulator.endpoint()),
            ..Options::default()
        },
    );
    emulator.control(
        "mwaa/airflow",
        &json!({"url": server.url(), "username": "admin", "password": "admin"}).to_string(),
    );
    let sdk = sdk_config(&emulator.settings()).await;
    let environments = Environments::new(Vec::new(), Some(Mwaa::new(&sdk)), sdk.endpoint_url());
    let airflow = environments.connect(Some(ENVIRONMENT)).await.unwrap();
    assert_eq!(airflow.info().airflow_version.as_deref(), Some("2.10.5"));
    assert_eq!(airflow.api().await.unwrap(), Api::V1);
    eventually("the test DAGs are parsed", TIMEOUT, || async {
        let dags = airflow.dags().await.ok()?;
        dags.iter().any(|d| d.dag_id == "af_queue").then_some(())
    })
    .await;
    let trigger = approval(&catalog::AIRFLOW_TRIGGER).await;
    let run = airflow
        .trigger(&trigger, "af_queue", json!({"via": "InvokeRestApi"}))
        .await
        .unwrap();
    assert_eq!(run.conf, json!({"via": "InvokeRestApi"}));
    assert!(
        run.logical_date.is_some(),
        "Airflow 2 runs have a logical date"
    );
    let runs = airflow
        .dag_runs("af_queue", &RunQuery::default())
        .await
        .unwrap();
    assert_eq!(runs.total, Some(1));
    assert_eq!(runs.items[0].run_id, run.run_id);
    let pause = approval(&catalog::AIRFLOW_PAUSE).await;
    let paused = airflow.set_paused(&pause, "af_toggle", true).await.unwrap();
    assert!(paused.is_paused);
    assert_eq!(airflow.logins(), 0, "every path so far fits InvokeRestApi");
}
