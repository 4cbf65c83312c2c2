//! Parsing of answers recorded from real servers (tests/fixtures/airflow_api/record.py):
//! Airflow 2.10.5 (v1) and 3.3.2 (v2), after a run of af_quick whose `boom` failed.

use serde_json::Value;

use super::model::*;
use super::{task_log, wire};

struct Recorded {
    dags: &'static str,
    tasks: &'static str,
    dag_runs: &'static str,
    task_instances: &'static str,
    tries: &'static str,
    log: &'static str,
    import_errors: &'static str,
    clear_dry_run: &'static str,
}

macro_rules! recorded {
    ($dir:literal) => {
        Recorded {
            dags: include_str!(concat!(
                "../../tests/fixtures/airflow_api/",
                $dir,
                "/dags.json"
            )),
            tasks: include_str!(concat!(
                "../../tests/fixtures/airflow_api/",
                $dir,
                "/tasks.json"
            )),
            dag_runs: include_str!(concat!(
                "../../tests/fixtures/airflow_api/",
                $dir,
                "/dag_runs.json"
            )),
            task_instances: include_str!(concat!(
                "../../tests/fixtures/airflow_api/",
                $dir,
                "/task_instances.json"
            )),
            tries: include_str!(concat!(
                "../../tests/fixtures/airflow_api/",
                $dir,
                "/tries.json"
            )),
            log: include_str!(concat!(
                "../../tests/fixtures/airflow_api/",
                $dir,
                "/log.json"
            )),
            import_errors: include_str!(concat!(
                "../../tests/fixtures/airflow_api/",
                $dir,
                "/import_errors.json"
            )),
            clear_dry_run: include_str!(concat!(
                "../../tests/fixtures/airflow_api/",
                $dir,
                "/clear_dry_run.json"
            )),
        }
    };
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("recorded JSON")
}

fn check(recorded: &Recorded) {
    let dags: Vec<Dag> = wire::items(&json(recorded.dags), "dags")
        .iter()
        .map(wire::dag)
        .collect();
    let ids: Vec<(&str, bool)> = dags
        .iter()
        .map(|d| (d.dag_id.as_str(), d.is_paused))
        .collect();
    assert_eq!(
        ids,
        [("af_queue", true), ("af_quick", false), ("af_toggle", true)]
    );
    assert_eq!(dags[1].tags, ["client-test"]);
    assert_eq!(dags[1].owners, ["airflow"]);
    assert!(dags[2].schedule.is_some(), "{:?}", dags[2]);

    let tasks = wire::in_dependency_order(
        wire::items(&json(recorded.tasks), "tasks")
            .iter()
            .map(wire::task)
            .collect(),
    );
    let ids: Vec<&str> = tasks.iter().map(|t| t.task_id.as_str()).collect();
    assert_eq!(ids, ["hello", "ticker", "boom", "after_boom"]);
    assert_eq!(tasks[0].operator.as_deref(), Some("BashOperator"));
    assert_eq!(tasks[2].retries, Some(0));

    let runs = json(recorded.dag_runs);
    assert_eq!(wire::total_entries(&runs), Some(1));
    let run = wire::dag_run(&wire::items(&runs, "dag_runs")[0]);
    assert_eq!(run.state, State::Failed);
    assert_eq!(run.run_type, "manual");
    assert_eq!(run.conf, serde_json::json!({"greeting": "recorded"}));
    assert!(run.run_id.starts_with("manual__"));
    assert!(run.run_after.is_some() && run.start_date.is_some() && run.end_date.is_some());

    let instances: Vec<TaskInstance> =
        wire::items(&json(recorded.task_instances), "task_instances")
            .iter()
            .map(wire::task_instance)
            .collect();
    let states: Vec<(&str, State, u32)> = instances
        .iter()
        .map(|t| (t.key.task_id.as_str(), t.state.clone(), t.try_number))
        .collect();
    assert_eq!(
        states,
        [
            ("hello", State::Success, 1),
            ("ticker", State::Success, 1),
            ("boom", State::Failed, 1),
            ("after_boom", State::UpstreamFailed, 0),
        ]
    );
    let boom = &instances[2];
    assert_eq!(boom.key.run_id, run.run_id);
    assert_eq!(boom.key.map_index, -1);
    assert!(boom.duration.is_some() && boom.start_date.is_some());
    assert_eq!(boom.operator.as_deref(), Some("BashOperator"));

    let tries: Vec<TaskInstance> = wire::items(&json(recorded.tries), "task_instances")
        .iter()
        .map(wire::task_instance)
        .collect();
    assert_eq!(tries.len(), 1);
    assert_eq!((tries[0].try_number, &tries[0].state), (1, &State::Failed));

    let log = task_log::chunk(&json(recorded.log));
    assert!(log.end_of_log, "a finished try's log is complete");
    assert!(
        log.lines.iter().any(|l| l.ends_with("about to fail")),
        "{:?}",
        log.lines
    );
    assert!(
        log.lines.iter().any(|l| l.contains("exit code 3")),
        "the error text is there: {:?}",
        log.lines
    );

    let errors: Vec<ImportError> = wire::items(&json(recorded.import_errors), "import_errors")
        .iter()
        .map(wire::import_error)
        .collect();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].filename.ends_with("broken_dag.py"));
    assert!(errors[0].stack_trace.contains("broken on purpose"));

    let mut cleared: Vec<String> = wire::items(&json(recorded.clear_dry_run), "task_instances")
        .iter()
        .map(|v| wire::task_instance(v).key.task_id)
        .collect();
    cleared.sort();
    assert_eq!(cleared, ["after_boom", "boom"]);
}

#[test]
fn recorded_v1_answers_of_airflow_2_10() {
    check(&recorded!("v1"));
}

#[test]
fn recorded_v2_answers_of_airflow_3_3() {
    check(&recorded!("v2"));
}
