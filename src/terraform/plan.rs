//! The model of a saved plan, from `terraform show -json PLANFILE`.
//!
//! `show -json` holds sensitive values in clear. This model never stores them: while parsing,
//! every attribute under a `before_sensitive` / `after_sensitive` mark becomes
//! [`Value::Sensitive`] without its value being read, and the document's `variables`,
//! `prior_state`, `planned_values` and `configuration` sections are not kept at all.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde_json::Value as Json;

/// A reviewed plan: what an apply of the plan file would do.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub format_version: String,
    pub terraform_version: String,
    /// Resource instances the apply would change (including no-op ones and moves).
    pub changes: Vec<ResourceChange>,
    /// Changes made outside Terraform, found by refreshing (what `-refresh-only` would accept).
    pub drift: Vec<ResourceChange>,
    /// Root module outputs, sorted by name.
    pub outputs: Vec<OutputChange>,
    /// Whether Terraform would apply this plan (false e.g. for an errored plan).
    pub applyable: bool,
    pub complete: bool,
    pub errored: bool,
}

/// What a change does to one resource instance. Moves, imports and forgets are
/// orthogonal to it, see [`ResourceChange::moved_from`] and [`ResourceChange::importing`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    NoOp,
    Create,
    Read,
    Update,
    /// Destroy and create (`create_before_destroy`: the new object first).
    Replace {
        create_before_destroy: bool,
    },
    Delete,
    /// Remove from state without destroying the object (`removed` block).
    Forget,
    /// An action list this model does not know, e.g. `["create","forget"]` joined by `,`.
    Other(String),
}

impl Action {
    fn from_actions(actions: &[String]) -> Self {
        let list: Vec<&str> = actions.iter().map(String::as_str).collect();
        match list.as_slice() {
            ["no-op"] => Self::NoOp,
            ["create"] => Self::Create,
            ["read"] => Self::Read,
            ["update"] => Self::Update,
            ["delete", "create"] => Self::Replace {
                create_before_destroy: false,
            },
            ["create", "delete"] => Self::Replace {
                create_before_destroy: true,
            },
            ["delete"] => Self::Delete,
            ["forget"] => Self::Forget,
            _ => Self::Other(list.join(",")),
        }
    }
}

/// Managed resource or data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Managed,
    Data,
    #[serde(other)]
    Other,
}

/// The planned change of one resource instance.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceChange {
    pub address: String,
    /// Module address, `None` for the root module.
    pub module_address: Option<String>,
    pub mode: Mode,
    pub resource_type: String,
    pub name: String,
    /// `count` index or `for_each` key, as JSON text (e.g. `0` or `"a"`).
    pub index: Option<String>,
    pub provider_name: String,
    pub action: Action,
    /// Why, e.g. "replace_because_cannot_update", "delete_because_no_resource_config".
    pub action_reason: Option<String>,
    /// The address it had before a `moved` block (a move; alone it is a no-op).
    pub moved_from: Option<String>,
    /// Set when the change imports an existing object.
    pub importing: Option<Import>,
    /// Attributes whose change forces the replacement.
    pub replace_paths: Vec<AttrPath>,
    /// Every attribute, before → after, in path order.
    pub attributes: Vec<AttributeRow>,
}

impl ResourceChange {
    /// Rows whose value changes (or becomes unknown after apply).
    pub fn changed_attributes(&self) -> impl Iterator<Item = &AttributeRow> {
        self.attributes.iter().filter(|row| row.changed)
    }
}

/// The object an import adopts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub id: Option<String>,
}

/// One step of an attribute path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathStep {
    Key(String),
    Index(u64),
}

/// An attribute path, e.g. `tags.Name` or `ingress[0].cidr_blocks[1]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AttrPath(pub Vec<PathStep>);

impl AttrPath {
    fn child(&self, step: PathStep) -> Self {
        let mut steps = self.0.clone();
        steps.push(step);
        Self(steps)
    }

    /// Whether `self` is `prefix` or lies under it.
    pub fn starts_with(&self, prefix: &AttrPath) -> bool {
        self.0.starts_with(&prefix.0)
    }

    fn from_json(steps: &[Json]) -> Self {
        Self(
            steps
                .iter()
                .map(|s| match s {
                    Json::Number(n) if n.is_u64() => PathStep::Index(n.as_u64().unwrap_or(0)),
                    Json::String(k) => PathStep::Key(k.clone()),
                    other => PathStep::Key(other.to_string()),
                })
                .collect(),
        )
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Key(k) if i == 0 => write!(f, "{k}")?,
                PathStep::Key(k) if is_identifier(k) => write!(f, ".{k}")?,
                PathStep::Key(k) => write!(f, "[{k:?}]")?,
                PathStep::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

fn is_identifier(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// One side of an attribute row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Not present on this side (e.g. before a create).
    Absent,
    Null,
    /// A known value as JSON text: `"abc"`, `3`, `true`, `[]`, `{}`.
    Known(String),
    /// Known only after apply.
    Unknown,
    /// Marked sensitive: the value was dropped while parsing.
    Sensitive,
}

/// One attribute of a change: `path`: before → after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeRow {
    pub path: AttrPath,
    pub before: Value,
    pub after: Value,
    /// Lies under one of the change's `replace_paths`.
    pub forces_replacement: bool,
    /// The value changes or becomes unknown. For a sensitive row this was decided from the
    /// raw values while parsing (as Terraform marks a changed sensitive value), which are
    /// not kept.
    pub changed: bool,
}

/// A root module output of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputChange {
    pub name: String,
    pub action: Action,
    /// Marked sensitive on either side: both values are [`Value::Sensitive`].
    pub sensitive: bool,
    pub before: Value,
    pub after: Value,
}

/// Number of changes per kind (a replace counts once, under `replace`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActionCounts {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
    pub read: usize,
    pub no_op: usize,
    pub forget: usize,
    pub other: usize,
    pub moved: usize,
    pub imported: usize,
}

/// The changes of one module, for a tree: modules sorted by address, root (`""`) first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleGroup {
    /// e.g. `module.network.module.subnets`; "" for the root module.
    pub address: String,
    /// Nesting depth: 0 for the root module, 1 for `module.a`, 2 for `module.a.module.b`.
    pub depth: usize,
    /// Indices into [`Plan::changes`].
    pub changes: Vec<usize>,
}

impl Plan {
    /// Parses the output of `terraform show -json PLANFILE`.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        let raw: RawPlan = serde_json::from_str(text)?;
        Ok(raw.into_model())
    }

    /// Changes that do something (everything but pure no-ops that are not moves).
    pub fn actionable(&self) -> impl Iterator<Item = &ResourceChange> {
        self.changes
            .iter()
            .filter(|c| c.action != Action::NoOp || c.moved_from.is_some() || c.importing.is_some())
    }

    pub fn counts(&self) -> ActionCounts {
        let mut n = ActionCounts::default();
        for change in &self.changes {
            match change.action {
                Action::NoOp => n.no_op += 1,
                Action::Create => n.create += 1,
                Action::Read => n.read += 1,
                Action::Update => n.update += 1,
                Action::Replace { .. } => n.replace += 1,
                Action::Delete => n.delete += 1,
                Action::Forget => n.forget += 1,
                Action::Other(_) => n.other += 1,
            }
            n.moved += usize::from(change.moved_from.is_some());
            n.imported += usize::from(change.importing.is_some());
        }
        n
    }

    /// Whether applying would destroy something (deletes or replaces).
    pub fn destroys(&self) -> bool {
        let n = self.counts();
        n.delete + n.replace > 0
    }

    /// Changes grouped by module, for a tree view: depth-first order (a module right after
    /// its parent), with every ancestor present (the root `""` first), even without changes.
    pub fn by_module(&self) -> Vec<ModuleGroup> {
        let mut groups: BTreeMap<Vec<&str>, Vec<usize>> = BTreeMap::new();
        for (i, change) in self.changes.iter().enumerate() {
            let module = change.module_address.as_deref().unwrap_or("");
            for ancestor in module_ancestors(module) {
                groups.entry(tree_key(ancestor)).or_default();
            }
            groups.entry(tree_key(module)).or_default().push(i);
        }
        groups
            .into_iter()
            .map(|(key, changes)| ModuleGroup {
                depth: if key == [""] { 0 } else { key.len() },
                address: key.join(".module."),
                changes,
            })
            .collect()
    }

    /// The change at `address`, if any.
    pub fn change(&self, address: &str) -> Option<&ResourceChange> {
        self.changes.iter().find(|c| c.address == address)
    }
}

/// Sort key of a module address: its module steps (`module.a.module.b` → `[module.a, b]`),
/// so that children sort right after their parent.
fn tree_key(module: &str) -> Vec<&str> {
    module.split(".module.").collect()
}

/// The root and every enclosing module of `module` (not `module` itself).
fn module_ancestors(module: &str) -> impl Iterator<Item = &str> {
    let inner = module
        .match_indices(".module.")
        .map(move |(i, _)| &module[..i]);
    (!module.is_empty()).then_some("").into_iter().chain(inner)
}

// ---- the JSON document ------------------------------------------------------------------

#[derive(Deserialize)]
struct RawPlan {
    #[serde(default)]
    format_version: String,
    #[serde(default)]
    terraform_version: String,
    #[serde(default)]
    resource_changes: Vec<RawResourceChange>,
    #[serde(default)]
    resource_drift: Vec<RawResourceChange>,
    #[serde(default)]
    output_changes: BTreeMap<String, RawChange>,
    #[serde(default = "yes")]
    applyable: bool,
    #[serde(default = "yes")]
    complete: bool,
    #[serde(default)]
    errored: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct RawResourceChange {
    address: String,
    #[serde(default)]
    previous_address: Option<String>,
    #[serde(default)]
    module_address: Option<String>,
    #[serde(default = "managed")]
    mode: Mode,
    #[serde(default, rename = "type")]
    resource_type: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    index: Option<Json>,
    #[serde(default)]
    provider_name: String,
    change: RawChange,
    #[serde(default)]
    action_reason: Option<String>,
}

fn managed() -> Mode {
    Mode::Managed
}

#[derive(Deserialize)]
struct RawChange {
    actions: Vec<String>,
    #[serde(default)]
    before: Json,
    #[serde(default)]
    after: Json,
    #[serde(default)]
    after_unknown: Json,
    #[serde(default)]
    before_sensitive: Json,
    #[serde(default)]
    after_sensitive: Json,
    #[serde(default)]
    replace_paths: Vec<Vec<Json>>,
    #[serde(default)]
    importing: Option<RawImporting>,
}

#[derive(Deserialize)]
struct RawImporting {
    #[serde(default)]
    id: Option<String>,
}

impl RawPlan {
    fn into_model(self) -> Plan {
        Plan {
            format_version: self.format_version,
            terraform_version: self.terraform_version,
            changes: self.resource_changes.into_iter().map(into_change).collect(),
            drift: self.resource_drift.into_iter().map(into_change).collect(),
            outputs: self
                .output_changes
                .into_iter()
                .map(|(name, c)| into_output(name, c))
                .collect(),
            applyable: self.applyable,
            complete: self.complete,
            errored: self.errored,
        }
    }
}

fn into_change(raw: RawResourceChange) -> ResourceChange {
    let c = raw.change;
    let replace_paths: Vec<AttrPath> = c
        .replace_paths
        .iter()
        .map(|p| AttrPath::from_json(p))
        .collect();
    let attributes = attribute_rows(&c, &replace_paths);
    ResourceChange {
        moved_from: raw.previous_address.filter(|p| *p != raw.address),
        address: raw.address,
        module_address: raw.module_address.filter(|m| !m.is_empty()),
        mode: raw.mode,
        resource_type: raw.resource_type,
        name: raw.name,
        index: raw.index.filter(|i| !i.is_null()).map(|i| i.to_string()),
        provider_name: raw.provider_name,
        action: Action::from_actions(&c.actions),
        action_reason: raw.action_reason,
        importing: c.importing.map(|i| Import { id: i.id }),
        replace_paths,
        attributes,
    }
}

fn into_output(name: String, c: RawChange) -> OutputChange {
    let sensitive = is_marked(&c.before_sensitive) || is_marked(&c.after_sensitive);
    let side = |value: &Json, unknown: bool| match value {
        _ if sensitive => Value::Sensitive,
        _ if unknown => Value::Unknown,
        Json::Null => Value::Null,
        other => Value::Known(other.to_string()),
    };
    let before = if c.actions.iter().any(|a| a == "create") && c.before.is_null() {
        Value::Absent
    } else {
        side(&c.before, false)
    };
    let after = if c.actions.iter().any(|a| a == "delete") && c.after.is_null() {
        Value::Absent
    } else {
        side(&c.after, c.after_unknown == Json::Bool(true))
    };
    OutputChange {
        name,
        action: Action::from_actions(&c.actions),
        sensitive,
        before,
        after,
    }
}

/// Any sensitive mark at all (for outputs, which are masked as a whole).
fn is_marked(mask: &Json) -> bool {
    match mask {
        Json::Bool(b) => *b,
        Json::Array(items) => items.iter().any(is_marked),
        Json::Object(map) => map.values().any(is_marked),
        _ => false,
    }
}

/// Flattens before and after to rows, applying the unknown and sensitive marks.
fn attribute_rows(c: &RawChange, replace_paths: &[AttrPath]) -> Vec<AttributeRow> {
    let mut before = BTreeMap::new();
    let mut after = BTreeMap::new();
    let no_mask = Json::Null;
    flatten(
        &c.before,
        &c.before_sensitive,
        &no_mask,
        AttrPath::default(),
        &mut before,
    );
    flatten(
        &c.after,
        &c.after_sensitive,
        &c.after_unknown,
        AttrPath::default(),
        &mut after,
    );
    let mut paths: Vec<&AttrPath> = before.keys().chain(after.keys()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .map(|path| {
            let before = before.get(path).cloned().unwrap_or(Value::Absent);
            let after = after.get(path).cloned().unwrap_or(Value::Absent);
            let changed = match (&before, &after) {
                (_, Value::Unknown) => true,
                (Value::Sensitive, _) | (_, Value::Sensitive) => {
                    lookup(&c.before, path) != lookup(&c.after, path)
                }
                _ => before != after,
            };
            AttributeRow {
                path: path.clone(),
                before,
                after,
                forces_replacement: replace_paths.iter().any(|p| path.starts_with(p)),
                changed,
            }
        })
        .collect()
}

/// The raw value at `path` inside `value`, if there is one.
fn lookup<'a>(value: &'a Json, path: &AttrPath) -> Option<&'a Json> {
    path.0.iter().try_fold(value, |v, step| match step {
        PathStep::Key(k) => v.get(k.as_str()),
        PathStep::Index(i) => v.get(usize::try_from(*i).ok()?),
    })
}

/// Emits one entry per leaf of `value` (scalars, null inside a container, empty
/// containers). A `true` in `sensitive` masks the subtree without reading it; a `true` in
/// `unknown` marks it unknown. The top level (the resource object) is a container.
fn flatten(
    value: &Json,
    sensitive: &Json,
    unknown: &Json,
    path: AttrPath,
    out: &mut BTreeMap<AttrPath, Value>,
) {
    let is_root = path.0.is_empty();
    if *sensitive == Json::Bool(true) {
        if !is_root {
            out.insert(path, Value::Sensitive);
        }
        return;
    }
    if *unknown == Json::Bool(true) {
        if !is_root {
            out.insert(path, Value::Unknown);
        }
        return;
    }
    match value {
        Json::Object(map) => {
            let keys = union_keys(map, sensitive, unknown);
            if keys.is_empty() && !is_root {
                out.insert(path, Value::Known("{}".into()));
                return;
            }
            for key in keys {
                let child = |mask: &Json| mask.get(key.as_str()).unwrap_or(&Json::Null).clone();
                flatten(
                    map.get(&key).unwrap_or(&Json::Null),
                    &child(sensitive),
                    &child(unknown),
                    path.child(PathStep::Key(key.clone())),
                    out,
                );
            }
        }
        Json::Array(items) => {
            let len = items.len().max(mask_len(sensitive)).max(mask_len(unknown));
            if len == 0 && !is_root {
                out.insert(path, Value::Known("[]".into()));
                return;
            }
            for i in 0..len {
                let child = |mask: &Json| mask.get(i).unwrap_or(&Json::Null).clone();
                flatten(
                    items.get(i).unwrap_or(&Json::Null),
                    &child(sensitive),
                    &child(unknown),
                    path.child(PathStep::Index(i as u64)),
                    out,
                );
            }
        }
        Json::Null if is_root => {
            // no object on this side (create or delete): only unknown marks can add rows
            if let Json::Object(mask) = unknown {
                for key in mask.keys() {
                    let child = path.child(PathStep::Key(key.clone()));
                    flatten(&Json::Null, &Json::Null, &mask[key], child, out);
                }
            }
        }
        Json::Null => {
            if let Json::Object(_) | Json::Array(_) = unknown {
                // a container whose members are partly unknown: show the unknown members
                flatten(
                    &Json::Object(Default::default()),
                    sensitive,
                    unknown,
                    path,
                    out,
                );
            } else {
                out.insert(path, Value::Null);
            }
        }
        scalar => {
            out.insert(path, Value::Known(scalar.to_string()));
        }
    }
}

fn union_keys(
    map: &serde_json::Map<String, Json>,
    sensitive: &Json,
    unknown: &Json,
) -> Vec<String> {
    let mut keys: Vec<String> = map.keys().cloned().collect();
    for mask in [sensitive, unknown] {
        if let Json::Object(m) = mask {
            keys.extend(m.keys().cloned());
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

fn mask_len(mask: &Json) -> usize {
    mask.as_array().map_or(0, Vec::len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(before: Json, after: Json, unknown: Json, bs: Json, a_s: Json) -> Vec<AttributeRow> {
        let c = RawChange {
            actions: vec!["update".into()],
            before,
            after,
            after_unknown: unknown,
            before_sensitive: bs,
            after_sensitive: a_s,
            replace_paths: vec![vec![Json::from("tags")]],
            importing: None,
        };
        attribute_rows(&c, &[AttrPath(vec![PathStep::Key("tags".into())])])
    }

    #[test]
    fn masks_sensitive_and_unknown_and_marks_replacement() {
        use serde_json::json;
        let rows = rows(
            json!({"a": 1, "pw": "old", "tags": {"x": "1"}, "list": [1, 2]}),
            json!({"a": 2, "pw": "new", "tags": {"x": "2"}, "list": [1]}),
            json!({"id": true, "list": [false, true]}),
            json!({"pw": true}),
            json!({"pw": true}),
        );
        let show: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "{} {:?} {:?} {}",
                    r.path, r.before, r.after, r.forces_replacement
                )
            })
            .collect();
        assert_eq!(
            show,
            [
                r#"a Known("1") Known("2") false"#,
                r#"id Absent Unknown false"#,
                r#"list[0] Known("1") Known("1") false"#,
                r#"list[1] Known("2") Unknown false"#,
                r#"pw Sensitive Sensitive false"#,
                r#"tags.x Known("\"1\"") Known("\"2\"") true"#,
            ]
        );
        assert!(!format!("{rows:?}").contains("old"));
        assert!(!rows[2].changed, "list[0] is the same");
        assert!(rows[4].changed, "pw changed, though both sides are masked");
    }

    #[test]
    fn an_unchanged_sensitive_value_is_not_a_change() {
        use serde_json::json;
        let rows = rows(
            json!({"pw": "same", "a": 1}),
            json!({"pw": "same", "a": 2}),
            json!({}),
            json!({"pw": true}),
            json!({"pw": true}),
        );
        let changed: Vec<String> = rows
            .iter()
            .filter(|r| r.changed)
            .map(|r| r.path.to_string())
            .collect();
        assert_eq!(changed, ["a"]);
        assert!(!format!("{rows:?}").contains("same"));
    }

    #[test]
    fn paths_display_like_terraform() {
        let p = AttrPath(vec![
            PathStep::Key("tags".into()),
            PathStep::Key("a b".into()),
            PathStep::Index(2),
            PathStep::Key("x".into()),
        ]);
        assert_eq!(p.to_string(), r#"tags["a b"][2].x"#);
    }

    #[test]
    fn actions() {
        let a =
            |s: &[&str]| Action::from_actions(&s.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(
            a(&["create", "delete"]),
            Action::Replace {
                create_before_destroy: true
            }
        );
        assert_eq!(
            a(&["delete", "create"]),
            Action::Replace {
                create_before_destroy: false
            }
        );
        assert_eq!(a(&["forget"]), Action::Forget);
        assert_eq!(
            a(&["create", "forget"]),
            Action::Other("create,forget".into())
        );
    }
}
