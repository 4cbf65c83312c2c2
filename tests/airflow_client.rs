//! The Airflow client against real Airflow: the same scenario on REST API v2 (Airflow 3.3.2,
//! JWT that expires every 5 s) and v1 (Airflow 2.10.5, basic auth), with the DAGs of
//! tests/fixtures/airflow_dags. One server per version, started once; the scenario's steps run
//! in order because they build on each other (trigger → logs → failure → clear → rerun).

mod support;

use std::time::{Duration, Instant};

use platform_tui::airflow::*;
use platform_tui::gate::catalog;
use serde_json::json;
use support::airflow::{eventually, AirflowServer, Options, Version};
use support::gate::approval;

const PARSE_TIMEOUT: Duration = Duration::from_secs(180);
const RUN_TIMEOUT: Duration = Duration::from_secs(240);

#[tokio::test]
async fn rest_api_v2_on_airflow_3() {
    let started = Instant::now();
    let mut server = AirflowServer::start(
        Version::Three,
        Options {
            jwt_expiration: Some(5),
            ..Options::default()
        },
    );
    eprintln!("Airflow 3 ready in {:?}", started.elapsed());
    scenario(&mut server, Api::V2, "3.").await;
    eprintln!("Airflow 3 scenario done in {:?}", started.elapsed());
}

#[tokio::test]
async fn rest_api_v1_on_airflow_2() {
    let started = Instant::now();
    let mut server = AirflowServer::start(Version::Two, Options::default());
    eprintln!("Airflow 2 ready in {:?}", started.elapsed());
    scenario(&mut server, Api::V1, "2.").await;
    eprintln!("Airflow 2 scenario done in {:?}", started.elapsed());
}

fn admin(server: &AirflowServer) -> Airflow {
    Airflow::self_hosted(
        "test",
        &server.url(),
        Some(("admin".into(), "admin".into())),
    )
}

async fn scenario(server: &mut AirflowServer, api: Api, version_prefix: &str) {
    let airflow = admin(server);
    assert_eq!(airflow.api().await.unwrap(), api);
    let version = airflow.version().await.unwrap().unwrap_or_default();
    assert!(version.starts_with(version_prefix), "version {version}");

    wrong_password_is_unauthorized(server).await;
    let dags = dags_are_listed(&airflow).await;
    measure_latency(&airflow).await;
    import_errors_are_listed(&airflow).await;
    pause_and_unpause(&airflow, &dags).await;
    tasks_come_in_dependency_order(&airflow).await;
    runs_page_and_filter(&airflow).await;
    let run = trigger_with_conf(&airflow).await;
    log_continues_with_only_new_lines(&airflow, &run).await;
    failure_is_visible(&airflow, &run).await;
    records_carry_xcom_and_links(&airflow, &run).await;
    clear_dry_run_then_for_real(&airflow, &run).await;
    mark_success_and_failed(&airflow, &run).await;
    clear_a_whole_run_dry(&airflow, &run).await;
    if api == Api::V2 {
        jwt_is_renewed_after_expiry(&airflow).await;
    }
    recovers_after_airflow_restarts(server, &airflow).await;
}

async fn wrong_password_is_unauthorized(server: &AirflowServer) {
    let intruder = Airflow::self_hosted(
        "test",
        &server.url(),
        Some(("admin".into(), "wrong".into())),
    );
    let err = intruder.dags().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unauthorized, "{err}");
    assert!(err.to_string().contains("list DAGs"), "{err}");
}

async fn dags_are_listed(airflow: &Airflow) -> Vec<Dag> {
    let dags = eventually("the test DAGs are parsed", PARSE_TIMEOUT, || async {
        let dags = airflow.dags().await.ok()?;
        let ids: Vec<&str> = dags.iter().map(|d| d.dag_id.as_str()).collect();
        ["af_queue", "af_quick", "af_toggle"]
            .iter()
            .all(|id| ids.contains(id))
            .then_some(dags)
    })
    .await;
    let ids: Vec<&str> = dags.iter().map(|d| d.dag_id.as_str()).collect();
    assert_eq!(ids, ["af_queue", "af_quick", "af_toggle"], "sorted by id");
    let quick = &dags[1];
    assert!(quick.is_paused, "DAGs are paused at creation");
    assert_eq!(quick.tags, ["client-test"]);
    assert!(quick
        .fileloc
        .as_deref()
        .unwrap_or("")
        .ends_with("client_test_dags.py"));
    let toggle = &dags[2];
    assert!(
        toggle.schedule.as_deref().unwrap_or("").contains("daily")
            || toggle.schedule.as_deref() == Some("0 0 * * *"),
        "{:?}",
        toggle.schedule
    );
    dags
}

async fn measure_latency(airflow: &Airflow) {
    let n = 20;
    let started = Instant::now();
    for _ in 0..n {
        airflow.tasks("af_quick").await.unwrap();
    }
    eprintln!(
        "{:?}: GET tasks: {:?} per request (mean of {n})",
        airflow.api().await.unwrap(),
        started.elapsed() / n
    );
}

async fn import_errors_are_listed(airflow: &Airflow) {
    let error = eventually("the broken DAG file is reported", PARSE_TIMEOUT, || async {
        let errors = airflow.import_errors().await.ok()?;
        errors
            .into_iter()
            .find(|e| e.filename.ends_with("broken_dag.py"))
    })
    .await;
    assert!(
        error.stack_trace.contains("broken on purpose"),
        "{}",
        error.stack_trace
    );
    assert!(error.timestamp.is_some());
}

async fn pause_and_unpause(airflow: &Airflow, dags: &[Dag]) {
    let pause = approval(&catalog::AIRFLOW_PAUSE).await;
    let unpause = approval(&catalog::AIRFLOW_UNPAUSE).await;
    assert!(dags.iter().any(|d| d.dag_id == "af_toggle" && d.is_paused));
    let unpaused = airflow
        .set_paused(&unpause, "af_toggle", false)
        .await
        .unwrap();
    assert_eq!(unpaused.dag_id, "af_toggle");
    assert!(!unpaused.is_paused);
    let listed = airflow.dags().await.unwrap();
    assert!(listed
        .iter()
        .any(|d| d.dag_id == "af_toggle" && !d.is_paused));
    let paused = airflow.set_paused(&pause, "af_toggle", true).await.unwrap();
    assert!(paused.is_paused);
    let missing = airflow
        .set_paused(&pause, "no_such_dag", true)
        .await
        .unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound, "{missing}");
}

async fn tasks_come_in_dependency_order(airflow: &Airflow) {
    let tasks = airflow.tasks("af_quick").await.unwrap();
    let ids: Vec<&str> = tasks.iter().map(|t| t.task_id.as_str()).collect();
    assert_eq!(ids, ["hello", "ticker", "boom", "after_boom"]);
    assert_eq!(tasks[1].downstream_task_ids, ["boom"]);
    assert!(tasks[0]
        .operator
        .as_deref()
        .unwrap_or("")
        .contains("BashOperator"));
}

async fn runs_page_and_filter(airflow: &Airflow) {
    let trigger = approval(&catalog::AIRFLOW_TRIGGER).await;
    let mut triggered = Vec::new();
    for n in 0..3 {
        let run = airflow
            .trigger(&trigger, "af_queue", json!({ "n": n }))
            .await
            .unwrap();
        assert_eq!(run.conf, json!({ "n": n }));
        triggered.push(run.run_id);
        // Distinct run_after times (ordering is by them).
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    let first = airflow
        .dag_runs(
            "af_queue",
            &RunQuery {
                limit: 2,
                ..RunQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(first.total, Some(3));
    let first_ids: Vec<&str> = first.items.iter().map(|r| r.run_id.as_str()).collect();
    assert_eq!(first_ids, [&triggered[2], &triggered[1]], "newest first");
    let second = airflow
        .dag_runs(
            "af_queue",
            &RunQuery {
                limit: 2,
                offset: 2,
                ..RunQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(second.items.len(), 1);
    assert_eq!(second.items[0].run_id, triggered[0]);
    let queued = airflow
        .dag_runs(
            "af_queue",
            &RunQuery {
                states: vec![State::Queued],
                ..RunQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(queued.total, Some(3), "a paused DAG's runs stay queued");
    let succeeded = airflow
        .dag_runs(
            "af_queue",
            &RunQuery {
                states: vec![State::Success],
                ..RunQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(succeeded.total, Some(0));
    let everywhere = airflow
        .dag_runs(
            "~",
            &RunQuery {
                states: vec![State::Queued],
                ..RunQuery::default()
            },
        )
        .await
        .unwrap();
    assert!(everywhere
        .items
        .iter()
        .any(|r| r.dag_id == "af_queue" && r.run_id == triggered[0]));
    // Run ids carry ':' and '+': reading by id needs percent-encoding.
    assert!(triggered[0].contains(':'), "{}", triggered[0]);
    airflow
        .task_instances("af_queue", &triggered[0])
        .await
        .unwrap();
    let not_json_object = airflow
        .trigger(&trigger, "af_queue", json!([1]))
        .await
        .unwrap_err();
    assert_eq!(not_json_object.kind, ErrorKind::Invalid);
}

async fn trigger_with_conf(airflow: &Airflow) -> DagRun {
    let trigger = approval(&catalog::AIRFLOW_TRIGGER).await;
    let unpause = approval(&catalog::AIRFLOW_UNPAUSE).await;
    let run = airflow
        .trigger(
            &trigger,
            "af_quick",
            json!({ "greeting": "hi from the test" }),
        )
        .await
        .unwrap();
    assert_eq!(run.dag_id, "af_quick");
    assert_eq!(run.run_type, "manual");
    assert_eq!(run.conf, json!({ "greeting": "hi from the test" }));
    assert!(airflow
        .set_paused(&unpause, "af_quick", false)
        .await
        .is_ok());
    let (sent, logins) = (airflow.requests(), airflow.logins());
    let with_last = airflow.dags_with_last_run().await.unwrap();
    // One page of DAGs and one batch request for every DAG's last run, not one per DAG (a
    // token renewed on the way is a request too).
    let renewals = airflow.logins() - logins;
    assert_eq!(
        airflow.requests() - sent - renewals,
        2,
        "requests for the DAG list"
    );
    let quick = with_last.iter().find(|d| d.dag_id == "af_quick").unwrap();
    assert_eq!(
        quick.last_run.as_ref().map(|r| r.run_id.as_str()),
        Some(run.run_id.as_str())
    );
    for dag in &with_last {
        let newest = airflow
            .dag_runs(
                &dag.dag_id,
                &RunQuery {
                    limit: 1,
                    ..RunQuery::default()
                },
            )
            .await
            .unwrap();
        let id = |r: Option<&DagRun>| r.map(|r| r.run_id.clone());
        assert_eq!(
            id(dag.last_run.as_ref()),
            id(newest.items.first()),
            "{}",
            dag.dag_id
        );
    }
    run
}

fn key(run: &DagRun, task_id: &str) -> TaskKey {
    TaskKey {
        dag_id: run.dag_id.clone(),
        run_id: run.run_id.clone(),
        task_id: task_id.into(),
        map_index: -1,
    }
}

async fn task_state(airflow: &Airflow, run: &DagRun, task_id: &str) -> Option<TaskInstance> {
    let instances = airflow
        .task_instances(&run.dag_id, &run.run_id)
        .await
        .ok()?;
    instances.into_iter().find(|t| t.key.task_id == task_id)
}

async fn log_continues_with_only_new_lines(airflow: &Airflow, run: &DagRun) {
    eventually("ticker runs", RUN_TIMEOUT, || async {
        let ticker = task_state(airflow, run, "ticker").await?;
        (ticker.state == State::Running).then_some(())
    })
    .await;
    let ticker = key(run, "ticker");
    let mut token: Option<String> = None;
    let mut ticks: Vec<String> = Vec::new();
    let mut reads = 0;
    let mut continued_while_running = false;
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let chunk = airflow
            .task_log(&ticker, 1, token.as_deref())
            .await
            .unwrap();
        reads += 1;
        if token.is_some() && !chunk.end_of_log {
            continued_while_running = true;
        }
        ticks.extend(chunk.lines.iter().filter_map(|l| tick_of(l)));
        if chunk.end_of_log {
            break;
        }
        assert!(
            chunk.continuation_token.is_some(),
            "a running log has a token"
        );
        token = chunk.continuation_token;
        assert!(Instant::now() < deadline, "the ticker log never ended");
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    let expected: Vec<String> = (1..=8).map(|i| format!("tick {i}")).collect();
    assert_eq!(
        ticks, expected,
        "every line once, in order, over {reads} reads"
    );
    assert!(
        continued_while_running,
        "the log was read with a token while it ran"
    );
    let hello = airflow.task_log(&key(run, "hello"), 1, None).await.unwrap();
    assert!(
        hello
            .lines
            .iter()
            .any(|l| l.contains("greeting=hi from the test")),
        "{:?}",
        hello.lines
    );
    assert!(hello.end_of_log);
    let never_ran = airflow
        .task_log(&key(run, "after_boom"), 0, None)
        .await
        .unwrap();
    assert!(never_ran.end_of_log && never_ran.lines.is_empty());
}

async fn failure_is_visible(airflow: &Airflow, run: &DagRun) {
    eventually("the run fails", RUN_TIMEOUT, || async {
        let runs = airflow
            .dag_runs("af_quick", &RunQuery::default())
            .await
            .ok()?;
        let this = runs.items.into_iter().find(|r| r.run_id == run.run_id)?;
        (this.state == State::Failed).then_some(())
    })
    .await;
    let instances = airflow
        .task_instances(&run.dag_id, &run.run_id)
        .await
        .unwrap();
    let state_of = |id: &str| {
        instances
            .iter()
            .find(|t| t.key.task_id == id)
            .map(|t| t.state.clone())
    };
    assert_eq!(state_of("boom"), Some(State::Failed));
    assert_eq!(state_of("after_boom"), Some(State::UpstreamFailed));
    assert_eq!(state_of("hello"), Some(State::Success));
    let failed = airflow.failed_task_instances(10).await.unwrap();
    assert!(failed
        .iter()
        .any(|t| t.key.task_id == "boom" && t.key.run_id == run.run_id));
    assert!(failed.iter().all(|t| t.state == State::Failed));
    let tries = airflow.task_tries(&key(run, "boom")).await.unwrap();
    assert_eq!(tries.len(), 1, "{tries:?}");
    assert_eq!(tries[0].try_number, 1);
    assert_eq!(tries[0].state, State::Failed);
    let log = airflow.task_log(&key(run, "boom"), 1, None).await.unwrap();
    assert!(
        log.lines.iter().any(|l| l.contains("about to fail")),
        "{:?}",
        log.lines
    );
    assert!(log.end_of_log);
}

/// What the tasks recorded: BashOperator pushes its last output line as the return value and
/// has no extra links; the task that never ran has no XCom at all; none drove an AWS resource.
async fn records_carry_xcom_and_links(airflow: &Airflow, run: &DagRun) {
    let hello = airflow.task_record(&key(run, "hello")).await.unwrap();
    assert_eq!(
        hello.xcom("return_value"),
        Some(&json!("greeting=hi from the test"))
    );
    assert!(hello.links.is_empty(), "{:?}", hello.links);
    assert_eq!(
        hello.rendered("bash_command"),
        Some(&json!("echo greeting=hi from the test"))
    );
    let records = airflow
        .task_records(&run.dag_id, &run.run_id)
        .await
        .unwrap();
    assert_eq!(records.len(), 4);
    let after = records
        .iter()
        .find(|r| r.instance.key.task_id == "after_boom")
        .unwrap();
    assert!(after.xcom.is_empty() && after.links.is_empty());
    assert!(records
        .iter()
        .all(|r| platform_tui::triage::clue(r).is_none()));
}

async fn clear_dry_run_then_for_real(airflow: &Airflow, run: &DagRun) {
    let clear = approval(&catalog::AIRFLOW_CLEAR_TASK).await;
    let request = ClearTasks {
        run_id: run.run_id.clone(),
        task_ids: vec!["boom".into()],
        include_downstream: true,
        ..ClearTasks::default()
    };
    let listed = airflow
        .would_clear_tasks("af_quick", &request)
        .await
        .unwrap();
    let mut states: Vec<(&str, &State)> = listed
        .iter()
        .map(|t| (t.key.task_id.as_str(), &t.state))
        .collect();
    states.sort_by_key(|(task, _)| *task);
    assert_eq!(
        states,
        [
            ("after_boom", &State::UpstreamFailed),
            ("boom", &State::Failed)
        ],
        "the dry run says what each task is (Airflow 2 sends no state: looked up)"
    );
    assert!(listed.iter().all(|t| t.key.run_id == run.run_id));
    let boom = task_state(airflow, run, "boom").await.unwrap();
    assert_eq!(boom.state, State::Failed, "a dry run changes nothing");
    let after = task_state(airflow, run, "after_boom").await.unwrap();
    assert_eq!(after.state, State::UpstreamFailed);

    airflow
        .clear_tasks(&clear, "af_quick", &request)
        .await
        .unwrap();
    eventually("the cleared run succeeds", RUN_TIMEOUT, || async {
        let instances = airflow
            .task_instances(&run.dag_id, &run.run_id)
            .await
            .ok()?;
        instances
            .iter()
            .all(|t| t.state == State::Success)
            .then_some(())
    })
    .await;
    let tries = airflow.task_tries(&key(run, "boom")).await.unwrap();
    let states: Vec<(u32, State)> = tries
        .iter()
        .map(|t| (t.try_number, t.state.clone()))
        .collect();
    assert_eq!(states, [(1, State::Failed), (2, State::Success)]);
}

async fn mark_success_and_failed(airflow: &Airflow, run: &DagRun) {
    let mark_failed = approval(&catalog::AIRFLOW_MARK_FAILED).await;
    let mark_success = approval(&catalog::AIRFLOW_MARK_SUCCESS).await;
    let hello = key(run, "hello");
    let failed = airflow
        .mark_task(&mark_failed, &hello, MarkState::Failed)
        .await
        .unwrap();
    assert_eq!(failed.key.task_id, "hello");
    assert_eq!(failed.state, State::Failed);
    let succeeded = airflow
        .mark_task(&mark_success, &hello, MarkState::Success)
        .await
        .unwrap();
    assert_eq!(succeeded.state, State::Success);
}

async fn clear_a_whole_run_dry(airflow: &Airflow, run: &DagRun) {
    let listed = airflow
        .would_clear_run("af_quick", &run.run_id)
        .await
        .unwrap();
    let mut ids: Vec<&str> = listed.iter().map(|t| t.key.task_id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["after_boom", "boom", "hello", "ticker"]);
    let still = task_state(airflow, run, "ticker").await.unwrap();
    assert_eq!(still.state, State::Success, "a dry run changes nothing");
}

async fn jwt_is_renewed_after_expiry(airflow: &Airflow) {
    airflow.dags().await.unwrap();
    let before = airflow.logins();
    tokio::time::sleep(Duration::from_secs(6)).await;
    airflow.dags().await.unwrap();
    assert_eq!(
        airflow.logins(),
        before + 1,
        "one new token after the 5 s one expired"
    );
}

async fn recovers_after_airflow_restarts(server: &mut AirflowServer, airflow: &Airflow) {
    server.stop();
    let err = airflow.dags().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unreachable, "{err}");
    assert!(err.to_string().contains("api-server up"), "{err}");
    let started = Instant::now();
    server.restart();
    eprintln!("restart took {:?}", started.elapsed());
    let dags = airflow.dags().await.unwrap();
    assert_eq!(dags.len(), 3);
}

/// `tick N` when the line ends with it (the output, not the logged command line).
fn tick_of(line: &str) -> Option<String> {
    let (_, n) = line.trim_end().rsplit_once("tick ")?;
    n.parse::<u32>().ok().map(|n| format!("tick {n}"))
}
