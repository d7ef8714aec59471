//! Validation of Extended Date/Time Format (ISO 8601-2) strings used as
//! document dates, and the calendar-day interval each one can mean.
//!
//! Supported: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (years 0000–9999); one trailing
//! qualifier `?`, `~` or `%`; unspecified digits `X` at the end of the year
//! (`198X`, `19XX`), month (`1990-XX`) or day (`1990-01-XX`, `1990-XX-XX`),
//! which may also carry a qualifier (`198X?`); and intervals `A/B` whose ends may be open (`..`) or unknown (empty).
//! This module must NOT normalise or rewrite the stored string, accept
//! free-text dates ("circa 1950", "1950s", "13 January 1990"), times,
//! seasons (`1990-21`) or negative years, or touch the database: it only
//! validates and computes bounds that callers store next to the original
//! text. For a few common free-text forms the error suggests the EDTF form
//! to type instead (`suggest`); nothing is ever stored from a guess.

mod suggest;

use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// A validated EDTF date with its earliest and latest possible calendar day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edtf {
    raw: String,
    lower: Option<String>,
    upper: Option<String>,
}

/// Why a string is not an accepted EDTF date; `reason` is written for the user.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid EDTF date {value:?}: {reason}")]
pub struct EdtfError {
    pub value: String,
    pub reason: String,
}

impl Edtf {
    /// Validates `s` and computes its bounds; the string is kept verbatim.
    /// A refusal of a common free-text form says which EDTF form to type.
    pub fn parse(s: &str) -> Result<Edtf, EdtfError> {
        Edtf::parse_strict(s).map_err(|mut e| {
            if let Some(hint) = suggest::hint(s) {
                e.reason.push_str("; ");
                e.reason.push_str(&hint);
            }
            e
        })
    }

    fn parse_strict(s: &str) -> Result<Edtf, EdtfError> {
        let fail = |reason: &str| EdtfError {
            value: s.to_string(),
            reason: reason.to_string(),
        };
        if s.is_empty() {
            return Err(fail("the date is empty"));
        }
        if s.chars().any(char::is_whitespace) {
            return Err(fail("the date must not contain whitespace"));
        }
        // Everything valid is ASCII; checking up front also makes the byte
        // slicing below safe for arbitrary input.
        if !s.is_ascii() {
            return Err(fail("the date contains non-ASCII characters"));
        }

        let (lower, upper) = match s.split_once('/') {
            None => {
                let (lo, hi) = parse_date(s).map_err(|r| fail(&r))?;
                (Some(lo), Some(hi))
            }
            Some((start, end)) => {
                if end.contains('/') {
                    return Err(fail("an interval has exactly one '/'"));
                }
                let lo = parse_end(start)
                    .map_err(|r| fail(&format!("interval start: {r}")))?
                    .map(|(lo, _)| lo);
                let hi = parse_end(end)
                    .map_err(|r| fail(&format!("interval end: {r}")))?
                    .map(|(_, hi)| hi);
                match (lo, hi) {
                    (None, None) => return Err(fail("an interval needs at least one known end")),
                    // Only an interval that cannot contain any day is
                    // rejected: `1990/1990-06` is odd but satisfiable.
                    (Some(lo), Some(hi)) if lo > hi => {
                        return Err(fail("the interval starts after it ends"))
                    }
                    bounds => bounds,
                }
            }
        };
        Ok(Edtf {
            raw: s.to_string(),
            lower: lower.map(format_day),
            upper: upper.map(format_day),
        })
    }

    /// The original string, unchanged.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Earliest calendar day the date can mean, as `YYYY-MM-DD`; `None` when
    /// the start is open or unknown.
    pub fn lower(&self) -> Option<&str> {
        self.lower.as_deref()
    }

    /// Latest calendar day the date can mean, as `YYYY-MM-DD`; `None` when
    /// the end is open or unknown.
    pub fn upper(&self) -> Option<&str> {
        self.upper.as_deref()
    }
}

impl FromStr for Edtf {
    type Err = EdtfError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Edtf::parse(s)
    }
}

impl fmt::Display for Edtf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

type Bounds = (NaiveDate, NaiveDate);

/// One end of an interval: `None` for open (`..`) or unknown (empty), which
/// both leave that side of the interval unbounded.
fn parse_end(side: &str) -> Result<Option<Bounds>, String> {
    match side {
        "" | ".." => Ok(None),
        _ => parse_date(side).map(Some),
    }
}

/// A single (possibly qualified, possibly partly unspecified) date.
fn parse_date(s: &str) -> Result<Bounds, String> {
    let body = s.strip_suffix(['?', '~', '%']).unwrap_or(s);
    if body.ends_with(['?', '~', '%']) {
        return Err("only one qualifier (?, ~ or %) is allowed; use % for both".into());
    }
    if body.contains(['?', '~', '%']) {
        return Err("a qualifier (?, ~ or %) may only appear at the end of the date".into());
    }
    let mut parts = body.split('-');
    let year = parts.next().unwrap_or_default();
    let month = parts.next();
    let day = parts.next();
    if parts.next().is_some() {
        return Err("expected YYYY, YYYY-MM or YYYY-MM-DD".into());
    }

    let (first_year, last_year) = parse_year(year)?;
    if first_year != last_year {
        return match month {
            None => Ok((ymd(first_year, 1, 1)?, ymd(last_year, 12, 31)?)),
            Some(_) => Err("a year with unspecified digits cannot have a month or day".into()),
        };
    }
    let y = first_year;
    let Some(month) = month else {
        return Ok((ymd(y, 1, 1)?, ymd(y, 12, 31)?));
    };
    let Some(m) = parse_two_digits(month, "month", 12)? else {
        return match day {
            None | Some("XX") => Ok((ymd(y, 1, 1)?, ymd(y, 12, 31)?)),
            Some(_) => Err("a day cannot be given when the month is unspecified".into()),
        };
    };
    let Some(day) = day else {
        return Ok((ymd(y, m, 1)?, last_of_month(y, m)?));
    };
    match parse_two_digits(day, "day", 31)? {
        None => Ok((ymd(y, m, 1)?, last_of_month(y, m)?)),
        Some(d) => {
            let date = ymd(y, m, d)?;
            Ok((date, date))
        }
    }
}

/// First and last year a year field can mean; they differ only for `X`s.
fn parse_year(year: &str) -> Result<(i32, i32), String> {
    let b = year.as_bytes();
    if b.len() != 4 || !b.iter().all(|c| c.is_ascii_digit() || *c == b'X') {
        return Err(format!("year {year:?} must be exactly four digits"));
    }
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if b[digits..].iter().any(|c| *c != b'X') {
        return Err(format!("year {year:?}: X may only replace the last digits"));
    }
    // Level 1 allows one or two unspecified year digits (`198X`, `19XX`);
    // `1XXX` would be too vague to be useful as a document date.
    if digits < 2 {
        return Err(format!(
            "year {year:?}: at most the last two digits may be X"
        ));
    }
    let known: i32 = year[..digits]
        .parse()
        .map_err(|_| format!("year {year:?} must be exactly four digits"))?;
    let scale = 10_i32.pow((4 - digits) as u32);
    Ok((known * scale, known * scale + scale - 1))
}

/// A two-digit month or day; `Ok(None)` for the fully unspecified `XX`.
fn parse_two_digits(field: &str, what: &str, max: u32) -> Result<Option<u32>, String> {
    if field == "XX" {
        return Ok(None);
    }
    let b = field.as_bytes();
    if b.len() != 2 || !b.iter().all(u8::is_ascii_digit) {
        return Err(format!("{what} {field:?} must be exactly two digits or XX"));
    }
    let n = u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0');
    if n == 0 || n > max {
        return Err(format!("{what} {field:?} is out of range 01–{max:02}"));
    }
    Ok(Some(n))
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate, String> {
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| format!("{y:04}-{m:02}-{d:02} is not a real calendar day"))
}

fn last_of_month(y: i32, m: u32) -> Result<NaiveDate, String> {
    // The month after, minus a day, handles every month length and leap
    // years without a table.
    let next = if m == 12 {
        ymd(y + 1, 1, 1)
    } else {
        ymd(y, m + 1, 1)
    }?;
    next.pred_opt()
        .ok_or_else(|| format!("no last day for {y:04}-{m:02}"))
}

/// Zero-padded so that bounds compare correctly as plain strings in SQL.
fn format_day(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn valid_dates_have_expected_bounds() {
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            ("1988", Some("1988-01-01"), Some("1988-12-31")),
            ("0000", Some("0000-01-01"), Some("0000-12-31")),
            ("9999", Some("9999-01-01"), Some("9999-12-31")),
            ("0045-03", Some("0045-03-01"), Some("0045-03-31")),
            ("1990-02", Some("1990-02-01"), Some("1990-02-28")),
            ("2000-02", Some("2000-02-01"), Some("2000-02-29")),
            ("1990-12", Some("1990-12-01"), Some("1990-12-31")),
            ("9999-12", Some("9999-12-01"), Some("9999-12-31")),
            ("1990-04-30", Some("1990-04-30"), Some("1990-04-30")),
            ("2000-02-29", Some("2000-02-29"), Some("2000-02-29")),
            ("2024-02-29", Some("2024-02-29"), Some("2024-02-29")),
            ("1988~", Some("1988-01-01"), Some("1988-12-31")),
            ("1990-01?", Some("1990-01-01"), Some("1990-01-31")),
            ("1990-01-05%", Some("1990-01-05"), Some("1990-01-05")),
            ("198X", Some("1980-01-01"), Some("1989-12-31")),
            ("19XX", Some("1900-01-01"), Some("1999-12-31")),
            ("00XX", Some("0000-01-01"), Some("0099-12-31")),
            ("198X?", Some("1980-01-01"), Some("1989-12-31")),
            ("1990-XX", Some("1990-01-01"), Some("1990-12-31")),
            ("1990-XX-XX", Some("1990-01-01"), Some("1990-12-31")),
            ("1990-01-XX", Some("1990-01-01"), Some("1990-01-31")),
            ("1996-02-XX~", Some("1996-02-01"), Some("1996-02-29")),
            ("1990-01/1990-02", Some("1990-01-01"), Some("1990-02-28")),
            ("1964/2008", Some("1964-01-01"), Some("2008-12-31")),
            ("1984?/2004~", Some("1984-01-01"), Some("2004-12-31")),
            ("1990/1990", Some("1990-01-01"), Some("1990-12-31")),
            ("1990/1990-06", Some("1990-01-01"), Some("1990-06-30")),
            ("198X/1995-03-XX", Some("1980-01-01"), Some("1995-03-31")),
            ("../1990", None, Some("1990-12-31")),
            ("/1990", None, Some("1990-12-31")),
            ("1988/..", Some("1988-01-01"), None),
            ("1988/", Some("1988-01-01"), None),
            ("2004-06-01/", Some("2004-06-01"), None),
        ];
        for (input, lower, upper) in cases {
            let date = Edtf::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(date.as_str(), *input);
            assert_eq!(date.to_string(), *input);
            assert_eq!(date.lower(), *lower, "lower of {input}");
            assert_eq!(date.upper(), *upper, "upper of {input}");
            assert_eq!(input.parse::<Edtf>().as_ref(), Ok(&date));
        }
    }

    #[test]
    fn invalid_dates_are_rejected_with_a_reason() {
        let cases: &[(&str, &str)] = &[
            ("", "empty"),
            (" ", "whitespace"),
            ("1988 ", "whitespace"),
            (" 1988", "whitespace"),
            ("1988-01-01\n", "whitespace"),
            ("1990-02-31", "not a real calendar day"),
            ("1990-04-31", "not a real calendar day"),
            ("1900-02-29", "not a real calendar day"),
            ("2023-02-29", "not a real calendar day"),
            ("1990-13", "out of range"),
            ("1990-00", "out of range"),
            ("1990-01-32", "out of range"),
            ("1990-01-00", "out of range"),
            ("88", "four digits"),
            ("19888", "four digits"),
            ("-1988", "four digits"),
            ("1990-1-5", "two digits"),
            ("1990-01-5", "two digits"),
            ("1990-", "two digits"),
            ("1990-01-01-01", "expected YYYY"),
            ("1990-01-01T10:00", "two digits"),
            ("1988abc", "four digits"),
            ("1988x", "four digits"),
            ("1X88", "last digits"),
            ("1XXX", "at most the last two"),
            ("XXXX", "at most the last two"),
            ("198X-05", "cannot have a month"),
            ("1990-1X", "two digits or XX"),
            ("1990-01-3X", "two digits or XX"),
            ("1990-XX-05", "month is unspecified"),
            ("1988?~", "only one qualifier"),
            ("1988?-01", "only appear at the end"),
            ("?1988", "only appear at the end"),
            ("2001-21", "out of range"),
            ("1990/1988", "starts after it ends"),
            ("1990-03-02/1990-03-01", "starts after it ends"),
            ("1990/1988/1987", "exactly one '/'"),
            ("../..", "at least one known end"),
            ("/", "at least one known end"),
            ("../", "at least one known end"),
            ("..", "four digits"),
            ("1990/.", "interval end"),
            ("1990-13/1991", "interval start"),
            ("1988年", "non-ASCII"),
            ("circa 1950", "whitespace"),
            ("1950s", "four digits"),
        ];
        for (input, reason) in cases {
            let err = Edtf::parse(input).expect_err(input);
            assert_eq!(err.value, *input);
            assert!(
                err.reason.contains(reason),
                "{input}: reason {:?} lacks {reason:?}",
                err.reason
            );
            assert!(err.to_string().starts_with("invalid EDTF date"));
            assert_eq!(input.parse::<Edtf>(), Err(err));
        }
    }

    #[test]
    fn bounds_compare_as_strings_in_date_order() {
        let early = Edtf::parse("0999-12-31").unwrap();
        let late = Edtf::parse("1000-01-01").unwrap();
        assert!(early.upper() < late.lower());
    }

    proptest! {
        #[test]
        fn any_real_day_round_trips(y in 0i32..=9999, m in 1u32..=12, d in 1u32..=31) {
            if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                let text = format!("{y:04}-{m:02}-{d:02}");
                assert_eq!(text, date.format("%Y-%m-%d").to_string());
                let parsed = Edtf::parse(&text).unwrap();
                prop_assert_eq!(parsed.as_str(), text.as_str());
                prop_assert_eq!(parsed.lower(), Some(text.as_str()));
                prop_assert_eq!(parsed.upper(), Some(text.as_str()));
            } else {
                let text = format!("{y:04}-{m:02}-{d:02}");
                prop_assert!(Edtf::parse(&text).is_err());
            }
        }

        #[test]
        fn parse_never_panics_on_arbitrary_strings(s in any::<String>()) {
            let _ = Edtf::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_edtf_like_strings(s in "[0-9X?~%/.\\-]{0,24}") {
            if let Ok(date) = Edtf::parse(&s) {
                prop_assert_eq!(date.as_str(), s.as_str());
                if let (Some(lo), Some(hi)) = (date.lower(), date.upper()) {
                    prop_assert!(lo <= hi);
                }
            }
        }
    }
}
