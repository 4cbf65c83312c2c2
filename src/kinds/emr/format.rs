//! Formatting shared by the EMR views: state colours, times and durations.

use chrono::Duration;
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

/// `45s`, `3m 07s`, `2h 05m`.
pub fn duration(d: Option<Duration>) -> String {
    d.map(|d| crate::ui::format::elapsed(d.num_seconds().max(0) as u64))
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
