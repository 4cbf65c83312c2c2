//! Formatting shared by the Glue views: times, durations, state colours, argument lists.

use std::time::Duration;

use ratatui::style::Style;

use crate::aws::glue::{Crawler, RunState};
use crate::theme::Theme;

pub use crate::ui::format::{epoch, first_line, not_connected, when};

/// `42s`, `3m 05s`, `1h 02m`; empty when unknown.
pub fn duration(d: Option<Duration>) -> String {
    d.map(|d| crate::ui::format::elapsed(d.as_secs()))
        .unwrap_or_default()
}

pub fn run_style(state: RunState, theme: &Theme) -> Style {
    match state {
        RunState::Pending => theme.state_pending,
        RunState::Running => theme.state_running,
        RunState::Succeeded => theme.state_success,
        RunState::Failed => theme.state_failed,
        RunState::Stopped => theme.muted,
    }
}

/// How long the last (or current) crawl took: the metrics' runtime, or the running time.
pub fn crawl_duration(c: &Crawler) -> Option<Duration> {
    if c.state == "RUNNING" && !c.elapsed.is_zero() {
        return Some(c.elapsed);
    }
    c.last_crawl.as_ref()?;
    c.metrics.as_ref().map(|m| m.last_runtime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(duration(None), "");
        assert_eq!(duration(Some(Duration::from_secs(42))), "42s");
        assert_eq!(duration(Some(Duration::from_secs(185))), "3m 05s");
        assert_eq!(duration(Some(Duration::from_secs(3720))), "1h 02m");
    }

    #[test]
    fn first_line_of_a_traceback() {
        assert_eq!(first_line(Some("KeyError: x\n  at line 3")), "KeyError: x");
        assert_eq!(first_line(None), "");
    }
}
