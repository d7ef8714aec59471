//! `custos report NAME`: run a report and render its sections — titled
//! tables with totals rows, or JSON/JSONL/CSV/TSV rows.

use std::io::Write;
use std::path::Path;

use serde_json::{Map, Value};

use custos::archive::Mode;
use custos::cli::{ReportArgs, ReportName};
use custos::error::{Error, Result};
use custos::output::{self, col, Column, Format};
use custos::report::{self, Reader, Report, Which};

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
        today: custos::clock::today(),
    };
    let which = match a.name {
        ReportName::Consent => Which::Consent {
            within_days: within,
        },
        ReportName::Holdings => Which::Holdings(a.by),
        ReportName::Accessions if a.items || since.is_some() || until_next.is_some() => {
            Which::Accessions {
                since: since.as_deref(),
                until_next: until_next.as_deref(),
            }
        }
        ReportName::Accessions => Which::AccessionGroups,
        ReportName::Narrators => Which::Narrators,
        ReportName::Fixity => Which::Fixity,
        // Claims are read through the claims reader (`commands::claim`).
        ReportName::Claims => return super::claim::report(archive_arg, &a),
    };
    let rep = report::make(&archive, reader, which)?;
    for n in &rep.notes {
        super::note(n);
    }
    let mut out = super::Stdout::new();
    render(out.w(), a.output.format, rep)?;
    out.finish()
}

/// Takes the report by value: a register can hold a hundred thousand rows,
/// and rendering moves them rather than copying each.
pub(crate) fn render(out: &mut dyn Write, format: Format, rep: Report) -> Result<()> {
    let single = rep.sections.len() == 1;
    match format {
        Format::Table => {
            for (n, s) in rep.sections.into_iter().enumerate() {
                if n > 0 {
                    writeln!(out).map_err(Error::stdout)?;
                }
                let title = output::escape::terminal_line(&s.title);
                writeln!(out, "{title}").map_err(Error::stdout)?;
                if s.rows.is_empty() {
                    writeln!(out, "  (none)").map_err(Error::stdout)?;
                    continue;
                }
                let first = s.columns.first().map(|c| c.key).unwrap_or("");
                let mut rows = s.rows;
                for r in &mut rows {
                    if let Some(v) = r.get_mut(first).filter(|v| v.is_null()) {
                        *v = report::NONE_LABEL.into();
                    }
                }
                rows.extend(s.total);
                output::render_list(out, Format::Table, &s.columns, &rows)?;
            }
        }
        Format::Json => {
            let v = if single {
                rep.sections
                    .into_iter()
                    .next()
                    .map_or(Value::Array(Vec::new()), |s| Value::Array(s.rows))
            } else {
                let mut m = Map::new();
                for s in rep.sections {
                    m.insert(s.key.into(), Value::Array(s.rows));
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
            for s in rep.sections {
                for c in &s.columns {
                    if !cols.iter().any(|x| x.key == c.key) {
                        cols.push(*c);
                    }
                }
                for r in s.rows {
                    let mut m = Map::new();
                    if !single {
                        m.insert("section".into(), s.key.into());
                    }
                    if let Value::Object(obj) = r {
                        m.extend(obj);
                    }
                    rows.push(Value::Object(m));
                }
            }
            output::render_list(out, format, &cols, &rows)?;
        }
    }
    Ok(())
}
