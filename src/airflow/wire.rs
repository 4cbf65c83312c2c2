//! Tolerant reading of the REST API's JSON (v1 on 2.x, v2 on 3.x) into the model: every field
//! may be missing or `null`, unknown fields are ignored, and where the versions name a field
//! differently both names are tried.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::model::*;

/// An answer's body as JSON: `null` when empty, `{"detail": text}` (the first 300 characters)
/// when it is not JSON.
pub(crate) fn body(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes).unwrap_or_else(|_| {
        let text = String::from_utf8_lossy(bytes);
        serde_json::json!({"detail": text.trim().chars().take(300).collect::<String>()})
    })
}

/// A string field (`None` when missing, null or not a string).
pub(crate) fn text(v: &Value, field: &str) -> Option<String> {
    v.get(field).and_then(Value::as_str).map(str::to_owned)
}

/// The first of `fields` that is a string.
fn text_of(v: &Value, fields: &[&str]) -> Option<String> {
    fields.iter().find_map(|f| text(v, f))
}

fn time(v: &Value, field: &str) -> Option<DateTime<Utc>> {
    v.get(field)
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn time_of(v: &Value, fields: &[&str]) -> Option<DateTime<Utc>> {
    fields.iter().find_map(|f| time(v, f))
}

fn uint(v: &Value, field: &str) -> Option<u32> {
    v.get(field)
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
}

fn flag(v: &Value, field: &str) -> bool {
    v.get(field).and_then(Value::as_bool).unwrap_or(false)
}

/// The items of the collection `field` (`{"dags": [...], "total_entries": n}`).
pub(crate) fn items<'a>(v: &'a Value, field: &str) -> &'a [Value] {
    v.get(field)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

pub(crate) fn total_entries(v: &Value) -> Option<u64> {
    v.get("total_entries").and_then(Value::as_u64)
}

/// Strings, or objects with a `name` (tags: `[{"name": "nyc"}]` on both versions).
fn names(v: &Value, field: &str) -> Vec<String> {
    v.get(field)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| match item {
                    Value::String(s) => Some(s.clone()),
                    other => text(other, "name"),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// 3.x: `timetable_summary`; 2.x: `schedule_interval` `{"__type": "CronExpression", "value"}`
/// (or a timedelta object), else the timetable's description.
fn schedule(v: &Value) -> Option<String> {
    if let Some(summary) = text(v, "timetable_summary") {
        return Some(summary);
    }
    match v.get("schedule_interval") {
        Some(Value::String(s)) => return Some(s.clone()),
        Some(interval @ Value::Object(_)) => {
            if let Some(value) = text(interval, "value") {
                return Some(value);
            }
            let days = interval.get("days").and_then(Value::as_i64).unwrap_or(0);
            let seconds = interval.get("seconds").and_then(Value::as_i64).unwrap_or(0);
            if days != 0 || seconds != 0 {
                return Some(format!("every {days}d {seconds}s"));
            }
        }
        _ => {}
    }
    text(v, "timetable_description")
}

pub(crate) fn dag(v: &Value) -> Dag {
    Dag {
        dag_id: text(v, "dag_id").unwrap_or_default(),
        is_paused: flag(v, "is_paused"),
        schedule: schedule(v),
        tags: names(v, "tags"),
        owners: names(v, "owners"),
        description: text(v, "description"),
        next_run: time_of(v, &["next_dagrun_run_after", "next_dagrun"]),
        has_import_errors: flag(v, "has_import_errors"),
        fileloc: text(v, "fileloc"),
        last_run: None,
    }
}

pub(crate) fn dag_run(v: &Value) -> DagRun {
    let logical_date = time_of(v, &["logical_date", "execution_date"]);
    let run_type = text(v, "run_type").unwrap_or_default();
    DagRun {
        dag_id: text(v, "dag_id").unwrap_or_default(),
        run_id: text_of(v, &["dag_run_id", "run_id"]).unwrap_or_default(),
        state: State::from_api(v.get("state").and_then(Value::as_str)),
        run_after: run_after(v, &run_type, logical_date),
        run_type,
        logical_date,
        queued_at: time(v, "queued_at"),
        start_date: time(v, "start_date"),
        end_date: time(v, "end_date"),
        conf: match v.get("conf") {
            Some(conf @ Value::Object(_)) => conf.clone(),
            _ => Value::Object(Default::default()),
        },
        note: text(v, "note"),
    }
}

/// When a run was due. 3.x says it (`run_after`). 2.x does not: a scheduled (or backfill) run
/// was due at the end of its data interval, but a manual or dataset-triggered run at its logical
/// date, the moment it was triggered; its data interval ends at the previous schedule tick
/// (midnight for a daily DAG), which is not when anything happened.
fn run_after(
    v: &Value,
    run_type: &str,
    logical_date: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    if let Some(after) = time(v, "run_after") {
        return Some(after);
    }
    let interval_end = time(v, "data_interval_end");
    match run_type {
        "scheduled" | "backfill" => interval_end.or(logical_date),
        _ => logical_date.or(interval_end),
    }
}

pub(crate) fn task(v: &Value) -> Task {
    Task {
        task_id: text(v, "task_id").unwrap_or_default(),
        operator: text_of(v, &["operator_name", "class_ref"])
            .or_else(|| v.get("class_ref").and_then(|c| text(c, "class_name"))),
        downstream_task_ids: names(v, "downstream_task_ids"),
        retries: v
            .get("retries")
            .and_then(Value::as_f64)
            .map(|r| r.max(0.0) as u32),
    }
}

/// A task instance, a try of one (tries endpoint) or a reference to one (2.x clear and mark
/// answers carry only dag, run and task ids). `dag_id`/`run_id` fill what the JSON lacks.
pub(crate) fn task_instance(v: &Value) -> TaskInstance {
    TaskInstance {
        key: TaskKey {
            dag_id: text(v, "dag_id").unwrap_or_default(),
            run_id: text_of(v, &["dag_run_id", "run_id"]).unwrap_or_default(),
            task_id: text(v, "task_id").unwrap_or_default(),
            map_index: v.get("map_index").and_then(Value::as_i64).unwrap_or(-1),
        },
        state: State::from_api(v.get("state").and_then(Value::as_str)),
        try_number: uint(v, "try_number").unwrap_or(0),
        max_tries: uint(v, "max_tries"),
        operator: text_of(v, &["operator_name", "operator"]),
        queued_at: time_of(v, &["queued_when", "queued_dttm"]),
        start_date: time(v, "start_date"),
        end_date: time(v, "end_date"),
        duration: v.get("duration").and_then(Value::as_f64),
        hostname: text(v, "hostname").filter(|h| !h.is_empty()),
        pool: text(v, "pool"),
        note: text(v, "note"),
    }
}

/// Whether a task instance (or reference to one) says its state: 2.x clear answers do not.
pub(crate) fn has_state(v: &Value) -> bool {
    v.get("state").is_some()
}

/// The rendered template fields of a task instance (`{}` when missing).
pub(crate) fn rendered_fields(v: &Value) -> serde_json::Map<String, Value> {
    match v.get("rendered_fields") {
        Some(Value::Object(fields)) => fields.clone(),
        _ => serde_json::Map::new(),
    }
}

/// An XCom value as JSON, whichever way the API sent it: 3.x a JSON value (or, stringified, the
/// JSON text of one), 2.x Python's text of the value. A text that is neither stays a string.
pub(crate) fn xcom_value(entry: &Value) -> Value {
    match entry.get("value") {
        Some(Value::String(text)) => {
            let trimmed = text.trim();
            let structured = trimmed.starts_with(['[', '{', '(', '\'', '"']);
            if structured {
                if let Ok(json) = serde_json::from_str::<Value>(trimmed) {
                    return json;
                }
                if let Some(python) = super::pyliteral::parse(trimmed) {
                    return python;
                }
            }
            Value::String(text.clone())
        }
        Some(other) => other.clone(),
        None => Value::Null,
    }
}

/// Extra links: 3.x `{"extra_links": {name: url}}`, 2.x `{name: url}`; in name order.
pub(crate) fn extra_links(answer: &Value) -> Vec<ExtraLink> {
    let links = answer.get("extra_links").unwrap_or(answer);
    let Some(links) = links.as_object() else {
        return Vec::new();
    };
    let mut out: Vec<ExtraLink> = links
        .iter()
        .filter(|(name, _)| name.as_str() != "total_entries")
        .map(|(name, url)| ExtraLink {
            name: name.clone(),
            url: url.as_str().filter(|u| !u.is_empty()).map(str::to_owned),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

pub(crate) fn import_error(v: &Value) -> ImportError {
    ImportError {
        id: v.get("import_error_id").and_then(Value::as_i64),
        filename: text(v, "filename").unwrap_or_default(),
        timestamp: time(v, "timestamp"),
        stack_trace: text(v, "stack_trace").unwrap_or_default(),
    }
}

/// Tasks in dependency order: every task after all of its upstream tasks; ties (and cycles,
/// which Airflow refuses anyway) keep the API's order.
pub(crate) fn in_dependency_order(tasks: Vec<Task>) -> Vec<Task> {
    use std::collections::HashMap;
    let index: HashMap<&str, usize> = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.task_id.as_str(), i))
        .collect();
    let mut upstream_count = vec![0usize; tasks.len()];
    for task in &tasks {
        for down in &task.downstream_task_ids {
            if let Some(&d) = index.get(down.as_str()) {
                upstream_count[d] += 1;
            }
        }
    }
    let mut placed = vec![false; tasks.len()];
    let mut order = Vec::with_capacity(tasks.len());
    while order.len() < tasks.len() {
        let next = (0..tasks.len())
            .find(|&i| !placed[i] && upstream_count[i] == 0)
            .or_else(|| (0..tasks.len()).find(|&i| !placed[i]))
            .expect("an unplaced task remains");
        placed[next] = true;
        order.push(next);
        for down in &tasks[next].downstream_task_ids {
            if let Some(&d) = index.get(down.as_str()) {
                upstream_count[d] = upstream_count[d].saturating_sub(1);
            }
        }
    }
    let mut slots: Vec<Option<Task>> = tasks.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// The error text of an API error body: 3.x `{"detail": "..." | [{"msg"}]}`, 2.x problem JSON
/// `{"title", "detail"}`.
pub(crate) fn error_message(body: &Value) -> Option<String> {
    match body.get("detail") {
        Some(Value::String(detail)) => return Some(detail.clone()),
        Some(Value::Array(problems)) => {
            let messages: Vec<String> = problems
                .iter()
                .map(|p| {
                    let at = p
                        .get("loc")
                        .and_then(Value::as_array)
                        .map(|loc| {
                            loc.iter()
                                .map(|l| l.to_string().trim_matches('"').to_owned())
                                .collect::<Vec<_>>()
                                .join(".")
                        })
                        .unwrap_or_default();
                    let msg = text(p, "msg").unwrap_or_else(|| p.to_string());
                    if at.is_empty() {
                        msg
                    } else {
                        format!("{at}: {msg}")
                    }
                })
                .collect();
            return Some(messages.join("; "));
        }
        Some(Value::Object(_)) => return body.get("detail").map(|d| d.to_string()),
        _ => {}
    }
    text(body, "title")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_3x_dag_reads_with_unknown_fields() {
        let d = dag(&json!({
            "dag_id": "prepare_data_nyc", "dag_display_name": "prepare_data_nyc",
            "is_paused": false, "is_stale": false, "timetable_summary": "@daily",
            "tags": [{"name": "nyc", "dag_id": "prepare_data_nyc"}], "owners": ["airflow"],
            "next_dagrun_run_after": "2026-11-25T00:00:00Z", "has_import_errors": false,
            "fileloc": "/dags/nyc.py", "bundle_name": "dags-folder", "something_new": [1, 2]
        }));
        assert_eq!(d.dag_id, "prepare_data_nyc");
        assert_eq!(d.schedule.as_deref(), Some("@daily"));
        assert_eq!(d.tags, vec!["nyc"]);
        assert_eq!(d.owners, vec!["airflow"]);
        assert_eq!(
            d.next_run.map(|t| t.to_rfc3339()),
            Some("2026-11-25T00:00:00+00:00".into())
        );
    }

    #[test]
    fn a_2x_dag_reads_its_schedule_interval() {
        let d = dag(&json!({
            "dag_id": "a", "is_paused": true,
            "schedule_interval": {"__type": "CronExpression", "value": "0 3 * * *"},
            "tags": [{"name": "x"}], "next_dagrun": "2026-01-01T00:00:00+00:00"
        }));
        assert!(d.is_paused);
        assert_eq!(d.schedule.as_deref(), Some("0 3 * * *"));
        assert!(d.next_run.is_some());
        let bare = dag(&json!({"dag_id": "b", "schedule_interval": null, "tags": null}));
        assert_eq!(bare.schedule, None);
        assert!(bare.tags.is_empty());
        assert!(!bare.is_paused);
    }

    #[test]
    fn runs_read_on_both_versions() {
        let v3 = dag_run(&json!({
            "dag_run_id": "manual__2026-11-24T04:00:00+00:00", "dag_id": "a",
            "logical_date": null, "run_after": "2026-11-24T04:00:00Z", "state": "running",
            "run_type": "manual", "conf": {"day": 1}, "triggered_by": "rest_api"
        }));
        assert_eq!(v3.state, State::Running);
        assert_eq!(v3.logical_date, None);
        assert!(v3.run_after.is_some());
        assert_eq!(v3.conf, json!({"day": 1}));
        let v2 = dag_run(&json!({
            "dag_run_id": "scheduled__x", "dag_id": "a", "execution_date": "2026-11-24T00:00:00+00:00",
            "state": "queued", "conf": null
        }));
        assert_eq!(v2.state, State::Queued);
        assert_eq!(v2.run_after, v2.logical_date);
        // 2.x: a manual run of a daily DAG was due when triggered, not at its interval's end.
        let manual = dag_run(&json!({
            "run_type": "manual", "execution_date": "2026-11-24T04:13:00+00:00",
            "data_interval_end": "2026-11-24T00:00:00+00:00"
        }));
        assert_eq!(manual.run_after, manual.logical_date);
        let scheduled = dag_run(&json!({
            "run_type": "scheduled", "execution_date": "2026-11-23T00:00:00+00:00",
            "data_interval_end": "2026-11-24T00:00:00+00:00"
        }));
        assert_eq!(
            scheduled.run_after.map(|t| t.to_rfc3339()),
            Some("2026-11-24T00:00:00+00:00".into())
        );
        assert_eq!(v2.conf, json!({}));
        let empty = dag_run(&json!({}));
        assert_eq!(empty.state, State::None);
        assert_eq!(empty.run_id, "");
    }

    #[test]
    fn task_instances_read_full_and_as_references() {
        let ti = task_instance(&json!({
            "task_id": "t", "dag_id": "d", "dag_run_id": "r", "map_index": -1,
            "state": "up_for_retry", "try_number": 2, "max_tries": 3, "operator": "PythonOperator",
            "queued_when": "2026-11-24T04:00:00Z", "duration": 1.5, "hostname": "",
            "rendered_fields": {}, "new_field": 1
        }));
        assert_eq!(ti.state, State::UpForRetry);
        assert_eq!(ti.try_number, 2);
        assert_eq!(ti.operator.as_deref(), Some("PythonOperator"));
        assert_eq!(ti.hostname, None);
        assert!(ti.queued_at.is_some());
        let reference = task_instance(&json!({
            "task_id": "t", "dag_id": "d", "dag_run_id": "r", "execution_date": "2026-11-24T00:00:00+00:00"
        }));
        assert_eq!(reference.key.map_index, -1);
        assert_eq!(reference.try_number, 0);
        assert_eq!(reference.state, State::None);
        assert_eq!(
            task_instance(&json!({"state": "brand_new"})).state,
            State::Other("brand_new".into())
        );
    }

    #[test]
    fn xcom_values_of_both_versions_read_as_json() {
        let value = |v: Value| xcom_value(&json!({ "key": "k", "value": v }));
        assert_eq!(value(json!(["s-1"])), json!(["s-1"]), "3.x native");
        assert_eq!(value(json!("[\"s-1\"]")), json!(["s-1"]), "3.x stringified");
        assert_eq!(value(json!("['s-1']")), json!(["s-1"]), "2.x Python text");
        assert_eq!(
            value(json!("{'job_name': 'j', 'job_run_id': 'jr_1'}")),
            json!({"job_name": "j", "job_run_id": "jr_1"})
        );
        assert_eq!(value(json!("jr_0a1b")), json!("jr_0a1b"), "a bare string");
        assert_eq!(value(json!("[unparsable")), json!("[unparsable"));
        assert_eq!(xcom_value(&json!({"key": "k"})), Value::Null);
    }

    #[test]
    fn extra_links_of_both_versions_read() {
        let v2 = extra_links(&json!({
            "extra_links": {"EMR Cluster": "https://x/clusterDetails/j-1", "EMR Cluster Logs": null},
            "total_entries": 2
        }));
        assert_eq!(v2.len(), 2);
        assert_eq!(v2[0].url.as_deref(), Some("https://x/clusterDetails/j-1"));
        assert_eq!(v2[1].url, None);
        let v1 = extra_links(&json!({"AWS Glue Job Run Details": ""}));
        assert_eq!(v1[0].name, "AWS Glue Job Run Details");
        assert_eq!(v1[0].url, None, "an empty URL is no URL");
        assert!(extra_links(&json!(null)).is_empty());
    }

    #[test]
    fn tasks_come_in_dependency_order() {
        let t = |id: &str, down: &[&str]| Task {
            task_id: id.into(),
            downstream_task_ids: down.iter().map(|d| d.to_string()).collect(),
            ..Task::default()
        };
        let ordered = in_dependency_order(vec![
            t("load", &[]),
            t("transform", &["load"]),
            t("extract", &["transform"]),
        ]);
        let ids: Vec<&str> = ordered.iter().map(|t| t.task_id.as_str()).collect();
        assert_eq!(ids, ["extract", "transform", "load"]);
    }

    #[test]
    fn error_bodies_of_both_versions_read() {
        assert_eq!(
            error_message(&json!({"detail": "DAG with dag_id: 'x' not found"})).as_deref(),
            Some("DAG with dag_id: 'x' not found")
        );
        assert_eq!(
            error_message(&json!({"detail": [{"loc": ["body", "conf"], "msg": "Input should be a valid dictionary"}]}))
                .as_deref(),
            Some("body.conf: Input should be a valid dictionary")
        );
        assert_eq!(
            error_message(&json!({"title": "DAG not found", "status": 404})).as_deref(),
            Some("DAG not found")
        );
    }
}
