//! Formatting shared by the EMR views: state colours, times and durations.

use chrono::{DateTime, Duration, Utc};
use ratatui::style::Style;

use crate::theme::Theme;

/// The colour of an EMR cluster or step state.
pub fn state_style(state: &str, theme: &Theme) -> Option<Style> {
    match state {
        "STARTING" | "BOOTSTRAPPING" | "PENDING" | "CANCEL_PENDING" | "TERMINATING" => {
            Some(theme.state_pending)
        }
        "RUNNING" => Some(theme.state_running),
        "WAITING" | "COMPLETED" => Some(theme.state_success),
        "TERMINATED_WITH_ERRORS" | "FAILED" | "INTERRUPTED" => Some(theme.state_failed),
        "TERMINATED" | "CANCELLED" => Some(theme.muted),
        _ => None,
    }
}

/// `2026-01-02 03:04:05` (UTC), or empty.
pub fn time(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Seconds since the epoch for sorting; missing times sort first.
pub fn time_key(t: Option<DateTime<Utc>>) -> f64 {
    t.map(|t| t.timestamp() as f64).unwrap_or(0.0)
}

/// `45s`, `3m 07s`, `2h 05m`.
pub fn duration(d: Option<Duration>) -> String {
    d.map(|d| super::format::elapsed(d.num_seconds().max(0) as u64))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_at_a_glance() {
        let d = |s| duration(Some(Duration::seconds(s)));
        assert_eq!(d(45), "45s");
        assert_eq!(d(187), "3m 07s");
        assert_eq!(d(7500), "2h 05m");
        assert_eq!(duration(None), "");
    }
}
