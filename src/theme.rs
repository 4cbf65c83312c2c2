//! Themes: TOML files mapping each UI element to a style (`[styles] header = { fg = "cyan",
//! bold = true }`), looked up in the user's config dir, then the project's themes/, then the
//! built-in copies compiled into the binary. NO_COLOR selects a modifiers-only theme.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use toml::Spanned;

use crate::config::diagnostic::{closest, FileError};

pub type ThemeError = FileError;

pub const DEFAULT_THEME: &str = "dark";

/// Themes shipped in themes/, also compiled in so a missing themes/ dir still works.
const BUILT_IN: &[(&str, &str)] = &[
    ("dark", include_str!("../themes/dark.toml")),
    ("light", include_str!("../themes/light.toml")),
    ("solarized", include_str!("../themes/solarized.toml")),
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Theme {
    pub name: String,
    pub base: Style,
    pub header: Style,
    pub selected: Style,
    pub border: Style,
    pub title: Style,
    pub status_bar: Style,
    pub error: Style,
    pub warning: Style,
    pub ok: Style,
    pub muted: Style,
    /// Search and filter matches.
    pub highlight: Style,
    pub dialog: Style,
    pub state_running: Style,
    pub state_success: Style,
    pub state_failed: Style,
    pub state_pending: Style,
}

impl Theme {
    /// Every style with its name in theme files. Adding a style: a field plus one line here.
    fn slots(&mut self) -> [(&'static str, &mut Style); 16] {
        [
            ("base", &mut self.base),
            ("header", &mut self.header),
            ("selected", &mut self.selected),
            ("border", &mut self.border),
            ("title", &mut self.title),
            ("status_bar", &mut self.status_bar),
            ("error", &mut self.error),
            ("warning", &mut self.warning),
            ("ok", &mut self.ok),
            ("muted", &mut self.muted),
            ("highlight", &mut self.highlight),
            ("dialog", &mut self.dialog),
            ("state_running", &mut self.state_running),
            ("state_success", &mut self.state_success),
            ("state_failed", &mut self.state_failed),
            ("state_pending", &mut self.state_pending),
        ]
    }

    /// The style names a theme file may set.
    pub fn style_names() -> Vec<&'static str> {
        Theme::default().slots().map(|(name, _)| name).to_vec()
    }
}

/// The theme used when NO_COLOR is set: modifiers only, never a colour.
pub fn no_color() -> Theme {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let reversed = Style::new().add_modifier(Modifier::REVERSED);
    let underlined = Style::new().add_modifier(Modifier::UNDERLINED);
    Theme {
        name: "no-color".to_string(),
        header: bold,
        selected: reversed,
        title: bold,
        status_bar: reversed,
        error: bold,
        warning: bold,
        highlight: underlined,
        state_running: underlined,
        state_failed: bold,
        ..Theme::default()
    }
}

/// The theme to use: NO_COLOR (non-empty) wins, then `--theme`, then the config's `theme`,
/// then "dark".
pub fn resolve(cli: Option<&str>, config: Option<&str>) -> Result<Theme, ThemeError> {
    resolve_with(std::env::var_os("NO_COLOR"), &search_dirs(), cli, config)
}

/// Loads a theme by path (anything with a `/` or ending in `.toml`) or by name from
/// `<config_dir>/themes/<name>.toml`, then `<project>/themes/<name>.toml`, then the built-ins.
pub fn load_theme(name_or_path: &str) -> Result<Theme, ThemeError> {
    load_theme_in(name_or_path, &search_dirs())
}

fn search_dirs() -> [PathBuf; 2] {
    [
        crate::paths::config_dir().join("themes"),
        crate::paths::project_dir().join("themes"),
    ]
}

fn resolve_with(
    no_color_env: Option<OsString>,
    dirs: &[PathBuf],
    cli: Option<&str>,
    config: Option<&str>,
) -> Result<Theme, ThemeError> {
    if no_color_env.is_some_and(|value| !value.is_empty()) {
        return Ok(no_color());
    }
    load_theme_in(cli.or(config).unwrap_or(DEFAULT_THEME), dirs)
}

fn load_theme_in(name_or_path: &str, dirs: &[PathBuf]) -> Result<Theme, ThemeError> {
    if name_or_path.contains(['/', '\\']) || name_or_path.ends_with(".toml") {
        return load_theme_file(Path::new(name_or_path));
    }
    let file_name = format!("{name_or_path}.toml");
    if let Some(path) = dirs
        .iter()
        .map(|d| d.join(&file_name))
        .find(|p| p.is_file())
    {
        return load_theme_file(&path);
    }
    if let Some((name, text)) = BUILT_IN.iter().find(|(name, _)| *name == name_or_path) {
        return parse_theme(name, text, &Path::new("<built-in>").join(&file_name));
    }
    let looked_at = dirs
        .first()
        .map_or_else(|| PathBuf::from(&file_name), |d| d.join(&file_name));
    Err(
        FileError::whole_file(&looked_at, format!("unknown theme `{name_or_path}`"))
            .with_hint(format!("available themes: {}", available(dirs).join(", "))),
    )
}

/// Built-in names plus every `*.toml` in the search dirs, sorted.
fn available(dirs: &[PathBuf]) -> Vec<String> {
    let mut names: Vec<String> = BUILT_IN.iter().map(|(name, _)| name.to_string()).collect();
    for entry in dirs
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "toml") {
            if let Some(stem) = path.file_stem() {
                names.push(stem.to_string_lossy().into_owned());
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

fn load_theme_file(path: &Path) -> Result<Theme, ThemeError> {
    let text = crate::config::diagnostic::read_regular_file(path)
        .map_err(|err| FileError::whole_file(path, format!("cannot read theme: {err}")))?;
    let name = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    parse_theme(&name, &text, path)
}

/// Parses theme `text`; `path` is used in error messages.
pub fn parse_theme(name: &str, text: &str, path: &Path) -> Result<Theme, ThemeError> {
    let file: ThemeFile = toml::from_str(text).map_err(|e| FileError::from_toml(path, text, &e))?;
    let mut theme = Theme {
        name: name.to_string(),
        ..Theme::default()
    };
    for (style_name, spec) in file.styles {
        let mut slots = theme.slots();
        let Some((_, slot)) = slots
            .iter_mut()
            .find(|(name, _)| name == style_name.get_ref())
        else {
            let names = Theme::style_names();
            let problem = format!("unknown style `{}` in [styles]", style_name.get_ref());
            let hint = match closest(style_name.get_ref(), names.iter().copied()) {
                Some(name) => format!("did you mean `{name}`?"),
                None => format!("styles: {}", names.join(", ")),
            };
            return Err(FileError::at(path, text, style_name.span(), problem).with_hint(hint));
        };
        **slot = spec.style();
    }
    Ok(theme)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    #[serde(default)]
    styles: BTreeMap<Spanned<String>, StyleSpec>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a style such as { fg = \"cyan\", bold = true }"
)]
struct StyleSpec {
    #[serde(default, deserialize_with = "color")]
    fg: Option<Color>,
    #[serde(default, deserialize_with = "color")]
    bg: Option<Color>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    dim: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reversed: bool,
}

impl StyleSpec {
    fn style(&self) -> Style {
        let modifiers = [
            (self.bold, Modifier::BOLD),
            (self.dim, Modifier::DIM),
            (self.italic, Modifier::ITALIC),
            (self.underline, Modifier::UNDERLINED),
            (self.reversed, Modifier::REVERSED),
        ];
        let mut style = Style::new();
        style.fg = self.fg;
        style.bg = self.bg;
        modifiers
            .into_iter()
            .filter(|(on, _)| *on)
            .fold(style, |style, (_, modifier)| style.add_modifier(modifier))
    }
}

/// A colour: a name ("cyan", "lightblue", "darkgray", "reset"), "#rrggbb", or 0-255.
fn color<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Color>, D::Error> {
    struct ColorVisitor;
    impl Visitor<'_> for ColorVisitor {
        type Value = Color;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a colour name, \"#rrggbb\" or a number 0-255")
        }
        fn visit_i64<E: de::Error>(self, index: i64) -> Result<Color, E> {
            u8::try_from(index).map(Color::Indexed).map_err(|_| {
                E::custom(format!(
                    "colour index {index} is out of range: expected 0-255"
                ))
            })
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Color, E> {
            Color::from_str(s).map_err(|_| {
                E::custom(format!(
                    "unknown colour `{s}`: expected a name (black, red, green, yellow, blue, \
                     magenta, cyan, gray, darkgray, white, light<colour>, reset), \"#rrggbb\" \
                     or 0-255"
                ))
            })
        }
    }
    deserializer.deserialize_any(ColorVisitor).map(Some)
}

#[cfg(test)]
mod tests;
