//! Draws the editors of the bottom line: one line scrolled so the cursor and what is typed
//! stay in view, the cursor placed by display width; several lines in a box over the bottom
//! of the view.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use crate::app::input::{LineInput, TextInput};
use crate::theme::Theme;

/// How many lines of text the box of a several-line prompt shows before it scrolls.
const TEXT_ROWS: u16 = 8;

/// `prefix` then the line then `after` (completions), in `area`; the terminal's cursor goes
/// where the input's is. The line takes what room `prefix` leaves; `after` only what is left.
pub fn draw_line(
    frame: &mut Frame,
    area: Rect,
    prefix: Vec<Span<'static>>,
    input: &LineInput,
    after: Option<Span<'static>>,
) {
    let prefix_width: usize = prefix.iter().map(|s| s.content.width()).sum();
    let room = (area.width as usize).saturating_sub(prefix_width).max(1);
    let (shown, cursor) = input.window(room);
    let mut spans = prefix;
    spans.push(Span::raw(shown));
    spans.extend(after);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    let x = area.x as usize + prefix_width + cursor;
    frame.set_cursor_position(((x as u16).min(area.right().saturating_sub(1)), area.y));
}

/// A several-line prompt: a box over the bottom of `body` titled `title`, the keys on its
/// lower border.
pub fn draw_text(frame: &mut Frame, body: Rect, title: &str, input: &mut TextInput, theme: &Theme) {
    let rows = (input.line_count() as u16).clamp(3, TEXT_ROWS) + 2;
    let rows = rows.min(body.height);
    let rect = Rect {
        y: body.bottom().saturating_sub(rows),
        height: rows,
        ..body
    };
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(format!(" {title} "), theme.title))
        .title_bottom(Span::styled(
            " enter: submit · alt-enter/ctrl-j: new line · ↑/↓ on the first/last line: history · esc: cancel ",
            theme.muted,
        ));
    let area = input.area_mut();
    area.set_style(theme.dialog);
    area.set_cursor_style(
        theme
            .highlight
            .add_modifier(ratatui::style::Modifier::REVERSED),
    );
    area.set_block(block);
    frame.render_widget(input.area(), rect);
}
