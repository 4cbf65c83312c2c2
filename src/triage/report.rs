//! A [`Triage`] written out for scripts and terminals: one JSON document, or a table. Every
//! piece of remote text is made safe for a terminal: the table through `sanitize::line`, the
//! JSON through `sanitize::json` (what a terminal could act on is escaped; the values stay the
//! same).

use serde_json::{json, Value};

use super::now::{Item, Triage};
use super::pipeline::Pipeline;
use crate::sanitize;
use crate::ui::format::{elapsed, human_size};

/// The JSON document: the triage as it is, plus `failing` and each item's `age_seconds`.
pub fn to_json(triage: &Triage) -> Value {
    let mut document =
        serde_json::to_value(triage).unwrap_or_else(|e| json!({"error": e.to_string()}));
    document["failing"] = json!(triage.is_failing());
    if let Some(items) = document.get_mut("items").and_then(Value::as_array_mut) {
        for (value, item) in items.iter_mut().zip(&triage.items) {
            value["age_seconds"] = json!(age_seconds(triage, item));
        }
    }
    document
}

/// The table: a headline, one row per item (failing first), the pipeline strip, and what could
/// not be read. Each line is safe to print.
pub fn table(triage: &Triage) -> Vec<String> {
    let failing = triage.items.iter().filter(|i| i.failing).count();
    let running = triage.items.len() - failing;
    let mut lines = vec![clean(&format!(
        "context {} at {}: {} failing, {} running",
        triage.context,
        triage.at.format("%Y-%m-%d %H:%M:%S UTC"),
        failing,
        running
    ))];
    if !triage.items.is_empty() {
        let rows: Vec<[String; 5]> = triage
            .items
            .iter()
            .map(|item| {
                [
                    item.layer.name().to_owned(),
                    item.state.clone(),
                    age_seconds(triage, item).map(elapsed).unwrap_or_default(),
                    item.subject.clone(),
                    cause(item),
                ]
            })
            .collect();
        lines.push(String::new());
        lines.extend(aligned(
            ["LAYER", "STATE", "AGE", "WHAT", "ROOT CAUSE"],
            &rows,
        ));
    }
    if let Some(pipeline) = &triage.pipeline {
        lines.push(String::new());
        lines.extend(strip(pipeline));
    }
    for unread in &triage.unread {
        let place = match &unread.environment {
            Some(environment) => format!("{} {environment}", unread.layer.name()),
            None => unread.layer.name().to_owned(),
        };
        lines.push(clean(&format!("not read: {place}: {}", unread.error)));
    }
    lines
}

/// The resource behind an item and its error, or the error alone.
fn cause(item: &Item) -> String {
    match (&item.link, &item.error) {
        (Some(link), _) => link.summary(),
        (None, Some(error)) => error.clone(),
        (None, None) => String::new(),
    }
}

fn strip(pipeline: &Pipeline) -> Vec<String> {
    let mut lines = vec![clean(&format!(
        "pipeline {} {} ({}) on {}",
        pipeline.dag_id, pipeline.run_id, pipeline.run_state, pipeline.environment
    ))];
    let rows: Vec<[String; 3]> = pipeline
        .stages
        .iter()
        .map(|stage| {
            [
                stage.task_id.clone(),
                stage.state.clone(),
                stage.link.as_ref().map(|l| l.summary()).unwrap_or_default(),
            ]
        })
        .collect();
    lines.extend(aligned(["STAGE", "STATE", "RESOURCE"], &rows));
    for layer in &pipeline.layers {
        let partial = if layer.complete { "" } else { " (at least)" };
        lines.push(clean(&format!(
            "{}: {}, {}{partial}; written by this run: {}, {}",
            layer.prefix,
            objects(layer.objects),
            human_size(layer.bytes),
            objects(layer.written_in_run),
            human_size(layer.bytes_in_run)
        )));
    }
    if let Some(error) = &pipeline.layers_error {
        lines.push(clean(&format!("layers not counted: {error}")));
    }
    lines
}

/// Rows under a header, each column as wide as its widest cell (the last one left ragged).
fn aligned<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> Vec<String> {
    let cleaned: Vec<[String; N]> = std::iter::once(header.map(str::to_owned))
        .chain(rows.iter().cloned())
        .map(|row| row.map(|cell| clean(&cell)))
        .collect();
    let widths: Vec<usize> = (0..N)
        .map(|i| {
            cleaned
                .iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    cleaned
        .iter()
        .map(|row| {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                if i + 1 == N {
                    line.push_str(cell);
                } else {
                    line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
                }
            }
            line.trim_end().to_owned()
        })
        .collect()
}

fn age_seconds(triage: &Triage, item: &Item) -> Option<u64> {
    let at = item.at?;
    Some((triage.at - at).num_seconds().max(0) as u64)
}

/// `1 object`, `3 objects`.
fn objects(n: u64) -> String {
    match n {
        1 => "1 object".into(),
        n => format!("{n} objects"),
    }
}

/// 1536 → `1.5 KiB`.
fn clean(text: &str) -> String {
    sanitize::line(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::triage::link::LinkKind;
    use crate::triage::now::Layer;
    use crate::triage::resolve::{LogRef, TaskLink};
    use chrono::{DateTime, Utc};

    fn triage() -> Triage {
        let at = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let link = TaskLink {
            kind: LinkKind::GlueRun {
                job: "nyctaxi-process".into(),
                run_id: "jr_0a1b".into(),
            },
            state: Some("FAILED".into()),
            failed: true,
            first_error: Some("KeyError: 'fare_amount'\u{1b}[2J".into()),
            root_cause: Some(LogRef::CloudWatch {
                group: "/aws-glue/jobs/error".into(),
                stream: "jr_0a1b".into(),
            }),
            lookup_error: None,
        };
        Triage {
            context: "sandbox".into(),
            at,
            items: vec![Item {
                layer: Layer::Airflow,
                environment: Some("sandbox".into()),
                subject: "prepare_data_nyc manual__1 process_to_staging_nyc".into(),
                state: "failed".into(),
                failing: true,
                at: Some(at - chrono::Duration::seconds(185)),
                error: link.first_error.clone(),
                task: None,
                link: Some(link),
            }],
            pipeline: None,
            unread: Vec::new(),
        }
    }

    #[test]
    fn the_table_names_the_root_cause_and_is_inert() {
        let lines = table(&triage());
        assert_eq!(
            lines[0],
            "context sandbox at 2027-01-15 08:00:00 UTC: 1 failing, 0 running"
        );
        assert!(
            lines[2].starts_with("LAYER    STATE   AGE     WHAT"),
            "{lines:#?}"
        );
        assert_eq!(
            lines[3],
            "airflow  failed  3m 05s  prepare_data_nyc manual__1 process_to_staging_nyc  \
             glue run jr_0a1b of nyctaxi-process FAILED: KeyError: 'fare_amount'^[[2J"
        );
    }

    #[test]
    fn the_json_keeps_values_and_escapes_what_a_terminal_would_act_on() {
        let document = to_json(&triage());
        assert_eq!(document["failing"], json!(true));
        assert_eq!(document["items"][0]["age_seconds"], json!(185));
        assert_eq!(document["items"][0]["link"]["kind"], json!("glue_run"));
        assert_eq!(document["items"][0]["link"]["run_id"], json!("jr_0a1b"));
        let text = crate::sanitize::json(&json!({"e": "a\u{1b}[2J\u{9b}1m\u{202e}b"}));
        assert_eq!(text, r#"{"e":"a\u001b[2J\u009b1m\u202eb"}"#);
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["e"], json!("a\u{1b}[2J\u{9b}1m\u{202e}b"));
    }
}
