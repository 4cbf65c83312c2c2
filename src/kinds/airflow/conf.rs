//! The conf of a triggered run as people type it: a JSON object, checked before anything is
//! sent. A mistake is named with its line and column, and the text is kept for another try.

use serde_json::{Map, Value};

/// Parses `text` as a run's conf. Empty text is `{}`.
pub fn parse(text: &str) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "conf is not valid JSON: line {}, column {}: {}",
            e.line(),
            e.column(),
            reason(&e)
        )
    })?;
    match value {
        Value::Object(_) => Ok(value),
        other => Err(format!(
            "conf must be a JSON object like {{\"key\": \"value\"}}, not {}",
            kind(&other)
        )),
    }
}

/// serde_json's message without its own ` at line L column C` suffix.
fn reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_pass_and_empty_is_an_empty_object() {
        assert_eq!(parse("{}").unwrap(), serde_json::json!({}));
        assert_eq!(parse("  ").unwrap(), serde_json::json!({}));
        assert_eq!(
            parse(r#"{"date": "2026-01-15", "n": 3}"#).unwrap(),
            serde_json::json!({"date": "2026-01-15", "n": 3})
        );
    }

    #[test]
    fn bad_json_names_line_and_column() {
        let e = parse("{\"date\": 2026-01-15}").unwrap_err();
        assert!(
            e.starts_with("conf is not valid JSON: line 1, column "),
            "{e}"
        );
        let e = parse("{\n  \"a\": 1,\n  \"b\" 2\n}").unwrap_err();
        assert!(e.contains("line 3, column 7"), "{e}");
        assert!(e.contains("expected `:`"), "{e}");
        let e = parse("{\"a\": 1").unwrap_err();
        assert!(e.contains("EOF"), "{e}");
    }

    #[test]
    fn other_json_values_are_refused() {
        assert!(parse("[1, 2]").unwrap_err().contains("not an array"));
        assert!(parse("\"x\"").unwrap_err().contains("not a string"));
        assert!(parse("null").unwrap_err().contains("not null"));
    }
}
