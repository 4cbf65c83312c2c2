//! The audit file the action gate appends to: `<home>/state/audit.jsonl`, one JSON object
//! a line with time, context, action, target, outcome.

use std::fs;
use std::path::Path;

use serde_json::Value;

pub fn records(home: &Path) -> Vec<Value> {
    let path = home.join("state/audit.jsonl");
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| {
                panic!(
                    "{} holds a line that is not JSON: {line:?}: {e}",
                    path.display()
                )
            })
        })
        .collect()
}

/// Asserts that the audit file holds a record of `action` on `target` with `outcome`, with a
/// time and a context; returns it.
pub fn expect_record(home: &Path, action: &str, target: &str, outcome: &str) -> Value {
    let records = records(home);
    let found = records.iter().find(|record| {
        record["action"] == action && record["target"] == target && record["outcome"] == outcome
    });
    let Some(record) = found else {
        panic!(
            "no {outcome} {action} of {target} in the audit file; it holds:\n{}",
            records
                .iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    };
    assert!(
        record["time"].is_string(),
        "audit record without time: {record}"
    );
    assert!(
        record["context"].is_string(),
        "audit record without context: {record}"
    );
    record.clone()
}
