//! Redaction: replacing names and places that would identify a narrator by
//! `[redacted]` in what readers below custodian see and search.
//!
//! Terms match case-insensitively, ignoring diacritics and after Unicode
//! normalisation, as whole words, with any run of white space in a term
//! matching any run in the text — the same folding the full-text tokenizer
//! (`unicode61 remove_diacritics 2`) applies, so a term that is redacted
//! cannot be found by searching for it. Terms exist in clear only in memory,
//! inside `secrecy` types; they are stored sealed and must never reach an
//! event, an error message or stdout.

use secrecy::{ExposeSecret, SecretBox, SecretString};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::archive::Archive;
use crate::catalogue::events::{EventLog, EventType};
use crate::catalogue::{items, redactions, settings};
use crate::error::{Error, Result};
use crate::model::ItemId;
use crate::policy::present::RedactedCopy;
use crate::seal::{self, Key};

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

/// Appends the folded form of `c`: decomposed, without combining marks,
/// lowercased; white space runs become one space.
fn fold_char(c: char, out: &mut String) {
    if c.is_whitespace() {
        if !out.ends_with(' ') {
            out.push(' ');
        }
        return;
    }
    for d in std::iter::once(c).nfd() {
        if !is_combining_mark(d) {
            out.extend(d.to_lowercase());
        }
    }
}

/// The folded text, and for each of its bytes the index of the original
/// character it came from.
fn fold_with_map(chars: &[(usize, char)]) -> (String, Vec<usize>) {
    let mut folded = String::new();
    let mut map = Vec::new();
    for (i, (_, c)) in chars.iter().enumerate() {
        let before = folded.len();
        fold_char(*c, &mut folded);
        map.resize(folded.len(), i);
        debug_assert!(map.len() >= before);
    }
    (folded, map)
}

fn fold(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        fold_char(c, &mut out);
    }
    out.trim().to_string()
}

/// `text` with every term replaced by [`MARK`], and how many passages were
/// replaced.
pub fn redact_text(text: &str, terms: &Terms) -> (String, usize) {
    let text: String = text.nfc().collect();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let (folded, map) = fold_with_map(&chars);
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut ranges: Vec<(usize, usize)> = Vec::new(); // original char indices, end exclusive
    for term in terms.0.expose_secret() {
        let t = SecretString::from(fold(term));
        let t = t.expose_secret();
        if t.is_empty() {
            continue;
        }
        let needs_start = word(t.chars().next());
        let needs_end = word(t.chars().next_back());
        for (at, m) in folded.match_indices(t) {
            let end = at + m.len();
            if needs_start && word(folded[..at].chars().next_back()) {
                continue;
            }
            if needs_end && word(folded[end..].chars().next()) {
                continue;
            }
            let first = map[at];
            let mut last = map[end - 1] + 1;
            // Combining marks left after the match belong to its last letter.
            while last < chars.len() && is_combining_mark(chars[last].1) {
                last += 1;
            }
            ranges.push((first, last));
        }
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
    pub key: Option<Key>,
    pub agent: String,
}

/// What a redaction did, for the summary: counts only, never terms.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub terms_added: usize,
    pub passages: usize,
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
        if let Some(k) = &opts.key {
            k.check(&recipient)?;
        }
        let mut all = Terms(SecretBox::new(Box::default()));
        let earlier = redactions::sealed_terms(tx, id)?;
        if !earlier.is_empty() {
            let key = opts.key.as_ref().ok_or_else(|| {
                Error::usage(format!(
                    "item {id} already has redactions; give --key FILE so they are applied together with the new terms"
                ))
            })?;
            for sealed in &earlier {
                let plain = seal::open_string(key, sealed, &format!("redactions of item {id}"))?;
                all.extend(&Terms::parse(&plain));
            }
        }
        all.extend(&opts.terms);
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
}
