//! Cell formatting shared by every resource kind.

use chrono::{DateTime, Utc};

use crate::app::view::Outcome;

/// `2026-01-15 03:04:05` (UTC), or empty.
pub fn when(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Seconds since the epoch (millisecond precision) for sorting; missing times sort first.
pub fn epoch(t: Option<DateTime<Utc>>) -> f64 {
    t.map(|t| t.timestamp_millis() as f64 / 1000.0)
        .unwrap_or(0.0)
}

/// What a key that needs the context's clients says while they are being built.
pub fn not_connected() -> Outcome {
    Outcome::Flash(Err("not connected yet".into()))
}

/// The instant the durations of running things are measured to: the wall clock, or a fixed
/// instant (snapshot tests draw the same text every time).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock(Option<DateTime<Utc>>);

impl Clock {
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self(Some(at))
    }

    pub fn now(self) -> DateTime<Utc> {
        self.0.unwrap_or_else(Utc::now)
    }
}

/// An elapsed time as people read it at a glance: `42s`, `3m 05s`, `1h 02m`.
pub fn elapsed(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m {:02}s", secs / 60, secs % 60),
        _ => format!("{}h {:02}m", secs / 3600, (secs % 3600) / 60),
    }
}

pub use crate::bounded::human_size;

/// The first line of a (possibly multi-line) message, for a table cell.
pub fn first_line(text: Option<&str>) -> String {
    text.and_then(|t| t.lines().next())
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::{elapsed, human_size};

    #[test]
    fn elapsed_times_read_like_people_write_them() {
        assert_eq!(elapsed(42), "42s");
        assert_eq!(elapsed(185), "3m 05s");
        assert_eq!(elapsed(3720), "1h 02m");
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(20 * 1024 * 1024), "20.0 MiB");
    }
}
