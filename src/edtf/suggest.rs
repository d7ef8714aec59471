//! What to type instead of a date EDTF does not take: for the free-text
//! forms archivists often type ("13 January 1990", "1990/01/13",
//! "13.01.1990", "1950s", "circa 1950") and for EDTF seasons, a hint naming
//! the EDTF form. It only words a hint: nothing here is accepted or stored,
//! and an ambiguous day/month order is shown both ways, never chosen.

use chrono::NaiveDate;

/// A hint for `s`, if it looks like a date in a form we can name.
pub(super) fn hint(s: &str) -> Option<String> {
    let t = s.trim();
    if let Some(h) = season(t)
        .or_else(|| decade(t))
        .or_else(|| circa(t))
        .or_else(|| year_span(t))
    {
        return Some(h);
    }
    let forms = written(t).or_else(|| numeric(t))?;
    Some(match forms.as_slice() {
        [one] => format!("write it as {one}"),
        [a, b] => format!("write it as {a} or {b} (the order of day and month is unclear)"),
        _ => return None,
    })
}

/// "13 January 1990", "January 13, 1990", "13 Jan 1990", "January 1990".
fn written(t: &str) -> Option<Vec<String>> {
    let t = t.replace(',', " ");
    let words: Vec<&str> = t.split_whitespace().collect();
    // chrono lets a space in the format match no space at all, so the
    // number of words decides which forms are tried.
    let (forms, prefix, shown): (&[&str], &str, &str) = match words.len() {
        3 => (
            &["%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y"],
            "",
            "%Y-%m-%d",
        ),
        2 => (&["%d %B %Y", "%d %b %Y"], "1 ", "%Y-%m"),
        _ => return None,
    };
    let t = format!("{prefix}{}", words.join(" "));
    forms
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(&t, f).ok())
        .map(|d| vec![d.format(shown).to_string()])
}

/// "1990/01/13", "1990.01.13", "13/01/1990", "13.01.1990", "01-13-1990".
fn numeric(t: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = t.split(['/', '.', '-']).collect();
    let nums: Vec<u32> = parts
        .iter()
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let day = |y: u32, m: u32, d: u32| {
        NaiveDate::from_ymd_opt(y as i32, m, d).map(|d| d.format("%Y-%m-%d").to_string())
    };
    match (parts.as_slice(), nums.as_slice()) {
        ([y, _, _], [yy, m, d]) if y.len() == 4 => Some(vec![day(*yy, *m, *d)?]),
        ([_, _, y], [a, b, yy]) if y.len() == 4 => {
            let forms: Vec<String> = [day(*yy, *b, *a), day(*yy, *a, *b)]
                .into_iter()
                .flatten()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            (!forms.is_empty()).then_some(forms)
        }
        _ => None,
    }
}

/// EDTF level 1 seasons (`1990-21` … `1990-24`), which custos does not take.
fn season(t: &str) -> Option<String> {
    let (y, s) = t.split_once('-')?;
    let n: u32 = s.parse().ok()?;
    (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) && (21..=24).contains(&n)).then(|| {
        format!("seasons ({y}-21 spring … {y}-24 winter) are not supported; give the months as an interval, e.g. {y}-03/{y}-05")
    })
}

/// "1988-1990", "1988–1990" → the interval "1988/1990".
fn year_span(t: &str) -> Option<String> {
    let (a, b) = t.split_once(['-', '\u{2013}', '\u{2014}'])?;
    let year = |y: &str| y.len() == 4 && y.bytes().all(|c| c.is_ascii_digit());
    (year(a.trim()) && year(b.trim()) && a.trim() < b.trim()).then(|| {
        format!(
            "for the years from {} to {} write the interval {}/{}",
            a.trim(),
            b.trim(),
            a.trim(),
            b.trim()
        )
    })
}

/// "1950s" → "195X".
fn decade(t: &str) -> Option<String> {
    let d = t.strip_suffix('s').or_else(|| t.strip_suffix("'s"))?;
    (d.len() == 4 && d.ends_with('0') && d.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("for the decade write {}X", &d[..3]))
}

/// "circa 1950", "c. 1950", "ca. 1950", "about 1950" → "1950~".
fn circa(t: &str) -> Option<String> {
    let lower = t.to_ascii_lowercase();
    let rest = ["circa ", "ca. ", "ca ", "c. ", "c.", "about "]
        .iter()
        .find_map(|p| lower.strip_prefix(p))?;
    let y = rest.trim();
    (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("for an approximate year write {y}~"))
}

#[cfg(test)]
mod tests {
    use super::hint;

    #[test]
    fn common_forms_get_their_edtf_spelling() {
        for (typed, wanted) in [
            ("13 January 1990", "write it as 1990-01-13"),
            (
                "1988-1990",
                "for the years from 1988 to 1990 write the interval 1988/1990",
            ),
            (
                "1988\u{2013}1990",
                "for the years from 1988 to 1990 write the interval 1988/1990",
            ),
            ("January 13, 1990", "write it as 1990-01-13"),
            ("13 Jan 1990", "write it as 1990-01-13"),
            ("January 1990", "write it as 1990-01"),
            ("1990/01/13", "write it as 1990-01-13"),
            ("1990.01.13", "write it as 1990-01-13"),
            ("13/01/1990", "write it as 1990-01-13"),
            ("13.01.1990", "write it as 1990-01-13"),
            ("1990-21", "seasons"),
            ("1950s", "195X"),
            ("circa 1950", "1950~"),
        ] {
            let h = hint(typed).unwrap_or_default();
            assert!(h.contains(wanted), "{typed}: {h}");
        }
    }

    #[test]
    fn an_unclear_order_is_shown_both_ways_and_nonsense_gets_nothing() {
        let h = hint("03/04/1990").unwrap();
        assert!(h.contains("1990-04-03") && h.contains("1990-03-04"), "{h}");
        for s in ["yesterday", "1990-13", "32/13/1990", ""] {
            assert_eq!(hint(s), None, "{s}");
        }
    }
}
