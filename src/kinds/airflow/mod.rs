//! Charts of Airflow work drawn straight into the frame's buffer: the grid of recent runs ×
//! tasks, the Gantt chart of one run and the chart of recent run durations. Each module keeps
//! its layout maths in small pure functions (tested) apart from the drawing.

pub mod actions;
pub mod conf;
pub mod dags;
pub mod durations;
pub mod environments;
pub mod failures;
pub mod format;
pub mod gantt;
pub mod grid;
pub mod import_errors;
pub mod links;
pub mod panel;
pub mod run_tasks;
pub mod runs;
pub mod task_logs;
pub mod tasks;
pub mod tries;

use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::style::Style;

use crate::airflow::State;
use crate::sanitize;
use crate::theme::Theme;

/// The colour of a run or task state, the same in tables and charts.
pub fn state_style(state: &State, theme: &Theme) -> Style {
    match state {
        State::Success => theme.state_success,
        State::Failed | State::UpstreamFailed => theme.state_failed,
        State::Running | State::Restarting | State::Deferred | State::UpForRetry => {
            theme.state_running
        }
        State::Queued | State::Scheduled | State::UpForReschedule => theme.state_pending,
        State::None | State::Skipped | State::Removed | State::Other(_) => theme.muted,
    }
}

/// One glyph per state so that states read apart without colour (NO_COLOR) too.
pub fn state_glyph(state: &State) -> &'static str {
    match state {
        State::Success => "■",
        State::Failed => "✖",
        State::UpstreamFailed => "↑",
        State::Running | State::Restarting | State::Deferred => "▶",
        State::UpForRetry | State::UpForReschedule => "↻",
        State::Queued | State::Scheduled => "◌",
        State::Skipped => "»",
        State::None | State::Removed | State::Other(_) => "·",
    }
}

/// Seconds between two times (never negative).
pub fn seconds_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    ((to - from).num_milliseconds().max(0)) as f64 / 1000.0
}

/// Writes remote `text` at (x, y), sanitized and cut to `width` cells.
pub(crate) fn put(buf: &mut Buffer, x: u16, y: u16, width: u16, text: &str, style: Style) {
    if width == 0 {
        return;
    }
    let clean = sanitize::line(text);
    buf.set_stringn(x, y, clean.as_ref(), width as usize, style);
}

/// `text` cut to `width` characters, ending in `…` when cut.
pub fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(width - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate("process_to_staging_nyc", 8), "process…");
        assert_eq!(truncate("short", 8), "short");
        assert_eq!(truncate("x", 0), "");
    }

    #[test]
    fn every_state_has_a_distinct_glyph_from_success_and_failure() {
        let others = [
            State::Running,
            State::Queued,
            State::None,
            State::Skipped,
            State::UpstreamFailed,
        ];
        for state in others {
            assert_ne!(state_glyph(&state), state_glyph(&State::Success));
            assert_ne!(state_glyph(&state), state_glyph(&State::Failed));
        }
    }
}
