//! Rendering records for stdout: table (comfy-table), json, jsonl, csv, tsv.
//!
//! Records arrive already filtered and shaped; this module only formats.
//! JSON keeps every key of a record in declaration order; table, csv and tsv
//! show the columns a command chooses. It writes data only: no banners, no
//! messages (those go to stderr from `commands`). Every table cell and
//! header is escaped for the terminal, and every text cell of CSV and TSV
//! for spreadsheets (see `escape`); JSON spells the same characters as
//! `\uXXXX` escapes (see `json`).

mod detail;
pub mod escape;
pub mod json;
mod table;
mod width;

pub use width::table_width;

use std::borrow::Cow;
use std::io::Write;

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use serde::Serialize;
use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for reading.
    Table,
    /// One JSON document (an array for listings; `[]` when empty).
    Json,
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated, with a header row.
    Csv,
    /// Tab-separated, with a header row; backslashes, tabs and line breaks
    /// in values escaped (`\\`, `\t`, `\n`, `\r`).
    Tsv,
}

/// How a column's values read in a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    /// Byte counts as KiB/MiB in tables; exact numbers elsewhere.
    Bytes,
    /// A SHA-256 digest: its first 12 hex digits in listing tables (enough
    /// to tell objects apart by eye); whole in records, JSON, CSV and TSV.
    Hash,
    /// An event's JSON detail: one readable `key: value` line per key in
    /// tables; the JSON itself elsewhere.
    Detail,
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub key: &'static str,
    pub header: &'static str,
    pub style: Style,
}

pub const fn col(key: &'static str, header: &'static str) -> Column {
    Column {
        key,
        header,
        style: Style::Plain,
    }
}

pub const fn bytes_col(key: &'static str, header: &'static str) -> Column {
    Column {
        key,
        header,
        style: Style::Bytes,
    }
}

pub const fn hash_col(key: &'static str, header: &'static str) -> Column {
    Column {
        key,
        header,
        style: Style::Hash,
    }
}

pub const fn detail_col(key: &'static str, header: &'static str) -> Column {
    Column {
        key,
        header,
        style: Style::Detail,
    }
}

/// Serialises a record to a JSON object.
pub fn to_value<T: Serialize>(record: &T) -> Result<Value> {
    serde_json::to_value(record).map_err(|e| Error::Failed(format!("cannot render record: {e}")))
}

/// Typed rows as JSON records, for the renderers.
pub fn to_values<T: Serialize>(rows: &[T]) -> Result<Vec<Value>> {
    rows.iter().map(to_value).collect()
}

/// Renders a listing. `columns` choose what tables and csv/tsv show; JSON
/// carries whole records.
pub fn render_list(
    out: &mut dyn Write,
    format: Format,
    columns: &[Column],
    rows: &[Value],
) -> Result<()> {
    match format {
        Format::Json => {
            json::write(&mut *out, rows, true).map_err(json_err)?;
            writeln!(out).map_err(Error::stdout)?;
        }
        Format::Jsonl => {
            for r in rows {
                json::write(&mut *out, r, false).map_err(json_err)?;
                writeln!(out).map_err(Error::stdout)?;
            }
        }
        Format::Csv | Format::Tsv => write_delimited(out, format, columns, rows)?,
        Format::Table => {
            if rows.is_empty() {
                return Ok(());
            }
            // `sql` makes headers of the user's column names.
            let headers: Vec<Cow<'_, str>> = columns
                .iter()
                .map(|c| escape::terminal(c.header, false))
                .collect();
            let width = table_width();
            // Nothing wraps where no width applies: the fast writer.
            if width.is_none() {
                let header: Vec<&str> = headers.iter().map(|h| h.as_ref()).collect();
                let cell = |r: usize, c: usize| {
                    let col = &columns[c];
                    cell_text(rows[r].get(col.key), col.style)
                };
                if table::write(out, &header, rows.len(), cell).map_err(Error::stdout)? {
                    return Ok(());
                }
            }
            let mut t = new_table(width);
            t.set_header(headers.iter().map(|h| h.as_ref()));
            let mut widest = vec![0usize; columns.len()];
            for r in rows {
                let cells: Vec<Cow<'_, str>> = columns
                    .iter()
                    .map(|c| cell_text(r.get(c.key), c.style))
                    .collect();
                for (w, c) in widest.iter_mut().zip(&cells) {
                    *w = (*w).max(c.lines().map(|l| l.width()).max().unwrap_or(0));
                }
                t.add_row(cells);
            }
            // Short values (ids, times, event names) stay whole; the long
            // ones (titles, paths, details) take the wrapping.
            // At most half the width is held this way, narrowest first,
            // so the long columns keep room to be read.
            let mut short: Vec<(usize, usize)> = widest
                .into_iter()
                .enumerate()
                .filter(|&(_, w)| w <= SHORT_CELL)
                .collect();
            short.sort_by_key(|&(_, w)| w);
            let budget = usize::from(width.unwrap_or(u16::MAX)) / 2;
            let mut held = 0;
            for (n, w) in short {
                held += w + 3;
                if held > budget {
                    break;
                }
                if let Some(c) = t.column_mut(n) {
                    c.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
                }
            }
            writeln!(out, "{t}").map_err(Error::stdout)?;
        }
    }
    Ok(())
}

/// Renders one record as field/value lines (tables) or one object (JSON).
pub fn render_record(
    out: &mut dyn Write,
    format: Format,
    columns: &[Column],
    record: &Value,
) -> Result<()> {
    match format {
        Format::Json => {
            json::write(&mut *out, record, true).map_err(json_err)?;
            writeln!(out).map_err(Error::stdout)?;
        }
        Format::Jsonl => {
            json::write(&mut *out, record, false).map_err(json_err)?;
            writeln!(out).map_err(Error::stdout)?;
        }
        Format::Csv | Format::Tsv => {
            write_delimited(out, format, columns, std::slice::from_ref(record))?
        }
        Format::Table => {
            let mut t = new_table(table_width());
            for c in columns {
                // A record has room for a whole digest, and is where one
                // copies it from.
                let style = match c.style {
                    Style::Hash => Style::Plain,
                    s => s,
                };
                t.add_row(vec![
                    escape::terminal(c.header, false).into_owned(),
                    cell_text(record.get(c.key), style).into_owned(),
                ]);
            }
            writeln!(out, "{t}").map_err(Error::stdout)?;
        }
    }
    Ok(())
}

/// A titled sub-table under a record (provenance, events) in table format.
pub fn render_section(
    out: &mut dyn Write,
    title: &str,
    columns: &[Column],
    rows: &[Value],
) -> Result<()> {
    writeln!(out, "\n{title}").map_err(Error::stdout)?;
    if rows.is_empty() {
        writeln!(out, "  (none)").map_err(Error::stdout)?;
        return Ok(());
    }
    render_list(out, Format::Table, columns, rows)
}

/// Cells at most this wide are never wrapped in a table that must fit.
const SHORT_CELL: usize = 20;

/// A table laid out for `width` columns, or unwrapped where none applies.
fn new_table(width: Option<u16>) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    match width {
        Some(w) => {
            t.set_width(w);
        }
        // comfy-table would ask the terminal itself; a pipe is not one.
        None => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    t
}

fn write_delimited(
    out: &mut dyn Write,
    format: Format,
    columns: &[Column],
    rows: &[Value],
) -> Result<()> {
    let tsv = format == Format::Tsv;
    let mut w = csv::WriterBuilder::new()
        .delimiter(if tsv { b'\t' } else { b',' })
        .quote_style(if tsv {
            csv::QuoteStyle::Never
        } else {
            csv::QuoteStyle::Necessary
        })
        .from_writer(out);
    let cell = |v: String| if tsv { escape_tsv(&v) } else { v };
    w.write_record(
        columns
            .iter()
            .map(|c| cell(escape::spreadsheet(c.key).into_owned())),
    )
    .map_err(csv_err)?;
    for r in rows {
        w.write_record(columns.iter().map(|c| cell(delimited_cell(r.get(c.key)))))
            .map_err(csv_err)?;
    }
    w.flush().map_err(Error::stdout)?;
    Ok(())
}

/// A value as plain text: null is empty, arrays are joined with "; ".
pub fn plain(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| plain(Some(x)))
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
    }
}

/// A value as a CSV or TSV cell: as [`plain`], text that a spreadsheet
/// would run as a formula prefixed with `'`. Numbers, booleans and nulls
/// are not text and stay as they are (`-5` is a number, not a formula).
pub fn delimited_cell(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(_)) | Some(Value::Array(_)) => owned(plain(v), escape::spreadsheet),
        _ => plain(v),
    }
}

/// A value as a table cell, escaped for the terminal.
fn cell_text(v: Option<&Value>, style: Style) -> Cow<'_, str> {
    match (style, v) {
        (Style::Bytes, Some(Value::Number(n))) => n
            .as_u64()
            .map(human_bytes)
            .unwrap_or_else(|| n.to_string())
            .into(),
        (Style::Hash, Some(Value::String(s))) if s.len() == 64 && s.is_ascii() => {
            Cow::Borrowed(&s[..12])
        }
        (Style::Detail, Some(d @ Value::Object(_))) => {
            owned(detail::readable(d), |s| escape::terminal(s, true)).into()
        }
        (_, Some(Value::String(s))) => escape::terminal(s, false),
        _ => owned(plain(v), |s| escape::terminal(s, false)).into(),
    }
}

/// `s` passed through a transformation that usually changes nothing,
/// without copying it then.
fn owned(s: String, f: impl Fn(&str) -> Cow<'_, str>) -> String {
    let changed = match f(&s) {
        Cow::Owned(o) => Some(o),
        Cow::Borrowed(_) => None,
    };
    changed.unwrap_or(s)
}

pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

fn escape_tsv(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn json_err(e: serde_json::Error) -> Error {
    if e.is_io() {
        Error::stdout(std::io::Error::from(e))
    } else {
        Error::Failed(format!("cannot render JSON: {e}"))
    }
}

fn csv_err(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::stdout(io),
        other => Error::Failed(format!("cannot render CSV: {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const COLS: &[Column] = &[
        col("id", "ID"),
        col("title", "Title"),
        bytes_col("size", "Size"),
    ];

    fn render(format: Format, rows: &[Value]) -> String {
        let mut buf = Vec::new();
        render_list(&mut buf, format, COLS, rows).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn empty_json_is_an_empty_array() {
        assert_eq!(render(Format::Json, &[]).trim(), "[]");
        assert_eq!(render(Format::Jsonl, &[]), "");
        assert_eq!(render(Format::Csv, &[]).trim(), "id,title,size");
    }

    #[test]
    fn csv_quotes_and_tsv_escapes() {
        let rows = [json!({"id": 1, "title": "a, \"b\"\tc\nd", "size": 2048})];
        assert_eq!(
            render(Format::Csv, &rows),
            "id,title,size\n1,\"a, \"\"b\"\"\tc\nd\",2048\n"
        );
        assert_eq!(
            render(Format::Tsv, &rows),
            "id\ttitle\tsize\n1\ta, \"b\"\\tc\\nd\t2048\n"
        );
        let table = render(Format::Table, &rows);
        assert!(table.contains("2.0 KiB"), "{table}");
    }

    #[test]
    fn tables_escape_control_characters_on_both_paths() {
        let esc = json!({"id": 1, "title": "\u{1b}]0;pwned\u{7}\u{1b}[31mred\u{202e}", "size": 1});
        // Without a line break the direct writer lays the table out; with
        // one, comfy-table does.
        let wrapped = json!({"id": 2, "title": "two\nlines", "size": 1});
        for rows in [vec![esc.clone()], vec![esc, wrapped]] {
            let table = render(Format::Table, &rows);
            assert!(
                !table.contains('\u{1b}') && !table.contains('\u{202e}'),
                "{table}"
            );
            assert!(
                table.contains("\\x1b]0;pwned\\x07\\x1b[31mred\\u{202e}"),
                "{table}"
            );
        }
        let mut buf = Vec::new();
        let header = [col("id", "\u{1b}[2J")];
        render_list(&mut buf, Format::Table, &header, &[json!({"id": 1})]).unwrap();
        let table = String::from_utf8(buf).unwrap();
        assert!(table.contains("\\x1b[2J"), "{table}");
        let mut buf = Vec::new();
        render_record(
            &mut buf,
            Format::Table,
            COLS,
            &json!({"id": 1, "title": "\u{9b}x"}),
        )
        .unwrap();
        assert!(String::from_utf8(buf).unwrap().contains("\\u{9b}x"));
    }

    #[test]
    fn delimited_text_cells_never_start_a_formula() {
        let rows = [json!({"id": -5, "title": "=1+1", "size": "-5"})];
        assert_eq!(render(Format::Csv, &rows), "id,title,size\n-5,'=1+1,'-5\n");
        let rows = [json!({"id": 1, "title": "\t@x", "size": ["-a", "b"]})];
        assert_eq!(
            render(Format::Tsv, &rows),
            "id\ttitle\tsize\n1\t'\\t@x\t'-a; b\n"
        );
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024), "5.0 MiB");
    }
}
