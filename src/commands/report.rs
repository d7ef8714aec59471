//! `custos report NAME`: run a report and render its sections — titled
//! tables with totals rows, or JSON/JSONL/CSV/TSV rows.

use std::io::Write;
use std::path::Path;

use serde_json::{Map, Value};

use crate::archive::Mode;
use crate::cli::{ReportArgs, ReportName};
use crate::error::{Error, Result};
use crate::output::{self, col, Column, Format};
use crate::report::{self, Reader, Report};

pub fn run(archive_arg: Option<&Path>, a: ReportArgs) -> Result<()> {
    let within = report::parse_days(&a.within)?;
    let since = a
        .since
        .as_deref()
        .map(|s| report::parse_day("since", s, false))
        .transpose()?;
    // Timestamps are compared as text: "before the day after --until".
    let until_next = a
        .until
        .as_deref()
        .map(|s| report::parse_day("until", s, true))
        .transpose()?
        .map(|d| {
            chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.succ_opt())
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or(d)
        });
    let archive = super::open(archive_arg, Mode::Read)?;
    let reader = Reader {
        access: super::access(&archive, &a.access)?,
        today: crate::clock::today(),
    };
    let conn = archive.conn();
    let rep = match a.name {
        ReportName::Consent => report::consent(conn, reader, within)?,
        ReportName::Holdings => report::holdings(conn, reader, a.by)?,
        ReportName::Accessions => {
            report::accessions(conn, reader, since.as_deref(), until_next.as_deref())?
        }
        ReportName::Narrators => report::narrators(conn, reader)?,
        ReportName::Fixity => report::fixity(conn, reader)?,
    };
    for n in &rep.notes {
        super::note(n);
    }
    let mut out = super::Stdout::new();
    render(out.w(), a.output.format, &rep)?;
    out.finish()
}

fn render(out: &mut dyn Write, format: Format, rep: &Report) -> Result<()> {
    let single = rep.sections.len() == 1;
    match format {
        Format::Table => {
            for (n, s) in rep.sections.iter().enumerate() {
                if n > 0 {
                    writeln!(out).map_err(Error::stdout)?;
                }
                writeln!(out, "{}", s.title).map_err(Error::stdout)?;
                if s.rows.is_empty() {
                    writeln!(out, "  (none)").map_err(Error::stdout)?;
                    continue;
                }
                let first = s.columns.first().map(|c| c.key).unwrap_or("");
                let mut rows: Vec<Value> = s
                    .rows
                    .iter()
                    .map(|r| {
                        let mut r = r.clone();
                        if let Some(obj) = r.as_object_mut() {
                            if let Some(v) = obj.get(first) {
                                let label = report::none_label(v);
                                obj.insert(first.into(), label);
                            }
                        }
                        r
                    })
                    .collect();
                rows.extend(s.total.iter().cloned());
                output::render_list(out, Format::Table, &s.columns, &rows)?;
            }
        }
        Format::Json => {
            let v = if single {
                Value::Array(rep.sections[0].rows.clone())
            } else {
                let mut m = Map::new();
                for s in &rep.sections {
                    m.insert(s.key.into(), Value::Array(s.rows.clone()));
                }
                Value::Object(m)
            };
            output::render_record(out, Format::Json, &[], &v)?;
        }
        Format::Jsonl | Format::Csv | Format::Tsv => {
            // Several sections share one stream: each row says its section.
            let mut cols: Vec<Column> = Vec::new();
            if !single {
                cols.push(col("section", "section"));
            }
            let mut rows = Vec::new();
            for s in &rep.sections {
                for c in &s.columns {
                    if !cols.iter().any(|x| x.key == c.key) {
                        cols.push(*c);
                    }
                }
                for r in &s.rows {
                    let mut m = Map::new();
                    if !single {
                        m.insert("section".into(), s.key.into());
                    }
                    if let Some(obj) = r.as_object() {
                        m.extend(obj.clone());
                    }
                    rows.push(Value::Object(m));
                }
            }
            output::render_list(out, format, &cols, &rows)?;
        }
    }
    Ok(())
}
