//! `?`: the keys of the view the user was on, the keys that work everywhere, and every command
//! of the registry, as a scrollable document (esc goes back).

use super::keys::Cmd;
use super::view::HelpKey;
use super::App;
use crate::airflow::State;
use crate::kinds::airflow::state_glyph;
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
    lines.extend(legend());
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

/// What the glyphs of the Airflow tables, grid and Gantt mean (the same glyph for states that
/// read alike), and the marks of titles and names.
fn legend() -> Vec<DocLine> {
    const STATES: [State; 13] = [
        State::Success,
        State::Failed,
        State::UpstreamFailed,
        State::Running,
        State::Restarting,
        State::Deferred,
        State::UpForRetry,
        State::UpForReschedule,
        State::Queued,
        State::Scheduled,
        State::Skipped,
        State::None,
        State::Removed,
    ];
    let mut glyphs: Vec<(&str, Vec<&str>)> = Vec::new();
    for state in &STATES {
        let glyph = state_glyph(state);
        match glyphs.iter_mut().find(|(g, _)| *g == glyph) {
            Some((_, names)) => names.push(state.as_str()),
            None => glyphs.push((glyph, vec![state.as_str()])),
        }
    }
    let mut lines = vec![DocLine::Section("Legend (Airflow states)".into())];
    lines.extend(
        glyphs
            .into_iter()
            .map(|(glyph, names)| DocLine::Field(glyph.to_string(), names.join(", "))),
    );
    lines.push(DocLine::Section("Legend (marks)".into()));
    for (mark, about) in [
        (
            "⚠",
            "a DAG with import errors (d lists them); the status bar's last error",
        ),
        ("⟳", "in a table's title: refreshing"),
        (
            "loading…",
            "in a table's title: the listing is still arriving",
        ),
        (
            "(12/300)",
            "in a table's title: shown by the filter / listed",
        ),
    ] {
        lines.push(DocLine::Field(mark.into(), about.into()));
    }
    lines
}
