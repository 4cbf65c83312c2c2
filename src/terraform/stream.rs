//! Parser of Terraform's machine-readable UI (`-json`): one JSON object per line.
//!
//! [`parse_line`] never fails: a line that is not a JSON object, or a known message whose
//! fields do not have the documented shape, becomes [`Event::Unparsed`]; a message type this
//! version does not know becomes [`Event::Ignored`]. Unknown fields are ignored everywhere.
//! Output values marked sensitive are dropped while parsing (Terraform withholds them already).

use serde::Deserialize;
use serde_json::Value as Json;

/// The `ui` major version this parser understands. Terraform 0.15.3 to 1.0.x announce
/// `0.1.0` for the same messages (measured with 1.0.3), which is accepted too.
pub const SUPPORTED_UI_MAJOR: u32 = 1;

/// One line of the `-json` stream.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Version(Version),
    PlannedChange(ResourceChangeEvent),
    ResourceDrift(ResourceChangeEvent),
    ChangeSummary(ChangeSummary),
    Outputs(Vec<OutputInfo>),
    ApplyStart(ApplyHook),
    ApplyProgress(ApplyHook),
    ApplyComplete(ApplyHook),
    ApplyErrored(ApplyHook),
    ProvisionStart(ProvisionHook),
    ProvisionProgress(ProvisionHook),
    ProvisionComplete(ProvisionHook),
    ProvisionErrored(ProvisionHook),
    RefreshStart(RefreshHook),
    RefreshComplete(RefreshHook),
    Diagnostic(Diagnostic),
    /// Free text from Terraform (`log`), e.g. "Interrupt received.".
    Log(Message),
    /// A step of `init` (`init_output`), with its stable `message_code`.
    InitOutput(Message),
    /// A JSON message of a type this parser does not know (the type name is kept).
    Ignored(String),
    /// A line that is not a well-formed message (e.g. plain text on stdout), kept verbatim.
    Unparsed(String),
}

/// Which program wrote the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    Terraform,
    OpenTofu,
}

/// The first message of every stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub program: Program,
    /// Program version, e.g. "1.15.5".
    pub version: String,
    /// UI protocol version, e.g. "1.3".
    pub ui: String,
}

impl Version {
    /// Major number of the UI protocol, if it is a number.
    pub fn ui_major(&self) -> Option<u32> {
        self.ui_number(0)
    }

    fn ui_number(&self, index: usize) -> Option<u32> {
        self.ui.split('.').nth(index)?.parse().ok()
    }

    /// Whether this parser understands the stream: `ui` 1.x, or 0.1.x (its pre-1.0 name).
    pub fn is_supported(&self) -> bool {
        match self.ui_major() {
            Some(SUPPORTED_UI_MAJOR) => true,
            Some(0) => self.ui_number(1) == Some(1),
            _ => false,
        }
    }
}

/// Severity of a log line or diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    #[serde(other)]
    Other,
}

/// A `log` or `init_output` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub level: Level,
    pub text: String,
    /// `init_output` only: e.g. "output_init_success_message".
    pub code: Option<String>,
}

/// The resource instance a message is about.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ResourceAddr {
    /// Full instance address, e.g. `module.child.aws_s3_bucket.raw["a"]`.
    pub addr: String,
    /// Module address, "" for the root module.
    #[serde(default)]
    pub module: String,
    #[serde(default)]
    pub resource_type: String,
    #[serde(default)]
    pub resource_name: String,
    #[serde(default)]
    pub resource_key: Option<InstanceKey>,
    #[serde(default)]
    pub implied_provider: String,
}

/// `count` index or `for_each` key of a resource instance.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum InstanceKey {
    Index(i64),
    Key(String),
}

/// The action of a change in the UI stream (`planned_change`, hooks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeAction {
    NoOp,
    Create,
    Read,
    Update,
    Replace,
    Delete,
    Move,
    Import,
    /// "remove": forget (drop from state, keep the object).
    Forget,
    Other(String),
}

impl<'de> Deserialize<'de> for ChangeAction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Ok(match name.as_str() {
            "noop" | "no-op" => Self::NoOp,
            "create" => Self::Create,
            "read" => Self::Read,
            "update" => Self::Update,
            "replace" => Self::Replace,
            "delete" => Self::Delete,
            "move" => Self::Move,
            "import" => Self::Import,
            "remove" | "forget" => Self::Forget,
            _ => Self::Other(name),
        })
    }
}

/// `planned_change` or `resource_drift`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ResourceChangeEvent {
    pub resource: ResourceAddr,
    /// Set when the resource moved: where it was.
    #[serde(default)]
    pub previous_resource: Option<ResourceAddr>,
    pub action: ChangeAction,
    /// Why, e.g. "cannot_update", "tainted", "delete_because_no_resource_config".
    #[serde(default)]
    pub reason: Option<String>,
    /// Set when the change imports an existing object.
    #[serde(default)]
    pub importing: Option<Importing>,
}

/// The object an import adopts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Importing {
    #[serde(default)]
    pub id: Option<String>,
}

/// `change_summary`: counts of a plan or an apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct ChangeSummary {
    #[serde(default)]
    pub add: u32,
    #[serde(default)]
    pub change: u32,
    #[serde(default)]
    pub import: u32,
    #[serde(default)]
    pub remove: u32,
    #[serde(default)]
    pub operation: SummaryOperation,
}

/// Which operation a [`ChangeSummary`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SummaryOperation {
    #[default]
    Plan,
    Apply,
    Destroy,
    #[serde(other)]
    Other,
}

/// One root output in an `outputs` message. `value` is only present after an apply, and
/// never for a sensitive output.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputInfo {
    pub name: String,
    pub sensitive: bool,
    /// Planned action (plan only).
    pub action: Option<ChangeAction>,
    /// Type as Terraform writes it, e.g. "string" or `["list","string"]` (apply only).
    pub value_type: Option<Json>,
    pub value: Option<Json>,
}

/// `apply_start`, `apply_progress`, `apply_complete`, `apply_errored`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ApplyHook {
    pub resource: ResourceAddr,
    pub action: ChangeAction,
    #[serde(default)]
    pub id_key: Option<String>,
    #[serde(default)]
    pub id_value: Option<String>,
    /// Time spent so far (progress, complete, errored).
    #[serde(default)]
    pub elapsed_seconds: Option<u64>,
}

/// `provision_start`, `provision_progress`, `provision_complete`, `provision_errored`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProvisionHook {
    pub resource: ResourceAddr,
    pub provisioner: String,
    /// One line of the provisioner's output (progress only).
    #[serde(default)]
    pub output: Option<String>,
}

/// `refresh_start`, `refresh_complete`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RefreshHook {
    pub resource: ResourceAddr,
    #[serde(default)]
    pub id_key: Option<String>,
    #[serde(default)]
    pub id_value: Option<String>,
}

/// Severity of a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    #[serde(other)]
    Other,
}

/// An error or warning, with where it comes from in the configuration when known.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    #[serde(default)]
    pub detail: String,
    /// The resource instance it is about (apply errors).
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub range: Option<SourceRange>,
    #[serde(default)]
    pub snippet: Option<Snippet>,
}

/// A span of a configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SourceRange {
    pub filename: String,
    pub start: SourcePos,
    #[serde(default)]
    pub end: Option<SourcePos>,
}

/// A position in a configuration file (1-based line and column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct SourcePos {
    pub line: u32,
    #[serde(default)]
    pub column: u32,
}

/// The source lines a diagnostic points at.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Snippet {
    /// The enclosing block, e.g. `resource "terraform_data" "broken"`.
    #[serde(default)]
    pub context: Option<String>,
    /// The source line(s) of the range.
    pub code: String,
    pub start_line: u32,
    /// Byte offsets into `code` of the part to highlight.
    #[serde(default)]
    pub highlight_start_offset: usize,
    #[serde(default)]
    pub highlight_end_offset: usize,
    /// Values of the expressions involved, e.g. `var.name is "demo"`.
    #[serde(default)]
    pub values: Vec<ExpressionValue>,
}

/// One expression value shown under a snippet.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ExpressionValue {
    pub traversal: String,
    pub statement: String,
}

/// Parses one line of the stream (without its newline). Never fails.
pub fn parse_line(line: &str) -> Event {
    let unparsed = || Event::Unparsed(line.to_string());
    let Ok(Json::Object(mut object)) = serde_json::from_str::<Json>(line) else {
        return unparsed();
    };
    let Some(Json::String(kind)) = object.remove("type") else {
        return unparsed();
    };
    parse_message(&kind, object).unwrap_or_else(unparsed)
}

type Object = serde_json::Map<String, Json>;

/// Typed message, `None` when a known type lacks its documented fields.
fn parse_message(kind: &str, mut object: Object) -> Option<Event> {
    let event = match kind {
        "version" => Event::Version(parse_version(&mut object)?),
        "planned_change" => Event::PlannedChange(typed(take(&mut object, "change"))?),
        "resource_drift" => Event::ResourceDrift(typed(take(&mut object, "change"))?),
        "change_summary" => Event::ChangeSummary(typed(take(&mut object, "changes"))?),
        "outputs" => Event::Outputs(parse_outputs(take(&mut object, "outputs"))?),
        "apply_start" => Event::ApplyStart(typed(take(&mut object, "hook"))?),
        "apply_progress" => Event::ApplyProgress(typed(take(&mut object, "hook"))?),
        "apply_complete" => Event::ApplyComplete(typed(take(&mut object, "hook"))?),
        "apply_errored" => Event::ApplyErrored(typed(take(&mut object, "hook"))?),
        "provision_start" => Event::ProvisionStart(typed(take(&mut object, "hook"))?),
        "provision_progress" => Event::ProvisionProgress(typed(take(&mut object, "hook"))?),
        "provision_complete" => Event::ProvisionComplete(typed(take(&mut object, "hook"))?),
        "provision_errored" => Event::ProvisionErrored(typed(take(&mut object, "hook"))?),
        "refresh_start" => Event::RefreshStart(typed(take(&mut object, "hook"))?),
        "refresh_complete" => Event::RefreshComplete(typed(take(&mut object, "hook"))?),
        "diagnostic" => Event::Diagnostic(typed(take(&mut object, "diagnostic"))?),
        "log" => Event::Log(parse_message_text(&mut object)?),
        "init_output" => Event::InitOutput(parse_message_text(&mut object)?),
        other => Event::Ignored(other.to_string()),
    };
    Some(event)
}

fn take(object: &mut Object, key: &str) -> Json {
    object.remove(key).unwrap_or(Json::Null)
}

fn typed<T: serde::de::DeserializeOwned>(value: Json) -> Option<T> {
    serde_json::from_value(value).ok()
}

fn take_string(object: &mut Object, key: &str) -> Option<String> {
    match object.remove(key)? {
        Json::String(s) => Some(s),
        _ => None,
    }
}

fn parse_version(object: &mut Object) -> Option<Version> {
    let ui = take_string(object, "ui")?;
    let (program, version) = match take_string(object, "tofu") {
        Some(v) => (Program::OpenTofu, v),
        None => (Program::Terraform, take_string(object, "terraform")?),
    };
    Some(Version {
        program,
        version,
        ui,
    })
}

fn parse_message_text(object: &mut Object) -> Option<Message> {
    let level = typed(object.remove("@level")?)?;
    Some(Message {
        level,
        text: take_string(object, "@message")?,
        code: take_string(object, "message_code"),
    })
}

#[derive(Deserialize)]
struct RawOutput {
    #[serde(default)]
    sensitive: bool,
    #[serde(default)]
    action: Option<ChangeAction>,
    #[serde(default, rename = "type")]
    value_type: Option<Json>,
    #[serde(default)]
    value: Option<Json>,
}

fn parse_outputs(value: Json) -> Option<Vec<OutputInfo>> {
    let raw: std::collections::BTreeMap<String, RawOutput> = typed(value)?;
    let outputs = raw
        .into_iter()
        .map(|(name, o)| OutputInfo {
            name,
            sensitive: o.sensitive,
            action: o.action,
            value_type: o.value_type,
            // a sensitive value is never kept, even if some version were to send it
            value: if o.sensitive { None } else { o.value },
        })
        .collect();
    Some(outputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_of_terraform_and_opentofu() {
        let tf =
            parse_line(r#"{"@level":"info","terraform":"1.15.5","type":"version","ui":"1.3"}"#);
        let Event::Version(v) = tf else {
            panic!("{tf:?}")
        };
        assert_eq!(
            (v.program, v.version.as_str()),
            (Program::Terraform, "1.15.5")
        );
        assert!(v.is_supported());
        let tofu = parse_line(r#"{"tofu":"1.9.0","type":"version","ui":"2.0"}"#);
        let Event::Version(v) = tofu else {
            panic!("{tofu:?}")
        };
        assert_eq!(v.program, Program::OpenTofu);
        assert_eq!(v.ui_major(), Some(2));
        assert!(!v.is_supported());
        let old = parse_line(r#"{"terraform":"1.0.3","type":"version","ui":"0.1.0"}"#);
        assert!(matches!(old, Event::Version(v) if v.is_supported()));
        let older = parse_line(r#"{"terraform":"0.15.0","type":"version","ui":"0.0.1"}"#);
        assert!(matches!(older, Event::Version(v) if !v.is_supported()));
    }

    #[test]
    fn malformed_and_unknown_lines() {
        assert_eq!(parse_line("not json"), Event::Unparsed("not json".into()));
        assert_eq!(parse_line("[1,2]"), Event::Unparsed("[1,2]".into()));
        assert_eq!(
            parse_line(r#"{"a":1}"#),
            Event::Unparsed(r#"{"a":1}"#.into())
        );
        // a known type with a broken body
        let broken = r#"{"type":"apply_start","hook":{"resource":7}}"#;
        assert_eq!(parse_line(broken), Event::Unparsed(broken.into()));
        assert_eq!(
            parse_line(r#"{"type":"ephemeral_op_start","hook":{}}"#),
            Event::Ignored("ephemeral_op_start".into())
        );
    }

    #[test]
    fn sensitive_output_value_is_dropped() {
        let line = r#"{"type":"outputs","outputs":{"a":{"sensitive":true,"type":"string","value":"x"},"b":{"sensitive":false,"value":1}}}"#;
        let Event::Outputs(outputs) = parse_line(line) else {
            panic!()
        };
        assert_eq!(outputs[0].value, None);
        assert_eq!(outputs[1].value, Some(Json::from(1)));
    }
}
