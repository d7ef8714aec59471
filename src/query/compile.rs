//! AST → a parameterized WHERE clause and ORDER BY, with the access policy
//! woven in.
//!
//! SQL text comes only from the field allow-list and fixed fragments here;
//! every user value is a bound `?` parameter (positional, in textual order).
//! Every query is limited to what `policy::sql::listed` lets through, and an
//! alternative with any term beyond id, kind, collection and access (or any
//! full-text term) is further limited to `policy::sql::open`, so a closed,
//! embargoed or withdrawn item is never found by its title, text, date or
//! narrator — not even by a negated term. This module must not shape or
//! filter rows in Rust: everything it decides is in the SQL it returns.

use chrono::NaiveDate;
use rusqlite::types::Value;
use unicode_normalization::UnicodeNormalization;

use super::fields::{self, Field, Type, Vis};
use super::fulltext::{self, FtsTerm};
use super::parse::{Evidence, Pred, Query, Term};
use crate::error::{Error, Result};
use crate::model::Access;
use crate::policy;
use crate::policy::sql::{self as policy_sql, Filter};

/// A WHERE clause for `items i JOIN objects o` + the policy's facts join +
/// `LEFT JOIN redacted_text rx`, and what the rest of the query needs.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub filter: Filter,
    /// The open predicate applies to every result row.
    pub open_everywhere: bool,
    /// The positive full-text terms, for snippets.
    pub fts: Vec<FtsTerm>,
}

/// Case folding for substring matches on non-ASCII text (SQLite's LIKE
/// folds ASCII only); registered as `custos_fold` on query connections.
pub fn fold(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    nfc.to_lowercase().nfc().collect()
}

/// The user's words as one FTS5 string: inside double quotes nothing is
/// syntax (no NEAR, no column filters, no `*`), so FTS5 cannot be injected.
pub fn fts_string(text: &str) -> String {
    // Invisible characters split words for the tokenizer; a search typed or
    // pasted with one looks for the word a reader sees (as redaction does).
    let text = crate::redact::strip_ignorable(text);
    format!("\"{}\"", text.replace('"', "\"\""))
}

pub(super) struct Sql {
    pub(super) sql: String,
    pub(super) params: Vec<Value>,
}

impl Sql {
    /// SQL with `?` placeholders of its own and their values, in order.
    pub(super) fn push_with(
        &mut self,
        sql: &str,
        params: impl Iterator<Item = Value>,
    ) -> &mut Self {
        self.sql.push_str(sql);
        self.params.extend(params);
        self
    }
    pub(super) fn new() -> Sql {
        Sql {
            sql: String::new(),
            params: Vec::new(),
        }
    }
    pub(super) fn push(&mut self, s: &str) -> &mut Self {
        self.sql.push_str(s);
        self
    }
    pub(super) fn bind(&mut self, v: Value) -> &mut Self {
        self.sql.push('?');
        self.params.push(v);
        self
    }
    fn filter(&mut self, f: &Filter) -> &mut Self {
        self.sql.push_str(&f.sql);
        self.params.extend(f.params.iter().cloned());
        self
    }
    fn append(&mut self, other: Sql) -> &mut Self {
        self.sql.push_str(&other.sql);
        self.params.extend(other.params);
        self
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// The SQL expression a field stands for at this access level.
fn expr(field: &Field, access: Access) -> &'static str {
    match (field.redacted_sql, access) {
        (Some(r), a) if !policy::reads_originals(a) => r,
        _ => field.sql,
    }
}

fn like_pattern(needle: &str) -> String {
    let mut p = String::with_capacity(needle.len() + 2);
    p.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// One term's condition (without negation) and whether it needs the open
/// predicate.
/// What the catalogue's dates look like, so a date range can become one
/// index range. With no open-ended dated item and every interval at most
/// `max_span_days` long, an item overlapping [lo, hi] has its lower bound
/// in [lo - max_span_days, hi]: that redundant bound lets SQLite walk the
/// (kind, date_lower) index from there instead of from the first year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateShape {
    pub closed_only: bool,
    pub max_span_days: Option<i64>,
}

impl DateShape {
    /// Two index look-ups (items_open_dates, items_date_span).
    /// The archive's date shape.
    pub fn of(archive: &crate::archive::Archive) -> Result<DateShape> {
        DateShape::load(archive.conn())
    }

    pub fn load(conn: &rusqlite::Connection) -> Result<DateShape> {
        let open: bool = conn.query_row(
            // INDEXED BY: the planner otherwise prefers scanning a covering index.
            "SELECT EXISTS (SELECT 1 FROM items INDEXED BY items_open_dates
             WHERE (date_lower IS NULL) <> (date_upper IS NULL))",
            [],
            |r| r.get(0),
        )?;
        let span: Option<i64> =
            conn.query_row("SELECT max(date_span) FROM items", [], |r| r.get(0))?;
        Ok(DateShape {
            closed_only: !open,
            max_span_days: span,
        })
    }
}

fn condition(
    pred: &Pred,
    access: Access,
    today: NaiveDate,
    dates: &DateShape,
    fts: &mut Vec<FtsTerm>,
) -> Result<Sql> {
    let mut s = Sql::new();
    match pred {
        Pred::FullText(words) => {
            let t = FtsTerm::new(words);
            s.push("i.id IN (");
            fulltext::items(&mut s, &t, access, None);
            s.push(" UNION ");
            fulltext::timed(&mut s, &t, None, access, today, None);
            s.push(")");
            fts.push(t);
        }
        Pred::Timed { field, words } => {
            let t = FtsTerm::new(words);
            let source = match field.ty {
                Type::Timed(src) => src,
                _ => "cue",
            };
            s.push("i.id IN (");
            fulltext::timed(&mut s, &t, Some(source), access, today, None);
            s.push(")");
            fts.push(t);
        }
        Pred::Text {
            field,
            value,
            exact,
        } => {
            let e = expr(field, access);
            let provenance = e.starts_with("pv.");
            let note = e.starts_with("nt.");
            if provenance {
                s.push("EXISTS (SELECT 1 FROM provenance pv WHERE pv.item_id = i.id AND ");
            }
            if note {
                s.push("EXISTS (SELECT 1 FROM item_notes nt WHERE nt.item_id = i.id AND ");
                if !policy::reads_originals(access) {
                    s.push(policy_sql::NOTES_BELOW_CUSTODIAN).push(" AND ");
                }
            }
            if *exact {
                s.push(e).push(" = ").bind(text(value));
            } else if field.ty == Type::Digest {
                s.push(e).push(" LIKE ").bind(text(&format!("{value}%")));
            } else if value.is_ascii() {
                s.push(e)
                    .push(" LIKE ")
                    .bind(text(&like_pattern(value)))
                    .push(" ESCAPE '\\'");
            } else {
                s.push("instr(custos_fold(")
                    .push(e)
                    .push("), ")
                    .bind(text(&fold(value)))
                    .push(") > 0");
            }
            if provenance || note {
                s.push(")");
            }
        }
        Pred::Number { field, lo, hi } => {
            let e = expr(field, access);
            match (lo, hi) {
                (Some(l), Some(h)) if l == h => {
                    s.push(e).push(" = ").bind(Value::Integer(*l));
                }
                _ => {
                    s.push("(1");
                    if let Some(l) = lo {
                        s.push(" AND ")
                            .push(e)
                            .push(" >= ")
                            .bind(Value::Integer(*l));
                    }
                    if let Some(h) = hi {
                        s.push(" AND ")
                            .push(e)
                            .push(" <= ")
                            .bind(Value::Integer(*h));
                    }
                    s.push(")");
                }
            }
        }
        Pred::Days { field, lo, hi } => {
            s.push("(1");
            match field.ty {
                Type::Date if dates.closed_only => {
                    // Every dated item has both bounds: plain overlap, plus
                    // the redundant lower bound (see DateShape).
                    if let Some(h) = hi {
                        s.push(" AND i.date_lower <= ").bind(text(h));
                    }
                    if let Some(l) = lo {
                        s.push(" AND i.date_upper >= ").bind(text(l));
                        let earliest = NaiveDate::parse_from_str(l, "%Y-%m-%d")
                            .ok()
                            .zip(dates.max_span_days)
                            .and_then(|(d, span)| {
                                d.checked_sub_signed(chrono::Duration::days(span))
                            });
                        if let Some(e) = earliest {
                            s.push(" AND i.date_lower >= ")
                                .bind(text(&e.format("%Y-%m-%d").to_string()));
                        }
                    }
                }
                Type::Coverage => {
                    // Overlap of the period with [lo, hi]; coverage is
                    // rarely set, so no fast path (DateShape) is kept for it.
                    if let Some(h) = hi {
                        s.push(" AND (i.coverage_lower <= ").bind(text(h)).push(
                            " OR (i.coverage_lower IS NULL AND i.coverage_upper IS NOT NULL))",
                        );
                    }
                    if let Some(l) = lo {
                        s.push(" AND (i.coverage_upper >= ").bind(text(l)).push(
                            " OR (i.coverage_upper IS NULL AND i.coverage_lower IS NOT NULL))",
                        );
                    }
                }
                Type::Date => {
                    // Overlap of [date_lower, date_upper] with [lo, hi]; a
                    // NULL bound of a dated item is an open EDTF end.
                    if let Some(h) = hi {
                        s.push(" AND (i.date_lower <= ")
                            .bind(text(h))
                            .push(" OR (i.date_lower IS NULL AND i.date_upper IS NOT NULL))");
                    }
                    if let Some(l) = lo {
                        s.push(" AND (i.date_upper >= ")
                            .bind(text(l))
                            .push(" OR (i.date_upper IS NULL AND i.date_lower IS NOT NULL))");
                    }
                }
                Type::Timestamp => {
                    let e = field.sql;
                    if let Some(l) = lo {
                        s.push(" AND ").push(e).push(" >= ").bind(text(l));
                    }
                    if let Some(h) = hi {
                        // Timestamps are `YYYY-MM-DDThh:mm:ssZ`: before the next day.
                        let next = NaiveDate::parse_from_str(h, "%Y-%m-%d")
                            .ok()
                            .and_then(|d| d.succ_opt())
                            .map(|d| d.format("%Y-%m-%d").to_string())
                            .unwrap_or_else(|| "9999-12-32".into());
                        s.push(" AND ").push(e).push(" < ").bind(text(&next));
                    }
                }
                _ => {
                    let e = field.sql;
                    s.push(" AND ").push(e).push(" IS NOT NULL");
                    if let Some(l) = lo {
                        s.push(" AND ").push(e).push(" >= ").bind(text(l));
                    }
                    if let Some(h) = hi {
                        s.push(" AND ").push(e).push(" <= ").bind(text(h));
                    }
                }
            }
            s.push(")");
        }
        Pred::DateExact { value } => {
            s.push("i.date = ").bind(text(value));
        }
        Pred::Missing { field } => {
            s.push("(i.kind = 'testimony' AND ")
                .push(field.sql)
                .push(" IS NULL)");
        }
        Pred::Choice { field, value } => {
            if field.ty == Type::Access {
                s.filter(&policy_sql::access_class(today));
            } else {
                s.push(field.sql);
            }
            s.push(" = ").bind(text(value));
        }
        Pred::Term { field, key, exact } => {
            let Type::Term(vocab) = field.ty else {
                return Err(Error::Failed(format!("{} is not a term field", field.name)));
            };
            // The vocabulary name is from the allow-list, not the user.
            // Any of the term's names finds it (`catalogue::names`).
            s.push("i.id IN (SELECT it.item_id FROM item_terms it JOIN terms tm ON tm.id = it.term_id WHERE tm.vocab = '")
                .push(vocab.as_str())
                .push("' AND tm.id IN (SELECT tn.term_id FROM term_names tn WHERE ");
            // Or any spelling of one across scripts and diacritics
            // (`names::translit`): place:Xankendi finds Xankəndi.
            let folded = crate::catalogue::names::translit(key);
            if *exact {
                s.push("tn.key = ").bind(text(key));
                if !folded.is_empty() {
                    s.push(" OR custos_translit(tn.key) = ").bind(text(&folded));
                }
            } else {
                s.push("instr(tn.key, ").bind(text(key)).push(") > 0");
                if !folded.is_empty() {
                    s.push(" OR instr(custos_translit(tn.key), ")
                        .bind(text(&folded))
                        .push(") > 0");
                }
            }
            s.push("))");
        }
        Pred::Evidence(ev) => match ev {
            Evidence::None => {
                s.push("(i.kind = 'testimony' AND cc.evidence_item_id IS NULL)");
            }
            Evidence::Any => {
                s.push("cc.evidence_item_id IS NOT NULL");
            }
            Evidence::Item(id) => {
                s.push("cc.evidence_item_id = ").bind(Value::Integer(*id));
            }
        },
    }
    Ok(s)
}

/// What a term may see: Listed fields need nothing more than `listed`.
fn vis(t: &Term) -> Vis {
    t.pred.field().map(|f| f.vis).unwrap_or(Vis::Open)
}

fn term_sql(
    t: &Term,
    access: Access,
    today: NaiveDate,
    dates: &DateShape,
    fts: &mut Vec<FtsTerm>,
) -> Result<Sql> {
    let v = vis(t);
    if v == Vis::Custodial && !policy::reads_originals(access) {
        let name = t.pred.field().map(|f| f.name).unwrap_or("?");
        return Err(Error::Refused(format!(
            "query, column {}: {name} is custodial detail; only --access custodian may query it",
            t.col
        )));
    }
    let mut fts_here = Vec::new();
    let cond = condition(&t.pred, access, today, dates, &mut fts_here)?;
    if !t.negated {
        fts.extend(fts_here);
    }
    let mut s = Sql::new();
    s.push("(");
    if v == Vis::Origin && !policy::reads_originals(access) {
        // Origins the policy's grant withholds below custodian.
        s.push(policy_sql::ORIGIN_BELOW_CUSTODIAN).push(" AND ");
    }
    if v == Vis::QuasiIdentifier && !policy::reads_originals(access) {
        s.push(policy_sql::QUASI_IDENTIFIERS_BELOW_CUSTODIAN)
            .push(" AND ");
    }
    if t.negated {
        // NULL (no value) counts as "does not match".
        s.push("NOT ifnull(").append(cond).push(", 0)");
    } else {
        s.append(cond);
    }
    s.push(")");
    Ok(s)
}

/// Compiles for any catalogue (the general form of date ranges); the tests
/// compare the fast path against it.
#[cfg(test)]
pub fn compile(q: &Query, access: Access, today: NaiveDate) -> Result<Compiled> {
    compile_with(q, access, today, &DateShape::default())
}

/// Compiles for a catalogue whose dates look like `dates`.
pub fn compile_with(
    q: &Query,
    access: Access,
    today: NaiveDate,
    dates: &DateShape,
) -> Result<Compiled> {
    compile_without(q, access, today, dates, None)
}

/// As [`compile_with`], with the term at `skip` (an index into the first
/// alternative) taken as true: its rows are known already (`stream` reads
/// them off the full-text index). Everything else, the open predicate the
/// term calls for included, is compiled as for the whole query.
pub(super) fn compile_without(
    q: &Query,
    access: Access,
    today: NaiveDate,
    dates: &DateShape,
    skip: Option<usize>,
) -> Result<Compiled> {
    let listed = policy_sql::listed(access);
    let open = policy_sql::open(access, today);
    let needs_open = |alt: &Vec<Term>| alt.iter().any(|t| vis(t) != Vis::Listed);
    let open_everywhere = !q.any.is_empty() && q.any.iter().all(needs_open);
    let mut fts = Vec::new();
    let mut s = Sql::new();
    s.filter(&listed);
    if open_everywhere {
        s.push(" AND ").filter(&open);
    }
    if !q.any.is_empty() {
        s.push(" AND (");
        for (n, alt) in q.any.iter().enumerate() {
            if n > 0 {
                s.push(" OR ");
            }
            s.push("(");
            if !open_everywhere && needs_open(alt) {
                s.filter(&open).push(" AND ");
            }
            for (k, t) in alt.iter().enumerate() {
                if k > 0 {
                    s.push(" AND ");
                }
                if n == 0 && skip == Some(k) {
                    s.push("(1)");
                    continue;
                }
                let ts = term_sql(t, access, today, dates, &mut fts)?;
                s.append(ts);
            }
            s.push(")");
        }
        s.push(")");
    }
    Ok(Compiled {
        filter: Filter {
            sql: s.sql,
            params: s.params,
        },
        open_everywhere,
        fts,
    })
}

/// ORDER BY for `field` or `-field`. A field closed entries do not show is
/// masked to NULL for items the reader may not open, unless the query
/// already keeps only open items: sorting must not reveal a closed item's
/// date or title by its position.
pub fn order_by(
    sort: &str,
    access: Access,
    today: NaiveDate,
    open_everywhere: bool,
) -> Result<Filter> {
    let (desc, name) = match sort.strip_prefix('-') {
        Some(k) => (true, k),
        None => (false, sort),
    };
    let sortable = || {
        fields::FIELDS
            .iter()
            .filter(|f| f.sort.is_some())
            .map(|f| f.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let field = fields::lookup(name)
        .filter(|f| f.sort.is_some())
        .ok_or_else(|| {
            Error::usage(format!(
                "cannot sort by {name:?}; sort keys: {} (prefix - for descending)",
                sortable()
            ))
        })?;
    let mut e = field.sort.unwrap_or("i.id").to_string();
    if let (Some(r), true) = (field.redacted_sql, !policy::reads_originals(access)) {
        e = format!("{r} COLLATE NOCASE");
    }
    let dir = if desc { "DESC" } else { "ASC" };
    let mut s = Sql::new();
    if field.vis == Vis::Listed || open_everywhere {
        s.push(&e);
    } else {
        s.push("CASE WHEN ")
            .filter(&policy_sql::open(access, today))
            .push(" THEN ")
            .push(&e)
            .push(" END");
    }
    s.push(" ").push(dir).push(", i.id ").push(dir);
    Ok(Filter {
        sql: s.sql,
        params: s.params,
    })
}
