//! Lines of the provisioning screens: a change's attributes before → after, diagnostics with
//! their source snippet, per-resource progress, outputs. Pure functions of the data; every
//! text from Terraform is sanitized here.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::tree;
use crate::sanitize;
use crate::terraform::plan::{ResourceChange, Value};
use crate::terraform::progress::{Progress, ResourceProgress, Status};
use crate::terraform::stream::{ChangeAction, Diagnostic, OutputInfo, Severity};
use crate::terraform::OutputValue;
use crate::theme::Theme;

/// Shown instead of a value Terraform marked sensitive.
pub const SENSITIVE: &str = "(sensitive value)";
/// Shown for a value known only after apply.
pub const UNKNOWN: &str = "(known after apply)";

fn clean(text: &str) -> String {
    sanitize::line(text).into_owned()
}

pub fn value_text(value: &Value) -> String {
    match value {
        Value::Absent => "(none)".into(),
        Value::Null => "null".into(),
        Value::Known(json) => clean(json),
        Value::Unknown => UNKNOWN.into(),
        Value::Sensitive => SENSITIVE.into(),
    }
}

/// The selected change: address, action and why, then its attributes (of an update only
/// the changed ones unless `all`).
pub fn diff_lines(change: &ResourceChange, all: bool, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                format!("{} ", tree::glyph(change)),
                glyph_style(change, theme),
            ),
            Span::styled(clean(&change.address), theme.title),
        ]),
        Line::styled(format!("  {}", tree::action_words(change)), theme.muted),
    ];
    if let Some(reason) = &change.action_reason {
        lines.push(Line::styled(
            format!("  because {}", clean(&tree::reason_words(reason))),
            theme.muted,
        ));
    }
    lines.push(Line::raw(""));
    // an update lists what changes; a create, replace or destroy the whole object
    let whole = !matches!(change.action, crate::terraform::plan::Action::Update);
    let rows: Vec<_> = change
        .attributes
        .iter()
        .filter(|r| all || whole || r.changed)
        .collect();
    if rows.is_empty() {
        lines.push(Line::styled("  no attribute changes", theme.muted));
    }
    let width = rows
        .iter()
        .map(|r| r.path.to_string().chars().count())
        .max()
        .unwrap_or(0);
    for row in rows {
        let marker = match (&row.before, &row.after) {
            _ if row.forces_replacement => Span::styled("# ", theme.state_failed),
            _ if !row.changed => Span::raw("  "),
            (Value::Absent, _) => Span::styled("+ ", theme.state_success),
            (_, Value::Absent) => Span::styled("- ", theme.state_failed),
            _ => Span::styled("~ ", theme.state_pending),
        };
        let path = format!("{:width$}", row.path.to_string());
        let mut spans = vec![
            Span::raw("  "),
            marker,
            Span::styled(clean(&path), theme.base),
            Span::raw("  "),
        ];
        let after = Span::styled(value_text(&row.after), value_style(&row.after, theme));
        match row.changed {
            true => spans.extend([
                Span::styled(value_text(&row.before), value_style(&row.before, theme)),
                Span::styled(" → ", theme.muted),
                after,
            ]),
            false => spans.push(after),
        }
        if row.forces_replacement {
            spans.push(Span::styled("  # forces replacement", theme.state_failed));
        }
        lines.push(Line::from(spans));
    }
    lines
}

fn value_style(value: &Value, theme: &Theme) -> Style {
    match value {
        Value::Unknown | Value::Sensitive | Value::Absent => theme.muted,
        _ => theme.base,
    }
}

pub fn glyph_style(change: &ResourceChange, theme: &Theme) -> Style {
    use crate::terraform::plan::Action;
    match change.action {
        Action::Create => theme.state_success,
        Action::Update | Action::Read => theme.state_pending,
        Action::Replace { .. } | Action::Delete => theme.state_failed,
        _ => theme.muted,
    }
}

/// A diagnostic as Terraform prints it: severity and summary, where (file:line, the
/// enclosing block), the source lines with the range highlighted, the values involved, and
/// the detail.
pub fn diagnostic_lines(d: &Diagnostic, theme: &Theme) -> Vec<Line<'static>> {
    let (word, style) = match d.severity {
        Severity::Error => ("Error", theme.error),
        Severity::Warning => ("Warning", theme.warning),
        Severity::Other => ("Note", theme.muted),
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{word}: "), style),
        Span::styled(clean(&d.summary), theme.title),
    ])];
    if let Some(address) = &d.address {
        lines.push(Line::styled(
            format!("  resource {}", clean(address)),
            theme.muted,
        ));
    }
    if let Some(range) = &d.range {
        let context = d
            .snippet
            .as_ref()
            .and_then(|s| s.context.as_deref())
            .map(|c| format!(", in {}", clean(c)))
            .unwrap_or_default();
        lines.push(Line::styled(
            format!(
                "  on {}:{}{context}",
                clean(&range.filename),
                range.start.line
            ),
            theme.muted,
        ));
    }
    if let Some(snippet) = &d.snippet {
        lines.extend(snippet_lines(snippet, theme));
    }
    lines.extend(
        d.detail
            .lines()
            .map(|l| Line::styled(format!("  {}", clean(l)), theme.base)),
    );
    lines
}

fn snippet_lines(snippet: &crate::terraform::stream::Snippet, theme: &Theme) -> Vec<Line<'static>> {
    let (start, end) = (
        snippet.highlight_start_offset,
        snippet
            .highlight_end_offset
            .max(snippet.highlight_start_offset),
    );
    let mut offset = 0;
    let mut lines = Vec::new();
    for (i, code) in snippet.code.split('\n').enumerate() {
        let number = format!("  {:>4} │ ", snippet.start_line as usize + i);
        let (line_start, line_end) = (offset, offset + code.len());
        offset = line_end + 1;
        let (a, b) = (
            start.clamp(line_start, line_end) - line_start,
            end.clamp(line_start, line_end) - line_start,
        );
        let part = |from: usize, to: usize| clean(code.get(from..to).unwrap_or(""));
        lines.push(Line::from(vec![
            Span::styled(number, theme.muted),
            Span::styled(part(0, a), theme.base),
            Span::styled(part(a, b), theme.highlight),
            Span::styled(part(b, code.len()), theme.base),
        ]));
    }
    for value in &snippet.values {
        lines.push(Line::styled(
            format!(
                "         │ {} {}",
                clean(&value.traversal),
                clean(&value.statement)
            ),
            theme.muted,
        ));
    }
    lines
}

/// Every diagnostic, a blank line between them.
pub fn diagnostics_lines(diagnostics: &[Diagnostic], theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (i, d) in diagnostics.iter().enumerate() {
        if i > 0 {
            lines.push(Line::raw(""));
        }
        lines.extend(diagnostic_lines(d, theme));
    }
    lines
}

fn status_text(status: Status) -> (&'static str, fn(&Theme) -> Style) {
    match status {
        Status::Refreshing => ("refreshing", |t| t.state_running),
        Status::Refreshed => ("refreshed", |t| t.muted),
        Status::Planned => ("planned", |t| t.state_pending),
        Status::Running => ("running", |t| t.state_running),
        Status::Done => ("done", |t| t.state_success),
        Status::Errored => ("FAILED", |t| t.state_failed),
    }
}

fn stream_action_word(action: &Option<ChangeAction>) -> String {
    match action {
        None => String::new(),
        Some(ChangeAction::NoOp) => "no-op".into(),
        Some(ChangeAction::Create) => "create".into(),
        Some(ChangeAction::Read) => "read".into(),
        Some(ChangeAction::Update) => "update".into(),
        Some(ChangeAction::Replace) => "replace".into(),
        Some(ChangeAction::Delete) => "destroy".into(),
        Some(ChangeAction::Move) => "move".into(),
        Some(ChangeAction::Import) => "import".into(),
        Some(ChangeAction::Forget) => "forget".into(),
        Some(ChangeAction::Other(o)) => clean(o),
    }
}

/// One resource of a running plan or apply: status, action, address, elapsed, id; its
/// errors are listed under the diagnostics.
pub fn progress_row(row: &ResourceProgress, width: usize, theme: &Theme) -> Line<'static> {
    let (status, style) = status_text(row.status);
    let elapsed = row
        .elapsed_seconds
        .map(|s| format!("{s}s"))
        .unwrap_or_default();
    let id = row
        .id
        .as_ref()
        .map(|(k, v)| format!("{}={}", clean(k), clean(v)))
        .unwrap_or_default();
    let errors = match row.diagnostics.len() {
        0 => String::new(),
        n => format!("  {n} error(s) below"),
    };
    Line::from(vec![
        Span::styled(format!("  {status:<10} "), style(theme)),
        Span::styled(
            format!("{:<8} ", stream_action_word(&row.action)),
            theme.muted,
        ),
        Span::styled(format!("{:width$} ", clean(&row.address)), theme.base),
        Span::styled(format!("{elapsed:>5}  "), theme.muted),
        Span::styled(id, theme.muted),
        Span::styled(errors, theme.state_failed),
    ])
}

/// Every resource of the operation, with a count line first (nothing before the first).
pub fn progress_lines(progress: &Progress, theme: &Theme) -> Vec<Line<'static>> {
    if progress.resources.is_empty() {
        return Vec::new();
    }
    let width = progress
        .resources
        .iter()
        .map(|r| r.address.chars().count())
        .max()
        .unwrap_or(0);
    let counts: Vec<String> = [
        (Status::Refreshing, "refreshing"),
        (Status::Refreshed, "refreshed"),
        (Status::Planned, "planned"),
        (Status::Running, "running"),
        (Status::Done, "done"),
        (Status::Errored, "failed"),
    ]
    .iter()
    .filter_map(|(status, word)| match progress.count(*status) {
        0 => None,
        n => Some(format!("{n} {word}")),
    })
    .collect();
    let mut lines = vec![Line::styled(
        format!(
            "  {} resources: {}",
            progress.resources.len(),
            counts.join(", ")
        ),
        theme.header,
    )];
    lines.extend(
        progress
            .resources
            .iter()
            .map(|row| progress_row(row, width, theme)),
    );
    lines
}

/// Outputs of an apply (`value` withheld when sensitive).
pub fn apply_output_lines(outputs: &[OutputInfo], theme: &Theme) -> Vec<Line<'static>> {
    outputs
        .iter()
        .map(|o| {
            let value = match (&o.value, o.sensitive) {
                (_, true) => SENSITIVE.to_string(),
                (Some(v), false) => clean(&v.to_string()),
                (None, false) => UNKNOWN.to_string(),
            };
            output_line(&o.name, &value, o.sensitive, theme)
        })
        .collect()
}

/// Outputs in the state (`output -json`).
pub fn state_output_lines(outputs: &[OutputValue], theme: &Theme) -> Vec<Line<'static>> {
    outputs
        .iter()
        .map(|o| {
            let value = match &o.value {
                _ if o.sensitive => SENSITIVE.to_string(),
                Some(v) => clean(&v.to_string()),
                None => "null".into(),
            };
            output_line(&o.name, &value, o.sensitive, theme)
        })
        .collect()
}

fn output_line(name: &str, value: &str, sensitive: bool, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("  {} = ", clean(name)), theme.muted),
        Span::styled(
            value.to_string(),
            if sensitive { theme.muted } else { theme.base },
        ),
    ])
}
