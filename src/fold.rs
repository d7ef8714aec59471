//! Text folded across scripts and diacritics, for full-text search: the
//! form the folded twin indexes hold (`catalogue::fts`) and the form a
//! bare search word is looked up in, so `Tskhinvali` finds a text that
//! writes `Цхинвали` or `ცხინვალი`, and `Xankendi` one that writes
//! `Xankəndi`. Also the snippet of a hit found only through folding,
//! cut from the text as written.
//!
//! Pure functions on strings: this module never reads the catalogue and
//! never decides what a reader may see; it only ever sees text the caller
//! was already allowed to index or show.

/// The text as the folded indexes hold it: each word transliterated to
/// ASCII letter by letter by `any_ascii` (Cyrillic, Armenian, Georgian,
/// Greek; Latin letters with diacritics and letters such as ə or ß;
/// compatibility forms such as ligatures and full-width letters) and
/// lower-cased. Word boundaries stay where they were, so FTS5's own
/// tokenizer splits the result as it splits the original.
///
/// No Unicode normalisation pass: `any_ascii` already maps precomposed
/// letters and drops combining marks, and two passes over every imported
/// text cost more than the rest of the folding together.
pub fn fold_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for piece in split_words(s) {
        match piece {
            Piece::Word(w) => {
                for c in w.chars() {
                    if c.is_ascii() {
                        out.push(c.to_ascii_lowercase());
                        continue;
                    }
                    // Within a word, only letters and digits: any_ascii
                    // writes a soft sign or an ejective as an apostrophe
                    // ("Pis'mo", "p'"), which would split the word in two.
                    out.extend(
                        any_ascii::any_ascii_char(c)
                            .chars()
                            .filter(char::is_ascii_alphanumeric)
                            .map(|c| c.to_ascii_lowercase()),
                    );
                }
            }
            Piece::Gap(g) => out.push_str(g),
        }
    }
    out
}

/// Whether a text needs a row in the folded twin: only text with a
/// non-ASCII character can fold to something the plain index lacks
/// (ASCII text is found by the folded form of any query as it stands).
/// This keeps the twin's size proportional to the non-ASCII text.
pub fn needs_fold(texts: &[&str]) -> bool {
    texts.iter().any(|t| !t.is_ascii())
}

/// One word's key: folded, lower-case, letters and digits only.
fn key(word: &str) -> String {
    fold_text(word)
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

enum Piece<'a> {
    Word(&'a str),
    Gap(&'a str),
}

/// Splits into runs of letters/digits (with combining marks, as FTS5's
/// unicode61 tokenizer keeps them in a token) and the runs between.
fn split_words(s: &str) -> impl Iterator<Item = Piece<'_>> {
    let is_word = |c: char| c.is_alphanumeric() || is_mark(c);
    let mut rest = s;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let word = is_word(first);
        let end = rest
            .char_indices()
            .find(|&(_, c)| is_word(c) != word)
            .map_or(rest.len(), |(i, _)| i);
        let (piece, tail) = rest.split_at(end);
        rest = tail;
        Some(if word {
            Piece::Word(piece)
        } else {
            Piece::Gap(piece)
        })
    })
}

fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// A snippet of `text` as written around the first place where one of
/// `phrases` (as the user typed them) is said in any script: up to
/// `width` words, the matched words in `[` `]`, `…` where text was left
/// out, as FTS5's `snippet()` writes them. None when no phrase is found.
pub fn snippet(text: &str, phrases: &[&str], width: usize) -> Option<String> {
    // Each word with the gap written before it, so what is shown between
    // two words (a comma, a dash, a full stop) stays as written.
    let mut words: Vec<&str> = Vec::new();
    let mut gaps: Vec<&str> = Vec::new();
    let mut pending = "";
    for piece in split_words(text) {
        match piece {
            Piece::Word(w) => {
                gaps.push(pending);
                words.push(w);
                pending = "";
            }
            Piece::Gap(g) => pending = g,
        }
    }
    let trailing = pending;
    let keys: Vec<String> = words.iter().map(|w| key(w)).collect();
    let (at, len) = phrases.iter().find_map(|p| {
        let want: Vec<String> = split_words(p)
            .filter_map(|x| match x {
                Piece::Word(w) => Some(key(w)),
                Piece::Gap(_) => None,
            })
            .filter(|k| !k.is_empty())
            .collect();
        if want.is_empty() || want.len() > keys.len() {
            return None;
        }
        (0..=keys.len() - want.len())
            .find(|&i| keys[i..i + want.len()] == want[..])
            .map(|i| (i, want.len()))
    })?;
    let width = width.max(len);
    let before = (width - len) / 2;
    let start = at.saturating_sub(before);
    let end = (start + width).min(words.len());
    let start = end.saturating_sub(width).min(start);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    for (i, w) in words.iter().enumerate().take(end).skip(start) {
        if i > start || start == 0 {
            out.push_str(gaps[i]);
        }
        if i == at {
            out.push('[');
        }
        out.push_str(w);
        if i + 1 == at + len {
            out.push(']');
        }
    }
    if end < words.len() {
        out.push('…');
    } else {
        out.push_str(trailing);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn scripts_and_diacritics_fold_to_one_form() {
        let k = |s: &str| key(s);
        assert_eq!(k("Цхинвали"), "tskhinvali");
        assert_eq!(k("ცხინვალი"), "tskhinvali");
        assert_eq!(k("Tskhinvali"), "tskhinvali");
        assert_eq!(k("Xankəndi"), k("Xankendi"));
        assert_eq!(k("Ստեփանակերտ"), "stepanakert");
        assert_eq!(k("Straße"), "strasse");
        assert_eq!(k("Αθήνα"), k("Athina"));
    }

    #[test]
    fn folding_keeps_word_boundaries() {
        assert_eq!(fold_text("Шуша, Шуши"), "shusha, shushi");
        assert_eq!(fold_text("ablaut Xankəndi-city"), "ablaut xankendi-city");
    }

    #[test]
    fn only_non_ascii_text_needs_a_folded_row() {
        assert!(!needs_fold(&["Plain title", "plain body"]));
        assert!(needs_fold(&["Plain title", "Цхинвали"]));
        assert!(needs_fold(&["café", ""]));
    }

    #[test]
    fn a_snippet_shows_the_text_as_written() {
        let text = "The witness (fictional) walked from Цхинвали to the river at dawn.";
        let s = snippet(text, &["Tskhinvali"], 6).unwrap();
        assert!(s.contains("[Цхинвали]"), "{s}");
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        let s = snippet(text, &["the river"], 4).unwrap();
        assert!(s.contains("[the river]"), "{s}");
        assert_eq!(snippet(text, &["Gori"], 6), None);
    }

    #[test]
    fn a_snippet_keeps_the_punctuation_between_its_words() {
        let text = "«Fictional» witness: she left Цхинвали — on foot, at dawn.";
        assert_eq!(
            snippet(text, &["Tskhinvali"], 20).unwrap(),
            "«Fictional» witness: she left [Цхинвали] — on foot, at dawn."
        );
        assert_eq!(
            snippet(text, &["Tskhinvali"], 3).unwrap(),
            "…left [Цхинвали] — on…"
        );
    }

    proptest! {
        /// Folding never changes where a word of the original ends: a
        /// word that the tokenizer sees in the text is a word of the fold.
        #[test]
        fn a_word_is_found_by_its_own_fold(w in "[a-zA-Zа-яА-Яა-ჰա-ֆəğışçöü]{1,12}") {
            let text = format!("before {w} after");
            // A word of signs alone ("ъ") folds to nothing, and snippets
            // match folded words: such a hit is listed without a snippet.
            prop_assume!(!fold_text(&w).is_empty());
            prop_assert!(snippet(&text, &[&fold_text(&w)], 5).is_some());
            prop_assert!(snippet(&text, &[&w], 5).is_some());
            prop_assert_eq!(key(&fold_text(&w)), key(&w));
        }

        /// ASCII text folds to itself up to case, so the plain index
        /// already answers every folded query on it.
        #[test]
        fn ascii_folds_to_itself(s in "[ -~]{0,40}") {
            prop_assert_eq!(fold_text(&s), s.to_lowercase());
        }
    }
}
