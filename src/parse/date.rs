//! `PageDate`: the dates people write in front matter, parsed once into one type.
//!
//! Accepts RFC 3339, `YYYY-MM-DD`, and `YYYY-MM-DD HH:MM[:SS]` with or without an offset
//! (`Z`, `+02:00`, `+0200`). A date with no offset is read in the site's `timezone` (UTC by default).

use std::cmp::Ordering;
use std::fmt;

use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;
use serde::{Serialize, Serializer};

/// A point in time as the author wrote it: the instant, the offset, and whether a time was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageDate {
    timestamp: Timestamp,
    offset: Offset,
    has_time: bool,
}

impl PageDate {
    /// Parses a date as people write them in front matter.
    ///
    /// # Errors
    /// A message saying what is wrong, ready for the user.
    pub fn parse(text: &str) -> Result<PageDate, String> {
        PageDate::parse_in(text, &TimeZone::UTC)
    }

    /// Parses a date; one written without an offset is read in `zone` (the site's `timezone`).
    ///
    /// # Errors
    /// A message saying what is wrong, ready for the user.
    pub fn parse_in(text: &str, zone: &TimeZone) -> Result<PageDate, String> {
        let text = text.trim();
        if text.len() == 10 {
            let date: Date = text.parse().map_err(|e| explain(text, e))?;
            let zoned = date.to_zoned(zone.clone()).map_err(|e| explain(text, e))?;
            return Ok(PageDate { timestamp: zoned.timestamp(), offset: zoned.offset(), has_time: false });
        }
        let (datetime_text, offset) = split_offset(text).map_err(|detail| explain(text, detail))?;
        let datetime: DateTime = datetime_text.replacen(' ', "T", 1).parse().map_err(|e| explain(text, e))?;
        let zoned = match offset {
            Some(offset) => offset.to_timestamp(datetime).map(|t| t.to_zoned(TimeZone::fixed(offset))),
            None => datetime.to_zoned(zone.clone()),
        }
        .map_err(|e| explain(text, e))?;
        Ok(PageDate { timestamp: zoned.timestamp(), offset: zoned.offset(), has_time: true })
    }

    /// Builds a date-only value from a year, month and day (from a `YYYY-MM-DD-` file name).
    pub fn from_ymd(year: i16, month: i8, day: i8, zone: &TimeZone) -> Option<PageDate> {
        let zoned = Date::new(year, month, day).ok()?.to_zoned(zone.clone()).ok()?;
        Some(PageDate { timestamp: zoned.timestamp(), offset: zoned.offset(), has_time: false })
    }

    /// The instant, for ordering.
    pub fn timestamp(&self) -> Timestamp {
        self.timestamp
    }

    /// Formats with strftime directives (`%B %-d, %Y`) in the author's offset.
    ///
    /// # Errors
    /// A message when the format string is invalid.
    pub fn format(&self, format: &str) -> Result<String, String> {
        let zoned = self.timestamp.to_zoned(TimeZone::fixed(self.offset));
        jiff::fmt::strtime::format(format, &zoned).map_err(|e| format!("invalid date format `{format}`: {e}"))
    }

    /// The calendar date in the author's offset.
    pub fn civil(&self) -> DateTime {
        self.offset.to_datetime(self.timestamp)
    }

    /// RFC 3339 with a time always (`2024-05-01T00:00:00Z` for a date-only value), for Atom.
    pub fn to_rfc3339(&self) -> String {
        let civil = self.civil().strftime("%Y-%m-%dT%H:%M:%S");
        if self.offset == Offset::UTC {
            format!("{civil}Z")
        } else {
            format!("{civil}{}", offset_text(self.offset))
        }
    }

    /// RFC 2822 (`Wed, 1 May 2024 14:30:00 +0200`), for RSS. A year RFC 2822 cannot write
    /// (before year 0) falls back to RFC 3339, which feed readers also accept.
    pub fn to_rfc2822(&self) -> String {
        let zoned = self.timestamp.to_zoned(TimeZone::fixed(self.offset));
        jiff::fmt::rfc2822::to_string(&zoned).unwrap_or_else(|_| self.to_rfc3339())
    }
}

impl Ord for PageDate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.timestamp.cmp(&other.timestamp)
    }
}

impl PartialOrd for PageDate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// `2024-05-01` for date-only values, RFC 3339 with the author's offset otherwise.
impl fmt::Display for PageDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let civil = self.civil();
        if self.has_time {
            let offset = self.offset;
            if offset == Offset::UTC {
                write!(f, "{}Z", civil.strftime("%Y-%m-%dT%H:%M:%S"))
            } else {
                write!(f, "{}{}", civil.strftime("%Y-%m-%dT%H:%M:%S"), offset_text(offset))
            }
        } else {
            write!(f, "{}", civil.strftime("%Y-%m-%d"))
        }
    }
}

impl Serialize for PageDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

fn offset_text(offset: Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.abs();
    format!("{sign}{:02}:{:02}", seconds / 3600, (seconds % 3600) / 60)
}

/// Splits `2024-05-01 14:30 +0200` into the date-time text and its offset, if any.
fn split_offset(text: &str) -> Result<(String, Option<Offset>), String> {
    if let Some(rest) = text.strip_suffix('Z').or_else(|| text.strip_suffix('z')) {
        return Ok((rest.trim_end().to_string(), Some(Offset::UTC)));
    }
    // An offset starts with the last `+` or `-` after the time part (past the date's dashes).
    let time_start = text.find(['T', 't', ' ']).unwrap_or(text.len());
    let Some(sign_index) = text[time_start..].rfind(['+', '-']).map(|i| i + time_start) else {
        return Ok((text.to_string(), None));
    };
    let offset_text: String = text[sign_index + 1..].chars().filter(|c| *c != ':').collect();
    if offset_text.len() != 4 || !offset_text.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("`{}` is not an offset like `+02:00`", &text[sign_index..]));
    }
    let hours: i32 = offset_text[..2].parse().map_err(|_| "bad offset hours".to_string())?;
    let minutes: i32 = offset_text[2..].parse().map_err(|_| "bad offset minutes".to_string())?;
    let mut seconds = hours * 3600 + minutes * 60;
    if text[sign_index..].starts_with('-') {
        seconds = -seconds;
    }
    let offset = Offset::from_seconds(seconds).map_err(|e| e.to_string())?;
    Ok((text[..sign_index].trim_end().to_string(), Some(offset)))
}

fn explain(text: &str, error: impl fmt::Display) -> String {
    let reason = calendar_reason(text).unwrap_or_else(|| error.to_string());
    format!("`{text}` is not a valid date: {reason}")
}

/// For `YYYY-MM-DD…` with a month or day out of range, says which in plain words (the parser's
/// own message names its internals: "failed to parse two digit integer as month: …").
fn calendar_reason(text: &str) -> Option<String> {
    let mut parts = text.get(..10)?.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let (year, month, day): (i16, i8, i8) = (year.parse().ok()?, month.parse().ok()?, day.parse().ok()?);
    if !(1..=12).contains(&month) {
        return Some(format!("month {month} is not between 1 and 12"));
    }
    let days = Date::new(year, month, 1).ok()?.days_in_month();
    (!(1..=days).contains(&day)).then(|| format!("day {day} is not between 1 and {days} in that month"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_dates_say_which_part_is_wrong() {
        assert_eq!(calendar_reason("2024-13-40").unwrap(), "month 13 is not between 1 and 12");
        assert_eq!(calendar_reason("2023-02-29").unwrap(), "day 29 is not between 1 and 28 in that month");
        assert_eq!(
            calendar_reason("2024-04-00 10:00").unwrap(),
            "day 0 is not between 1 and 30 in that month"
        );
        assert_eq!(calendar_reason("2024-02-29"), None);
        assert_eq!(calendar_reason("yesterday"), None);
    }

    fn show(text: &str) -> String {
        PageDate::parse(text).unwrap().to_string()
    }

    #[test]
    fn accepts_every_documented_format() {
        assert_eq!(show("2024-05-01"), "2024-05-01");
        assert_eq!(show("2024-05-01 14:30"), "2024-05-01T14:30:00Z");
        assert_eq!(show("2024-05-01 14:30:15"), "2024-05-01T14:30:15Z");
        assert_eq!(show("2024-05-01T14:30:00Z"), "2024-05-01T14:30:00Z");
        assert_eq!(show("2024-05-01T14:30:00+02:00"), "2024-05-01T14:30:00+02:00");
        assert_eq!(show("2024-05-01 14:30:00 +0200"), "2024-05-01T14:30:00+02:00");
        assert_eq!(show("2024-05-01T14:30:00.250-05:00"), "2024-05-01T14:30:00-05:00");
    }

    #[test]
    fn formats_for_people() {
        let date = PageDate::parse("2024-05-01T14:30:00+02:00").unwrap();
        assert_eq!(date.format("%B %-d, %Y %H:%M").unwrap(), "May 1, 2024 14:30");
        assert!(date.format("%").is_err());
    }

    #[test]
    fn dates_without_offset_use_the_site_timezone() {
        let paris = TimeZone::get("Europe/Paris").unwrap();
        assert_eq!(
            PageDate::parse_in("2024-07-01 12:00", &paris).unwrap().to_string(),
            "2024-07-01T12:00:00+02:00"
        );
        assert_eq!(
            PageDate::parse_in("2024-01-01 12:00", &paris).unwrap().to_string(),
            "2024-01-01T12:00:00+01:00"
        );
        let explicit = PageDate::parse_in("2024-07-01T12:00:00Z", &paris).unwrap();
        assert_eq!(explicit.to_string(), "2024-07-01T12:00:00Z");
    }

    #[test]
    fn feed_formats_always_carry_a_time() {
        assert_eq!(PageDate::parse("2024-05-01").unwrap().to_rfc3339(), "2024-05-01T00:00:00Z");
        let date = PageDate::parse("2024-05-01T14:30:00+02:00").unwrap();
        assert_eq!(date.to_rfc3339(), "2024-05-01T14:30:00+02:00");
        assert_eq!(date.to_rfc2822(), "Wed, 1 May 2024 14:30:00 +0200");
        assert_eq!(PageDate::parse("2999-01-01").unwrap().to_rfc2822(), "Tue, 1 Jan 2999 00:00:00 +0000");
    }

    #[test]
    fn offsets_order_by_instant() {
        let early = PageDate::parse("2024-05-01T14:30:00+02:00").unwrap();
        let late = PageDate::parse("2024-05-01T13:00:00Z").unwrap();
        assert!(early < late);
    }

    #[test]
    fn impossible_dates_are_rejected() {
        assert!(PageDate::parse("2024-13-01").is_err());
        assert!(PageDate::parse("2024-02-30").is_err());
        assert!(PageDate::parse("yesterday").is_err());
        assert!(PageDate::parse("2024-05-01 25:00").is_err());
    }
}
