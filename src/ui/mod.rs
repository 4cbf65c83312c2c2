//! Draws the app: breadcrumbs, the current view, the status bar, the bottom line (command,
//! filter, prompt or message) and overlays (help, confirmation). A pure function of state.

pub mod editor;
pub mod format;
pub mod grid;

use chrono::Local;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::input::Editor;
use crate::app::keys::Cmd;
use crate::app::view::RenderCx;
use crate::app::{App, Mode};
use crate::sanitize;
use crate::theme::Theme;

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 12;

pub fn draw(frame: &mut Frame, app: &mut App) {
    let area = frame.area();
    let theme = app.theme.clone();
    frame.render_widget(Block::default().style(theme.base), area);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "terminal too small: {}x{}, need at least {MIN_WIDTH}x{MIN_HEIGHT}",
            area.width, area.height
        );
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.warning)
                .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let [header, body, status, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_breadcrumbs(frame, header, app, &theme);
    let cx = RenderCx {
        theme: &theme,
        now: Local::now(),
    };
    if let Some(screen) = app.stack.last_mut() {
        screen.render(frame, body, &cx);
    }
    draw_status(frame, status, app, &theme);
    draw_bottom(frame, bottom, app, &theme);
    if let Mode::Prompt(prompt) = &mut app.mode {
        if let Editor::Text(input) = &mut prompt.input {
            let title = sanitize::line(&prompt.title).into_owned();
            editor::draw_text(frame, body, &title, input, &theme);
        }
    }
    if let Mode::Confirm(pending) = &app.mode {
        let request = &pending.request;
        let mut lines = vec![
            Line::styled(format!("{}?", request.spec.label), theme.title),
            Line::raw(""),
            Line::raw(sanitize::line(&request.target).into_owned()),
        ];
        lines.extend(
            request
                .details
                .iter()
                .map(|d| Line::styled(sanitize::line(d).into_owned(), theme.muted)),
        );
        lines.push(Line::raw(""));
        lines.extend(confirm_answer_lines(pending, &app.env.context.name, &theme));
        draw_dialog(frame, body, " Confirm ", lines, &theme);
    }
}

/// The dialog's last lines: how to answer (`y`/`n`, or the word to type and what is typed).
fn confirm_answer_lines(
    pending: &crate::gate::PendingConfirmation,
    context: &str,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let Some(word) = pending.required_word() else {
        return vec![Line::styled(
            format!("context '{context}' · y: yes   n/esc: no"),
            theme.warning,
        )];
    };
    let matches = pending.typed() == word;
    vec![
        Line::styled(
            format!("type '{}' and press enter to approve", sanitize::line(word)),
            theme.warning,
        ),
        Line::from(vec![
            Span::styled("> ", theme.highlight),
            Span::styled(
                format!("{}▏", sanitize::line(pending.typed())),
                if matches { theme.ok } else { theme.base },
            ),
        ]),
        Line::styled(format!("context '{context}' · esc: cancel"), theme.warning),
    ]
}

fn draw_breadcrumbs(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = vec![Span::styled(" platform-tui ", theme.title)];
    for (i, screen) in app.stack.iter().enumerate() {
        spans.push(Span::styled(if i == 0 { "" } else { " › " }, theme.muted));
        let style = if i + 1 == app.stack.len() {
            theme.highlight
        } else {
            theme.base
        };
        spans.push(Span::styled(
            sanitize::line(&screen.title()).into_owned(),
            style,
        ));
    }
    let hint = format!(
        "{} help  {} command  {} filter ",
        app.keymap.label(Cmd::Help),
        app.keymap.label(Cmd::Command),
        app.keymap.label(Cmd::Filter)
    );
    let [left, right] =
        Layout::horizontal([Constraint::Min(10), Constraint::Length(hint.len() as u16)])
            .areas(area);
    frame.render_widget(Paragraph::new(Line::from(spans)), left);
    frame.render_widget(
        Paragraph::new(Line::styled(hint, theme.muted)).right_aligned(),
        right,
    );
}

/// Cuts `text` to `width` columns, ending in `…` when something was cut.
pub fn fit(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    if unicode_width::UnicodeWidthStr::width(text) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let ctx = &app.env.context;
    let mut parts = vec![format!(" ctx {}", ctx.name)];
    let mode = if app.env.gate.read_only() {
        "READ-ONLY"
    } else {
        "read-write"
    };
    parts.push(mode.to_string());
    if let Some(profile) = &ctx.profile {
        parts.push(format!("profile {profile}"));
    }
    parts.push(format!(
        "region {}",
        ctx.region.as_deref().unwrap_or("default")
    ));
    let endpoint = app
        .env
        .clients
        .as_ref()
        .and_then(|c| c.endpoint_url.as_ref());
    if let Some(endpoint) = endpoint.or(ctx.endpoint_url.as_ref()) {
        parts.push(endpoint.clone());
    }
    let state = app
        .top()
        .map(|v| v.load_state().clone())
        .unwrap_or_default();
    if app.env.clients.is_none() {
        parts.push("connecting…".into());
    } else if state.loading {
        parts.push("refreshing…".into());
    } else if let Some(at) = state.loaded_at {
        parts.push(format!("refreshed {}", at.format("%H:%M:%S")));
    }
    let mut spans = Vec::new();
    let mut used = 0;
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", theme.status_bar));
            used += 3;
        }
        used += unicode_width::UnicodeWidthStr::width(part.as_str());
        let style = if part == "READ-ONLY" {
            theme.warning.add_modifier(Modifier::BOLD)
        } else {
            theme.status_bar
        };
        spans.push(Span::styled(part, style));
    }
    if let Some(problem) = &app.problem {
        let room = (area.width as usize).saturating_sub(used + 3);
        let advice = app.problem_advice(problem);
        spans.push(Span::styled(" │ ", theme.status_bar));
        spans.push(Span::styled(
            fit(&format!("⚠ {advice}"), room),
            theme.error.add_modifier(Modifier::BOLD),
        ));
    } else if let Some((at, error)) = &app.last_error {
        let room = (area.width as usize).saturating_sub(used + 3);
        let text = format!(
            "⚠ {} {}",
            at.format("%H:%M:%S"),
            sanitize::line(&error.message)
        );
        spans.push(Span::styled(" │ ", theme.status_bar));
        spans.push(Span::styled(fit(&text, room), theme.error));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.status_bar),
        area,
    );
}

fn draw_bottom(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    match &app.mode {
        Mode::Command { input, completions } => {
            let after = (!completions.is_empty())
                .then(|| Span::styled(format!("   ⇥ {}", completions.join(" ")), theme.muted));
            let prefix = vec![Span::styled(":", theme.highlight)];
            editor::draw_line(frame, area, prefix, input, after);
        }
        Mode::Filter { input } => {
            let prefix = vec![Span::styled("/", theme.highlight)];
            editor::draw_line(frame, area, prefix, input, None);
        }
        Mode::Prompt(prompt) => {
            // A long title leaves at least a quarter of the line (20 columns) to what is typed.
            let room_for_typing = (area.width / 4).max(20);
            let title = fit(
                &format!("{}: ", sanitize::line(&prompt.title)),
                area.width.saturating_sub(room_for_typing) as usize,
            );
            match &prompt.input {
                Editor::Line(input) => {
                    let after = (!prompt.candidates.is_empty()).then(|| {
                        let names = prompt.candidates.join(" ");
                        Span::styled(format!("   ⇥ {}", sanitize::line(&names)), theme.muted)
                    });
                    let prefix = vec![Span::styled(title, theme.highlight)];
                    editor::draw_line(frame, area, prefix, input, after);
                }
                Editor::Text(_) => frame.render_widget(
                    Paragraph::new(Line::styled(title + "(in the box above)", theme.highlight)),
                    area,
                ),
            }
        }
        _ => {
            let line = match &app.flash {
                Some(flash) => Line::styled(
                    fit(&sanitize::line(&flash.text), area.width as usize),
                    if flash.is_error {
                        theme.error
                    } else {
                        theme.ok
                    },
                ),
                None => Line::styled(hints(app), theme.muted),
            };
            frame.render_widget(Paragraph::new(line), area);
        }
    }
}

fn hints(app: &App) -> String {
    let key = |c| app.keymap.label(c);
    format!(
        " {} open · {} back · {} refresh · {} sort · {} quit",
        key(Cmd::Enter),
        key(Cmd::Back),
        key(Cmd::Refresh),
        key(Cmd::SortNext),
        key(Cmd::Quit)
    )
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    Rect {
        x: area.x + (area.width.saturating_sub(width)) / 2,
        y: area.y + (area.height.saturating_sub(height)) / 2,
        width: width.min(area.width),
        height: height.min(area.height),
    }
}

fn draw_dialog(frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line>, theme: &Theme) {
    let width = lines
        .iter()
        .map(|l| l.width() as u16 + 4)
        .max()
        .unwrap_or(20)
        .clamp(30, area.width.saturating_sub(4));
    let rect = centered(area, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .style(theme.dialog)
            .wrap(Wrap { trim: false })
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border)
                    .title(Span::styled(title.to_string(), theme.title)),
            ),
        rect,
    );
}
