//! Redaction: replacing names and places that would identify a narrator by
//! `[redacted]` in what readers below custodian see and search.
//!
//! Terms match every way of writing them (`normal`): after compatibility
//! normalisation (fullwidth forms, ligatures), full Unicode case folding
//! (`ß` = `SS`, final `ς` = `Σ`), without diacritics and invisible
//! characters (soft hyphens, zero-width characters), with any run of
//! separators (spaces, hyphens, apostrophes of every kind) matching any
//! other, as whole words. The public full-text index is built from the
//! redacted text, so no spelling of a redacted term is left there for a
//! search to find. Terms exist in clear only in memory, inside `secrecy`
//! types; they are stored sealed and must never reach an event, an error
//! message or stdout.

use secrecy::{ExposeSecret, SecretBox, SecretString};
use unicode_normalization::UnicodeNormalization;

use crate::archive::Archive;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::{items, redactions, settings};
use crate::error::{Error, Result};
use crate::keys::KeyFile;
use crate::model::ItemId;
use crate::policy::present::RedactedCopy;
use crate::seal::{self, Key};

mod guard;
mod normal;
pub use guard::{check_new_values, check_relabel};
pub use normal::strip_ignorable;

pub const MARK: &str = "[redacted]";

/// A list of terms to redact; `Debug` prints `[REDACTED]`.
pub struct Terms(SecretBox<Vec<String>>);

impl std::fmt::Debug for Terms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Terms({} x [REDACTED])", self.len())
    }
}

impl Terms {
    /// One term per line; blank lines are skipped, spaces trimmed.
    pub fn parse(input: &SecretString) -> Terms {
        let terms = input
            .expose_secret()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| l.nfc().collect::<String>())
            .collect();
        Terms(SecretBox::new(Box::new(terms)))
    }

    pub fn len(&self) -> usize {
        self.0.expose_secret().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn join(&self) -> SecretString {
        SecretString::from(self.0.expose_secret().join("\n"))
    }

    fn extend(&mut self, other: &Terms) {
        let mut all = self.0.expose_secret().clone();
        all.extend(other.0.expose_secret().iter().cloned());
        self.0 = SecretBox::new(Box::new(all));
    }
}

/// `text` with every term replaced by [`MARK`], and how many passages were
/// replaced.
pub fn redact_text(text: &str, terms: &Terms) -> (String, usize) {
    let text: String = text.nfc().collect();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let plain: Vec<char> = chars.iter().map(|(_, c)| *c).collect();
    let folded = normal::Folded::new(&plain);
    let mut ranges: Vec<(usize, usize)> = Vec::new(); // original char indices, end exclusive
    for term in terms.0.expose_secret() {
        let term = normal::Term::new(term);
        ranges.extend(folded.find(&term).into_iter().map(|r| (r.start, r.end)));
    }
    if ranges.is_empty() {
        return (text, 0);
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let byte = |i: usize| chars.get(i).map(|(b, _)| *b).unwrap_or(text.len());
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (s, e) in &merged {
        out.push_str(&text[pos..byte(*s)]);
        out.push_str(MARK);
        pos = byte(*e);
    }
    out.push_str(&text[pos..]);
    (out, merged.len())
}

pub struct RedactOptions {
    pub item: ItemId,
    pub terms: Terms,
    /// Needed when the item already has redactions (to read their terms).
    pub key: KeyFile,
    pub agent: String,
}

/// What a redaction did, for the summary: counts only, never terms.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub terms_added: usize,
    pub passages: usize,
}

/// Every redaction term of item `id`, unsealed with `key`.
fn sealed_terms_of(conn: &rusqlite::Connection, id: ItemId, key: &Key) -> Result<Terms> {
    let mut all = Terms(SecretBox::new(Box::default()));
    for sealed in &redactions::sealed_terms(conn, id)? {
        let plain = seal::open_string(key, sealed, &format!("redactions of item {id}"))?;
        all.extend(&Terms::parse(&plain));
    }
    Ok(all)
}

/// Recomputes item `id`'s redacted copy and both indexes from its
/// original title, description and text with every sealed term: after an
/// edit of the title or description, in the edit's transaction. Returns
/// the passages redacted.
pub(crate) fn reapply(conn: &rusqlite::Connection, id: ItemId, key: &Key) -> Result<usize> {
    let all = sealed_terms_of(conn, id, key)?;
    let orig = redactions::original(conn, id)?
        .ok_or_else(|| Error::usage(format!("no item {id} in this archive")))?;
    let mut passages = 0;
    let mut apply = |s: &str| {
        let (r, n) = redact_text(s, &all);
        passages += n;
        r
    };
    let copy = RedactedCopy {
        title: apply(&orig.title),
        description: orig.description.as_deref().map(&mut apply),
        text: orig.text.as_deref().map(&mut apply),
    };
    redactions::store(conn, id, &orig, &copy)?;
    Ok(passages)
}

/// Seals the new terms, recomputes the redacted copy from the original
/// text with every term of the item, re-indexes and logs the redaction.
pub fn redact(archive: &mut Archive, opts: RedactOptions) -> Result<Outcome> {
    let id = opts.item;
    if opts.terms.is_empty() {
        return Err(Error::usage(
            "no terms given: write one term per line on stdin or in --terms-file",
        ));
    }
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        if !items::exists(tx, id)? {
            return Err(Error::usage(format!("no item {id} in this archive")));
        }
        let recipient = settings::require_recipient(tx, "redacting")?;
        // Found (and checked against the recipient) whenever it exists,
        // so a wrong key is named even before it is needed.
        let key = opts.key.find(tx)?;
        let earlier = redactions::sealed_terms(tx, id)?;
        let mut all = if earlier.is_empty() {
            Terms(SecretBox::new(Box::default()))
        } else {
            let key = key.as_ref().ok_or_else(|| {
                Error::usage(format!(
                    "item {id} already has redactions; give --key FILE so they are applied together with the new terms"
                ))
            })?;
            sealed_terms_of(tx, id, key)?
        };
        all.extend(&opts.terms);
        guard::check_linked(tx, id, &all)?;
        let sealed = seal::seal(&recipient, opts.terms.join().expose_secret().as_bytes())?;
        redactions::insert(tx, id, &sealed, &now)?;
        let orig = redactions::original(tx, id)?
            .ok_or_else(|| Error::usage(format!("no item {id} in this archive")))?;
        let mut passages = 0;
        let mut apply = |s: &str| {
            let (r, n) = redact_text(s, &all);
            passages += n;
            r
        };
        let copy = RedactedCopy {
            title: apply(&orig.title),
            description: orig.description.as_deref().map(&mut apply),
            text: orig.text.as_deref().map(&mut apply),
        };
        redactions::store(tx, id, &orig, &copy)?;
        let detail = serde_json::json!({
            "term_lists": earlier.len() + 1,
            "passages": passages,
        });
        EventLog::new(tx)?.append(
            EventType::Redaction,
            Some(id),
            &opts.agent,
            "success",
            Some(&detail),
            &now,
        )?;
        Ok(Outcome {
            terms_added: opts.terms.len(),
            passages,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(s: &str) -> Terms {
        Terms::parse(&SecretString::from(s.to_string()))
    }

    fn r(text: &str, t: &str) -> String {
        redact_text(text, &terms(t)).0
    }

    #[test]
    fn whole_words_case_insensitively() {
        assert_eq!(
            r(
                "Ann told ANN's neighbour; Anna and announcements stay.",
                "ann"
            ),
            "[redacted] told [redacted]'s neighbour; Anna and announcements stay."
        );
    }

    #[test]
    fn diacritics_normalisation_and_white_space_do_not_hide_a_term() {
        // NFD input, a term without the diaeresis, a line break in the name.
        let text = "We fled Sumga\u{0069}\u{0308}t with Levon\nPetrosyan.";
        assert_eq!(
            r(text, "sumgait\nLevon   Petrosyan"),
            "We fled [redacted] with [redacted]."
        );
        assert_eq!(r("Şuşa and Shusha", "suşa"), "[redacted] and Shusha");
        assert_eq!(r("İzmir", "izmir"), "[redacted]");
    }

    #[test]
    fn overlapping_terms_merge_and_blank_lines_are_ignored() {
        let (out, n) = redact_text(
            "Street of Levon Petrosyan, 12",
            &terms("Levon Petrosyan\n\n  Petrosyan, 12  \n"),
        );
        assert_eq!(out, "Street of [redacted]");
        assert_eq!(n, 1);
    }

    #[test]
    fn terms_redact_themselves_in_debug() {
        let t = terms("CANARY-Neighbour\nCANARY-Village");
        let shown = format!("{t:?}");
        assert!(!shown.contains("CANARY"), "{shown}");
        assert_eq!(t.len(), 2);
    }

    mod variants {
        use super::*;
        use proptest::prelude::*;

        const LETTERS: &[&str] = &[
            "a", "b", "d", "e", "f", "i", "k", "l", "m", "n", "o", "r", "s", "t", "u", "v", "z",
            "ß", "ř", "ž", "š", "é", "á", "ñ", "ç", "ø", "σ", "ά", "ω", "κ", "ή",
        ];
        const IGNORABLES: &[char] = &[
            '\u{AD}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}',
        ];
        const SEPARATORS: &[&str] = &[
            " ", "-", "\u{2010}", "\u{2011}", "\u{2013}", "'", "\u{2019}", "\u{2BC}", "\u{A0}",
            "  \n",
        ];

        fn name() -> impl Strategy<Value = (Vec<String>, bool)> {
            let word =
                prop::collection::vec(prop::sample::select(LETTERS), 2..7).prop_map(|l| l.concat());
            (prop::collection::vec(word, 1..4), any::<bool>())
        }

        #[derive(Debug, Clone)]
        struct Variant {
            case: u8,
            final_sigma: bool,
            nfd: bool,
            fullwidth: bool,
            ligatures: bool,
            separators: Vec<usize>,
            ignorables: Vec<(usize, usize)>,
        }

        fn variant() -> impl Strategy<Value = Variant> {
            (
                0u8..3,
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                prop::collection::vec(0..SEPARATORS.len(), 3),
                prop::collection::vec((0..IGNORABLES.len(), 1..7usize), 0..4),
            )
                .prop_map(
                    |(case, final_sigma, nfd, fullwidth, ligatures, separators, ignorables)| {
                        Variant {
                            case,
                            final_sigma,
                            nfd,
                            fullwidth,
                            ligatures,
                            separators,
                            ignorables,
                        }
                    },
                )
        }

        /// One word written as the variant says.
        fn write_word(word: &str, v: &Variant) -> String {
            let mut w: String = match v.case {
                1 => word.to_uppercase(),
                2 => {
                    let mut c = word.chars();
                    let first: String = c
                        .next()
                        .map(|f| f.to_uppercase().collect())
                        .unwrap_or_default();
                    first + c.as_str()
                }
                _ => word.to_string(),
            };
            if v.final_sigma && w.ends_with('σ') {
                w.pop();
                w.push('ς');
            }
            if v.ligatures {
                w = w.replace("fi", "\u{FB01}").replace("ff", "\u{FB00}");
            }
            if v.fullwidth {
                w = w
                    .chars()
                    .map(|c| match c {
                        'a'..='z' | 'A'..='Z' => {
                            char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c)
                        }
                        _ => c,
                    })
                    .collect();
            }
            let mut chars: Vec<char> = w.chars().collect();
            for (which, at) in &v.ignorables {
                // Inside the word only: between two of its letters.
                if chars.len() > 1 {
                    let at = 1 + at % (chars.len() - 1);
                    chars.insert(at, IGNORABLES[*which]);
                }
            }
            let w: String = chars.into_iter().collect();
            if v.nfd {
                w.nfd().collect()
            } else {
                w
            }
        }

        fn write(words: &[String], v: &Variant) -> String {
            let mut out = String::new();
            for (i, w) in words.iter().enumerate() {
                if i > 0 {
                    out.push_str(SEPARATORS[v.separators[(i - 1) % v.separators.len()]]);
                }
                out.push_str(&write_word(w, v));
            }
            out
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn every_variant_of_a_name_is_redacted(
                (words, apostrophe) in name(),
                v1 in variant(),
                v2 in variant(),
            ) {
                let joined = words.join(if apostrophe { "'" } else { " " });
                let text = format!("000 {} 555 {} 999.", write(&words, &v1), write(&words, &v2));
                let (out, n) = redact_text(&text, &terms(&joined));
                prop_assert_eq!(out.as_str(), "000 [redacted] 555 [redacted] 999.", "text {:?}", text);
                prop_assert_eq!(n, 2);
                // And the term written as a variant (on one line: terms are
                // one per line) finds the plain name.
                let term = write(&words, &v1).replace('\n', " ");
                let (out, _) = redact_text(&format!("000 {joined} 999."), &terms(&term));
                prop_assert_eq!(out.as_str(), "000 [redacted] 999.");
            }
        }
    }
}
