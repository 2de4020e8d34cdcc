//! Timestamps as the clouds write them, each read in the zone its vendor documents, and written
//! as RFC 3339 UTC. A zone is never assumed: every reader names it.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};

/// China Standard Time, the zone of Tencent Cloud's zone-less `2006-01-02 15:04:05` times.
pub const BEIJING: i32 = 8 * 3600;

/// Writes a time the way snapshots hold it.
pub fn format(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// An RFC 3339 / ISO 8601 time with its zone (`2026-11-20T08:00:00Z`, `...+08:00`).
pub fn rfc3339(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim()).ok().map(|time| time.with_timezone(&Utc)).or_else(|| {
        // `2026-11-20T08:00Z` (no seconds), as some Alibaba fields are written.
        DateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M%#z").ok().map(|time| time.with_timezone(&Utc))
    })
}

/// A zone-less `YYYY-MM-DD HH:MM:SS` (or with `T`) in the given offset from UTC, in seconds.
pub fn local(text: &str, offset_seconds: i32) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f"))
        .ok()?;
    let zone = FixedOffset::east_opt(offset_seconds)?;
    zone.from_local_datetime(&naive).single().map(|time| time.with_timezone(&Utc))
}

/// A date `YYYY-MM-DD` in UTC, as its first second or, with `last_second`, its last
/// (`2027-10-14` → `2027-10-14T23:59:59Z`): a day that ends a validity period is valid to its end.
pub fn utc_day(text: &str, last_second: bool) -> Option<DateTime<Utc>> {
    let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    let time = if last_second { day.and_hms_opt(23, 59, 59)? } else { day.and_hms_opt(0, 0, 0)? };
    Some(Utc.from_utc_datetime(&time))
}

/// Seconds since the Unix epoch (UTC by definition).
pub fn unix_seconds(seconds: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_opt(seconds, 0).single()
}

/// Milliseconds since the Unix epoch.
pub fn unix_millis(millis: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(millis).single()
}

/// The order of written times (all RFC 3339; an unreadable one sorts first).
pub fn sort_key(text: &str) -> i64 {
    rfc3339(text).map_or(i64::MIN, |time| time.timestamp_micros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reader_names_its_zone() {
        assert_eq!(format(local("2019-03-20 12:36:27", BEIJING).unwrap()), "2019-03-20T04:36:27Z");
        assert_eq!(format(rfc3339("2020-11-25T10:54:20+08:00").unwrap()), "2020-11-25T02:54:20Z");
        assert_eq!(format(rfc3339("2021-08-12T09:55Z").unwrap()), "2021-08-12T09:55:00Z");
        assert_eq!(format(unix_seconds(1553068587).unwrap()), "2019-03-20T07:56:27Z");
        assert_eq!(format(unix_millis(1_600_000_000_123).unwrap()), "2020-09-13T12:26:40.123Z");
        assert!(local("yesterday", BEIJING).is_none());
        assert_eq!(format(utc_day("2027-10-14", true).unwrap()), "2027-10-14T23:59:59Z");
        assert_eq!(format(utc_day("2017-10-16", false).unwrap()), "2017-10-16T00:00:00Z");
        assert!(utc_day("2017-10-16 08:00:00", false).is_none());
        assert!(sort_key("2020-01-01T00:00:00Z") < sort_key("2020-01-01T00:00:00.5Z"));
    }
}
