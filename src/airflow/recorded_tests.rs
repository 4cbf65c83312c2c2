//! Parsing of answers recorded from real servers, for the oldest and newest Airflow of each
//! REST API dialect MWAA runs (2.7.2 and 3.0.6) and the versions the tests run live (2.10.5 and
//! 3.3.2):
//! - tests/fixtures/airflow_api/record.py: after a run of af_quick whose `boom` failed;
//! - record_links.py: what prepare_data_nyc's tasks leave behind (rendered fields, XCom, extra
//!   links) in a run failed in the Glue stage, one failed at the EMR step, one failed in the SQL
//!   and one that succeeded, resolved to the AWS resources they drove ([`crate::triage::link`]).

use serde_json::Value;

use super::model::*;
use super::{task_log, wire};
use crate::triage::link::{clue, Clue, LinkKind};

struct Recorded {
    /// `2.7.2`, `3.0.6`…
    version: &'static str,
    version_answer: &'static str,
    dags: &'static str,
    tasks: &'static str,
    dag_runs: &'static str,
    task_instances: &'static str,
    /// `None` where the server has no tries endpoint (before 2.10).
    tries: Option<&'static str>,
    log: &'static str,
    import_errors: &'static str,
    clear_dry_run: &'static str,
    links: Links,
}

/// record_links.py's answers: one run of each kind.
struct Links {
    /// The DAG's runs: the scheduled one and the triggered ones.
    dag_runs: &'static str,
    glue: &'static str,
    emr: &'static str,
    sql: &'static str,
    success: &'static str,
}

macro_rules! fixture {
    ($dir:literal, $name:literal) => {
        include_str!(concat!(
            "../../tests/fixtures/airflow_api/",
            $dir,
            "/",
            $name,
            ".json"
        ))
    };
}

macro_rules! recorded {
    ($dir:literal, $version:literal, tries: $tries:expr) => {
        Recorded {
            version: $version,
            version_answer: fixture!($dir, "version"),
            dags: fixture!($dir, "dags"),
            tasks: fixture!($dir, "tasks"),
            dag_runs: fixture!($dir, "dag_runs"),
            task_instances: fixture!($dir, "task_instances"),
            tries: $tries.then(|| fixture!($dir, "tries")),
            log: fixture!($dir, "log"),
            import_errors: fixture!($dir, "import_errors"),
            clear_dry_run: fixture!($dir, "clear_dry_run"),
            links: Links {
                dag_runs: fixture!($dir, "links_dag_runs"),
                glue: fixture!($dir, "links_glue"),
                emr: fixture!($dir, "links_emr"),
                sql: fixture!($dir, "links_sql"),
                success: fixture!($dir, "links_success"),
            },
        }
    };
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("recorded JSON")
}

fn check(recorded: &Recorded) {
    let version = json(recorded.version_answer);
    assert_eq!(
        wire::text(&version, "version").as_deref(),
        Some(recorded.version)
    );
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

    if let Some(tries) = recorded.tries {
        let tries: Vec<TaskInstance> = wire::items(&json(tries), "task_instances")
            .iter()
            .map(wire::task_instance)
            .collect();
        assert_eq!(tries.len(), 1);
        assert_eq!((tries[0].try_number, &tries[0].state), (1, &State::Failed));
    }

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

    let clear = json(recorded.clear_dry_run);
    let cleared = wire::items(&clear, "task_instances");
    let mut ids: Vec<String> = cleared
        .iter()
        .map(|v| wire::task_instance(v).key.task_id)
        .collect();
    ids.sort();
    assert_eq!(ids, ["after_boom", "boom"]);
    // Airflow 2 names the cleared task instances without their state: the client looks the
    // states up (`Airflow::clear_tasks`), so the dry run shows them anyway.
    let v2 = recorded.version.starts_with('3');
    assert_eq!(cleared.iter().all(wire::has_state), v2, "{clear}");

    check_links(recorded);
}

/// One recorded prepare_data_nyc run: the run, and each task's record as the client builds it.
struct RecordedRun {
    run: DagRun,
    records: Vec<TaskRecord>,
}

impl RecordedRun {
    fn read(text: &str) -> RecordedRun {
        let answer = json(text);
        let records = wire::items(&answer["task_instances"], "task_instances")
            .iter()
            .map(|ti| {
                let instance = wire::task_instance(ti);
                let answers = &answer["tasks"][&instance.key.task_id];
                let xcom = answers["xcom"]
                    .as_object()
                    .map(|entries| {
                        entries
                            .iter()
                            .map(|(key, entry)| XComEntry {
                                key: key.clone(),
                                value: wire::xcom_value(entry),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                TaskRecord {
                    rendered_fields: wire::rendered_fields(ti),
                    xcom,
                    links: wire::extra_links(&answers["links"]),
                    xcom_left_out: 0,
                    instance,
                }
            })
            .collect();
        RecordedRun {
            run: wire::dag_run(&answer["dag_run"]),
            records,
        }
    }

    fn record(&self, task_id: &str) -> &TaskRecord {
        self.records
            .iter()
            .find(|r| r.instance.key.task_id == task_id)
            .unwrap_or_else(|| panic!("no task {task_id}"))
    }

    fn resource(&self, task_id: &str) -> LinkKind {
        match clue(self.record(task_id)) {
            Some(Clue::Resource(kind)) => kind,
            other => panic!("{task_id}: {other:?}"),
        }
    }

    fn state(&self, task_id: &str) -> State {
        self.record(task_id).instance.state.clone()
    }
}

const JOB: &str = "nyctaxi-sandbox-process-to-staging";
const CRAWLER: &str = "nyctaxi-sandbox-raw-crawler";

fn check_links(recorded: &Recorded) {
    // Airflow 3.0 answers every task instance with empty rendered fields (3.3 and 2.x fill them):
    // there the resources come from XCom and links alone.
    let rendered = recorded.version != "3.0.6";

    // A run that succeeded: every stage names its resource, the EMR ones the same cluster.
    let success = RecordedRun::read(recorded.links.success);
    assert_eq!(success.run.state, State::Success);
    let s3_key = LinkKind::S3Key {
        bucket: "nyctaxi-sandbox-datalake".into(),
        key: "raw/green_tripdata/*.csv".into(),
    };
    match rendered {
        true => assert_eq!(success.resource("s3_sensor_nyc"), s3_key),
        false => assert_eq!(clue(success.record("s3_sensor_nyc")), None),
    }
    assert_eq!(
        success.resource("crawl_data_nyc"),
        LinkKind::Crawler {
            name: CRAWLER.into()
        }
    );
    let glue = success.resource("process_to_staging_nyc");
    assert!(
        matches!(&glue, LinkKind::GlueRun { job, run_id } if job == JOB && run_id.starts_with("jr_")),
        "{glue:?}"
    );
    let LinkKind::EmrCluster { id: cluster } = success.resource("create_emr_jobflow") else {
        panic!("create_emr_jobflow names its cluster");
    };
    assert!(cluster.starts_with("j-"), "{cluster}");
    let step = success.resource("add_emr_step");
    assert!(
        matches!(&step, LinkKind::EmrStep { cluster: c, step } if *c == cluster && step.starts_with("s-")),
        "{step:?}"
    );
    let cluster_link = LinkKind::EmrCluster { id: cluster };
    let sensed = success.resource("emr_step_sensor");
    assert_eq!(sensed, if rendered { step } else { cluster_link.clone() });
    assert_eq!(success.resource("terminate_jobflow"), cluster_link);
    let sql = success.resource("load_nyc_to_redshift");
    assert!(
        matches!(&sql, LinkKind::SqlStatement { id } if !id.is_empty() && !id.contains(':')),
        "{sql:?}"
    );

    // Airflow 2 has no run_after: a manual run was due when it was triggered (its logical
    // date), not at the end of its daily data interval (midnight) as a scheduled run was.
    let runs: Vec<DagRun> = wire::items(&json(recorded.links.dag_runs), "dag_runs")
        .iter()
        .map(wire::dag_run)
        .collect();
    assert_eq!(runs.len(), 4, "one scheduled and three triggered runs");
    for run in &runs {
        let due = run.run_after.expect("every run has a due time");
        let midnight = due.time() == chrono::NaiveTime::MIN;
        assert_eq!(midnight, run.run_type == "scheduled", "{run:?}");
    }

    // Failed in the Glue stage: the failed task still names its run (its link was saved
    // before it waited); what never ran names nothing.
    let glue_failed = RecordedRun::read(recorded.links.glue);
    assert_eq!(glue_failed.state("process_to_staging_nyc"), State::Failed);
    assert!(
        matches!(glue_failed.resource("process_to_staging_nyc"), LinkKind::GlueRun { job, .. } if job == JOB)
    );
    assert_eq!(
        glue_failed.state("load_nyc_to_redshift"),
        State::UpstreamFailed
    );
    assert_eq!(clue(glue_failed.record("load_nyc_to_redshift")), None);
    assert_eq!(clue(glue_failed.record("create_emr_jobflow")), None);

    // Failed at the EMR step: the sensor names the step the add-steps task returned (or, without
    // rendered fields, its cluster, whose failed step the lookup finds).
    let emr_failed = RecordedRun::read(recorded.links.emr);
    assert_eq!(emr_failed.state("emr_step_sensor"), State::Failed);
    let added = emr_failed.resource("add_emr_step");
    let LinkKind::EmrStep { cluster, .. } = &added else {
        panic!("{added:?}");
    };
    let expected = match rendered {
        true => added.clone(),
        false => LinkKind::EmrCluster {
            id: cluster.clone(),
        },
    };
    assert_eq!(emr_failed.resource("emr_step_sensor"), expected);

    // Failed in the SQL: no statement id is recorded; the task's log names it.
    let sql_failed = RecordedRun::read(recorded.links.sql);
    let load = sql_failed.record("load_nyc_to_redshift");
    assert_eq!(load.instance.state, State::Failed);
    assert_eq!(clue(load), Some(Clue::SqlStatementInLog));
}

#[test]
fn recorded_v1_answers_of_airflow_2_7() {
    check(&recorded!("v1_2_7", "2.7.2", tries: false));
}

#[test]
fn recorded_v1_answers_of_airflow_2_10() {
    check(&recorded!("v1", "2.10.5", tries: true));
}

#[test]
fn recorded_v2_answers_of_airflow_3_0() {
    check(&recorded!("v2_3_0", "3.0.6", tries: true));
}

#[test]
fn recorded_v2_answers_of_airflow_3_3() {
    check(&recorded!("v2", "3.3.2", tries: true));
}
