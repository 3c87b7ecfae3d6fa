//! Time as rsume needs it: expirations are `SystemTime`s, written and read as RFC 3339 in UTC
//! (with aws-smithy-types, already linked for STS) and shown as local wall-clock time (with
//! the C library's `localtime_r`, which costs microseconds; a time-zone database lookup
//! cost a millisecond on the cached path).

#[cfg(test)]
use std::time::Duration;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_sts::primitives::{DateTime, DateTimeFormat};

/// `2026-11-28T13:07:00Z`: whole seconds, UTC, as botocore reads it.
pub fn rfc3339(at: SystemTime) -> String {
    DateTime::from_secs(epoch_seconds(at))
        .fmt(DateTimeFormat::DateTime)
        .unwrap_or_default()
}

/// Accepts `Z` or a numeric offset, with or without fractional seconds.
pub fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let parsed = DateTime::from_str(text, DateTimeFormat::DateTimeWithOffset).ok()?;
    SystemTime::try_from(parsed).ok()
}

/// Whole seconds since 1970 (negative before).
pub fn epoch_seconds(at: SystemTime) -> i64 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_secs() as i64,
        Err(before) => -(before.duration().as_secs_f64().ceil() as i64),
    }
}

/// Seconds from now until `at`; negative once it has passed.
pub fn seconds_left(at: SystemTime) -> i64 {
    epoch_seconds(at) - epoch_seconds(SystemTime::now())
}

/// `13:07 (59 min)`, or `Mon 13:07 (30 h 5 min)` when more than a day away, in local time.
pub fn until(at: SystemTime) -> String {
    let minutes = seconds_left(at).max(0) / 60;
    format!("{} ({})", local_clock(at, minutes >= 24 * 60), left(at))
}

/// The time left until `at`: `59 min`, or `36 h 0 min` from two hours on.
pub fn left(at: SystemTime) -> String {
    let minutes = seconds_left(at).max(0) / 60;
    if minutes < 120 {
        format!("{minutes} min")
    } else {
        format!("{} h {} min", minutes / 60, minutes % 60)
    }
}

#[cfg(unix)]
fn local_clock(at: SystemTime, with_day: bool) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    // The type comes from localtime_r's signature, as musl deprecates naming time_t (64
    // bits on every 64-bit target; where it is 32, times after 2038 wrap, as they do in C).
    let seconds = epoch_seconds(at) as _;
    unsafe extern "C" {
        /// POSIX; the libc crate does not declare it. Loads TZ (or /etc/localtime).
        fn tzset();
    }
    // SAFETY: `tm` is plain data that localtime_r fills in; tzset only reads the zone.
    let tm = unsafe {
        tzset();
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&seconds, &mut tm).is_null() {
            return utc_clock(at, with_day);
        }
        tm
    };
    let clock = format!("{:02}:{:02}", tm.tm_hour, tm.tm_min);
    match DAYS.get(tm.tm_wday as usize) {
        Some(day) if with_day => format!("{day} {clock}"),
        _ => clock,
    }
}

#[cfg(not(unix))]
fn local_clock(at: SystemTime, with_day: bool) -> String {
    utc_clock(at, with_day)
}

/// The fallback where local time is unknown: `2026-11-28 13:07 UTC`.
fn utc_clock(at: SystemTime, _with_day: bool) -> String {
    let text = rfc3339(at);
    format!("{} {} UTC", &text[..10], &text[11..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_seconds(seconds: u64) -> SystemTime {
        SystemTime::now() + Duration::from_secs(seconds)
    }

    #[test]
    fn rfc3339_round_trip_in_utc() {
        let at = parse_rfc3339("2026-11-28T14:07:00.25+01:00").unwrap();
        assert_eq!(rfc3339(at), "2026-11-28T13:07:00Z");
        assert_eq!(
            parse_rfc3339("2026-11-28T13:07:00Z"),
            Some(UNIX_EPOCH + Duration::from_secs(1_795_871_220))
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn time_left_reads_naturally() {
        assert!(until(in_seconds(59 * 60 + 30)).ends_with("(59 min)"));
        assert!(until(in_seconds(12 * 3600 + 30)).ends_with("(12 h 0 min)"));
        let far = until(in_seconds(30 * 3600 + 30));
        assert!(
            far.ends_with("(30 h 0 min)") && far.len() > "00:00 (30 h 0 min)".len(),
            "{far}"
        );
    }
}
