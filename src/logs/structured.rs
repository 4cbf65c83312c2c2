//! JSON-lines log records read for people. Airflow 3 writes one JSON object per line
//! (`{"timestamp", "level", "event", "logger", "error_detail"...}`: its REST log answer and its
//! CloudWatch task logs on MWAA); other services and loggers use `message`/`msg` and
//! `time`/`@timestamp`. A record reads as `time LEVEL event`, one line per line of the event, then
//! one `Type: value` line per exception it carries. The raw JSON stays what the line holds.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

/// Fields holding the message, the first found wins; a record has one of them.
const MESSAGE_FIELDS: &[&str] = &["event", "message", "msg", "log"];
const TIME_FIELDS: &[&str] = &["timestamp", "time", "@timestamp", "asctime", "ts"];
const LEVEL_FIELDS: &[&str] = &["level", "levelname", "severity", "log_level", "loglevel"];

/// The readable lines of a text holding one JSON log record; `None` when it holds none (plain
/// text, JSON that is not an object, an object without a message field). A record without a
/// time of its own is shown at `received` (MWAA's CloudWatch records leave their time to the
/// log event).
pub fn readable(text: &str, received: Option<DateTime<Utc>>) -> Option<Vec<String>> {
    let trimmed = text.trim();
    if !trimmed.starts_with('{') {
        return None;
    }
    let value: Value = serde_json::from_str(trimmed).ok()?;
    readable_value(&value, received)
}

/// The readable lines of one record (see [`readable`]).
pub fn readable_value(record: &Value, received: Option<DateTime<Utc>>) -> Option<Vec<String>> {
    let object = record.as_object()?;
    let message = MESSAGE_FIELDS
        .iter()
        .find_map(|field| object.get(*field))
        .map(|m| match m {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })?;
    let mut head = String::new();
    let own_time = TIME_FIELDS.iter().find_map(|f| time_text(object.get(*f)?));
    if let Some(time) = own_time.or_else(|| received.map(rfc3339_millis)) {
        head.push_str(&time);
        head.push(' ');
    }
    if let Some(level) = LEVEL_FIELDS.iter().find_map(|f| object.get(*f)?.as_str()) {
        head.push_str(&level.to_uppercase());
        head.push(' ');
    }
    let mut lines: Vec<String> = message.lines().map(|l| format!("{head}{l}")).collect();
    if lines.is_empty() {
        lines.push(head.trim_end().to_owned());
    }
    lines.extend(exceptions(record));
    Some(lines)
}

/// `Type: value` of each exception of Airflow's `error_detail`, or the lines of a structlog
/// `exception` / `exc_info` text.
fn exceptions(record: &Value) -> Vec<String> {
    if let Some(details) = record.get("error_detail").and_then(Value::as_array) {
        return details
            .iter()
            .map(|d| {
                let text = |f: &str| d.get(f).and_then(Value::as_str).unwrap_or_default();
                format!("{}: {}", text("exc_type"), text("exc_value"))
            })
            .collect();
    }
    ["exception", "exc_info"]
        .iter()
        .find_map(|f| record.get(*f)?.as_str())
        .map(|text| text.lines().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// A time as sent (text), or epoch seconds / milliseconds as RFC 3339.
fn time_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => {
            let n = n.as_f64()?;
            // Past the year 33658 as seconds means milliseconds.
            let millis = if n.abs() > 1e12 { n } else { n * 1000.0 };
            DateTime::<Utc>::from_timestamp_millis(millis as i64).map(rfc3339_millis)
        }
        _ => None,
    }
}

fn rfc3339_millis(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_airflow_3_record_reads_time_level_event_and_its_exception() {
        let line = r#"{"timestamp":"2026-11-24T04:00:02.123456Z","level":"error","event":"Task failed with exception","logger":"task","error_detail":[{"exc_type":"AirflowException","exc_value":"Exiting Job jr_1 Run State: FAILED","frames":[]}]}"#;
        assert_eq!(
            readable(line, None).unwrap(),
            [
                "2026-11-24T04:00:02.123456Z ERROR Task failed with exception",
                "AirflowException: Exiting Job jr_1 Run State: FAILED",
            ]
        );
    }

    #[test]
    fn other_loggers_field_names_and_multi_line_events() {
        assert_eq!(
            readable(
                r#"{"time": 1764000000, "severity": "warning", "message": "a\nb"}"#,
                None
            )
            .unwrap(),
            [
                "2025-11-24T16:00:00.000Z WARNING a",
                "2025-11-24T16:00:00.000Z WARNING b"
            ]
        );
        assert_eq!(
            readable(r#"{"msg": {"nested": 1}}"#, None).unwrap(),
            [r#"{"nested":1}"#]
        );
        assert_eq!(
            readable(
                r#"{"event": "boom", "exception": "Traceback\nValueError: x"}"#,
                None
            )
            .unwrap(),
            ["boom", "Traceback", "ValueError: x"]
        );
    }

    #[test]
    fn a_record_without_a_time_is_shown_at_its_event_time() {
        let cloudwatch =
            r#"{"event": "Exiting Job jr_1 Run State: FAILED", "level": "info", "logger": "x"}"#;
        let received = DateTime::from_timestamp(1_764_000_000, 5_000_000);
        assert_eq!(
            readable(cloudwatch, received).unwrap(),
            ["2025-11-24T16:00:00.005Z INFO Exiting Job jr_1 Run State: FAILED"]
        );
        let own = r#"{"timestamp": "2026-01-01T00:00:00Z", "event": "e"}"#;
        assert_eq!(readable(own, received).unwrap(), ["2026-01-01T00:00:00Z e"]);
    }

    #[test]
    fn anything_else_is_not_a_record() {
        assert_eq!(readable("INFO plain text", None), None);
        assert_eq!(readable(r#"{"no_message": 1}"#, None), None);
        assert_eq!(readable("[1, 2]", None), None);
        assert_eq!(readable("{not json", None), None);
    }
}
