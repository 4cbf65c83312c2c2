//! The plan as a tree: modules (root first, children under their parent) and their resource
//! changes, each with Terraform's action glyph; and the words for counts and actions.

use crate::terraform::plan::{Action, ActionCounts, ResourceChange};
use crate::terraform::stream::ChangeSummary;

/// One row of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeRow {
    /// A module heading (`module.lake`); the root module has none.
    Module { address: String, depth: usize },
    /// A change: index into the listed changes, and its indentation.
    Change { index: usize, depth: usize },
}

/// The tree of `changes` (only those that do something), grouped by module.
pub fn rows(changes: &[ResourceChange]) -> Vec<TreeRow> {
    let mut modules: Vec<(&str, Vec<usize>)> = Vec::new();
    let mut listed: Vec<(&str, usize)> = changes
        .iter()
        .enumerate()
        .filter(|(_, c)| is_listed(c))
        .map(|(i, c)| (c.module_address.as_deref().unwrap_or(""), i))
        .collect();
    listed.sort_by_key(|(module, _)| module_key(module));
    for (module, index) in listed {
        match modules.last_mut() {
            Some((m, indices)) if *m == module => indices.push(index),
            _ => modules.push((module, vec![index])),
        }
    }
    let mut out = Vec::new();
    let mut shown: Vec<&str> = Vec::new();
    for (module, indices) in modules {
        for ancestor in ancestors_and_self(module) {
            if !shown.contains(&ancestor) {
                shown.push(ancestor);
                out.push(TreeRow::Module {
                    address: ancestor.to_string(),
                    depth: module_depth(ancestor) - 1,
                });
            }
        }
        let depth = module_depth(module);
        out.extend(
            indices
                .into_iter()
                .map(|index| TreeRow::Change { index, depth }),
        );
    }
    out
}

/// Changes worth a row: everything but a pure no-op (moves and imports stay).
fn is_listed(change: &ResourceChange) -> bool {
    change.action != Action::NoOp || change.moved_from.is_some() || change.importing.is_some()
}

fn module_key(module: &str) -> Vec<&str> {
    match module {
        "" => Vec::new(),
        m => m.split(".module.").collect(),
    }
}

/// 0 for the root, 1 for `module.a`, 2 for `module.a.module.b`.
fn module_depth(module: &str) -> usize {
    module_key(module).len()
}

/// `module.a`, `module.a.module.b` for `module.a.module.b` (nothing for the root).
fn ancestors_and_self(module: &str) -> Vec<&str> {
    let mut out: Vec<&str> = module
        .match_indices(".module.")
        .map(|(i, _)| &module[..i])
        .collect();
    if !module.is_empty() {
        out.push(module);
    }
    out
}

/// Terraform's glyph for a change (`+`, `~`, `-/+`, `+/-`, `-`, `<=`, `.` forget, `→` a
/// pure move, `←` a pure import).
pub fn glyph(change: &ResourceChange) -> &'static str {
    match &change.action {
        Action::Create => "+",
        Action::Update => "~",
        Action::Replace {
            create_before_destroy: false,
        } => "-/+",
        Action::Replace {
            create_before_destroy: true,
        } => "+/-",
        Action::Delete => "-",
        Action::Read => "<=",
        Action::Forget => ".",
        Action::NoOp if change.importing.is_some() => "←",
        Action::NoOp if change.moved_from.is_some() => "→",
        Action::NoOp => " ",
        Action::Other(_) => "?",
    }
}

/// What the change does, in words (with what it moves from or imports).
/// Terraform's `action_reason` in words (unknown reasons keep Terraform's own words).
pub fn reason_words(reason: &str) -> String {
    let words = match reason {
        "replace_because_tainted" => "it is tainted",
        "replace_because_cannot_update" => "the provider cannot update it in place",
        "replace_by_request" => "-replace asked for it",
        "replace_by_triggers" => "something in replace_triggered_by changed",
        "delete_because_no_resource_config" => "its configuration was removed",
        "delete_because_no_module" => "its module was removed",
        "delete_because_wrong_repetition" => "count / for_each changed shape",
        "delete_because_count_index" => "its count index is out of range",
        "delete_because_each_key" => "its for_each key is gone",
        "delete_because_no_move_target" => "its moved block has no target",
        "read_because_config_unknown" => "its configuration is known only after apply",
        "read_because_dependency_pending" => "a dependency has changes pending",
        other => return other.replace('_', " "),
    };
    words.to_string()
}

pub fn action_words(change: &ResourceChange) -> String {
    let mut words = match &change.action {
        Action::Create => "create".to_string(),
        Action::Update => "update in place".into(),
        Action::Replace {
            create_before_destroy: false,
        } => "replace (destroy, then create)".into(),
        Action::Replace {
            create_before_destroy: true,
        } => "replace (create, then destroy)".into(),
        Action::Delete => "destroy".into(),
        Action::Read => "read (data source)".into(),
        Action::Forget => "forget (removed from state, object kept)".into(),
        Action::NoOp => "no change".into(),
        Action::Other(list) => list.clone(),
    };
    if let Some(from) = &change.moved_from {
        words.push_str(&format!(", moved from {from}"));
    }
    if let Some(import) = &change.importing {
        words.push_str(&format!(
            ", import id {}",
            import.id.as_deref().unwrap_or("?")
        ));
    }
    words
}

/// The short note after a row: what forces a replacement, a move, an import.
pub fn row_note(change: &ResourceChange) -> String {
    let mut notes = Vec::new();
    if matches!(change.action, Action::Replace { .. }) && !change.replace_paths.is_empty() {
        let paths: Vec<String> = change.replace_paths.iter().map(|p| p.to_string()).collect();
        notes.push(format!("{} forces replacement", paths.join(", ")));
    }
    if let Some(from) = &change.moved_from {
        notes.push(format!("moved from {from}"));
    }
    if change.importing.is_some() {
        notes.push("import".into());
    }
    notes.join(" · ")
}

/// `Plan: 2 to add, 1 to change, 1 to replace, 1 to destroy` (+ read, moved, imported,
/// forgotten when there are any).
pub fn counts_text(n: &ActionCounts) -> String {
    let mut text = format!(
        "{} to add, {} to change, {} to replace, {} to destroy",
        n.create, n.update, n.replace, n.delete
    );
    for (count, word) in [
        (n.read, "to read"),
        (n.moved, "moved"),
        (n.imported, "to import"),
        (n.forget, "to forget"),
    ] {
        if count > 0 {
            text.push_str(&format!(", {count} {word}"));
        }
    }
    text
}

/// A `change_summary` of the stream in the same words.
pub fn summary_text(s: &ChangeSummary) -> String {
    let mut text = format!(
        "{} added, {} changed, {} destroyed",
        s.add, s.change, s.remove
    );
    if s.import > 0 {
        text.push_str(&format!(", {} imported", s.import));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terraform::Plan;

    #[test]
    fn known_reasons_read_as_words_and_unknown_ones_keep_terraforms() {
        assert_eq!(
            reason_words("replace_because_cannot_update"),
            "the provider cannot update it in place"
        );
        assert_eq!(reason_words("some_new_reason"), "some new reason");
    }

    fn plan() -> Plan {
        let text = include_str!("../../../tests/terraform/synthetic/aws_plan.json");
        Plan::from_json(text).unwrap()
    }

    #[test]
    fn modules_come_before_their_changes_and_children_after_parents() {
        let plan = plan();
        let rows = rows(&plan.changes);
        let mut seen_modules = Vec::new();
        for row in &rows {
            match row {
                TreeRow::Module { address, .. } => seen_modules.push(address.clone()),
                TreeRow::Change { index, .. } => {
                    let module = plan.changes[*index].module_address.clone();
                    if let Some(m) = module {
                        assert!(seen_modules.contains(&m), "{m} before its changes");
                    }
                }
            }
        }
        let listed = rows
            .iter()
            .filter(|r| matches!(r, TreeRow::Change { .. }))
            .count();
        assert_eq!(listed, plan.actionable().count());
    }

    #[test]
    fn glyphs_follow_terraform() {
        let plan = plan();
        let glyphs: Vec<&str> = plan.changes.iter().map(glyph).collect();
        assert!(glyphs.contains(&"-/+"), "{glyphs:?}");
        assert!(glyphs.contains(&"+"), "{glyphs:?}");
    }
}
