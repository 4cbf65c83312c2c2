//! Property tests of the Airflow JSON readers: whatever a server (or something posing as one)
//! answers, reading it never panics, and fields the readers do not know change nothing.

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::{task_log, wire};

/// Any JSON value, up to a few levels deep, with the field names the readers look for mixed
/// in (so the readers meet their own fields with every wrong type).
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,20}".prop_map(Value::from),
        Just(json!("2024-01-01T00:00:00+00:00")),
        Just(json!("not-a-date")),
        Just(json!(u64::MAX)),
        Just(json!(-1)),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::btree_map(field_name(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The names the readers use, and some they do not.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "dag_id",
            "dag_run_id",
            "run_id",
            "task_id",
            "state",
            "try_number",
            "max_tries",
            "map_index",
            "tags",
            "owners",
            "schedule_interval",
            "timetable_summary",
            "conf",
            "downstream_task_ids",
            "retries",
            "class_ref",
            "class_name",
            "duration",
            "start_date",
            "end_date",
            "logical_date",
            "execution_date",
            "detail",
            "loc",
            "msg",
            "title",
            "content",
            "continuation_token",
            "end_of_log",
            "error_detail",
            "total_entries",
            "dags",
            "dag_runs",
            "task_instances",
            "tasks",
            "import_errors",
            "days",
            "seconds",
            "value",
            "name",
            "timestamp",
            "stack_trace",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,10}",
    ]
}

/// Runs every reader on `v` (and on `v` as a collection); none may panic.
fn read_everything(v: &Value) {
    let _ = wire::dag(v);
    let _ = wire::dag_run(v);
    let _ = wire::task(v);
    let _ = wire::task_instance(v);
    let _ = wire::import_error(v);
    let _ = wire::error_message(v);
    let _ = wire::total_entries(v);
    let _ = task_log::chunk(v);
    for field in [
        "dags",
        "dag_runs",
        "task_instances",
        "tasks",
        "import_errors",
    ] {
        let items = wire::items(v, field);
        let tasks = items.iter().map(wire::task).collect();
        let _ = wire::in_dependency_order(tasks);
    }
}

/// Answers recorded from real Airflow 2.10.5 (v1) and 3.3.2 (v2).
fn recorded() -> Vec<Value> {
    macro_rules! files {
        ($($dir:literal / $file:literal),*) => {
            vec![$(include_str!(concat!("../../tests/fixtures/airflow_api/", $dir, "/", $file))),*]
        };
    }
    files![
        "v1" / "dags.json",
        "v1" / "tasks.json",
        "v1" / "dag_runs.json",
        "v1" / "task_instances.json",
        "v1" / "tries.json",
        "v1" / "log.json",
        "v1" / "import_errors.json",
        "v2" / "dags.json",
        "v2" / "tasks.json",
        "v2" / "dag_runs.json",
        "v2" / "task_instances.json",
        "v2" / "tries.json",
        "v2" / "log.json",
        "v2" / "import_errors.json"
    ]
    .into_iter()
    .map(|text| serde_json::from_str(text).expect("recorded JSON"))
    .collect()
}

/// What the readers make of a recorded answer: every item of each collection, read by the
/// reader of its kind.
fn reading(v: &Value) -> String {
    let mut out = format!("{:?}{:?}", wire::total_entries(v), task_log::chunk(v));
    out += &format!(
        "{:?}",
        wire::items(v, "dags")
            .iter()
            .map(wire::dag)
            .collect::<Vec<_>>()
    );
    out += &format!(
        "{:?}",
        wire::items(v, "dag_runs")
            .iter()
            .map(wire::dag_run)
            .collect::<Vec<_>>()
    );
    out += &format!(
        "{:?}",
        wire::items(v, "tasks")
            .iter()
            .map(wire::task)
            .collect::<Vec<_>>()
    );
    out += &format!(
        "{:?}",
        wire::items(v, "task_instances")
            .iter()
            .map(wire::task_instance)
            .collect::<Vec<_>>()
    );
    out += &format!(
        "{:?}",
        wire::items(v, "import_errors")
            .iter()
            .map(wire::import_error)
            .collect::<Vec<_>>()
    );
    out
}

/// Adds `name: value` to every object in `v` that does not have `name` yet, except inside a
/// run's `conf` (the user's own data, kept as it is).
fn with_unknown_field(v: &Value, name: &str, value: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut out: Map<String, Value> = map
                .iter()
                .map(|(k, v)| match k.as_str() {
                    "conf" => (k.clone(), v.clone()),
                    _ => (k.clone(), with_unknown_field(v, name, value)),
                })
                .collect();
            out.entry(name).or_insert_with(|| value.clone());
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| with_unknown_field(i, name, value))
                .collect(),
        ),
        other => other.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_json_never_panics_a_reader(v in any_json()) {
        read_everything(&v);
        read_everything(&json!({"dags": [v.clone()], "dag_runs": [v.clone()],
            "task_instances": [v.clone()], "tasks": [v.clone()], "import_errors": [v.clone()],
            "detail": v.clone(), "content": v.clone(), "total_entries": v}));
    }

    #[test]
    fn arbitrary_bytes_are_an_answer(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let body = wire::body(&bytes);
        prop_assert!(body.is_null() || !bytes.is_empty());
        if serde_json::from_slice::<Value>(&bytes).is_err() && !bytes.is_empty() {
            let detail = body["detail"].as_str().unwrap_or_default();
            prop_assert!(detail.chars().count() <= 300);
        }
        read_everything(&body);
    }

    #[test]
    fn malformed_json_text_is_an_answer(text in "[\\[\\]{}\",:0-9a-z \\\\]{0,80}") {
        let body = wire::body(text.as_bytes());
        read_everything(&body);
    }

    #[test]
    fn unknown_fields_change_nothing(
        index in any::<prop::sample::Index>(),
        name in "x_[a-z]{1,8}",
        value in any_json(),
    ) {
        let answers = recorded();
        let answer = index.get(&answers);
        let before = reading(answer);
        let after = reading(&with_unknown_field(answer, &name, &value));
        prop_assert_eq!(before, after);
    }

    #[test]
    fn token_metadata_never_panics(token in "[A-Za-z0-9_.=-]{0,200}") {
        let _ = task_log::token_metadata(&token);
    }
}
