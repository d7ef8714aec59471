//! Rights statements for an item's `rights` field (`--rights`, the
//! manifest's `rights` column, exported as `dc:rights`): either one of the
//! twelve rightsstatements.org statements, written as its URI, or an SPDX
//! licence expression (`CC-BY-4.0`, `CC-BY-NC-SA-4.0 OR MIT`), checked by
//! the `spdx` crate against the SPDX licence list.
//!
//! It checks and spells values; it stores nothing and never prints. A value
//! that is neither is refused with what to type instead: a near SPDX
//! spelling (`Apache 2.0` → `Apache-2.0`), the SPDX id of a Creative Commons
//! licence URL, or the statement URI for a bare code (`InC` →
//! `http://rightsstatements.org/vocab/InC/1.0/`).

/// The statements of rightsstatements.org, version 1.0.
const STATEMENTS: &[(&str, &str)] = &[
    ("InC", "In Copyright"),
    ("InC-OW-EU", "In Copyright - EU Orphan Work"),
    ("InC-EDU", "In Copyright - Educational Use Permitted"),
    ("InC-NC", "In Copyright - Non-Commercial Use Permitted"),
    (
        "InC-RUU",
        "In Copyright - Rights-holder(s) Unlocatable or Unidentifiable",
    ),
    ("NoC-CR", "No Copyright - Contractual Restrictions"),
    ("NoC-NC", "No Copyright - Non-Commercial Use Only"),
    ("NoC-OKLR", "No Copyright - Other Known Legal Restrictions"),
    ("NoC-US", "No Copyright - United States"),
    ("CNE", "Copyright Not Evaluated"),
    ("UND", "Copyright Undetermined"),
    ("NKC", "No Known Copyright"),
];

/// The canonical URI of a statement code.
fn statement_uri(code: &str) -> String {
    format!("http://rightsstatements.org/vocab/{code}/1.0/")
}

/// The value in canonical form (the statement's `http://` URI with its
/// trailing slash; the SPDX expression as typed, trimmed), or why it is
/// not one, with a suggestion.
pub fn check(typed: &str) -> Result<String, String> {
    let t = typed.trim();
    if t.is_empty() {
        return Err("a rights statement cannot be empty (use --clear rights)".into());
    }
    if let Some(rest) = t
        .strip_prefix("http://rightsstatements.org/")
        .or_else(|| t.strip_prefix("https://rightsstatements.org/"))
    {
        let code = rest
            .trim_start_matches("vocab/")
            .trim_start_matches("page/")
            .split('/')
            .next()
            .unwrap_or("");
        return match STATEMENTS
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code))
        {
            Some((c, _)) => Ok(statement_uri(c)),
            None => Err(format!(
                "{t:?} is not a rightsstatements.org statement; the codes are {}",
                STATEMENTS
                    .iter()
                    .map(|(c, _)| *c)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
    }
    if let Some((code, name)) = STATEMENTS.iter().find(|(c, _)| c.eq_ignore_ascii_case(t)) {
        return Err(format!(
            "{t:?} is a rightsstatements.org code ({name}): give its URI, {}",
            statement_uri(code)
        ));
    }
    match spdx::Expression::parse(t) {
        Ok(_) => Ok(t.to_string()),
        Err(e) => Err(format!(
            "{t:?} is neither a rightsstatements.org URI nor an SPDX licence expression ({}){}",
            e.reason,
            suggest(t)
                .map(|s| format!("; did you mean {s:?}?"))
                .unwrap_or_default()
        )),
    }
}

/// A valid spelling near what was typed: an SPDX id for a Creative
/// Commons URL, or the SPDX crate's own lax reading.
fn suggest(t: &str) -> Option<String> {
    if let Some(id) = creative_commons(t) {
        return Some(id);
    }
    // `CC BY 4.0`, `cc-by 4.0`: a licence id written with spaces.
    let hyphened = t.split_whitespace().collect::<Vec<_>>().join("-");
    if spdx::license_id(&hyphened).is_some() {
        return Some(hyphened);
    }
    let fixed = spdx::Expression::canonicalize(t).ok().flatten()?;
    spdx::Expression::parse(&fixed).ok().map(|_| fixed)
}

/// `https://creativecommons.org/licenses/by-nc/4.0/` → `CC-BY-NC-4.0`;
/// `.../publicdomain/zero/1.0/` → `CC0-1.0`.
fn creative_commons(t: &str) -> Option<String> {
    let rest = t
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .strip_prefix("creativecommons.org/")?;
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    let id = match parts.as_slice() {
        ["publicdomain", "zero", v, ..] => format!("CC0-{v}"),
        ["licenses", terms, v, ..] => format!("CC-{}-{v}", terms.to_ascii_uppercase()),
        _ => return None,
    };
    spdx::license_id(&id).map(|_| id)
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn statements_and_licences_are_spelled_canonically() {
        for (typed, want) in [
            (
                "https://rightsstatements.org/vocab/InC/1.0/",
                "http://rightsstatements.org/vocab/InC/1.0/",
            ),
            (
                "http://rightsstatements.org/page/noc-nc/1.0/?language=en",
                "http://rightsstatements.org/vocab/NoC-NC/1.0/",
            ),
            ("CC-BY-4.0", "CC-BY-4.0"),
            (" CC-BY-NC-SA-4.0 OR MIT ", "CC-BY-NC-SA-4.0 OR MIT"),
        ] {
            assert_eq!(check(typed).as_deref(), Ok(want), "{typed}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_what_to_type() {
        for (typed, hint) in [
            ("InC", "http://rightsstatements.org/vocab/InC/1.0/"),
            ("http://rightsstatements.org/vocab/Free/1.0/", "InC-OW-EU"),
            (
                "https://creativecommons.org/licenses/by-nc/4.0/",
                "CC-BY-NC-4.0",
            ),
            ("Apache 2.0", "Apache-2.0"),
            ("CC BY 4.0", "CC-BY-4.0"),
            ("all rights reserved", "SPDX"),
            ("", "--clear rights"),
        ] {
            let e = check(typed).expect_err(typed);
            assert!(e.contains(hint), "{typed}: {e}");
        }
    }
}
