//! Language codes for an item's `language` (`--language`, the manifest's
//! `language` column): a BCP 47 tag whose primary subtag is an ISO 639
//! code (639-1 two letters, or 639-3 three), written in its usual case
//! (`en`, `hy-Latn`, `en-GB`). A language typed by name — in English or as
//! its own speakers write it — is refused with the code to type instead
//! (`english` → `en`, `Հայերեն` → `hy`).
//!
//! It checks and spells values; it stores nothing and never prints.

use isolang::Language;

/// The tag in canonical case, or why it is not one (with a suggestion).
pub fn check(typed: &str) -> Result<String, String> {
    let t = typed.trim();
    let mut parts = t.split(['-', '_']);
    let primary = parts.next().unwrap_or("").to_ascii_lowercase();
    let shaped = (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && t.split(['-', '_'])
            .skip(1)
            .all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    let known = match primary.len() {
        2 => Language::from_639_1(&primary).is_some(),
        3 => Language::from_639_3(&primary).is_some(),
        _ => false,
    };
    if shaped && known {
        let rest: Vec<String> = parts.map(subtag_case).collect();
        return Ok(std::iter::once(primary)
            .chain(rest)
            .collect::<Vec<_>>()
            .join("-"));
    }
    let hint = suggest(t)
        .map(|(code, name)| format!("; did you mean {code:?} ({name})?"))
        .unwrap_or_else(|| "; use e.g. en, hy, az, ru, ka, en-GB".into());
    Err(format!(
        "{t:?} is not an ISO 639 / BCP 47 language code{hint}"
    ))
}

/// Script subtags in title case (`Latn`), regions in upper case (`GB`),
/// others in lower case, as BCP 47 writes them.
fn subtag_case(p: &str) -> String {
    match p.len() {
        4 if p.bytes().all(|b| b.is_ascii_alphabetic()) => {
            let mut s = p.to_ascii_lowercase();
            s[..1].make_ascii_uppercase();
            s
        }
        2 => p.to_ascii_uppercase(),
        _ => p.to_ascii_lowercase(),
    }
}

/// The code of a language named in English or by its own name.
fn suggest(typed: &str) -> Option<(&'static str, &'static str)> {
    let lower = typed.to_lowercase();
    let by_autonym = || {
        let l = lower.clone();
        Language::match_autonyms(move |a| a.to_lowercase() == l).next()
    };
    let lang = Language::from_name_lowercase(&lower)
        .or_else(|| Language::from_autonym(typed))
        .or_else(by_autonym)?;
    Some((lang.to_639_1().unwrap_or(lang.to_639_3()), lang.to_name()))
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn codes_pass_in_their_usual_case() {
        for (typed, want) in [
            ("en", "en"),
            ("EN", "en"),
            ("hy", "hy"),
            ("az-latn", "az-Latn"),
            ("en-gb", "en-GB"),
            ("ka", "ka"),
            ("oss", "oss"),
            (" ru ", "ru"),
        ] {
            assert_eq!(check(typed).as_deref(), Ok(want), "{typed}");
        }
    }

    #[test]
    fn names_are_refused_with_the_code_to_type() {
        let e = check("english").unwrap_err();
        assert!(e.contains("\"en\"") && e.contains("English"), "{e}");
        let e = check("Armenian").unwrap_err();
        assert!(e.contains("\"hy\""), "{e}");
        let e = check("Հայերեն").unwrap_err();
        assert!(e.contains("\"hy\""), "{e}");
        assert!(check("xq").is_err(), "not an ISO 639 code");
        assert!(check("e").is_err());
        assert!(check("en--GB").is_err());
    }
}
