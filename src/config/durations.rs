//! `refresh_interval = "5s"` (also "1500ms", "2m", "1h") or a plain number of seconds.

use std::time::Duration;

use serde::de::{self, Deserializer, Visitor};

pub const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(1);

/// Parses "<number><unit>" with unit ms, s, m or h.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let invalid = || format!("invalid duration `{s}`: expected e.g. \"5s\", \"1500ms\" or \"2m\"");
    let number: u64 = number.parse().map_err(|_| invalid())?;
    let millis_per_unit = match unit.trim() {
        "ms" => 1,
        "s" | "" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return Err(invalid()),
    };
    number
        .checked_mul(millis_per_unit)
        .map(Duration::from_millis)
        .ok_or_else(invalid)
}

fn at_least_one_second(interval: Duration, written: &str) -> Result<Duration, String> {
    if interval < MIN_REFRESH_INTERVAL {
        Err(format!(
            "refresh_interval must be at least 1s, got `{written}`"
        ))
    } else {
        Ok(interval)
    }
}

pub fn refresh_interval<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    struct IntervalVisitor;
    impl Visitor<'_> for IntervalVisitor {
        type Value = Duration;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a duration such as \"5s\" or a number of seconds")
        }
        fn visit_i64<E: de::Error>(self, seconds: i64) -> Result<Duration, E> {
            let interval = Duration::from_secs(seconds.max(0).unsigned_abs());
            at_least_one_second(interval, &seconds.to_string()).map_err(E::custom)
        }
        fn visit_u64<E: de::Error>(self, seconds: u64) -> Result<Duration, E> {
            at_least_one_second(Duration::from_secs(seconds), &seconds.to_string())
                .map_err(E::custom)
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Duration, E> {
            let interval = parse_duration(s).map_err(E::custom)?;
            at_least_one_second(interval, s).map_err(E::custom)
        }
    }
    d.deserialize_any(IntervalVisitor).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("1500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert!(parse_duration("5 minutes").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("-5s").is_err());
        assert!(parse_duration("99999999999999999999h").is_err());
    }
}
