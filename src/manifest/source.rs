//! Reading manifest records one at a time from CSV (header row) or JSON
//! Lines, mapping column names to [`Field`]s. Problems of form (unknown or
//! repeated columns, ragged rows, text that is not UTF-8, lines that are not
//! JSON objects) come out as records too, so `check` can list them all.
//! Nothing here interprets a value, and no problem carries one.

use std::collections::{HashSet, VecDeque};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde_json::Value;

use super::{Field, Format, Options, Problem};
use crate::error::{Error, Result};

/// A data row: its number, its non-empty values (trimmed), and problems
/// of form found while reading it (the rest of the row is still checked).
pub(super) struct RawRow {
    pub row: u64,
    pub values: Vec<(Field, String)>,
    pub problems: Vec<Problem>,
}

pub(super) enum Record {
    Row(RawRow),
    /// A data row that could not be read at all (it still counts as a row).
    BadRow(Problem),
    /// A problem of the manifest as a whole (its header).
    Problem(Problem),
}

pub(super) struct Source {
    inner: Inner,
    /// Problems found before the first row (the header), emitted first.
    queued: VecDeque<Problem>,
    /// After a fatal header problem there is nothing to read.
    done: bool,
}

enum Inner {
    Csv {
        reader: csv::Reader<BufReader<File>>,
        columns: Vec<Option<Field>>,
        record: csv::ByteRecord,
        row: u64,
        path: std::path::PathBuf,
    },
    Jsonl {
        reader: BufReader<File>,
        line: u64,
        buf: Vec<u8>,
        ignore_unknown: bool,
        reported: HashSet<String>,
        path: std::path::PathBuf,
    },
}

fn problem(row: u64, column: Option<&str>, reason: impl Into<String>) -> Problem {
    Problem {
        row,
        column: column.map(str::to_string),
        value: None,
        reason: reason.into(),
    }
}

pub(super) fn open(path: &Path, opts: &Options) -> Result<Source> {
    let format = Format::from_path(path)?;
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut queued = VecDeque::new();
    let mut done = false;
    let inner = match format {
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(true)
                .flexible(true)
                .from_reader(BufReader::new(file));
            let headers = reader
                .byte_headers()
                .map_err(|e| csv_error(path, e))?
                .clone();
            let columns = header_columns(&headers, opts, &mut queued, &mut done);
            Inner::Csv {
                reader,
                columns,
                record: csv::ByteRecord::new(),
                row: 1,
                path: path.to_path_buf(),
            }
        }
        Format::Jsonl => Inner::Jsonl {
            reader: BufReader::new(file),
            line: 0,
            buf: Vec::new(),
            ignore_unknown: opts.ignore_unknown,
            reported: HashSet::new(),
            path: path.to_path_buf(),
        },
    };
    Ok(Source {
        inner,
        queued,
        done,
    })
}

/// Maps header cells to fields; unknown, repeated or missing columns become
/// row-1 problems. Without a `path` column no row can be read.
fn header_columns(
    headers: &csv::ByteRecord,
    opts: &Options,
    queued: &mut VecDeque<Problem>,
    done: &mut bool,
) -> Vec<Option<Field>> {
    let mut columns = Vec::with_capacity(headers.len());
    let mut seen = HashSet::new();
    for (i, cell) in headers.iter().enumerate() {
        let Ok(name) = std::str::from_utf8(cell) else {
            queued.push_back(problem(1, None, format!("column {} has a name that is not UTF-8 text; save the spreadsheet as CSV UTF-8", i + 1)));
            columns.push(None);
            continue;
        };
        // Spreadsheets often save CSV with a byte-order mark.
        let name = name.trim_start_matches('\u{feff}').trim();
        match Field::from_name(name) {
            Some(f) if !seen.insert(f) => {
                queued.push_back(problem(1, Some(f.name()), "this column appears twice"));
                columns.push(None);
            }
            Some(f) => columns.push(Some(f)),
            None => {
                if !opts.ignore_unknown && !name.is_empty() {
                    queued.push_back(Problem {
                        row: 1,
                        column: Some(name.to_string()),
                        value: None,
                        reason: unknown_column(name),
                    });
                }
                columns.push(None);
            }
        }
    }
    if !seen.contains(&Field::Path) {
        queued.push_back(problem(
            1,
            Some("path"),
            "the header row has no path column (the file each row describes, relative to the manifest)",
        ));
        *done = true;
    }
    columns
}

fn unknown_column(name: &str) -> String {
    let best = Field::ALL
        .iter()
        .map(|f| {
            (
                strsim::jaro_winkler(&name.to_ascii_lowercase(), f.name()),
                f,
            )
        })
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let hint = match best {
        Some((score, f)) if score > 0.85 => format!("; did you mean {}?", f.name()),
        _ => String::new(),
    };
    format!("unknown column{hint} (rename it, remove it, or pass --ignore-unknown)")
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, io),
        other => Error::usage(format!(
            "{}: not readable as CSV: {other:?}",
            path.display()
        )),
    }
}

impl Source {
    pub fn next_record(&mut self) -> Option<Result<Record>> {
        if let Some(p) = self.queued.pop_front() {
            return Some(Ok(Record::Problem(p)));
        }
        if self.done {
            return None;
        }
        match &mut self.inner {
            Inner::Csv {
                reader,
                columns,
                record,
                row,
                path,
            } => loop {
                match reader.read_byte_record(record) {
                    Ok(false) => return None,
                    Ok(true) => {}
                    Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                        return Some(Err(csv_error(path, e)))
                    }
                    Err(e) => {
                        *row += 1;
                        return Some(Ok(Record::BadRow(problem(
                            *row,
                            None,
                            format!("not readable as CSV: {}", csv_reason(&e)),
                        ))));
                    }
                }
                *row += 1;
                if record.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
                    continue; // a blank row a spreadsheet left at the end
                }
                return Some(Ok(csv_row(*row, columns, record)));
            },
            Inner::Jsonl {
                reader,
                line,
                buf,
                ignore_unknown,
                reported,
                path,
            } => loop {
                buf.clear();
                match reader.read_until(b'\n', buf) {
                    Ok(0) => return None,
                    Ok(_) => {}
                    Err(e) => return Some(Err(Error::io(path.as_path(), e))),
                }
                *line += 1;
                if buf.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                return Some(Ok(json_row(*line, buf, *ignore_unknown, reported)));
            },
        }
    }
}

fn csv_reason(e: &csv::Error) -> String {
    // Only the kind: csv's messages can quote the record's bytes.
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "text that is not UTF-8".into(),
        _ => "malformed quoting or record".into(),
    }
}

fn csv_row(row: u64, columns: &[Option<Field>], record: &csv::ByteRecord) -> Record {
    if record.len() != columns.len() {
        return Record::BadRow(problem(
            row,
            None,
            format!(
                "has {} cells but the header has {} columns",
                record.len(),
                columns.len()
            ),
        ));
    }
    let mut values = Vec::new();
    let mut problems = Vec::new();
    for (cell, col) in record.iter().zip(columns) {
        let Some(field) = col else { continue };
        match std::str::from_utf8(cell) {
            Ok(s) if s.trim().is_empty() => {}
            Ok(s) => values.push((*field, s.trim().to_string())),
            Err(_) => problems.push(problem(
                row,
                Some(field.name()),
                "text that is not UTF-8; save the spreadsheet as CSV UTF-8",
            )),
        }
    }
    Record::Row(RawRow {
        row,
        values,
        problems,
    })
}

fn json_row(
    line: u64,
    bytes: &[u8],
    ignore_unknown: bool,
    reported: &mut HashSet<String>,
) -> Record {
    // Parse to a Value first: serde_json's syntax errors give positions only,
    // while type errors would quote the value.
    let obj = match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(o)) => o,
        Ok(_) => return Record::BadRow(problem(line, None, "not a JSON object")),
        Err(e) => {
            return Record::BadRow(problem(
                line,
                None,
                format!("not valid JSON (column {})", e.column()),
            ))
        }
    };
    let mut values: Vec<(Field, String)> = Vec::new();
    let mut problems = Vec::new();
    for (key, v) in obj {
        let Some(field) = Field::from_name(&key) else {
            if !ignore_unknown && reported.insert(key.clone()) {
                problems.push(Problem {
                    row: line,
                    column: Some(key.clone()),
                    value: None,
                    reason: unknown_column(&key) + " (reported once, where first seen)",
                });
            }
            continue;
        };
        if values.iter().any(|(f, _)| *f == field) {
            problems.push(problem(line, Some(field.name()), "this key appears twice"));
            continue;
        }
        let list = matches!(field, Field::Events | Field::Places | Field::Subjects);
        let text = match v {
            Value::Null => continue,
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Array(items) if list => {
                let mut parts = Vec::new();
                for it in items {
                    match it {
                        Value::String(s) if !s.contains(';') => parts.push(s),
                        _ => {
                            problems.push(problem(
                                line,
                                Some(field.name()),
                                "a list holds strings without ';'",
                            ));
                            break;
                        }
                    }
                }
                parts.join(";")
            }
            _ => {
                let want = if list {
                    "text or a list of strings"
                } else {
                    "text"
                };
                problems.push(problem(
                    line,
                    Some(field.name()),
                    format!("expected {want}"),
                ));
                continue;
            }
        };
        if !text.trim().is_empty() {
            values.push((field, text.trim().to_string()));
        }
    }
    Record::Row(RawRow {
        row: line,
        values,
        problems,
    })
}
