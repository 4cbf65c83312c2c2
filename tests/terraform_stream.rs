//! The `-json` UI stream parser over lines recorded from real Terraform 1.15.5 runs of
//! tests/terraform/basic (tests/terraform/recorded/*.jsonl), and a property test: no line
//! makes it panic, unknown message types are ignored, unknown fields change nothing.

use std::path::PathBuf;

use platform_tui::terraform::progress::{Progress, Status};
use platform_tui::terraform::stream::{
    parse_line, ChangeAction, Event, InstanceKey, Level, Program, Severity, SummaryOperation,
};
use proptest::prelude::*;
use serde_json::{json, Value as Json};

const RECORDINGS: &[&str] = &[
    "init.jsonl",
    "plan1.jsonl",
    "apply1.jsonl",
    "plan2.jsonl",
    "apply2.jsonl",
    "refresh.jsonl",
    "apply_stale.jsonl",
    "apply_cancelled.jsonl",
    "plan_invalid.jsonl",
];

fn recorded_lines(name: &str) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/terraform/recorded")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(String::from)
        .collect()
}

fn recorded(name: &str) -> Vec<Event> {
    recorded_lines(name).iter().map(|l| parse_line(l)).collect()
}

fn all_recorded_lines() -> Vec<String> {
    RECORDINGS.iter().flat_map(|n| recorded_lines(n)).collect()
}

#[test]
fn terraform_stream_every_recorded_line_is_a_known_message() {
    for name in RECORDINGS {
        let events = recorded(name);
        assert!(
            matches!(&events[0], Event::Version(v)
                if v.program == Program::Terraform && v.version == "1.15.5" && v.is_supported()),
            "{name}: {:?}",
            events[0]
        );
        for event in &events {
            assert!(
                !matches!(event, Event::Unparsed(_) | Event::Ignored(_)),
                "{name}: {event:?}"
            );
        }
    }
}

#[test]
fn terraform_stream_init_steps_carry_their_codes() {
    let codes: Vec<String> = recorded("init.jsonl")
        .into_iter()
        .filter_map(|e| match e {
            Event::InitOutput(m) => m.code,
            _ => None,
        })
        .collect();
    assert_eq!(
        codes.first().map(String::as_str),
        Some("initializing_modules_message")
    );
    assert_eq!(
        codes.last().map(String::as_str),
        Some("output_init_success_message")
    );
}

#[test]
fn terraform_stream_plan_with_replace_update_and_create() {
    let events = recorded("plan2.jsonl");
    let planned: Vec<(String, ChangeAction, Option<String>)> = events
        .iter()
        .filter_map(|e| match e {
            Event::PlannedChange(c) => {
                Some((c.resource.addr.clone(), c.action.clone(), c.reason.clone()))
            }
            _ => None,
        })
        .collect();
    assert!(planned.contains(&(
        "terraform_data.token".into(),
        ChangeAction::Replace,
        Some("cannot_update".into())
    )));
    assert!(planned.contains(&(
        "module.child.terraform_data.item".into(),
        ChangeAction::Update,
        None
    )));
    let broken = events.iter().find_map(|e| match e {
        Event::PlannedChange(c) if c.resource.resource_name == "broken" => Some(&c.resource),
        _ => None,
    });
    assert_eq!(broken.unwrap().resource_key, Some(InstanceKey::Index(0)));
    let refreshed = events
        .iter()
        .filter(|e| matches!(e, Event::RefreshComplete(h) if h.id_value.is_some()))
        .count();
    assert_eq!(refreshed, 3);
    let summary = events.iter().find_map(|e| match e {
        Event::ChangeSummary(s) => Some(*s),
        _ => None,
    });
    let s = summary.unwrap();
    assert_eq!(
        (s.add, s.change, s.remove, s.operation),
        (2, 2, 1, SummaryOperation::Plan)
    );
    let Some(Event::Outputs(outputs)) = events.last() else {
        panic!("{:?}", events.last())
    };
    let token = outputs.iter().find(|o| o.name == "token").unwrap();
    assert!(token.sensitive && token.value.is_none());
    assert_eq!(token.action, Some(ChangeAction::NoOp));
    let greeting = outputs.iter().find(|o| o.name == "greeting").unwrap();
    assert_eq!(greeting.action, Some(ChangeAction::Update));
}

#[test]
fn terraform_stream_apply_progress_outputs_and_failure() {
    let applied = recorded("apply1.jsonl");
    let complete: Vec<(&str, Option<&str>)> = applied
        .iter()
        .filter_map(|e| match e {
            Event::ApplyComplete(h) => Some((h.resource.addr.as_str(), h.id_key.as_deref())),
            _ => None,
        })
        .collect();
    assert_eq!(complete.len(), 3);
    assert!(complete.iter().all(|(_, key)| *key == Some("id")));
    let Some(Event::Outputs(outputs)) = applied.last() else {
        panic!()
    };
    let greeting = outputs.iter().find(|o| o.name == "greeting").unwrap();
    assert_eq!(greeting.value, Some(json!("hello demo")));
    assert_eq!(greeting.value_type, Some(json!("string")));

    let failed = recorded("apply2.jsonl");
    let provision: Vec<&str> = failed
        .iter()
        .filter_map(|e| match e {
            Event::ProvisionProgress(h) => h.output.as_deref(),
            _ => None,
        })
        .collect();
    assert!(provision.contains(&"failing on purpose"), "{provision:?}");
    assert!(failed.iter().any(
        |e| matches!(e, Event::ApplyErrored(h) if h.resource.addr == "terraform_data.broken[0]"
            && h.action == ChangeAction::Create && h.elapsed_seconds.is_some())
    ));
    let diagnostic = failed
        .iter()
        .find_map(|e| match e {
            Event::Diagnostic(d) => Some(d),
            _ => None,
        })
        .unwrap();
    assert_eq!(diagnostic.severity, Severity::Error);
    assert_eq!(
        diagnostic.address.as_deref(),
        Some("terraform_data.broken[0]")
    );
    let range = diagnostic.range.as_ref().unwrap();
    let snippet = diagnostic.snippet.as_ref().unwrap();
    assert_eq!(
        (range.filename.as_str(), range.start.line),
        ("main.tf", snippet.start_line)
    );
    assert_eq!(
        snippet.context.as_deref(),
        Some(r#"resource "terraform_data" "broken""#)
    );
}

#[test]
fn terraform_stream_diagnostic_snippet_highlights_the_expression() {
    let events = recorded("plan_invalid.jsonl");
    let Event::Diagnostic(d) = &events[1] else {
        panic!("{:?}", events[1])
    };
    assert_eq!(d.summary, "Invalid operand");
    assert_eq!(
        d.detail,
        "Unsuitable value for right operand: a number is required."
    );
    let s = d.snippet.as_ref().unwrap();
    assert_eq!(s.code, r#"  value = local.a + "nope""#);
    assert_eq!(
        &s.code[s.highlight_start_offset..s.highlight_end_offset],
        r#""nope""#
    );
    assert_eq!(d.range.as_ref().unwrap().start.column, 21);
}

#[test]
fn terraform_stream_cancel_and_stale_plan_messages() {
    let cancelled = recorded("apply_cancelled.jsonl");
    let logs: Vec<(Level, &str)> = cancelled
        .iter()
        .filter_map(|e| match e {
            Event::Log(m) => Some((m.level, m.text.as_str())),
            _ => None,
        })
        .collect();
    assert!(
        logs.iter().any(|(_, t)| t.contains("Interrupt received")),
        "{logs:?}"
    );
    assert!(logs.contains(&(Level::Info, "Stopping operation...")));
    let stale = recorded("apply_stale.jsonl");
    assert!(
        matches!(&stale[1], Event::Diagnostic(d) if d.summary == "Saved plan is stale"
        && d.detail.contains("state was changed by another operation"))
    );
}

#[test]
fn terraform_stream_opentofu_version_and_newer_ui() {
    let tofu = parse_line(
        r#"{"@level":"info","@message":"OpenTofu 1.9.0","tofu":"1.9.0","type":"version","ui":"1.2"}"#,
    );
    assert!(
        matches!(tofu, Event::Version(v) if v.program == Program::OpenTofu && v.is_supported())
    );
    let future = parse_line(r#"{"terraform":"2.0.0","type":"version","ui":"2.0"}"#);
    assert!(matches!(future, Event::Version(v) if !v.is_supported()));
}

fn folded(name: &str) -> Progress {
    let mut progress = Progress::default();
    for event in recorded(name) {
        progress.apply(&event);
    }
    progress
}

#[test]
fn terraform_stream_progress_of_a_plan_then_of_a_failing_apply() {
    let plan = folded("plan2.jsonl");
    assert_eq!(plan.count(Status::Planned), 4);
    assert_eq!(
        plan.resources[0].address, "terraform_data.token",
        "first seen refreshing"
    );
    assert_eq!(
        plan.resource("terraform_data.token").unwrap().action,
        Some(ChangeAction::Replace)
    );
    assert!(plan.resource("terraform_data.token").unwrap().id.is_some());

    let apply = folded("apply2.jsonl");
    let broken = apply.resource("terraform_data.broken[0]").unwrap();
    assert_eq!(broken.status, Status::Errored);
    assert_eq!(broken.elapsed_seconds, Some(0));
    assert!(broken
        .provisioner_output
        .contains(&"failing on purpose".to_string()));
    let error = &apply.diagnostics[broken.diagnostics[0]];
    assert_eq!(error.summary, "local-exec provisioner error");
    let item = apply.resource("module.child.terraform_data.item").unwrap();
    assert_eq!(item.module, "module.child");
    assert_eq!(
        (item.status, item.action.clone()),
        (Status::Done, Some(ChangeAction::Update))
    );
    assert_eq!(item.id.as_ref().map(|(k, _)| k.as_str()), Some("id"));
    assert_eq!(apply.count(Status::Errored), 1);
}

#[test]
fn terraform_stream_progress_of_a_cancelled_apply() {
    let cancelled = folded("apply_cancelled.jsonl");
    let slow = cancelled.resource("terraform_data.slow[0]").unwrap();
    assert_eq!(
        (slow.status, slow.elapsed_seconds),
        (Status::Errored, Some(3))
    );
    assert!(cancelled
        .log
        .iter()
        .any(|l| l.contains("Interrupt received")));
    assert_eq!(cancelled.unparsed, 0);
    assert!(cancelled.version.as_ref().is_some_and(|v| v.is_supported()));
}

// ---- properties -----------------------------------------------------------------------------

const KNOWN_TYPES: &[&str] = &[
    "version",
    "planned_change",
    "resource_drift",
    "change_summary",
    "outputs",
    "apply_start",
    "apply_progress",
    "apply_complete",
    "apply_errored",
    "provision_start",
    "provision_progress",
    "provision_complete",
    "provision_errored",
    "refresh_start",
    "refresh_complete",
    "diagnostic",
    "log",
    "init_output",
];

fn any_json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::from),
        any::<i64>().prop_map(Json::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Json::from),
        ".{0,12}".prop_map(Json::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::from),
            prop::collection::btree_map("[a-z_@]{1,8}", inner, 0..4)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn terraform_stream_never_panics_on_arbitrary_text(line in "\\PC{0,200}") {
        let event = parse_line(&line);
        if serde_json::from_str::<Json>(&line).map_or(true, |v| !v.is_object()) {
            prop_assert_eq!(event, Event::Unparsed(line));
        }
    }

    #[test]
    fn terraform_stream_never_panics_on_known_types_with_arbitrary_bodies(
        kind in prop::sample::select(KNOWN_TYPES),
        body in prop::collection::btree_map("[a-z_@]{1,10}", any_json(), 0..6),
    ) {
        let mut object: serde_json::Map<String, Json> = body.into_iter().collect();
        object.insert("type".into(), json!(kind));
        let event = parse_line(&Json::Object(object).to_string());
        prop_assert!(!matches!(event, Event::Ignored(_)));
    }

    #[test]
    fn terraform_stream_unknown_types_are_ignored(
        kind in "[a-z_]{1,20}".prop_filter("unknown", |k| !KNOWN_TYPES.contains(&k.as_str())),
        body in prop::collection::btree_map("[a-z_@]{1,10}", any_json(), 0..6),
    ) {
        let mut object: serde_json::Map<String, Json> = body.into_iter().collect();
        object.insert("type".into(), json!(kind.clone()));
        prop_assert_eq!(parse_line(&Json::Object(object).to_string()), Event::Ignored(kind));
    }

    #[test]
    fn terraform_stream_unknown_fields_change_nothing(
        index in any::<prop::sample::Index>(),
        field in "x_[a-z]{1,8}",
        value in any_json(),
    ) {
        let lines = all_recorded_lines();
        let line = index.get(&lines);
        let mut object: Json = serde_json::from_str(line).unwrap();
        object[field.as_str()] = value.clone();
        // and one level down, in the message body
        for body in ["change", "hook", "diagnostic", "changes"] {
            if let Some(Json::Object(inner)) = object.get_mut(body) {
                inner.insert(field.clone(), value.clone());
            }
        }
        prop_assert_eq!(parse_line(&object.to_string()), parse_line(line));
    }

    #[test]
    fn terraform_stream_truncated_lines_never_panic(
        index in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let lines = all_recorded_lines();
        let line = index.get(&lines);
        let mut end = cut.index(line.len() + 1);
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        let event = parse_line(&line[..end]);
        if end < line.len() {
            prop_assert!(matches!(event, Event::Unparsed(_)), "{:?}", event);
        }
    }
}
