//! Drawing for snapshot tests: a view (or the app) into ratatui's TestBackend, and the screen
//! as text. Only the status bar's clock is masked; every other time on screen comes from the
//! test's fixtures and stays. Each test binary uses part of it.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::Local;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use platform_tui::app::keys::KeyMap;
use platform_tui::app::message::Msg;
use platform_tui::app::view::{BoxView, RenderCx, View};
use platform_tui::app::App;
use platform_tui::clients::Clients;
use platform_tui::config::Context;
use platform_tui::gate::AuditLog;
use platform_tui::theme::{self, Theme};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tokio::sync::mpsc;

pub fn theme() -> Theme {
    theme::load_theme("dark").expect("built-in dark theme")
}

/// Draws one view filling a `width` x `height` screen.
pub fn draw_view<V: View>(view: &mut V, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let theme = theme();
    terminal
        .draw(|f| {
            let cx = RenderCx {
                theme: &theme,
                now: Local::now(),
            };
            view.render(f, f.area(), &cx)
        })
        .unwrap();
    terminal
}

/// The screen as text, one line per row, trailing blanks trimmed, the status clock masked.
pub fn screen(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let line: String = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol())
            .collect();
        out.push_str(&mask_status_clock(line.trim_end()));
        out.push('\n');
    }
    out
}

/// `refreshed 12:34:56` and `⚠ 12:34:56` (the status bar) become `HH:MM:SS`.
fn mask_status_clock(line: &str) -> String {
    let mut out = line.to_owned();
    for marker in ["refreshed ", "⚠ "] {
        let mut from = 0;
        while let Some(found) = out[from..].find(marker) {
            let start = from + found + marker.len();
            let clock = out.get(start..start + 8).unwrap_or("");
            if clock.len() == 8 && clock.as_bytes()[2] == b':' && clock.as_bytes()[5] == b':' {
                out.replace_range(start..start + 8, "HH:MM:SS");
            }
            from = start;
        }
    }
    out
}

/// The whole app on a sandbox context whose clients exist, showing `view`. Nothing listens at
/// the endpoint: the refresh the app starts fails unseen (its messages are dropped), and no
/// action can reach a service.
pub struct AppHarness {
    pub app: App,
    pub terminal: Terminal<TestBackend>,
    _dir: tempfile::TempDir,
}

impl AppHarness {
    pub async fn new(read_only: bool, view: BoxView, width: u16, height: u16) -> Self {
        Self::at("http://127.0.0.1:1", read_only, view, width, height).await
    }

    /// The same on a sandbox context whose endpoint is `endpoint_url` (e.g. a real emulator).
    pub async fn at(
        endpoint_url: &str,
        read_only: bool,
        view: BoxView,
        width: u16,
        height: u16,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (tx, _rx) = mpsc::unbounded_channel();
        let context = Context {
            name: "sandbox".into(),
            region: Some("us-east-1".into()),
            endpoint_url: Some(endpoint_url.into()),
            sandbox: true,
            read_only,
            ..Context::default()
        };
        let audit = AuditLog::new(dir.path().join("audit.jsonl"));
        let mut app = App::new(
            vec![context.clone()],
            context.clone(),
            theme(),
            KeyMap::default(),
            audit,
            tx,
        );
        app.env.clients = Some(Arc::new(Clients::connect(&context).await.unwrap()));
        app.stack.clear();
        app.push(view);
        Self {
            app,
            terminal: Terminal::new(TestBackend::new(width, height)).unwrap(),
            _dir: dir,
        }
    }

    pub fn press(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        self.app
            .update(Msg::Terminal(Event::Key(KeyEvent::new(code, modifiers))));
    }

    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c), KeyModifiers::NONE);
        }
    }

    /// The status line's message, if one is shown.
    pub fn flash(&self) -> String {
        self.app
            .flash
            .as_ref()
            .map(|f| f.text.clone())
            .unwrap_or_default()
    }

    pub fn draw(&mut self) -> String {
        let app = &mut self.app;
        self.terminal
            .draw(|f| platform_tui::ui::draw(f, app))
            .unwrap();
        screen(&self.terminal)
    }
}

/// Where `needle` first appears on the screen: (column, row) of its first cell. Every cell
/// counts as one character, which holds for the narrow glyphs the views draw.
pub fn position_of(terminal: &Terminal<TestBackend>, needle: &str) -> Option<(u16, u16)> {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height).find_map(|y| {
        let cells: Vec<&str> = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol())
            .collect();
        let line: String = cells.concat();
        let byte = line.find(needle)?;
        let mut seen = 0;
        let x = cells.iter().position(|c| {
            let here = seen;
            seen += c.len();
            here == byte
        })?;
        Some((x as u16, y))
    })
}

/// The style of the cell at (column, row).
pub fn style_at(terminal: &Terminal<TestBackend>, x: u16, y: u16) -> ratatui::style::Style {
    terminal.backend().buffer()[(x, y)].style()
}
