//! Parsing a claim's value as written into its kind and interval.
//!
//! | written | kind | interval |
//! | --- | --- | --- |
//! | `48`, `1,200`, `7.5` | exact | [v, v] |
//! | `90-100`, `90–100`, `90..100` | range | [a, b]; refused when a > b |
//! | `100+`, `>7000`, `≥10`, `at least 10`, `more than 10` | lower_bound | [v, ∞) |
//! | `<50`, `≤50`, `up to 50`, `fewer than 50`, `less than 50` | upper_bound | (−∞, v] |
//! | `~700`, `around 700`, `about 700`, `c. 700`, `approximately 700` | approximate | [v − 10 %, v + 10 %] |
//! | `several`, `dozens`, `scores`, `hundreds`, `thousands`, … | vague | the table in [`VAGUE`] |
//! | any numeric form above followed by `thousand`, `million` or `billion` (`30–40 thousand`, `about 1.5 million`, `over 10 thousand`) | its kind | the interval scaled |
//! | an EDTF date (`1990-01-13`, `1988~`, `1990-01/1990-02`), for a date property or written with `-` | date | its first and last day |
//! | anything else with a letter in it | text | none |
//!
//! Bounds are inclusive (`>7000` is taken as 7000 or more): a claim is
//! never narrowed beyond what it says. A value that starts like a number
//! but is not one of these forms is refused rather than kept as text, so a
//! typo does not silently become an undisputable text claim.

use crate::edtf::Edtf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    Exact,
    Range,
    LowerBound,
    UpperBound,
    Approximate,
    Vague,
    Date,
    Text,
}

impl ClaimKind {
    pub const ALL: [ClaimKind; 8] = [
        ClaimKind::Exact,
        ClaimKind::Range,
        ClaimKind::LowerBound,
        ClaimKind::UpperBound,
        ClaimKind::Approximate,
        ClaimKind::Vague,
        ClaimKind::Date,
        ClaimKind::Text,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClaimKind::Exact => "exact",
            ClaimKind::Range => "range",
            ClaimKind::LowerBound => "lower_bound",
            ClaimKind::UpperBound => "upper_bound",
            ClaimKind::Approximate => "approximate",
            ClaimKind::Vague => "vague",
            ClaimKind::Date => "date",
            ClaimKind::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<ClaimKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A value with its kind and interval. Numbers use `low`/`high`, dates
/// `low_day`/`high_day` (YYYY-MM-DD); None is an open end.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedValue {
    pub kind: ClaimKind,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub low_day: Option<String>,
    pub high_day: Option<String>,
}

/// Vague quantities and the interval each is taken to imply.
pub const VAGUE: &[(&str, f64, f64)] = &[
    ("a few", 2.0, 5.0),
    ("several", 3.0, 9.0),
    ("dozens", 24.0, 99.0),
    ("scores", 40.0, 99.0),
    ("hundreds", 200.0, 999.0),
    ("thousands", 2_000.0, 9_999.0),
    ("tens of thousands", 20_000.0, 99_999.0),
    ("hundreds of thousands", 200_000.0, 999_999.0),
    ("millions", 2_000_000.0, 9_999_999.0),
];

/// Words that multiply the number before them: "30–40 thousand".
const SCALES: &[(&str, f64)] = &[("thousand", 1e3), ("million", 1e6), ("billion", 1e9)];

/// `v` without its trailing scale word, and the factor; None without one
/// (a vague "thousands" is in [`VAGUE`], not here).
fn scaled(v: &str) -> Option<(&str, f64)> {
    let lower = v.to_lowercase();
    SCALES.iter().find_map(|(word, factor)| {
        let cut = lower.strip_suffix(word)?;
        // The word stands alone ("40 thousand", not "40thousand"), after
        // something that is not itself a word ("tens of thousand").
        let rest = v.get(..cut.len())?;
        (rest.ends_with(' ') && rest.trim_end().ends_with(|c: char| c.is_ascii_digit()))
            .then(|| (rest.trim_end(), *factor))
    })
}

/// How far an approximate value reaches either side (a tenth).
pub const APPROXIMATE: f64 = 0.1;

fn number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() || !t.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // Thousands separators only in their places: 1,200 and 12,000,000.
    let plain = if t.contains(',') {
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        let groups: Vec<&str> = int.split(',').collect();
        let ok = groups[0].len() <= 3
            && !groups[0].is_empty()
            && groups[1..].iter().all(|g| g.len() == 3);
        if !ok {
            return None;
        }
        let joined = groups.concat();
        if frac.is_empty() {
            joined
        } else {
            format!("{joined}.{frac}")
        }
    } else {
        t.to_string()
    };
    if !plain.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    plain.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn strip_any<'a>(s: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    let lower = s.to_lowercase();
    prefixes.iter().find_map(|p| {
        lower
            .starts_with(p)
            .then(|| s.get(p.len()..))
            .flatten()
            .map(str::trim)
    })
}

fn numeric(kind: ClaimKind, low: Option<f64>, high: Option<f64>) -> ParsedValue {
    ParsedValue {
        kind,
        low,
        high,
        low_day: None,
        high_day: None,
    }
}

/// Whether a property holds dates: `date`, `began`, `ended`, `born`,
/// `died`, or a name ending in `_date` or `_on`.
pub fn is_date_property(property: &str) -> bool {
    let p = property.to_ascii_lowercase();
    ["date", "began", "ended", "born", "died"].contains(&p.as_str())
        || p.ends_with("_date")
        || p.ends_with("_on")
}

fn date(s: &str) -> Result<ParsedValue, String> {
    let d = Edtf::parse(s).map_err(|e| format!("{s:?} is not an EDTF date: {}", e.reason))?;
    Ok(ParsedValue {
        kind: ClaimKind::Date,
        low: None,
        high: None,
        low_day: d.lower().map(str::to_string),
        high_day: d.upper().map(str::to_string),
    })
}

/// Parses `value` as a claim about `property`; `as_text` keeps it as text
/// whatever it looks like. The error says what is wrong with the value.
pub fn parse(property: &str, value: &str, as_text: bool) -> Result<ParsedValue, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err("the value is empty".into());
    }
    if as_text {
        return Ok(numeric(ClaimKind::Text, None, None));
    }
    if is_date_property(property) {
        return date(v);
    }
    if let Some((rest, factor)) = scaled(v) {
        let p = parse(property, rest, false)?;
        if matches!(p.kind, ClaimKind::Vague | ClaimKind::Date | ClaimKind::Text) {
            return Err(format!(
                "{v:?}: a scale word (thousand, million, billion) follows a number, a range, a bound or an approximate number"
            ));
        }
        return Ok(numeric(
            p.kind,
            p.low.map(|n| n * factor),
            p.high.map(|n| n * factor),
        ));
    }
    if let Some(n) = number(v) {
        return Ok(numeric(ClaimKind::Exact, Some(n), Some(n)));
    }
    // A full calendar date written with hyphens is a date, not a range.
    let looks_like_day = v.len() >= 7
        && v.as_bytes()[4] == b'-'
        && v[..4].bytes().all(|b| b.is_ascii_digit())
        && !v.contains(' ');
    if looks_like_day {
        return date(v);
    }
    for sep in ["..", "–", "—", "-"] {
        if let Some((a, b)) = v.split_once(sep) {
            if let (Some(lo), Some(hi)) = (number(a), number(b)) {
                if lo > hi {
                    return Err(format!(
                        "the range {v:?} is backwards: its low ({a}) exceeds its high ({b})"
                    ));
                }
                return Ok(numeric(ClaimKind::Range, Some(lo), Some(hi)));
            }
        }
    }
    if let Some(n) = v.strip_suffix('+').and_then(number) {
        return Ok(numeric(ClaimKind::LowerBound, Some(n), None));
    }
    let lower = [
        ">=",
        "≥",
        ">",
        "at least ",
        "more than ",
        "over ",
        "upwards of ",
    ];
    if let Some(rest) = strip_any(v, &lower) {
        return number(rest)
            .map(|n| numeric(ClaimKind::LowerBound, Some(n), None))
            .ok_or_else(|| format!("{v:?}: a lower bound needs a number after its sign"));
    }
    let upper = [
        "<=",
        "≤",
        "<",
        "up to ",
        "fewer than ",
        "less than ",
        "at most ",
        "under ",
    ];
    if let Some(rest) = strip_any(v, &upper) {
        return number(rest)
            .map(|n| numeric(ClaimKind::UpperBound, None, Some(n)))
            .ok_or_else(|| format!("{v:?}: an upper bound needs a number after its sign"));
    }
    let approx = [
        "~",
        "≈",
        "around ",
        "about ",
        "approximately ",
        "approx. ",
        "circa ",
        "c. ",
        "ca. ",
    ];
    if let Some(rest) = strip_any(v, &approx) {
        return number(rest)
            .map(|n| {
                let d = n * APPROXIMATE;
                numeric(ClaimKind::Approximate, Some(n - d), Some(n + d))
            })
            .ok_or_else(|| format!("{v:?}: an approximate value needs a number"));
    }
    let key = v.to_lowercase();
    if let Some((_, lo, hi)) = VAGUE.iter().find(|(w, ..)| *w == key) {
        return Ok(numeric(ClaimKind::Vague, Some(*lo), Some(*hi)));
    }
    let starts_numeric = v.starts_with(|c: char| c.is_ascii_digit() || "~≈<>≤≥+-".contains(c));
    if starts_numeric || !v.chars().any(char::is_alphabetic) {
        return Err(format!(
            "{v:?} parses as nothing: write a number (48), a range (90-100), a bound (100+, <50), \
             an approximate number (~700), a vague quantity (hundreds), an EDTF date, or text \
             (--text keeps any value as text)"
        ));
    }
    Ok(numeric(ClaimKind::Text, None, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_to_their_kind_and_interval() {
        use ClaimKind::*;
        let inf = None;
        type Row = (
            &'static str,
            &'static str,
            ClaimKind,
            Option<f64>,
            Option<f64>,
        );
        let table: &[Row] = &[
            ("fatalities", "48", Exact, Some(48.0), Some(48.0)),
            ("fatalities", " 1,200 ", Exact, Some(1200.0), Some(1200.0)),
            ("fatalities", "7.5", Exact, Some(7.5), Some(7.5)),
            ("fatalities", "90-100", Range, Some(90.0), Some(100.0)),
            ("fatalities", "90–100", Range, Some(90.0), Some(100.0)),
            ("fatalities", "90..100", Range, Some(90.0), Some(100.0)),
            ("fatalities", "100+", LowerBound, Some(100.0), inf),
            ("fatalities", ">7000", LowerBound, Some(7000.0), inf),
            ("fatalities", "≥ 10", LowerBound, Some(10.0), inf),
            ("fatalities", "at least 10", LowerBound, Some(10.0), inf),
            (
                "fatalities",
                "More than 1,000",
                LowerBound,
                Some(1000.0),
                inf,
            ),
            ("fatalities", "<50", UpperBound, inf, Some(50.0)),
            ("fatalities", "up to 50", UpperBound, inf, Some(50.0)),
            ("fatalities", "~700", Approximate, Some(630.0), Some(770.0)),
            (
                "fatalities",
                "around 700",
                Approximate,
                Some(630.0),
                Some(770.0),
            ),
            (
                "fatalities",
                "c. 700",
                Approximate,
                Some(630.0),
                Some(770.0),
            ),
            ("fatalities", "hundreds", Vague, Some(200.0), Some(999.0)),
            ("fatalities", "Thousands", Vague, Some(2000.0), Some(9999.0)),
            (
                "fatalities",
                "tens of thousands",
                Vague,
                Some(20000.0),
                Some(99999.0),
            ),
            ("perpetrator", "local militia", Text, inf, inf),
            (
                "displaced",
                "30–40 thousand",
                Range,
                Some(30_000.0),
                Some(40_000.0),
            ),
            (
                "displaced",
                "about 1.5 million",
                Approximate,
                Some(1_350_000.0),
                Some(1_650_000.0),
            ),
            (
                "displaced",
                "over 10 thousand",
                LowerBound,
                Some(10_000.0),
                inf,
            ),
            (
                "displaced",
                "12 Thousand",
                Exact,
                Some(12_000.0),
                Some(12_000.0),
            ),
        ];
        for (prop, v, kind, lo, hi) in table {
            let p = parse(prop, v, false).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!((p.kind, p.low, p.high), (*kind, *lo, *hi), "{v}");
        }
        let approx = parse("x", "~700", false).unwrap();
        assert!((approx.low.unwrap() - 630.0).abs() < 1e-9);
    }

    #[test]
    fn dates_take_their_first_and_last_day() {
        let table: &[(&str, &str, &str, &str)] = &[
            ("date", "1990-01-13", "1990-01-13", "1990-01-13"),
            ("date", "1988", "1988-01-01", "1988-12-31"),
            ("date", "1990-01/1990-02", "1990-01-01", "1990-02-28"),
            ("began", "1990-01-13", "1990-01-13", "1990-01-13"),
            ("start_date", "1991", "1991-01-01", "1991-12-31"),
        ];
        for (prop, v, lo, hi) in table {
            let p = parse(prop, v, false).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!(p.kind, ClaimKind::Date, "{v}");
            assert_eq!(p.low_day.as_deref(), Some(*lo), "{v}");
            assert_eq!(p.high_day.as_deref(), Some(*hi), "{v}");
        }
    }

    #[test]
    fn what_parses_as_nothing_is_refused_naming_the_fault() {
        let table: &[(&str, &str, &str)] = &[
            ("fatalities", "", "empty"),
            ("fatalities", "100-90", "low (100) exceeds its high (90)"),
            ("fatalities", "90-100-110", "parses as nothing"),
            ("fatalities", "12abc", "parses as nothing"),
            ("fatalities", ">", "lower bound"),
            ("fatalities", "~lots", "approximate"),
            ("fatalities", "1,20", "parses as nothing"),
            ("fatalities", "--", "parses as nothing"),
            ("date", "last spring", "EDTF"),
            ("displaced", "1,20 thousand", "parses as nothing"),
        ];
        for (prop, v, want) in table {
            let e = parse(prop, v, false).unwrap_err();
            assert!(e.contains(want), "{v}: {e}");
        }
        assert_eq!(parse("note", "12abc", true).unwrap().kind, ClaimKind::Text);
    }
}
