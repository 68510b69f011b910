//! UTC timestamps without a date crate: RFC 3339 in and out, and calendar dates.
//!
//! ```
//! use shared::reconcile::time::{format_rfc3339, parse_rfc3339};
//! let t = parse_rfc3339("2026-11-29T03:00:00+03:00").unwrap();
//! assert_eq!(format_rfc3339(t), "2026-11-29T00:00:00Z");
//! assert_eq!(parse_rfc3339("2026-02-30T00:00:00Z"), None);
//! ```
use crate::budget::DAY_SECS;

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The inverse of [`civil_from_days`].
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

/// `YYYY-MM-DD` of the UTC day holding `secs`.
pub fn date(secs: u64) -> String {
    let (y, m, d) = civil_from_days((secs / DAY_SECS) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_rfc3339(secs: u64) -> String {
    let tod = secs % DAY_SECS;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        date(secs),
        tod / 3600,
        tod % 3600 / 60,
        tod % 60
    )
}

/// Unix seconds of an RFC 3339 date-time (`2026-11-29T00:00:00Z`, `…T03:00:00.250+03:00`):
/// fractions of a second are dropped; `None` for anything else, impossible dates, leap seconds
/// and times before 1970.
pub fn parse_rfc3339(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() < 20 || !matches!(b[10], b'T' | b't') {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, sep)| b[at] != sep) {
        return None;
    }
    let (y, m, d) = (i64::from(number(0..4)?), number(5..7)?, number(8..10)?);
    let (hh, mm, ss) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) || hh > 23 || mm > 59 || ss > 59
    {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset: i64 = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |a: u8, b: u8| -> Option<i64> {
                (a.is_ascii_digit() && b.is_ascii_digit())
                    .then(|| i64::from((a - b'0') * 10 + (b - b'0')))
            };
            let (oh, om) = (two(*h1, *h2)?, two(*m1, *m2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let minutes = oh * 60 + om;
            if *sign == b'+' {
                minutes * 60
            } else {
                -minutes * 60
            }
        }
        _ => return None,
    };
    let local = days_from_civil(y, m, d) * DAY_SECS as i64 + i64::from(hh * 3600 + mm * 60 + ss);
    u64::try_from(local - offset).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips_and_converts_offsets() {
        for (name, text, secs) in [
            ("epoch", "1970-01-01T00:00:00Z", 0),
            ("utc", "2026-11-29T00:00:00Z", 1_795_910_400),
            ("lower case t and z", "2026-11-29t00:00:00z", 1_795_910_400),
            (
                "east africa time",
                "2026-11-29T03:00:00+03:00",
                1_795_910_400,
            ),
            (
                "negative offset",
                "2026-11-28T21:00:00-03:00",
                1_795_910_400,
            ),
            (
                "milliseconds dropped",
                "2026-05-21T10:57:03.884Z",
                1_779_361_023,
            ),
            ("leap day", "2028-02-29T12:00:00Z", 1_835_438_400),
        ] {
            assert_eq!(parse_rfc3339(text), Some(secs), "{name}");
        }
        assert_eq!(format_rfc3339(1_795_910_400), "2026-11-29T00:00:00Z");
        assert_eq!(format_rfc3339(1_779_361_023), "2026-05-21T10:57:03Z");
        assert_eq!(date(1_795_910_399), "2026-11-28");
    }

    #[test]
    fn rfc3339_refuses_what_is_not_one() {
        for (name, text) in [
            ("empty", ""),
            ("date only", "2026-11-29"),
            ("no zone", "2026-11-29T00:00:00"),
            ("space for T", "2026-11-29 00:00:00Z"),
            ("unix seconds", "1796083200"),
            ("february 30", "2026-02-30T00:00:00Z"),
            ("no leap day", "2026-02-29T00:00:00Z"),
            ("month 13", "2026-13-01T00:00:00Z"),
            ("hour 24", "2026-11-29T24:00:00Z"),
            ("leap second", "2026-12-31T23:59:60Z"),
            ("empty fraction", "2026-11-29T00:00:00.Z"),
            ("offset without colon", "2026-11-29T00:00:00+0300"),
            ("offset hour 24", "2026-11-29T00:00:00+24:00"),
            ("plus turned space", "2026-11-29T00:00:00 03:00"),
            ("sign in year", "+026-11-29T00:00:00Z"),
            ("trailing text", "2026-11-29T00:00:00Zjunk"),
            ("before 1970", "1969-12-31T23:59:59Z"),
            ("non-ascii", "2026-11-29T00:00:0٠Z"),
        ] {
            assert_eq!(parse_rfc3339(text), None, "{name}");
        }
    }

    #[test]
    fn civil_days_invert_each_other() {
        for days in [-1, 0, 59, 365, 11_016, 20_421, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{days}");
        }
    }
}
