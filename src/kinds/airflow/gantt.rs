//! The Gantt chart of one run: a row per task instance, its bar from start to end on a time
//! axis shared by every row; the time it waited in the queue before it started is drawn light
//! (`░`), the time it ran solid (`█`) in the state's colour. A running task reaches `now`.

use chrono::{DateTime, Utc};
use ratatui::layout::Rect;
use ratatui::Frame;

use super::{put, seconds_between, state_style, truncate};
use crate::airflow::{State, TaskInstance};
use crate::theme::Theme;
use crate::ui::format::elapsed;
use crate::ui::grid::scroll_offset;

/// One row of the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct GanttBar {
    pub task: String,
    pub state: State,
    pub queued: Option<DateTime<Utc>>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

impl GanttBar {
    pub fn of(ti: &TaskInstance) -> Self {
        let task = if ti.key.map_index >= 0 {
            format!("{}[{}]", ti.key.task_id, ti.key.map_index)
        } else {
            ti.key.task_id.clone()
        };
        Self {
            task,
            state: ti.state.clone(),
            queued: ti.queued_at,
            start: ti.start_date,
            end: ti.end_date,
        }
    }

    /// Where the bar ends: its end, or `now` while it is still going.
    fn until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.end.or_else(|| self.start.map(|_| now))
    }

    fn from(&self) -> Option<DateTime<Utc>> {
        match (self.queued, self.start) {
            (Some(q), Some(s)) => Some(q.min(s)),
            (q, s) => q.or(s),
        }
    }
}

/// The common time axis: from the earliest queue or start time to the latest end (or now).
pub fn axis(bars: &[GanttBar], now: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let start = bars.iter().filter_map(GanttBar::from).min()?;
    let end = bars
        .iter()
        .filter_map(|b| b.until(now).or(b.queued.map(|_| now)))
        .max()
        .unwrap_or(start)
        .max(start);
    Some((start, end))
}

/// The column (0..width) of time `t` on the axis.
pub fn column(t: DateTime<Utc>, axis: (DateTime<Utc>, DateTime<Utc>), width: u16) -> u16 {
    if width == 0 {
        return 0;
    }
    let span = seconds_between(axis.0, axis.1);
    if span <= 0.0 {
        return 0;
    }
    let at = seconds_between(axis.0, t) / span * width as f64;
    (at.floor() as u16).min(width - 1)
}

/// The cells of one bar: `queued` columns drawn light, then `running` columns solid, both
/// starting at `start`. A bar that ran is at least one cell wide however short it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarCells {
    pub start: u16,
    pub queued: u16,
    pub running: u16,
}

pub fn bar_cells(
    bar: &GanttBar,
    axis: (DateTime<Utc>, DateTime<Utc>),
    width: u16,
    now: DateTime<Utc>,
) -> Option<BarCells> {
    let from = bar.from()?;
    let start_col = column(from, axis, width);
    let Some(started) = bar.start else {
        // Queued and not started: light up to now.
        let to = column(now.min(axis.1), axis, width);
        return Some(BarCells {
            start: start_col,
            queued: to.saturating_sub(start_col).max(1),
            running: 0,
        });
    };
    let run_col = column(started, axis, width);
    let end_col = column(bar.until(now).unwrap_or(started), axis, width);
    let running = (end_col.saturating_sub(run_col) + 1).min(width - run_col);
    Some(BarCells {
        start: start_col,
        queued: run_col - start_col,
        running,
    })
}

/// Draws the chart; `selected` is a row index, `offset` the first row shown last frame.
/// Returns the first row shown.
#[allow(clippy::too_many_arguments)]
pub fn render(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    bars: &[GanttBar],
    selected: usize,
    offset: usize,
    now: DateTime<Utc>,
) -> usize {
    if area.height < 3 || area.width < 16 {
        return offset;
    }
    let buf = frame.buffer_mut();
    let Some(axis) = axis(bars, now) else {
        put(
            buf,
            area.x,
            area.y,
            area.width,
            "no task of this run has started yet",
            theme.muted,
        );
        return offset;
    };
    let labels: Vec<String> = bars.iter().map(|b| b.task.clone()).collect();
    let label_w = super::grid::label_width(&labels).min(area.width / 3);
    let width = area.width - label_w;
    let x0 = area.x + label_w;
    let rows = (area.height - 2) as usize;
    let offset = scroll_offset(offset, selected, rows);

    // The axis: start time left, end time right, the span in the middle.
    let left = axis.0.format("%H:%M:%S").to_string();
    let right = axis.1.format("%H:%M:%S").to_string();
    let span = format!("← {} →", elapsed(seconds_between(axis.0, axis.1) as u64));
    put(buf, x0, area.y, width, &left, theme.header);
    let span_x = x0 + width.saturating_sub(span.chars().count() as u16) / 2;
    put(buf, span_x, area.y, width, &span, theme.muted);
    let right_x = x0 + width.saturating_sub(right.len() as u16);
    put(
        buf,
        right_x,
        area.y,
        right.len() as u16,
        &right,
        theme.header,
    );

    for (row, index) in (offset..(offset + rows).min(bars.len())).enumerate() {
        let bar = &bars[index];
        let y = area.y + 1 + row as u16;
        let label_style = if index == selected {
            theme.selected
        } else {
            theme.base
        };
        let label = truncate(&bar.task, (label_w - 1) as usize);
        put(buf, area.x, y, label_w - 1, &label, label_style);
        let Some(cells) = bar_cells(bar, axis, width, now) else {
            put(buf, x0, y, width, "·", theme.muted);
            continue;
        };
        let style = state_style(&bar.state, theme);
        let queued = "░".repeat(cells.queued as usize);
        put(
            buf,
            x0 + cells.start,
            y,
            cells.queued,
            &queued,
            theme.state_pending,
        );
        let running = "█".repeat(cells.running as usize);
        let run_x = x0 + cells.start + cells.queued;
        put(buf, run_x, y, cells.running, &running, style);
    }
    if let Some(bar) = bars.get(selected) {
        put(
            buf,
            area.x,
            area.y + area.height - 1,
            area.width,
            &caption(bar, now),
            theme.muted,
        );
    }
    offset
}

/// `task (state) · queued 12s · ran 3m 05s` for the selected row.
pub fn caption(bar: &GanttBar, now: DateTime<Utc>) -> String {
    let mut text = format!("{} ({})", bar.task, bar.state);
    if let (Some(q), Some(s)) = (bar.queued, bar.start) {
        text.push_str(&format!(
            " · queued {}",
            elapsed(seconds_between(q, s) as u64)
        ));
    }
    if let (Some(s), Some(until)) = (bar.start, bar.until(now)) {
        let verb = if bar.end.is_some() { "ran" } else { "running" };
        text.push_str(&format!(
            " · {verb} {}",
            elapsed(seconds_between(s, until) as u64)
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 15, 3, 0, 0).unwrap() + chrono::Duration::seconds(s)
    }

    fn bar(queued: Option<i64>, start: Option<i64>, end: Option<i64>) -> GanttBar {
        GanttBar {
            task: "t".into(),
            state: State::Success,
            queued: queued.map(t),
            start: start.map(t),
            end: end.map(t),
        }
    }

    #[test]
    fn the_axis_spans_every_bar_and_running_ones_reach_now() {
        let bars = [bar(Some(0), Some(10), Some(50)), bar(None, Some(60), None)];
        assert_eq!(axis(&bars, t(100)), Some((t(0), t(100))));
        assert_eq!(axis(&[bar(None, None, None)], t(5)), None);
    }

    #[test]
    fn bars_are_placed_on_the_common_axis() {
        let axis = (t(0), t(100));
        assert_eq!(column(t(0), axis, 50), 0);
        assert_eq!(column(t(50), axis, 50), 25);
        assert_eq!(column(t(100), axis, 50), 49, "the end stays inside");
        let cells = bar_cells(&bar(Some(0), Some(10), Some(50)), axis, 50, t(100)).unwrap();
        assert_eq!(
            cells,
            BarCells {
                start: 0,
                queued: 5,
                running: 21
            }
        );
    }

    #[test]
    fn a_very_short_task_still_shows_one_cell_and_never_overflows() {
        let axis = (t(0), t(36_000));
        let cells = bar_cells(&bar(None, Some(100), Some(101)), axis, 40, t(0)).unwrap();
        assert_eq!(cells.running, 1);
        let last = bar_cells(&bar(None, Some(36_000), Some(36_000)), axis, 40, t(0)).unwrap();
        assert_eq!(last.start + last.queued + last.running, 40);
    }

    #[test]
    fn a_queued_task_is_light_up_to_now() {
        let axis = (t(0), t(100));
        let cells = bar_cells(&bar(Some(50), None, None), axis, 100, t(100)).unwrap();
        assert_eq!(cells.running, 0);
        assert_eq!(cells.start, 50);
        assert_eq!(cells.queued, 49);
    }

    #[test]
    fn a_zero_length_axis_puts_everything_at_the_start() {
        let axis = (t(0), t(0));
        assert_eq!(column(t(0), axis, 10), 0);
        let cells = bar_cells(&bar(None, Some(0), Some(0)), axis, 10, t(0)).unwrap();
        assert_eq!(cells.running, 1);
    }

    #[test]
    fn caption_names_queue_and_run_time() {
        let b = bar(Some(0), Some(12), Some(197));
        assert_eq!(caption(&b, t(300)), "t (success) · queued 12s · ran 3m 05s");
    }
}
