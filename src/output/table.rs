//! Writes a table in comfy-table's `UTF8_FULL_CONDENSED` layout directly,
//! for output that is not a terminal.
//!
//! comfy-table builds a cell object, its lines and a padded copy of each
//! for every value: about 2 µs a row, so a register of 100,000 narrators
//! spent more time there than in its query. Where nothing can wrap (not a
//! terminal, no line breaks or control characters in any cell) the layout
//! is simple, and this writes it row by row; a test renders random tables
//! both ways and requires identical bytes. It must not be used for a
//! terminal, where comfy-table wraps cells to the window's width.

use std::borrow::Cow;
use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

/// Whether comfy-table would lay this cell out on one line, unwrapped.
fn plain(cell: &str) -> bool {
    !cell.chars().any(char::is_control)
}

/// Writes the table (header, then `rows` rows of `cell(row, column)`),
/// ending with a newline. Returns false, having written nothing, if a cell
/// is not plain text (a line break or control character): comfy-table
/// must lay that out.
pub fn write<'a>(
    out: &mut dyn Write,
    header: &[&'a str],
    rows: usize,
    cell: impl Fn(usize, usize) -> Cow<'a, str>,
) -> io::Result<bool> {
    let columns = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    // Each cell's text and width once: a value may be formatted (a number,
    // a size), and measuring a width walks the text.
    let mut cells = Vec::with_capacity(rows * columns);
    for r in 0..rows {
        for (c, w) in widths.iter_mut().enumerate() {
            let text = cell(r, c);
            if !plain(&text) {
                return Ok(false);
            }
            let width = text.width();
            *w = (*w).max(width);
            cells.push((text, width));
        }
    }
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let rule = |out: &mut io::BufWriter<&mut dyn Write>, [left, fill, mid, right]: [char; 4]| {
        let mut line = String::new();
        line.push(left);
        for (n, w) in widths.iter().enumerate() {
            if n > 0 {
                line.push(mid);
            }
            line.extend(std::iter::repeat_n(fill, w + 2));
        }
        line.push(right);
        writeln!(out, "{line}")
    };
    let content = |out: &mut io::BufWriter<&mut dyn Write>, texts: &[(Cow<'a, str>, usize)]| {
        out.write_all("│".as_bytes())?;
        for (n, (w, (t, tw))) in widths.iter().zip(texts).enumerate() {
            if n > 0 {
                out.write_all("┆".as_bytes())?;
            }
            out.write_all(b" ")?;
            out.write_all(t.as_bytes())?;
            for _ in *tw..w + 1 {
                out.write_all(b" ")?;
            }
        }
        out.write_all("│\n".as_bytes())
    };
    rule(&mut out, ['┌', '─', '┬', '┐'])?;
    let header: Vec<(Cow<'a, str>, usize)> = header
        .iter()
        .map(|h| (Cow::Borrowed(*h), h.width()))
        .collect();
    content(&mut out, &header)?;
    rule(&mut out, ['╞', '═', '╪', '╡'])?;
    for row in cells.chunks(columns.max(1)) {
        content(&mut out, row)?;
    }
    rule(&mut out, ['└', '─', '┴', '┘'])?;
    out.flush()?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn comfy(header: &[&str], rows: &[Vec<String>]) -> String {
        let mut t = comfy_table::Table::new();
        t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
        t.set_header(header.iter().copied());
        for r in rows {
            t.add_row(r.iter().cloned());
        }
        format!("{t}\n")
    }

    /// None when the table was left to comfy-table.
    fn ours(header: &[&str], rows: &[Vec<String>]) -> Option<String> {
        let mut buf = Vec::new();
        let cell = |r: usize, c: usize| Cow::Borrowed(rows[r][c].as_str());
        let written = write(&mut buf, header, rows.len(), cell).unwrap();
        written.then(|| String::from_utf8(buf).unwrap())
    }

    #[test]
    fn a_small_table_reads_as_comfy_tables_do() {
        let rows = vec![
            vec!["Şuşa".to_string(), "12".into(), String::new()],
            vec!["(none)".into(), "3".into(), "1.5 KiB".into()],
            vec!["漢字の村".into(), "100000".into(), "x".into()],
        ];
        let header = ["Place", "Items", "Total size"];
        let table = ours(&header, &rows).unwrap();
        assert_eq!(table, comfy(&header, &rows));
        assert!(table.starts_with("┌"), "{table}");
    }

    #[test]
    fn line_breaks_and_control_characters_are_left_to_comfy_table() {
        for odd in ["two\nlines", "a\tb", "\u{1b}[31mred"] {
            let rows = vec![vec!["fine".to_string()], vec![odd.to_string()]];
            assert_eq!(ours(&["Header"], &rows), None, "{odd:?}");
        }
    }

    proptest! {
        #[test]
        fn identical_to_comfy_table_where_nothing_wraps(
            rows in prop::collection::vec(
                prop::collection::vec("[ -~éŞş漢字😀\u{301}\u{200b}]{0,12}", 3),
                1..12,
            )
        ) {
            let header = ["Narrator", "Anonymity", "Testimonies"];
            let plain = rows.iter().flatten().all(|c| !c.chars().any(char::is_control));
            prop_assume!(plain);
            prop_assert_eq!(ours(&header, &rows), Some(comfy(&header, &rows)));
        }
    }
}
