//! Drawing for snapshot tests: a view (or the app) into ratatui's TestBackend, and the screen
//! as text. Only the status bar's clock is masked; every other time on screen comes from the
//! test's fixtures and stays.

use chrono::Local;
use platform_tui::app::view::{RenderCx, View};
use platform_tui::theme::{self, Theme};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

pub fn theme() -> Theme {
    theme::load_theme("dark").expect("built-in dark theme")
}

/// Draws one view filling a `width` x `height` screen.
pub fn draw_view(view: &mut dyn View, width: u16, height: u16) -> Terminal<TestBackend> {
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
