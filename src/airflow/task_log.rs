//! Task-log answers of the REST log endpoint (`Accept: application/json`) as lines:
//! - 3.x: `content` is a list of structured messages (`{"timestamp", "level", "event",
//!   "error_detail"...}`, read by [`crate::logs::structured`]) or of plain strings; `continuation_token` is null at the end of the log.
//! - 2.x: `content` is the Python text of a list of `(host, text)` tuples
//!   (`"[('host', '*** Found local files...\\n')]"`); the token is always sent and its payload
//!   (an itsdangerous URL-safe serialization of the reader's metadata) says `end_of_log`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;

use super::model::TaskLogChunk;
use super::pyliteral;
use super::wire::text;

/// Reads one log answer of either version.
pub(crate) fn chunk(body: &Value) -> TaskLogChunk {
    let token = text(body, "continuation_token");
    let lines = match body.get("content") {
        Some(Value::Array(messages)) => messages.iter().flat_map(message_lines).collect(),
        Some(Value::String(python)) => python_log_lines(python),
        _ => Vec::new(),
    };
    let end_of_log = match &token {
        None => true,
        Some(token) => token_metadata(token)
            .and_then(|m| m.get("end_of_log").and_then(Value::as_bool))
            .unwrap_or(false),
    };
    TaskLogChunk {
        lines,
        continuation_token: token,
        end_of_log,
    }
}

/// One 3.x structured message as lines: `timestamp LEVEL event`, then the exception of
/// `error_detail` (type and value of each) so the real error text is there to read
/// ([`crate::logs::structured`], the same reading as the log viewer's).
fn message_lines(message: &Value) -> Vec<String> {
    match message {
        Value::String(s) => s.lines().map(str::to_owned).collect(),
        other => crate::logs::structured::readable_value(other, None)
            .unwrap_or_else(|| vec![other.to_string()]),
    }
}

/// The decoded metadata of a continuation token, if it is an itsdangerous serialization
/// (`payload.signature`; a payload starting with `.` is zlib-compressed).
pub(crate) fn token_metadata(token: &str) -> Option<Value> {
    let (payload, _signature) = token.rsplit_once('.')?;
    let (compressed, payload) = match payload.strip_prefix('.') {
        Some(rest) => (true, rest),
        None => (false, payload),
    };
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let bytes = if compressed {
        // A token's metadata is a few hundred bytes: anything that unpacks past 1 MiB is not one.
        let unpacked = crate::bounded::inflate_zlib(&bytes, 1 << 20);
        if unpacked.cut || unpacked.damaged.is_some() {
            return None;
        }
        unpacked.data
    } else {
        bytes
    };
    serde_json::from_slice(&bytes).ok()
}

/// The lines of a 2.x log: every string of the Python list of `(host, text)` tuples, the
/// host's name left out (it prefixes the text in the UI, not in files).
fn python_log_lines(python: &str) -> Vec<String> {
    let strings = pyliteral::strings(python);
    let texts: Vec<&String> =
        if strings.len().is_multiple_of(2) && python.trim_start().starts_with("[(") {
            strings.iter().skip(1).step_by(2).collect()
        } else {
            strings.iter().collect()
        };
    texts
        .into_iter()
        .flat_map(|t| t.lines().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn token_for(metadata: &Value) -> String {
        format!(
            "{}.c2lnbmF0dXJl",
            URL_SAFE_NO_PAD.encode(metadata.to_string())
        )
    }

    #[test]
    fn a_3x_answer_reads_structured_messages_and_errors() {
        let c = chunk(&json!({
            "content": [
                {"event": "::group::Log message source details", "sources": ["/x"]},
                {"timestamp": "2026-11-24T04:00:01Z", "level": "info", "event": "hello\nworld", "logger": "task"},
                {"timestamp": "2026-11-24T04:00:02Z", "level": "error", "event": "Task failed with exception",
                 "error_detail": [{"exc_type": "ValueError", "exc_value": "boom", "frames": []}]},
                "a plain line"
            ],
            "continuation_token": null
        }));
        assert_eq!(
            c.lines,
            [
                "::group::Log message source details",
                "2026-11-24T04:00:01Z INFO hello",
                "2026-11-24T04:00:01Z INFO world",
                "2026-11-24T04:00:02Z ERROR Task failed with exception",
                "ValueError: boom",
                "a plain line",
            ]
        );
        assert!(c.end_of_log);
        assert_eq!(c.continuation_token, None);
    }

    #[test]
    fn a_running_3x_log_has_a_token_and_is_not_finished() {
        let token = token_for(&json!({"end_of_log": false, "log_pos": 3}));
        let c = chunk(&json!({"content": [], "continuation_token": token}));
        assert!(!c.end_of_log);
        assert_eq!(c.continuation_token.as_deref(), Some(token.as_str()));
    }

    #[test]
    fn a_2x_answer_reads_python_tuples_and_the_token_metadata() {
        let python = r#"[('worker-1', "*** Found local files:\n[2026-11-24] INFO - it's here\n\tindented \\ \x41\u00e9")]"#;
        let token = token_for(&json!({"end_of_log": true, "log_pos": 120}));
        let c = chunk(&json!({"content": python, "continuation_token": token}));
        assert_eq!(
            c.lines,
            [
                "*** Found local files:",
                "[2026-11-24] INFO - it's here",
                "\tindented \\ Aé"
            ]
        );
        assert!(c.end_of_log);
    }

    #[test]
    fn compressed_and_foreign_tokens() {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(br#"{"end_of_log": true}"#).unwrap();
        let token = format!(".{}.sig", URL_SAFE_NO_PAD.encode(z.finish().unwrap()));
        assert_eq!(token_metadata(&token), Some(json!({"end_of_log": true})));
        assert_eq!(token_metadata("not a token"), None);
        let c = chunk(&json!({"content": [], "continuation_token": "opaque"}));
        assert!(!c.end_of_log, "an unreadable token means: more may come");
    }
}
