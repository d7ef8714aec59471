//! When the claims about one subject and property disagree: the intervals
//! of their values do not all overlap (for intervals on a line that is:
//! the greatest low exceeds the least high). Numbers and dates are
//! compared among their own kind; text values disagree when they differ
//! after case folding and whitespace collapsing. Nothing is merged or
//! averaged: the answer is only yes or no, and the claims stay as written.
//!
//! The caller passes only the claims the reader may see; a claim hidden
//! by the policy must not make a visible property disputed.

use std::cmp::Ordering;

/// A claim's value as `dispute` compares it.
#[derive(Debug, Clone, PartialEq)]
pub enum Interval {
    Number {
        low: Option<f64>,
        high: Option<f64>,
    },
    Days {
        low: Option<String>,
        high: Option<String>,
    },
    Text(String),
}

/// Whether all the intervals of one kind overlap: max(low) ≤ min(high),
/// an open end reaching as far as it may.
fn all_overlap<T: PartialOrd + Clone>(pairs: &[(Option<T>, Option<T>)]) -> bool {
    let max_low = pairs.iter().filter_map(|(l, _)| l.clone()).reduce(|a, b| {
        if b.partial_cmp(&a) == Some(Ordering::Greater) {
            b
        } else {
            a
        }
    });
    let min_high = pairs.iter().filter_map(|(_, h)| h.clone()).reduce(|a, b| {
        if b.partial_cmp(&a) == Some(Ordering::Less) {
            b
        } else {
            a
        }
    });
    match (max_low, min_high) {
        (Some(l), Some(h)) => l.partial_cmp(&h) != Some(Ordering::Greater),
        _ => true,
    }
}

/// Whether these claims (all about one subject and property, all visible
/// to the reader) disagree.
pub fn disputed(values: &[Interval]) -> bool {
    let numbers: Vec<(Option<f64>, Option<f64>)> = values
        .iter()
        .filter_map(|v| match v {
            Interval::Number { low, high } => Some((*low, *high)),
            _ => None,
        })
        .collect();
    let days: Vec<(Option<String>, Option<String>)> = values
        .iter()
        .filter_map(|v| match v {
            Interval::Days { low, high } => Some((low.clone(), high.clone())),
            _ => None,
        })
        .collect();
    let mut texts: Vec<String> = values
        .iter()
        .filter_map(|v| match v {
            Interval::Text(t) => Some(crate::catalogue::terms::key(t)),
            _ => None,
        })
        .collect();
    texts.sort();
    texts.dedup();
    !all_overlap(&numbers) || !all_overlap(&days) || texts.len() > 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::value::parse;

    fn of(prop: &str, v: &str) -> Interval {
        let p = parse(prop, v, false).unwrap();
        match p.kind {
            crate::claims::ClaimKind::Text => Interval::Text(v.into()),
            crate::claims::ClaimKind::Date => Interval::Days {
                low: p.low_day,
                high: p.high_day,
            },
            _ => Interval::Number {
                low: p.low,
                high: p.high,
            },
        }
    }

    #[test]
    fn disputed_when_the_intervals_do_not_all_overlap() {
        let table: &[(&str, &[&str], bool)] = &[
            // The encyclopedia's three death tolls: 48 and 90 cannot both be.
            ("fatalities", &["48", "90", "100+"], true),
            ("fatalities", &["90", "100+"], true),
            ("fatalities", &["90-100", "100+"], false),
            ("fatalities", &["~700", "hundreds"], false),
            ("fatalities", &["~700", "thousands"], true),
            ("fatalities", &["hundreds", "around 700", ">500"], false),
            ("fatalities", &["<50", "48"], false),
            ("fatalities", &["<50", "51"], true),
            ("fatalities", &["48"], false),
            ("fatalities", &[], false),
            ("fatalities", &["100+", ">7000"], false),
            ("date", &["1990-01-13", "1990-01"], false),
            ("date", &["1990-01-13", "1990-02"], true),
            ("date", &["1988~", "1988-02-27"], false),
            ("perpetrator", &["Local militia", "local  MILITIA"], false),
            ("perpetrator", &["local militia", "army units"], true),
        ];
        for (prop, values, want) in table {
            let iv: Vec<Interval> = values.iter().map(|v| of(prop, v)).collect();
            assert_eq!(disputed(&iv), *want, "{prop} {values:?}");
        }
    }
}
