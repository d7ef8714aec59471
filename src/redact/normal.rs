//! The normal form redaction matches on, with a map back to the original
//! text, so that every way of writing a name is found and the replaced
//! span covers the whole of what was written.
//!
//! Each character of a text is one of: a *letter* (letters and digits,
//! compared after compatibility decomposition (NFKD: fullwidth forms,
//! ligatures), full Unicode case folding (`ß` = `ss`, `ς` = `σ`) and
//! without diacritics); a *mark* left over from decomposition (belongs to
//! the letter before it); an *ignorable* (Unicode's default-ignorable code
//! points: soft hyphen, zero-width space and joiners, word joiner, BOM,
//! variation selectors, …), which is invisible and may stand anywhere,
//! inside a word or between words; or a *separator* (white space, hyphens,
//! dashes, apostrophes of every kind, other punctuation), where any run of
//! separators is the same as any other. A term matches a span of the text
//! whose words are the term's words: letters equal, separators only where
//! the term has them, starting and ending at a word boundary.
//!
//! This module computes and matches; it never stores, prints or logs a
//! term or a text (both may be names the custodian has sealed).

use std::ops::Range;

use caseless::Caseless;
use secrecy::{ExposeSecret, SecretString};
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Mark,
    Ignorable,
    Separator,
}

/// Unicode's Default_Ignorable_Code_Point property (DerivedCoreProperties,
/// Unicode 16): characters that render as nothing. No well-kept small crate
/// exposes it; the list has not changed since Unicode 6.
fn is_ignorable(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5
        | 0x180B..=0x180F | 0x200B..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0
        | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

/// Letters (general category L) that are written as apostrophes in names
/// (`Oʼbrien`, `Tʻo`): they separate as `'` and `’` do.
fn is_apostrophe_letter(c: char) -> bool {
    matches!(c, '\u{02B9}' | '\u{02BB}' | '\u{02BC}')
}

fn is_letter_or_digit(c: char) -> bool {
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter | GeneralCategoryGroup::Number
    ) || c.general_category() == GeneralCategory::PrivateUse
}

/// Classifies `c`, appending its folded letters to `out` when it has any.
fn classify(c: char, out: &mut String) -> Class {
    if c.is_ascii() {
        return if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            Class::Letter
        } else {
            Class::Separator
        };
    }
    if is_ignorable(c) {
        return Class::Ignorable;
    }
    if is_apostrophe_letter(c) {
        return Class::Separator;
    }
    // Unicode's compatibility caseless match folds twice around NFKD.
    let before = out.len();
    let folded = std::iter::once(c)
        .nfkd()
        .default_case_fold()
        .nfkd()
        .default_case_fold();
    for d in folded.filter(|d| is_letter_or_digit(*d)) {
        out.push(d);
    }
    if out.len() > before {
        Class::Letter
    } else if c.general_category_group() == GeneralCategoryGroup::Mark {
        Class::Mark
    } else {
        Class::Separator
    }
}

/// What separates a letter from the letter before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Gap {
    /// Nothing (marks only): the same word.
    None,
    /// Only ignorables: the same word to a reader, two words to a tokenizer.
    Ignorable,
    /// A separator (or the start of the text).
    Separator,
}

#[derive(Debug, Clone, Copy)]
struct Unit {
    /// Index of the letter's character in the text's characters.
    char_index: usize,
    /// Its folded letters: `letters[start..end]`.
    start: usize,
    end: usize,
    gap_before: Gap,
}

/// A text in normal form: its letters with what separates them, and where
/// each came from.
pub struct Folded {
    letters: String,
    units: Vec<Unit>,
    /// For each byte of `letters`, the unit it belongs to.
    unit_of_byte: Vec<usize>,
    /// Whether each character of the text is a combining mark (a span
    /// takes the marks after its last letter).
    is_mark: Vec<bool>,
}

impl Folded {
    pub fn new(chars: &[char]) -> Folded {
        let mut letters = String::with_capacity(chars.len());
        let mut units = Vec::with_capacity(chars.len());
        let mut unit_of_byte = Vec::with_capacity(chars.len());
        let mut is_mark = Vec::with_capacity(chars.len());
        let mut gap = Gap::Separator;
        for (i, &c) in chars.iter().enumerate() {
            let start = letters.len();
            let class = classify(c, &mut letters);
            is_mark.push(c.general_category_group() == GeneralCategoryGroup::Mark);
            match class {
                Class::Letter => {
                    units.push(Unit {
                        char_index: i,
                        start,
                        end: letters.len(),
                        gap_before: gap,
                    });
                    unit_of_byte.resize(letters.len(), units.len() - 1);
                    gap = Gap::None;
                }
                Class::Mark => {}
                Class::Ignorable => gap = gap.max(Gap::Ignorable),
                Class::Separator => gap = Gap::Separator,
            }
        }
        Folded {
            letters,
            units,
            unit_of_byte,
            is_mark,
        }
    }

    /// The unit starting exactly at byte `b` of the letters.
    fn unit_starting_at(&self, b: usize) -> Option<usize> {
        let u = *self.unit_of_byte.get(b)?;
        (self.units[u].start == b).then_some(u)
    }

    /// Whether a word of the text may end after unit `u`.
    fn word_ends_after(&self, u: usize) -> bool {
        self.units
            .get(u + 1)
            .is_none_or(|next| next.gap_before != Gap::None)
    }

    /// Ranges of character indices (end exclusive) where `term` occurs.
    pub fn find(&self, term: &Term) -> Vec<Range<usize>> {
        let mut found = Vec::new();
        let needle = term.letters.expose_secret();
        if needle.is_empty() {
            return found;
        }
        let mut from = 0;
        while let Some(pos) = self.letters[from..].find(needle) {
            let at = from + pos;
            if let Some(r) = self.matches_at(at, term) {
                found.push(r);
            }
            // Overlapping occurrences too: step one character on.
            from = at + self.letters[at..].chars().next().map_or(1, char::len_utf8);
        }
        found
    }

    fn matches_at(&self, at: usize, term: &Term) -> Option<Range<usize>> {
        let end = at + term.letters.expose_secret().len();
        let first = self.unit_starting_at(at)?;
        let last = self.unit_of_byte[end - 1];
        if self.units[last].end != end || self.units[first].gap_before == Gap::None {
            return None;
        }
        if !self.word_ends_after(last) {
            return None;
        }
        let mut breaks = term.breaks.iter().copied().peekable();
        for unit in &self.units[first + 1..=last] {
            let offset = unit.start - at;
            match breaks.peek() {
                // A word break of the term inside one letter's fold (`ß`).
                Some(&b) if b < offset => return None,
                Some(&b) if b == offset => {
                    // Two words of the term: two words of the text.
                    breaks.next();
                    if unit.gap_before == Gap::None {
                        return None;
                    }
                }
                // A separator inside one of the term's words.
                _ if unit.gap_before == Gap::Separator => return None,
                _ => {}
            }
        }
        if breaks.next().is_some() {
            return None;
        }
        let mut stop = self.units[last].char_index + 1;
        while self.is_mark.get(stop) == Some(&true) {
            stop += 1;
        }
        Some(self.units[first].char_index..stop)
    }
}

/// A term in normal form: its words' letters, concatenated, and the byte
/// offsets where one word ends and the next begins.
pub struct Term {
    letters: SecretString,
    breaks: Vec<usize>,
}

// A term is a name the custodian sealed: never printed, not even in a panic.
impl std::fmt::Debug for Term {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Term([REDACTED])")
    }
}

impl Term {
    pub fn new(term: &str) -> Term {
        let mut letters = String::new();
        let mut breaks = Vec::new();
        let mut pending = false;
        for c in term.chars() {
            let before = letters.len();
            match classify(c, &mut letters) {
                Class::Letter => {
                    if pending && before > 0 {
                        breaks.push(before);
                    }
                    pending = false;
                }
                Class::Separator => pending = true,
                Class::Mark | Class::Ignorable => {}
            }
        }
        Term {
            letters: letters.into(),
            breaks,
        }
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.letters.expose_secret().is_empty()
    }
}

/// Removes default-ignorable characters (soft hyphens, zero-width
/// characters): a search typed or pasted with one looks for the word a
/// reader sees.
pub fn strip_ignorable(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(is_ignorable) {
        s.chars()
            .filter(|c| !is_ignorable(*c))
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str, term: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        Folded::new(&chars)
            .find(&Term::new(term))
            .into_iter()
            .map(|r| chars[r].iter().collect())
            .collect()
    }

    #[test]
    fn each_kind_of_variant_is_one_name() {
        let cases: &[(&str, &str)] = &[
            ("Ondřej Novák", "Ondřej-Novák"),
            ("Ondřej Novák", "ONDREJ\u{2011}novak"),
            ("Ondřej Novák", "Ond\u{AD}řej\u{AD}Novák"),
            ("Ondřej Novák", "Ondr\u{30C}ej  \n Nova\u{301}k"),
            ("Großmann", "GROSSMANN"),
            ("GROSSMANN", "Großmann"),
            ("Großmann", "GROẞMANN"),
            ("Großmann", "Gro\u{200B}ß\u{200D}mann"),
            ("σωκράτης", "ΣΩΚΡΆΤΗΣ"),
            ("ΣΩΚΡΆΤΗΣ", "Σωκρατης"),
            ("O'Brien", "O’Brien"),
            ("O’Brien", "Oʼbrien"),
            ("O'Brien", "O Brien"),
            ("Griffin", "Gri\u{FB03}n"),
            ("Griffin", "Ｇｒｉｆｆｉｎ"),
            ("Ｇｒｉｆｆｉｎ", "griffin"),
            ("Levon Petrosyan", "Levon\u{2060}Petrosyan"),
        ];
        for (term, written) in cases {
            let text = format!("1. {written}, 2");
            assert_eq!(
                spans(&text, term),
                vec![written.to_string()],
                "{term:?} in {text:?}"
            );
        }
    }

    #[test]
    fn only_whole_words_and_separators_where_the_term_has_them() {
        let none: Vec<String> = Vec::new();
        assert_eq!(spans("Anna and announcements", "Ann"), none);
        assert_eq!(spans("xAnn", "Ann"), none);
        assert_eq!(spans("Groß mann", "Großmann"), none);
        assert_eq!(spans("OndřejNovák", "Ondřej Novák"), none);
        assert_eq!(spans("Gross", "Groß"), vec!["Gross"]);
        // ß folds to two letters: a word cannot end between them.
        assert_eq!(spans("Großmann", "Gros"), none);
        // Marks after the last letter go with it.
        assert_eq!(spans("Ann\u{301}e", "Anne"), vec!["Ann\u{301}e"]);
        assert_eq!(
            spans("Anne\u{301}\u{302} x", "Anne"),
            vec!["Anne\u{301}\u{302}"]
        );
        // Ignorables are boundaries to a search index, so they are here.
        assert_eq!(spans("x\u{AD}Ann", "Ann"), vec!["Ann"]);
    }

    #[test]
    fn terms_without_letters_match_nothing() {
        assert!(Term::new(" - ' \u{AD}").is_empty());
        assert!(spans("a - b", "-").is_empty());
    }

    #[test]
    fn strip_ignorable_keeps_what_is_seen() {
        assert_eq!(strip_ignorable("Gro\u{AD}ß\u{200B}mann"), "Großmann");
        assert!(matches!(
            strip_ignorable("plain"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
