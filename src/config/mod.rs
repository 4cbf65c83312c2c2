//! The user's `config.toml`: named contexts (AWS profile, region, endpoint, read-only...),
//! refresh interval, theme, key remapping. Every problem is reported as
//! `<path>:<line>:<column>: <problem>` (see `config.example.toml` for the format).

pub mod aliases;
pub mod aws_profiles;
pub mod diagnostic;
mod durations;
pub mod keys;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

pub use diagnostic::FileError;
pub use keys::{parse_key, KeyBinding, BINDABLE_ACTIONS};

pub type ConfigError = FileError;

pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(5);
pub const DEFAULT_LOG_LINE_CAP: usize = 100_000;
/// Name of the context used when the config defines none.
pub const DEFAULT_CONTEXT_NAME: &str = "default";

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// In file order; never empty.
    pub contexts: Vec<Context>,
    pub default_context: Option<String>,
    /// At least one second.
    pub refresh_interval: Duration,
    pub theme: Option<String>,
    /// Remapped actions in file order; an action may appear more than once (several keys).
    pub keys: Vec<(String, KeyBinding)>,
    pub log_line_cap: usize,
    /// The first screen, as a `:` command (`triage`, `dags`…); the buckets when `None`.
    pub start: Option<String>,
    /// Mouse capture: the wheel scrolls (off: the terminal's own selection works as usual).
    pub mouse: bool,
    /// The file this was read from; None for the built-in default.
    pub source: Option<PathBuf>,
}

/// One `[contexts.<name>]` table. Adding a setting is one field here.
#[derive(serde::Serialize, Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table of context settings")]
pub struct Context {
    #[serde(skip)]
    pub name: String,
    pub profile: Option<String>,
    pub region: Option<String>,
    #[serde(default, deserialize_with = "http_url")]
    pub endpoint_url: Option<String>,
    #[serde(default)]
    pub read_only: bool,
    pub datalake_bucket: Option<String>,
    /// Static test credentials and path-style S3 (the local sandbox).
    #[serde(default)]
    pub sandbox: bool,
    /// Self-hosted Airflow servers reached from this context: `[[contexts.NAME.airflow]]`.
    /// (MWAA environments are found through the AWS API and need no entry.)
    #[serde(default)]
    pub airflow: Vec<AirflowServer>,
    /// Where and how this context runs Terraform: `[contexts.NAME.terraform]`.
    pub terraform: Option<TerraformSettings>,
}

/// One self-hosted Airflow server (2.x basic auth, 3.x JWT from /auth/token).
#[derive(serde::Serialize, Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table with name and url")]
pub struct AirflowServer {
    pub name: String,
    #[serde(deserialize_with = "required_http_url")]
    pub url: String,
    pub username: Option<String>,
    /// The environment variable holding the password (never the password itself).
    pub password_env: Option<String>,
}

/// The Terraform a context drives (provisioning views).
#[derive(serde::Serialize, Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table with directory and optionally program"
)]
pub struct TerraformSettings {
    /// The root module, e.g. `infra/envs/prod` (relative paths are from the project directory).
    pub directory: PathBuf,
    /// `terraform` or `tofu`, or a path to either; found on PATH when absent.
    pub program: Option<PathBuf>,
}

/// The file as written; turned into `Config` after cross-field checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default, deserialize_with = "durations::refresh_interval")]
    refresh_interval: Option<Duration>,
    theme: Option<String>,
    default_context: Option<Spanned<String>>,
    #[serde(default, deserialize_with = "positive_count")]
    log_line_cap: Option<usize>,
    start: Option<Spanned<String>>,
    mouse: Option<bool>,
    #[serde(default)]
    keys: BTreeMap<Spanned<String>, KeyList>,
    #[serde(default)]
    contexts: BTreeMap<Spanned<String>, Context>,
}

impl Default for Config {
    /// No file: one context named "default" that uses the AWS environment and profile chain.
    fn default() -> Self {
        Config {
            contexts: vec![Context {
                name: DEFAULT_CONTEXT_NAME.to_string(),
                ..Context::default()
            }],
            default_context: None,
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            theme: None,
            keys: Vec::new(),
            log_line_cap: DEFAULT_LOG_LINE_CAP,
            start: None,
            mouse: true,
            source: None,
        }
    }
}

/// Reads the config at `path`. A missing file is fine only at the default location
/// (`paths::default_config_file()`), where it yields `Config::default()`; a missing file
/// named explicitly (`--config`) is an error.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    load_file(path, path == crate::paths::default_config_file())
}

fn load_file(path: &Path, missing_is_default: bool) -> Result<Config, ConfigError> {
    match diagnostic::read_regular_file(path) {
        Ok(text) => load_str(&text, path),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && missing_is_default => {
            Ok(Config::default())
        }
        Err(err) => Err(FileError::whole_file(path, format!("cannot read: {err}"))),
    }
}

/// Parses config `text`; `path` is only used in messages and `Config::source`.
pub fn load_str(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let file: ConfigFile =
        toml::from_str(text).map_err(|e| FileError::from_toml(path, text, &e))?;
    let error_at = |span, problem: String| FileError::at(path, text, span, problem);

    let mut keys = Vec::new();
    let mut action_spans = Vec::new();
    for (action, bindings) in sorted_by_position(file.keys) {
        if !BINDABLE_ACTIONS.contains(&action.get_ref().as_str()) {
            let problem = format!("unknown action `{}` in [keys]", action.get_ref());
            let hint = match diagnostic::closest(action.get_ref(), BINDABLE_ACTIONS.iter().copied())
            {
                Some(name) => format!("did you mean `{name}`?"),
                None => format!("actions: {}", BINDABLE_ACTIONS.join(", ")),
            };
            return Err(error_at(action.span(), problem).with_hint(hint));
        }
        action_spans.push((action.get_ref().clone(), action.span()));
        let name = action.into_inner();
        keys.extend(bindings.0.into_iter().map(|b| (name.clone(), b)));
    }
    if let Err((action, problem)) = crate::app::keys::KeyMap::check(&keys) {
        let span = action_spans
            .iter()
            .find(|(name, _)| *name == action)
            .map_or(0..0, |(_, span)| span.clone());
        return Err(error_at(span, problem));
    }

    let mut contexts: Vec<Context> = sorted_by_position(file.contexts)
        .into_iter()
        .map(|(name, context)| Context {
            name: name.into_inner(),
            ..context
        })
        .collect();
    if contexts.is_empty() {
        contexts = Config::default().contexts;
    }

    if let Some(chosen) = &file.default_context {
        if !contexts.iter().any(|c| &c.name == chosen.get_ref()) {
            let problem = format!("default_context `{}` is not defined", chosen.get_ref());
            return Err(error_at(chosen.span(), problem).with_hint(available(&contexts)));
        }
    }

    if let Some(start) = &file.start {
        let word = start
            .get_ref()
            .split_whitespace()
            .next()
            .unwrap_or_default();
        if crate::kinds::lookup(word).is_none() {
            let problem = format!("start `{}` is not a view", start.get_ref());
            let hint = "a name typed after `:`, e.g. \"triage\", \"dags\", \"buckets\"";
            return Err(error_at(start.span(), problem).with_hint(hint.to_owned()));
        }
    }

    Ok(Config {
        contexts,
        default_context: file.default_context.map(Spanned::into_inner),
        refresh_interval: file.refresh_interval.unwrap_or(DEFAULT_REFRESH_INTERVAL),
        theme: file.theme,
        keys,
        log_line_cap: file.log_line_cap.unwrap_or(DEFAULT_LOG_LINE_CAP),
        start: file.start.map(Spanned::into_inner),
        mouse: file.mouse.unwrap_or(true),
        source: Some(path.to_path_buf()),
    })
}

impl Config {
    pub fn context(&self, name: &str) -> Option<&Context> {
        self.contexts.iter().find(|c| c.name == name)
    }

    /// The context to start in: the `--context` choice, else `default_context`, else the first.
    pub fn initial_context(&self, cli_choice: Option<&str>) -> Result<&Context, ConfigError> {
        let Some(name) = cli_choice.or(self.default_context.as_deref()) else {
            return Ok(&self.contexts[0]);
        };
        self.context(name).ok_or_else(|| {
            let path = self
                .source
                .clone()
                .unwrap_or_else(crate::paths::default_config_file);
            FileError::whole_file(&path, format!("no context named `{name}`"))
                .with_hint(available(&self.contexts))
        })
    }
}

fn available(contexts: &[Context]) -> String {
    let names: Vec<&str> = contexts.iter().map(|c| c.name.as_str()).collect();
    format!("defined contexts: {}", names.join(", "))
}

/// TOML tables arrive sorted by name; put entries back in the order they were written.
fn sorted_by_position<V>(map: BTreeMap<Spanned<String>, V>) -> Vec<(Spanned<String>, V)> {
    let mut entries: Vec<_> = map.into_iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

/// An endpoint must be a whole URL: `http://` or `https://`, then a host.
pub fn check_http_url(url: &str) -> Result<(), String> {
    let host = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    match host {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') => Ok(()),
        Some(_) => Err(format!("`{url}` has no host after the scheme")),
        None => Err(format!(
            "`{url}` must start with http:// or https:// (e.g. http://{url})"
        )),
    }
}

fn http_url<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let url = String::deserialize(deserializer)?;
    check_http_url(&url)
        .map(|()| Some(url))
        .map_err(|problem| de::Error::custom(format!("endpoint_url {problem}")))
}

fn required_http_url<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    http_url(deserializer).map(|url| url.unwrap_or_default())
}

fn positive_count<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<usize>, D::Error> {
    let n = i64::deserialize(deserializer)?;
    match usize::try_from(n) {
        Ok(count) if count > 0 => Ok(Some(count)),
        _ => Err(de::Error::custom(format!(
            "expected a positive number, got {n}"
        ))),
    }
}

/// One key string or a list of them: `quit = "q"` or `down = ["j", "down"]`.
struct KeyList(Vec<KeyBinding>);

impl<'de> Deserialize<'de> for KeyList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyListVisitor;
        impl<'de> Visitor<'de> for KeyListVisitor {
            type Value = KeyList;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key such as \"ctrl-r\" or a list of keys")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<KeyList, E> {
                parse_key(s).map(|b| KeyList(vec![b])).map_err(E::custom)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<KeyList, A::Error> {
                let mut bindings = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    bindings.push(parse_key(&s).map_err(de::Error::custom)?);
                }
                Ok(KeyList(bindings))
            }
        }
        deserializer.deserialize_any(KeyListVisitor)
    }
}

#[cfg(test)]
mod tests;
