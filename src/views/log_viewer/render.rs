//! Drawing the viewer: only the lines that fit are formatted. The window is kept so that the
//! cursor line shows, moving as little as possible; while following, the newest line sits at
//! the bottom.

use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use super::format::{self, RowFormat};
use super::LogViewer;
use crate::app::view::RenderCx;
use crate::sanitize;
use crate::theme::Theme;

pub fn draw(view: &mut LogViewer, frame: &mut Frame, area: Rect, cx: &RenderCx) {
    let theme = cx.theme;
    let block = frame_block(view, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = inner.height as usize;
    view.page_rows = height.max(1);
    if view.shown_len() == 0 {
        frame.render_widget(Paragraph::new(empty_text(view, theme)), inner);
        return;
    }
    let painter = Painter {
        view,
        theme,
        width: inner.width as usize,
    };
    let cursor = view.cursor_position();
    let top = painter.window_top(
        view.shown.position_of(view.top, &view.buffer),
        cursor,
        height,
    );
    let mut rows = Vec::with_capacity(height);
    let mut position = top;
    while rows.len() < height && position < view.shown_len() {
        rows.extend(painter.rows_at(position));
        position += 1;
    }
    rows.truncate(height);
    let top_seq = view.shown.seq_at(top, &view.buffer).unwrap_or(view.top);
    frame.render_widget(Paragraph::new(rows), inner);
    view.top = top_seq;
}

struct Painter<'a> {
    view: &'a LogViewer,
    theme: &'a Theme,
    width: usize,
}

impl Painter<'_> {
    /// The rows of the shown line at `position`, with a separator above it after a gap.
    fn rows_at(&self, position: usize) -> Vec<Line<'static>> {
        let view = self.view;
        let Some(seq) = view.shown.seq_at(position, &view.buffer) else {
            return Vec::new();
        };
        let Some(line) = view.buffer.get(seq) else {
            return Vec::new();
        };
        let filter = view.shown.filter();
        let is_context = filter.is_some_and(|f| !f.matcher().is_match(&line.text));
        let mut text_style = if is_context {
            self.theme.muted
        } else {
            self.theme.base
        };
        let mut timestamp_style = self.theme.muted;
        if seq == view.cursor {
            let selected = self.theme.selected.add_modifier(Modifier::BOLD);
            text_style = text_style.patch(selected);
            timestamp_style = timestamp_style.patch(selected);
        }
        let row_format = RowFormat {
            width: self.width,
            wrap: view.toggles.wrap,
            hscroll: view.hscroll,
            timestamps: view.toggles.timestamps,
            pretty: view.toggles.pretty_all || view.pretty.contains(&seq),
            // Search matches, or else what the filter matched.
            search: view
                .search
                .as_ref()
                .map(|s| s.matcher())
                .or(filter.map(|f| f.matcher())),
            text_style,
            timestamp_style,
            highlight_style: self.theme.highlight,
        };
        let mut rows = Vec::new();
        if view.shown.gap_before(position) {
            rows.push(Line::styled(
                "┈".repeat(self.width.min(8)),
                self.theme.muted,
            ));
        }
        rows.extend(format::rows(line, &row_format));
        rows
    }

    fn height_at(&self, position: usize) -> usize {
        self.rows_at(position).len()
    }

    /// The first position drawn: the previous one if the cursor still fits below it, else the
    /// one that puts the cursor's last row at the bottom (the cursor's top row if it is taller
    /// than the window).
    fn window_top(&self, previous: usize, cursor: usize, height: usize) -> usize {
        let follow = self.view.toggles.follow;
        if !follow && cursor < previous {
            return cursor;
        }
        let keep = !follow
            && cursor - previous < height
            && (previous..=cursor)
                .map(|p| self.height_at(p))
                .sum::<usize>()
                <= height;
        if keep {
            previous
        } else {
            self.top_ending_at(cursor, height)
        }
    }

    /// The smallest position from which the lines up to `last` fit in `height` rows.
    fn top_ending_at(&self, last: usize, height: usize) -> usize {
        let mut used = self.height_at(last);
        let mut top = last;
        while top > 0 {
            let above = self.height_at(top - 1);
            if used + above > height {
                break;
            }
            used += above;
            top -= 1;
        }
        top
    }
}

fn frame_block<'a>(view: &LogViewer, theme: &Theme) -> Block<'a> {
    let mut title = format!(
        " {} · {} lines",
        sanitize::line(&view.title),
        grouped(view.buffer.end())
    );
    if view.state.loading {
        title.push_str(" ⟳");
    }
    title.push(' ');
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(title, theme.title))
        .title(Line::styled(format!(" {} ", toggle_labels(view)), theme.muted).right_aligned());
    if view.buffer.dropped() > 0 {
        block = block.title_bottom(Line::styled(
            format!(
                " {} earlier lines dropped (line cap {}) ",
                grouped(view.buffer.dropped()),
                grouped(view.buffer.cap() as u64)
            ),
            theme.warning,
        ));
    }
    if let Some(error) = view
        .state
        .error
        .as_ref()
        .filter(|_| !view.buffer.is_empty())
    {
        block = block.title_bottom(Line::styled(
            format!(" stale: {} ", sanitize::line(&error.message)),
            theme.error,
        ));
    }
    for status in [filter_status(view), search_status(view)]
        .into_iter()
        .flatten()
    {
        block = block.title_bottom(Line::styled(status, theme.header));
    }
    if view.shown_len() > 0 {
        let position = format!(
            " {}/{} ",
            grouped(view.cursor_position() as u64 + 1),
            grouped(view.shown_len() as u64)
        );
        block = block.title_bottom(Line::from(position).right_aligned());
    }
    block
}

fn toggle_labels(view: &LogViewer) -> String {
    let t = view.toggles;
    let mut labels = vec![if t.follow { "FOLLOW" } else { "paused" }];
    if t.wrap {
        labels.push("wrap");
    }
    if t.timestamps {
        labels.push("time");
    }
    if t.pretty_all {
        labels.push("json");
    }
    labels.join(" · ")
}

fn filter_status(view: &LogViewer) -> Option<String> {
    view.shown.filter().map(|f| {
        format!(
            " filter '{}' ±{}: {} lines ",
            sanitize::line(f.matcher().needle()),
            view.context,
            grouped(f.shown().len() as u64)
        )
    })
}

fn search_status(view: &LogViewer) -> Option<String> {
    view.search.as_ref().map(|s| {
        let rank = s
            .rank_of(view.cursor)
            .map_or("-".to_string(), |r| grouped(r as u64));
        format!(
            " search '{}' {rank}/{} ",
            sanitize::line(s.matcher().needle()),
            grouped(s.count() as u64)
        )
    })
}

fn empty_text(view: &LogViewer, theme: &Theme) -> Line<'static> {
    let state = &view.state;
    if let Some(error) = &state.error {
        Line::styled(format!("⚠ {}", sanitize::line(&error.message)), theme.error)
    } else if view.buffer.is_empty() && (state.loading || state.loaded_at.is_none()) {
        Line::styled("loading…", theme.muted)
    } else if view.buffer.is_empty() {
        Line::styled("no lines yet", theme.muted)
    } else {
        Line::styled(
            format!("no line matches '{}'", sanitize::line(&view.filter_text)),
            theme.muted,
        )
    }
}

/// 1234567 → "1,234,567".
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(super::grouped(0), "0");
        assert_eq!(super::grouped(999), "999");
        assert_eq!(super::grouped(1_234_567), "1,234,567");
    }
}
