//! `custos query`: find items with the query language; `custos fields`:
//! the fields it understands. Every row comes shaped by the policy.

use std::path::Path;

use serde_json::{Map, Value};

use custos::archive::Mode;
use custos::cli::{FieldsArgs, QueryArgs};
use custos::error::{Error, Result};
use custos::output::{self, bytes_col, col, hash_col, Column, Format};
use custos::query::{self, Options, Plan};

/// Keys a query row has beyond the shaped item (`query::raw::item_keys`)
/// and the extras of `query::EXTRA_KEYS`.
const ROW_EXTRA_KEYS: &[&str] = &[
    "withdrawn_on",
    "withdrawal_reason",
    "deaccessioned_on",
    "deaccession_reason",
    "snippet",
    "segments",
];

/// Every key a query row can have.
fn row_keys() -> impl Iterator<Item = &'static str> {
    query::raw::item_keys()
        .into_iter()
        .chain(ROW_EXTRA_KEYS.iter().copied())
        .chain(query::EXTRA_KEYS.iter().copied())
}

const TABLE_COLUMNS: &[Column] = &[
    col("id", "ID"),
    col("title", "Title"),
    col("kind", "Kind"),
    col("date", "Date"),
    col("access", "Access"),
];

fn known_key(name: &str) -> Option<&'static str> {
    row_keys().find(|k| *k == name)
}

fn field_columns(fields: &[String]) -> Result<Vec<Column>> {
    fields
        .iter()
        .map(|f| {
            let name = f.trim();
            let key = known_key(name).ok_or_else(|| {
                let all: Vec<&str> = row_keys().collect();
                let near = all
                    .iter()
                    .min_by_key(|k| strsim::damerau_levenshtein(name, k))
                    .copied()
                    .unwrap_or("id");
                Error::usage(format!(
                    "--fields: unknown field {name:?}; did you mean {near:?}? Known: {}",
                    all.join(", ")
                ))
            })?;
            Ok(match key {
                "size" => bytes_col(key, key),
                "sha256" => hash_col(key, key),
                _ => col(key, key),
            })
        })
        .collect()
}

pub fn run(archive_arg: Option<&Path>, a: QueryArgs) -> Result<()> {
    let q = query::parse(&a.terms)?;
    let chosen = field_columns(&a.fields)?;
    let archive = super::open(archive_arg, Mode::Read)?;
    let access = super::access(&archive, &a.access)?;
    let extra: Vec<String> = chosen
        .iter()
        .filter(|c| query::EXTRA_KEYS.contains(&c.key))
        .map(|c| c.key.to_string())
        .collect();
    let opts = Options {
        access,
        today: custos::clock::today(),
        sort: a.sort.as_deref(),
        limit: a.limit,
        offset: a.offset,
        extra: &extra,
        // So that `--sql` prints exactly what would run.
        dates: query::DateShape::of(&archive)?,
    };
    let mut out = super::Stdout::new();
    if a.sql {
        let plan = if a.count {
            query::count_plan(&q, &opts)?
        } else {
            query::select_plan(&q, &opts)?
        };
        print_plan(out.w(), a.output.format, &plan)?;
        return out.finish();
    }
    if a.count {
        let n = query::count(&archive, &q, &opts)?;
        writeln!(out.w(), "{n}").map_err(Error::stdout)?;
        return out.finish();
    }
    let listed = query::run(&archive, &q, &opts)?;
    let has_snippet = listed.iter().any(|r| r.snippet.is_some());
    let has_times = listed
        .iter()
        .any(|r| r.segments.as_ref().is_some_and(|s| !s.is_empty()));
    let mut rows = output::to_values(&listed)?;
    if a.output.format == Format::Table && has_times {
        // Where in the recording the words are: time codes in the table.
        for (row, l) in rows.iter_mut().zip(&listed) {
            let times: Vec<String> = l
                .segments
                .iter()
                .flatten()
                .filter_map(|h| Some(format!("{}–{}", h.start.as_deref()?, h.end.as_deref()?)))
                .collect();
            if let Some(m) = row.as_object_mut() {
                m.insert("time_codes".into(), times.join(", ").into());
            }
        }
    }
    let cols: Vec<Column> = if !chosen.is_empty() {
        rows = rows.into_iter().map(|r| project(r, &chosen)).collect();
        chosen
    } else {
        let mut c: Vec<Column> = match a.output.format {
            Format::Table => TABLE_COLUMNS.to_vec(),
            _ => custos::fields::all_columns(),
        };
        if has_snippet {
            c.push(col("snippet", "Snippet"));
        }
        if a.output.format == Format::Table && has_times {
            c.push(col("time_codes", "Said at"));
        }
        c
    };
    output::render_list(out.w(), a.output.format, &cols, &rows)?;
    out.finish()?;
    if rows.is_empty() && a.output.format == Format::Table {
        super::note("no items match");
    }
    Ok(())
}

use std::io::Write;

/// Only the chosen keys, in the chosen order.
fn project(row: Value, cols: &[Column]) -> Value {
    let mut m = Map::new();
    for c in cols {
        m.insert(c.key.into(), row.get(c.key).cloned().unwrap_or(Value::Null));
    }
    Value::Object(m)
}

fn print_plan(out: &mut dyn Write, format: Format, plan: &Plan) -> Result<()> {
    let params = plan.params_json();
    match format {
        Format::Json | Format::Jsonl => {
            let v = serde_json::json!({ "sql": plan.sql, "params": params });
            let s = if format == Format::Json {
                serde_json::to_string_pretty(&v)
            } else {
                serde_json::to_string(&v)
            }
            .map_err(|e| Error::Failed(format!("cannot render JSON: {e}")))?;
            writeln!(out, "{s}").map_err(Error::stdout)?;
        }
        _ => {
            writeln!(out, "{};", plan.sql).map_err(Error::stdout)?;
            for (n, p) in params.iter().enumerate() {
                writeln!(out, "-- ?{} = {p}", n + 1).map_err(Error::stdout)?;
            }
        }
    }
    Ok(())
}

pub fn fields(a: FieldsArgs) -> Result<()> {
    const COLS: &[Column] = &[
        col("name", "Field"),
        col("type", "Type"),
        col("sortable", "Sort"),
        col("example", "Example"),
        col("description", "Description"),
    ];
    let rows: Vec<Value> = query::fields::describe()
        .iter()
        .map(output::to_value)
        .collect::<Result<_>>()?;
    let mut out = super::Stdout::new();
    output::render_list(out.w(), a.output.format, COLS, &rows)?;
    out.finish()
}
