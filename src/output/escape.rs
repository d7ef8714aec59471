//! Making catalogue values safe to show: visibly escaped control characters
//! for a terminal, and neutralised formulas for a spreadsheet.
//!
//! Titles, names and file names come from donors' files (an HTML `<title>`,
//! a PDF's metadata, a file name) and from the command line. Written raw to
//! a terminal, an escape sequence can retitle the window, recolour or hide
//! text, or (on some terminals) answer back as typed input; a bidi override
//! (U+202E) makes a title read as something it is not. So every
//! human-readable output (table cells and headers, free text in `show`,
//! every stderr message) passes through [`terminal`] or [`terminal_line`],
//! which write such characters as visible escapes (`\x1b`, `\u{202e}`).
//! The escapes are for reading, not reversible: a backslash is left as it
//! is. JSON needs none of this (serde escapes control characters).
//!
//! CSV and TSV are opened in spreadsheets, which run a cell beginning with
//! `=`, `+`, `-` or `@` (also tab or carriage return) as a formula:
//! [`spreadsheet`] prefixes such a text cell with `'` (OWASP's advice), so
//! it reads as text. Numbers are not text and are never prefixed. These
//! functions only transform strings; they never decide what is shown.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Bidirectional embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069, the "Trojan Source" set rustc also warns about), and the
/// Unicode line and paragraph separators. The bidi marks (U+200E, U+200F,
/// U+061C) are left alone: right-to-left text uses them legitimately and
/// they cannot reorder a run of letters.
fn is_deceptive(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// Whether a character must not reach a terminal raw: C0 controls (ESC
/// among them), DEL, C1 controls, and the characters of [`is_deceptive`].
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_deceptive(c)
}

fn escape<'a>(s: &'a str, keep: &[char]) -> Cow<'a, str> {
    if !s.chars().any(|c| is_unsafe(c) && !keep.contains(&c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_unsafe(c) || keep.contains(&c) {
            out.push(c);
            continue;
        }
        match c {
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// A table cell or a block of text for a terminal: line breaks stay line
/// breaks (a table lays them out inside the cell), tabs too if `tabs`
/// (free text; a tab would break a table's alignment), every other unsafe
/// character is escaped.
pub fn terminal(s: &str, tabs: bool) -> Cow<'_, str> {
    escape(s, if tabs { &['\n', '\t'] } else { &['\n'] })
}

/// One line of a message (stderr): line breaks are escaped too, so a
/// quoted value cannot start a line that looks like a message of its own.
pub fn terminal_line(s: &str) -> Cow<'_, str> {
    escape(s, &[])
}

/// Characters that make a spreadsheet read a cell as a formula (OWASP,
/// "CSV Injection").
const FORMULA_START: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// A text cell of a CSV or TSV file, with a `'` in front if a spreadsheet
/// would otherwise run it as a formula. Call it for text only: a number
/// (`-5`) is left to the caller to write as it is.
pub fn spreadsheet(s: &str) -> Cow<'_, str> {
    if s.starts_with(FORMULA_START) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_read_as_what_they_replace() {
        let title = "\u{1b}]0;pwned\u{7}\u{1b}[31mred";
        assert_eq!(terminal(title, false), "\\x1b]0;pwned\\x07\\x1b[31mred");
        assert_eq!(terminal("a\u{202e}gnp.exe", false), "a\\u{202e}gnp.exe");
        assert_eq!(terminal("del\u{7f} c1\u{9b}", false), "del\\x7f c1\\u{9b}");
        assert_eq!(terminal("two\nlines\tand\r", false), "two\nlines\\tand\\r");
        assert_eq!(terminal("two\nlines\tand", true), "two\nlines\tand");
        assert_eq!(terminal_line("two\nlines"), "two\\nlines");
        // Right-to-left marks and ordinary text pass untouched, unallocated.
        for fine in ["Şuşa", "שלום\u{200f}", "C:\\path", "漢字😀"] {
            assert!(matches!(terminal_line(fine), Cow::Borrowed(_)), "{fine}");
        }
    }

    #[test]
    fn formulas_become_text() {
        for f in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(spreadsheet(f), format!("'{f}"));
        }
        for fine in ["", "a=b", "1-2", " =x", "'=x", "Şuşa"] {
            assert_eq!(spreadsheet(fine), fine);
        }
    }

    proptest! {
        #[test]
        fn no_unsafe_character_survives(s in "\\PC*|[\u{0}-\u{a0}\u{2020}-\u{2070}]*") {
            prop_assert!(!terminal_line(&s).chars().any(is_unsafe));
            let cell = terminal(&s, false);
            prop_assert!(!cell.chars().any(|c| is_unsafe(c) && c != '\n'));
        }
    }
}
