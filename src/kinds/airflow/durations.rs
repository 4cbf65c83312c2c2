//! The chart of recent run durations: one bar per run, newest on the right, its height the
//! run's duration on a scale from 0 to the longest shown (labelled on the left), its colour the
//! run's state. Runs that never started have no bar but keep their place.

use std::ops::Range;

use ratatui::layout::Rect;
use ratatui::Frame;

use super::{put, state_style};
use crate::airflow::State;
use crate::theme::Theme;
use crate::ui::format::elapsed;

/// One run of the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct RunDuration {
    pub run_id: String,
    pub state: State,
    pub seconds: Option<f64>,
}

/// Width of the scale labels on the left (`1h 02m ┤`).
pub const SCALE_WIDTH: u16 = 9;
/// Eighths of a cell, bottom up.
const EIGHTHS: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/// How bars fit `width` columns: each bar is `bar` cells wide plus `gap`, and the newest
/// `runs` of them are shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarLayout {
    pub bar: u16,
    pub gap: u16,
    pub runs: Range<usize>,
}

pub fn layout(total: usize, width: u16) -> BarLayout {
    let (bar, gap) = match total {
        n if n * 4 <= width as usize => (3, 1),
        n if n * 2 <= width as usize => (1, 1),
        _ => (1, 0),
    };
    let fit = (width / (bar + gap)) as usize;
    let start = total.saturating_sub(fit);
    BarLayout {
        bar,
        gap,
        runs: start..total,
    }
}

/// A bar's height in eighths of a cell for `rows` rows; any run that took time shows at least
/// one eighth.
pub fn bar_eighths(seconds: f64, max: f64, rows: u16) -> usize {
    if max <= 0.0 || seconds <= 0.0 {
        return 0;
    }
    let full = rows as f64 * 8.0;
    ((seconds / max * full).round() as usize).clamp(1, full as usize)
}

/// The glyph of row `row` (0 = bottom) of a bar `eighths` high.
pub fn bar_glyph(eighths: usize, row: usize) -> &'static str {
    EIGHTHS[eighths.saturating_sub(row * 8).min(8)]
}

/// Draws the chart; `selected` is the index of the run named in the caption.
pub fn render(frame: &mut Frame, area: Rect, theme: &Theme, runs: &[RunDuration], selected: usize) {
    let buf = frame.buffer_mut();
    if area.height < 4 || area.width < SCALE_WIDTH + 4 {
        return;
    }
    if runs.is_empty() {
        put(buf, area.x, area.y, area.width, "no runs yet", theme.muted);
        return;
    }
    let rows = area.height - 2;
    let width = area.width - SCALE_WIDTH;
    let layout = layout(runs.len(), width);
    let shown = &runs[layout.runs.clone()];
    let max = shown
        .iter()
        .filter_map(|r| r.seconds)
        .fold(0.0_f64, f64::max);

    // The scale: the longest at the top, half way, zero at the bottom.
    let label = |secs: f64| format!("{:>7} ┤", elapsed(secs.round() as u64));
    put(buf, area.x, area.y, SCALE_WIDTH, &label(max), theme.muted);
    if rows >= 4 {
        let mid_y = area.y + rows / 2;
        let mid = max * (rows - rows / 2) as f64 / rows as f64;
        put(buf, area.x, mid_y, SCALE_WIDTH, &label(mid), theme.muted);
    }
    put(
        buf,
        area.x,
        area.y + rows - 1,
        SCALE_WIDTH,
        &label(0.0),
        theme.muted,
    );

    let count = format!("{} of {} runs, newest right", shown.len(), runs.len());
    let count_x = area.x + area.width.saturating_sub(count.chars().count() as u16);
    // Before the bars, so that the selection marker is drawn over it.
    put(buf, count_x, area.y + rows, area.width, &count, theme.muted);
    let x0 = area.x + SCALE_WIDTH;
    for (i, run) in shown.iter().enumerate() {
        let index = layout.runs.start + i;
        let x = x0 + i as u16 * (layout.bar + layout.gap);
        let style = state_style(&run.state, theme);
        if index == selected {
            // A marker under the bar: reversing a full block would hollow it out.
            let mark_x = x + layout.bar / 2;
            put(buf, mark_x, area.y + rows, 1, "▲", theme.highlight);
        }
        let eighths = bar_eighths(run.seconds.unwrap_or(0.0), max, rows);
        for row in 0..rows {
            let glyph = bar_glyph(eighths, row as usize);
            let y = area.y + rows - 1 - row;
            for dx in 0..layout.bar {
                put(buf, x + dx, y, 1, glyph, style);
            }
        }
        if eighths == 0 {
            put(buf, x, area.y + rows - 1, 1, "·", theme.muted);
        }
    }
    if let Some(run) = runs.get(selected) {
        let secs = run
            .seconds
            .map(|s| elapsed(s.round() as u64))
            .unwrap_or_else(|| "not started".into());
        let caption = format!(
            "{:w$}▲ {} ({}) {secs}",
            "",
            run.run_id,
            run.state,
            w = SCALE_WIDTH as usize
        );
        put(
            buf,
            area.x,
            area.y + rows + 1,
            area.width,
            &caption,
            theme.base,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_widen_when_there_is_room_and_the_newest_are_kept() {
        assert_eq!(
            layout(10, 80),
            BarLayout {
                bar: 3,
                gap: 1,
                runs: 0..10
            }
        );
        assert_eq!(layout(30, 80).bar, 1);
        assert_eq!(layout(30, 80).runs, 0..30);
        let many = layout(100_000, 80);
        assert_eq!((many.bar, many.gap), (1, 0));
        assert_eq!(many.runs, 99_920..100_000);
    }

    #[test]
    fn heights_scale_to_the_longest_run() {
        assert_eq!(bar_eighths(100.0, 100.0, 10), 80);
        assert_eq!(bar_eighths(50.0, 100.0, 10), 40);
        assert_eq!(bar_eighths(0.01, 100.0, 10), 1, "a short run still shows");
        assert_eq!(bar_eighths(0.0, 100.0, 10), 0);
        assert_eq!(bar_eighths(5.0, 0.0, 10), 0);
        assert_eq!(bar_eighths(1e12, 1e12, 3), 24, "huge numbers stay in range");
    }

    #[test]
    fn glyphs_fill_from_the_bottom() {
        assert_eq!(bar_glyph(12, 0), "█");
        assert_eq!(bar_glyph(12, 1), "▄");
        assert_eq!(bar_glyph(12, 2), " ");
    }
}
