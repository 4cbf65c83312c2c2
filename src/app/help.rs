//! `?`: the keys of the view the user was on, the keys that work everywhere, and every command
//! of the registry, as a scrollable document (esc goes back).

use super::keys::Cmd;
use super::view::HelpKey;
use super::App;
use crate::kinds::KINDS;
use crate::views::document::{DocLine, DocumentView};

pub const TITLE: &str = "help";

pub fn view(app: &App) -> DocumentView {
    let key = |cmd| app.keymap.label(cmd);
    let mut lines = Vec::new();
    if let Some(top) = app.top() {
        lines.push(DocLine::Section(format!("This view: {}", top.title())));
        for k in top.keys() {
            let label = match k.key {
                HelpKey::Cmd(cmd) => key(cmd),
                HelpKey::Raw(raw) => raw.to_string(),
            };
            lines.push(DocLine::Field(label, k.about.to_string()));
        }
    }
    lines.push(DocLine::Section("Move".into()));
    for (a, b, about) in [
        (Cmd::Up, Cmd::Down, "up / down"),
        (Cmd::PageUp, Cmd::PageDown, "page up / down"),
        (Cmd::Top, Cmd::Bottom, "top / bottom"),
    ] {
        lines.push(DocLine::Field(
            format!("{} {}", key(a), key(b)),
            about.into(),
        ));
    }
    lines.push(DocLine::Section("Everywhere".into()));
    for cmd in [
        Cmd::Enter,
        Cmd::Back,
        Cmd::Filter,
        Cmd::Command,
        Cmd::Refresh,
        Cmd::Contexts,
        Cmd::Help,
        Cmd::Quit,
    ] {
        lines.push(DocLine::Field(key(cmd), cmd.about().into()));
    }
    lines.push(DocLine::Section(
        "Commands (type : then a name or alias; Tab completes)".into(),
    ));
    for kind in KINDS {
        let mut name = format!(":{}", kind.name);
        if let Some(argument) = kind.argument {
            name.push_str(&format!(" [{argument}]"));
        }
        let about = if kind.aliases.is_empty() {
            kind.about.to_string()
        } else {
            format!("{} (also :{})", kind.about, kind.aliases.join(", :"))
        };
        lines.push(DocLine::Field(name, about));
    }
    let mut aliases = app.aliases.iter().peekable();
    if aliases.peek().is_some() {
        lines.push(DocLine::Section("Aliases (aliases.toml)".into()));
        lines
            .extend(aliases.map(|(alias, command)| {
                DocLine::Field(format!(":{alias}"), format!(":{command}"))
            }));
    }
    DocumentView::ready(TITLE, lines)
}
