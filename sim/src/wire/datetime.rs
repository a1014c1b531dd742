//! Date-times on the wire (PROTOCOL.md §6.4): UTC, ISO 8601.
//!
//! * Written as the API writes them: `2022-12-07T09:15:28.147Z`, with 0 to 3 fractional digits and
//!   trailing zeros dropped (`…:45.2Z`, `…:00Z`). The API stores at most 7 digits and answers with at most
//!   3, so values are truncated to milliseconds when stored.
//! * Read generously, as the API accepts them: with `Z`, with an offset, without a designator (UTC, as
//!   in the 2020 samples), with any number of fractional digits, and as a bare date (`2024-01-01`,
//!   midnight UTC).

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};

/// A point in time, in UTC.
pub type Instant = DateTime<Utc>;

/// Parses a wire date-time, or `None` when it is not one.
pub fn parse(text: &str) -> Option<Instant> {
    let text = text.trim();
    if let Ok(with_zone) = DateTime::parse_from_rfc3339(text) {
        return Some(with_zone.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Some(naive.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|naive| naive.and_utc())
}

/// Writes `instant` as the API does, truncated to milliseconds.
pub fn format(instant: &Instant) -> String {
    let millis = instant.timestamp_subsec_millis();
    let mut text = instant.format("%Y-%m-%dT%H:%M:%S").to_string();
    if millis > 0 {
        let fraction = format!("{millis:03}");
        text.push('.');
        text.push_str(fraction.trim_end_matches('0'));
    }
    text.push('Z');
    text
}

/// The current time, truncated to what the API stores and shows.
pub fn now() -> Instant {
    Utc::now().trunc_subsecs(3)
}

/// Parses a wire date-time and truncates it to what the API keeps and shows (milliseconds).
pub fn parse_stored(text: &str) -> Option<Instant> {
    parse(text).map(|instant| instant.trunc_subsecs(3))
}

/// Re-writes a wire date-time in the stored form, or `None` when it is not one.
pub fn normalize(text: &str) -> Option<String> {
    parse_stored(text).map(|instant| format(&instant))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_accepted_form() {
        let cases = [
            ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z"),
            ("2024-05-01T10:00:00.1234567Z", "2024-05-01T10:00:00.123Z"),
            ("2024-05-01T12:00:00.5+02:00", "2024-05-01T10:00:00.5Z"),
            ("2016-03-30T13:10:35.563", "2016-03-30T13:10:35.563Z"),
            ("2024-05-01T10:00", "2024-05-01T10:00:00Z"),
            ("2024-01-01", "2024-01-01T00:00:00Z"),
            ("2024-05-01T10:00:00.050Z", "2024-05-01T10:00:00.05Z"),
        ];
        for (sent, stored) in cases {
            assert_eq!(normalize(sent).as_deref(), Some(stored), "{sent}");
        }
        for bad in ["soon", "", "2024-13-01", "2024-05-01T25:00:00Z"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn now_has_at_most_three_digits() {
        let text = format(&now());
        let fraction = text
            .trim_end_matches('Z')
            .split_once('.')
            .map_or("", |(_, f)| f);
        assert!(fraction.len() <= 3, "{text}");
    }
}
