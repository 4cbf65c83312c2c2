//! Draws a window of a table: only the rows that fit are handed in (and so formatted), which
//! keeps a million-row table as fast as a ten-row one. Every cell is sanitized here.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;

use crate::sanitize;
use crate::theme::Theme;

pub struct Grid<'a> {
    pub title: String,
    pub headers: Vec<&'a str>,
    pub widths: Vec<Constraint>,
    /// Sorted column and whether descending.
    pub sort: Option<(usize, bool)>,
    /// The visible window only.
    pub rows: Vec<(Vec<String>, Option<Style>)>,
    /// Selected row within the window.
    pub selected: Option<usize>,
    /// Shown instead of rows when there are none (loading, error, empty).
    pub empty_text: Option<String>,
    /// A warning under the rows (stale data).
    pub footer: Option<String>,
    /// Selected index and total, for the position indicator.
    pub position: (usize, usize),
}

const COLUMN_SPACING: u16 = 2;
/// No column is squeezed below this many cells.
const NARROWEST_COLUMN: u16 = 3;

/// Exact column widths for `available` cells, decided here so that every frame (and every
/// snapshot) lays a table out the same way: `Length(n)` and `Min(n)` columns start at n; spare
/// cells go to the `Min` columns in turn; when the columns do not fit, they shrink from the
/// last one leftwards, none below `NARROWEST_COLUMN`.
pub fn fit_widths(constraints: &[Constraint], available: u16, spacing: u16) -> Vec<Constraint> {
    let mut widths: Vec<u16> = constraints
        .iter()
        .map(|c| match *c {
            Constraint::Length(n) | Constraint::Min(n) | Constraint::Max(n) => n,
            _ => NARROWEST_COLUMN,
        })
        .collect();
    let gaps = spacing.saturating_mul(widths.len().saturating_sub(1) as u16);
    let needed: u16 = widths.iter().sum::<u16>() + gaps;
    if needed <= available {
        let growable: Vec<usize> = (0..constraints.len())
            .filter(|&i| matches!(constraints[i], Constraint::Min(_)))
            .collect();
        let spare = available - needed;
        for (k, &i) in growable.iter().enumerate() {
            let share = spare / growable.len() as u16;
            let extra = if k < (spare as usize % growable.len()) {
                1
            } else {
                0
            };
            widths[i] += share + extra;
        }
    } else {
        let mut excess = needed - available;
        for width in widths.iter_mut().rev() {
            let give = excess.min(width.saturating_sub(NARROWEST_COLUMN));
            *width -= give;
            excess -= give;
        }
    }
    widths.into_iter().map(Constraint::Length).collect()
}

/// Rows of data that fit in `area` (borders and header excluded).
pub fn body_rows(area: Rect) -> usize {
    area.height.saturating_sub(3) as usize
}

/// Keeps the selection inside the window, moving the window as little as possible.
pub fn scroll_offset(offset: usize, selected: usize, rows: usize) -> usize {
    if rows == 0 {
        return selected;
    }
    if selected < offset {
        selected
    } else if selected >= offset + rows {
        selected + 1 - rows
    } else {
        offset
    }
}

pub fn render(frame: &mut Frame, area: Rect, theme: &Theme, grid: &Grid) {
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(
            format!(" {} ", sanitize::line(&grid.title)),
            theme.title,
        ));
    let (selected, total) = grid.position;
    if total > 0 {
        block =
            block.title_bottom(Line::from(format!(" {}/{} ", selected + 1, total)).right_aligned());
    }
    if let Some(footer) = &grid.footer {
        block = block.title_bottom(Line::styled(
            format!(" {} ", sanitize::line(footer)),
            theme.warning,
        ));
    }
    let header = Row::new(grid.headers.iter().enumerate().map(|(i, name)| {
        let arrow = match grid.sort {
            Some((c, false)) if c == i => "↑",
            Some((c, true)) if c == i => "↓",
            _ => "",
        };
        Cell::from(format!("{name}{arrow}"))
    }))
    .style(theme.header);
    if grid.rows.is_empty() {
        if let Some(text) = &grid.empty_text {
            let style = if text.starts_with('⚠') {
                theme.error
            } else {
                theme.muted
            };
            let inner = block.inner(area);
            frame.render_widget(block, area);
            let lines: Vec<Line> = text
                .lines()
                .map(|l| Line::styled(sanitize::line(l).into_owned(), style))
                .collect();
            frame.render_widget(
                Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
                inner,
            );
            return;
        }
    }
    let rows = grid.rows.iter().enumerate().map(|(i, (cells, style))| {
        let row = Row::new(
            cells
                .iter()
                .map(|c| Cell::from(sanitize::line(c).into_owned())),
        );
        let base = style.unwrap_or(theme.base);
        if Some(i) == grid.selected {
            row.style(base.patch(theme.selected).add_modifier(Modifier::BOLD))
        } else {
            row.style(base)
        }
    });
    let inner_width = area.width.saturating_sub(2);
    let widths = fit_widths(&grid.widths, inner_width, COLUMN_SPACING);
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(COLUMN_SPACING)
        .style(theme.base);
    frame.render_widget(table, area);
}

#[cfg(test)]
mod tests {
    use super::{fit_widths, scroll_offset};
    use ratatui::layout::Constraint::{Length, Min};

    #[test]
    fn spare_cells_go_to_min_columns_in_turn() {
        let widths = fit_widths(&[Min(10), Length(5), Min(10)], 40, 2);
        assert_eq!(widths, vec![Length(16), Length(5), Length(15)]);
    }

    #[test]
    fn too_narrow_shrinks_from_the_right_and_never_below_three() {
        let widths = fit_widths(&[Min(30), Length(16), Length(20)], 50, 2);
        assert_eq!(widths, vec![Length(30), Length(13), Length(3)]);
        let tiny = fit_widths(&[Min(30), Length(16)], 5, 2);
        assert_eq!(tiny, vec![Length(3), Length(3)]);
    }

    #[test]
    fn window_follows_the_selection_minimally() {
        assert_eq!(scroll_offset(0, 5, 10), 0);
        assert_eq!(scroll_offset(0, 10, 10), 1);
        assert_eq!(scroll_offset(20, 5, 10), 5);
        assert_eq!(scroll_offset(3, 999_999, 20), 999_980);
    }
}
