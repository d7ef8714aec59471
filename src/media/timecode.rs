//! Typed time codes and intervals of a recording, in whole milliseconds.
//!
//! A time code is written `HH:MM:SS(.mmm)`, `MM:SS(.mmm)` or as seconds
//! (`754`, `754.25`); a duration in a query may also be written with units
//! (`10m`, `1h30m`, `90s`). Everything that stores or compares times
//! (segments, cues, passages, the `duration` query field) goes through
//! these types, so no module parses a time code on its own. This module
//! must not know what a time range is used for.

use std::fmt;

/// A point in a recording, or a length, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TimeCode(pub i64);

impl TimeCode {
    pub const ZERO: TimeCode = TimeCode(0);

    pub fn millis(self) -> i64 {
        self.0
    }

    pub fn seconds(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// `HH:MM:SS(.mmm)`, `MM:SS(.mmm)` or seconds (`754`, `754.250`).
    pub fn parse(s: &str) -> Result<TimeCode, String> {
        let t = s.trim();
        let bad = || format!("{s:?} is not a time code (HH:MM:SS, HH:MM:SS.mmm, MM:SS or seconds)");
        if t.is_empty() {
            return Err(bad());
        }
        let parts: Vec<&str> = t.split(':').collect();
        let (h, m, sec) = match parts.as_slice() {
            [sec] => (0, 0, *sec),
            [m, sec] => (0, whole(m).ok_or_else(bad)?, *sec),
            [h, m, sec] => (whole(h).ok_or_else(bad)?, whole(m).ok_or_else(bad)?, *sec),
            _ => return Err(bad()),
        };
        let sec_ms = seconds_ms(sec).ok_or_else(bad)?;
        if parts.len() > 1 {
            // Minutes and seconds of a clock reading stay below 60.
            if sec_ms >= 60_000 || (parts.len() == 3 && m >= 60) {
                return Err(format!(
                    "{s:?}: minutes and seconds of a time code must be below 60"
                ));
            }
            if parts[parts.len() - 1]
                .split('.')
                .next()
                .is_some_and(|w| w.len() != 2)
            {
                return Err(bad());
            }
        }
        h.checked_mul(3_600_000)
            .and_then(|v| v.checked_add(m.checked_mul(60_000)?))
            .and_then(|v| v.checked_add(sec_ms))
            .map(TimeCode)
            .ok_or_else(|| format!("{s:?} is too large"))
    }

    /// A length for a query: a time code, or a number with units
    /// `h`, `m`, `s`, `ms` (`10m`, `1h30m`, `90s`).
    pub fn parse_duration(s: &str) -> Result<TimeCode, String> {
        let t = s.trim();
        if t.contains(':') || t.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return TimeCode::parse(t);
        }
        let bad = || format!("{s:?} is not a duration (e.g. 90s, 10m, 1h30m, 00:10:00)");
        let mut total: i64 = 0;
        let mut rest = t;
        while !rest.is_empty() {
            let n_end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .ok_or_else(bad)?;
            let (num, tail) = rest.split_at(n_end);
            let u_end = tail
                .find(|c: char| c.is_ascii_digit() || c == '.')
                .unwrap_or(tail.len());
            let (unit, next) = tail.split_at(u_end);
            let mult = match unit.to_ascii_lowercase().as_str() {
                "h" => 3_600_000.0,
                "m" | "min" => 60_000.0,
                "s" => 1000.0,
                "ms" => 1.0,
                _ => return Err(bad()),
            };
            let n: f64 = num.parse().map_err(|_| bad())?;
            let v = (n * mult).round();
            if !v.is_finite() || v > 1e15 {
                return Err(bad());
            }
            total = total.checked_add(v as i64).ok_or_else(bad)?;
            rest = next;
        }
        Ok(TimeCode(total))
    }

    /// `HH:MM:SS.mmm` with a dot (WebVTT) or a comma (SRT).
    pub fn clock(self, sep: char) -> String {
        let ms = self.0.max(0);
        format!(
            "{:02}:{:02}:{:02}{sep}{:03}",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000
        )
    }
}

/// `HH:MM:SS`, with `.mmm` only when there are milliseconds.
impl fmt::Display for TimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.clock('.');
        match c.strip_suffix(".000") {
            Some(whole) => f.write_str(whole),
            None => f.write_str(&c),
        }
    }
}

fn whole(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `SS` or `SS.f` (up to millisecond precision) in milliseconds.
fn seconds_ms(s: &str) -> Option<i64> {
    let (w, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    let w = whole(w)?;
    if frac.len() > 3
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || (s.contains('.') && frac.is_empty())
    {
        return None;
    }
    let f: i64 = format!("{frac:0<3}").parse().ok()?;
    w.checked_mul(1000)?.checked_add(f)
}

/// A time range of a recording: start inclusive, end exclusive, end > start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub start: TimeCode,
    pub end: TimeCode,
}

impl Interval {
    /// Refuses `end <= start`, and an end beyond `duration` where the
    /// recording's duration is known, naming the value at fault.
    pub fn new(
        start: TimeCode,
        end: TimeCode,
        duration: Option<TimeCode>,
    ) -> Result<Interval, String> {
        if end <= start {
            return Err(format!("end {end} is not after start {start}"));
        }
        if let Some(d) = duration {
            if end > d {
                return Err(format!("end {end} is beyond the recording's duration {d}"));
            }
        }
        Ok(Interval { start, end })
    }

    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", self.start, self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_three_spellings_parse() {
        for (s, ms) in [
            ("00:12:30", 750_000),
            ("00:12:30.250", 750_250),
            ("1:02:03.5", 3_723_500),
            ("12:30", 750_000),
            ("754", 754_000),
            ("754.25", 754_250),
            ("0", 0),
        ] {
            assert_eq!(TimeCode::parse(s), Ok(TimeCode(ms)), "{s}");
        }
    }

    #[test]
    fn malformed_time_codes_are_refused() {
        for s in [
            "",
            "12:3",
            "00:61:00",
            "00:00:60",
            "1.2.3",
            "-5",
            "a:b",
            "1:2:3:4",
            "5.",
            "1.2345",
            "00:12:30,5",
        ] {
            assert!(TimeCode::parse(s).is_err(), "{s} accepted");
        }
    }

    #[test]
    fn durations_take_units() {
        assert_eq!(TimeCode::parse_duration("10m"), Ok(TimeCode(600_000)));
        assert_eq!(TimeCode::parse_duration("1h30m"), Ok(TimeCode(5_400_000)));
        assert_eq!(TimeCode::parse_duration("90s"), Ok(TimeCode(90_000)));
        assert_eq!(TimeCode::parse_duration("1:00:00"), Ok(TimeCode(3_600_000)));
        assert!(TimeCode::parse_duration("10 parsecs").is_err());
    }

    #[test]
    fn intervals_name_the_value_at_fault() {
        let d = Some(TimeCode(60_000));
        let e = Interval::new(TimeCode(5000), TimeCode(5000), d).unwrap_err();
        assert!(e.contains("00:00:05"), "{e}");
        let e = Interval::new(TimeCode(5000), TimeCode(70_000), d).unwrap_err();
        assert!(e.contains("00:01:10") && e.contains("00:01:00"), "{e}");
        assert!(Interval::new(TimeCode(0), TimeCode(60_000), d).is_ok());
    }

    proptest! {
        #[test]
        fn printed_time_codes_parse_back(ms in 0i64..360_000_000) {
            let t = TimeCode(ms);
            prop_assert_eq!(TimeCode::parse(&t.to_string()), Ok(t));
            prop_assert_eq!(TimeCode::parse(&t.clock('.')), Ok(t));
            let secs = format!("{}.{:03}", ms / 1000, ms % 1000);
            prop_assert_eq!(TimeCode::parse(&secs), Ok(t));
        }

        #[test]
        fn any_string_parses_or_is_refused_without_panic(s in ".{0,20}") {
            let _ = TimeCode::parse(&s);
            let _ = TimeCode::parse_duration(&s);
        }

        #[test]
        fn parsed_clock_readings_keep_their_order(a in 0i64..86_400_000, b in 0i64..86_400_000) {
            let (ta, tb) = (TimeCode::parse(&TimeCode(a).clock('.')).unwrap(), TimeCode::parse(&TimeCode(b).clock('.')).unwrap());
            prop_assert_eq!(a.cmp(&b), ta.cmp(&tb));
        }
    }
}
