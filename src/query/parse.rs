//! Lexing and parsing the beets-style query language into an AST whose
//! values are already typed and validated (dates are EDTF intervals, sizes
//! are byte counts, choices are checked against their closed set).
//!
//! Errors say what is wrong and where (the column in the query as typed,
//! counting the arguments joined by single spaces) and exit 2. This module
//! builds no SQL and knows nothing of access levels.

use super::fields::{self, Field, Type};
use crate::catalogue::terms;
use crate::edtf::Edtf;
use crate::error::{Error, Result};

/// Longest query accepted; a longer one is almost surely not typed by a
/// person, and each term costs SQL.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;
pub const MAX_TERMS: usize = 100;

/// Alternatives joined by OR, each a list of terms joined by AND. No
/// alternatives: everything (visible).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub any: Vec<Vec<Term>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub negated: bool,
    pub pred: Pred,
    /// 1-based column where the term starts.
    pub col: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Pred {
    /// Full text of title and body: the user's words, unquoted.
    FullText(String),
    Text {
        field: &'static Field,
        value: String,
        exact: bool,
    },
    /// Inclusive bounds; equal bounds for a single value.
    Number {
        field: &'static Field,
        lo: Option<i64>,
        hi: Option<i64>,
    },
    /// Calendar-day bounds `YYYY-MM-DD`, inclusive; None is unbounded.
    Days {
        field: &'static Field,
        lo: Option<String>,
        hi: Option<String>,
    },
    /// The stored EDTF string itself (`date:=1988~`).
    DateExact {
        value: String,
    },
    /// No value at all (`embargo:none`).
    Missing {
        field: &'static Field,
    },
    Choice {
        field: &'static Field,
        value: &'static str,
    },
    Term {
        field: &'static Field,
        key: String,
        exact: bool,
    },
    Evidence(Evidence),
    /// Words of a recording's cues or segments (`transcript:`, `segment:`).
    Timed {
        field: &'static Field,
        words: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    None,
    Any,
    Item(i64),
}

impl Pred {
    pub fn field(&self) -> Option<&'static Field> {
        match self {
            Pred::FullText(_) => None,
            Pred::DateExact { .. } => fields::lookup("date"),
            Pred::Evidence(_) => fields::lookup("evidence"),
            Pred::Text { field, .. }
            | Pred::Number { field, .. }
            | Pred::Days { field, .. }
            | Pred::Missing { field }
            | Pred::Choice { field, .. }
            | Pred::Term { field, .. }
            | Pred::Timed { field, .. } => Some(field),
        }
    }
}

/// One whitespace-separated token: its pieces, each quoted or not.
#[derive(Debug)]
struct Token {
    parts: Vec<(String, bool)>,
    col: usize,
}

impl Token {
    fn text(&self) -> String {
        self.parts.iter().map(|(s, _)| s.as_str()).collect()
    }
}

fn err_at(col: usize, msg: impl std::fmt::Display) -> Error {
    Error::usage(format!("query, column {col}: {msg}"))
}

/// Splits the query into tokens on unquoted whitespace; `"` quotes.
/// `base` is the column before `src` begins.
fn lex(src: &str, base: usize) -> Result<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut cur: Option<Token> = None;
    let mut piece = String::new();
    let mut quote_col: Option<usize> = None;
    for (i, c) in src.chars().enumerate() {
        let col = base + i + 1;
        if c == '\0' {
            return Err(err_at(col, "a NUL byte is not allowed in a query"));
        }
        if c == '"' {
            let tok = cur.get_or_insert_with(|| Token {
                parts: Vec::new(),
                col,
            });
            let was_quoted = quote_col.is_some();
            if !piece.is_empty() || was_quoted {
                tok.parts.push((std::mem::take(&mut piece), was_quoted));
            }
            quote_col = if was_quoted { None } else { Some(col) };
            continue;
        }
        if c.is_whitespace() && quote_col.is_none() {
            if let Some(mut tok) = cur.take() {
                if !piece.is_empty() {
                    tok.parts.push((std::mem::take(&mut piece), false));
                }
                tokens.push(tok);
            }
            continue;
        }
        cur.get_or_insert_with(|| Token {
            parts: Vec::new(),
            col,
        });
        piece.push(c);
    }
    if let Some(col) = quote_col {
        return Err(err_at(
            col,
            "unbalanced quote: this \" is never closed (close it, or drop it)",
        ));
    }
    if let Some(mut tok) = cur.take() {
        if !piece.is_empty() {
            tok.parts.push((piece, false));
        }
        tokens.push(tok);
    }
    Ok(tokens)
}

/// Tokens of the command-line arguments. What the shell quoted stays one
/// term: an argument holding whitespace but no `"` is one token
/// (`'place:Corran Ford'` is the place "Corran Ford", `'tannery lane'` the
/// phrase), because the shell already said where it ends. An argument
/// holding `"` is split at its unquoted whitespace, as typed
/// (`'collection:"Box 12" kind:letter'`).
fn lex_args(args: &[String]) -> Result<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut base = 0;
    for arg in args {
        let whole = !arg.contains('"') && arg.chars().any(char::is_whitespace);
        if whole {
            let trimmed = arg.trim_start();
            let lead = arg.chars().count() - trimmed.chars().count();
            if let Some(i) = trimmed.chars().position(|c| c == '\0') {
                return Err(err_at(
                    base + lead + i + 1,
                    "a NUL byte is not allowed in a query",
                ));
            }
            let text = trimmed.trim_end();
            if !text.is_empty() {
                tokens.push(Token {
                    parts: vec![(text.to_string(), false)],
                    col: base + lead + 1,
                });
            }
        } else {
            tokens.extend(lex(arg, base)?);
        }
        // Columns count the arguments joined by single spaces.
        base += arg.chars().count() + 1;
    }
    Ok(tokens)
}

/// Parses the command-line terms, one argument each (see `lex_args`).
pub fn parse(args: &[String]) -> Result<Query> {
    let len: usize = args.iter().map(|a| a.len() + 1).sum();
    if len.saturating_sub(1) > MAX_QUERY_BYTES {
        return Err(Error::usage(format!(
            "query is {} bytes; the limit is {MAX_QUERY_BYTES}",
            len - 1
        )));
    }
    parse_tokens(&lex_args(args)?)
}

/// Parses a query given as one string (an option's value, such as
/// `access --query`): split at unquoted whitespace, `"` quotes.
pub fn parse_line(src: &str) -> Result<Query> {
    if src.len() > MAX_QUERY_BYTES {
        return Err(Error::usage(format!(
            "query is {} bytes; the limit is {MAX_QUERY_BYTES}",
            src.len()
        )));
    }
    parse_tokens(&lex(src, 0)?)
}

fn parse_tokens(tokens: &[Token]) -> Result<Query> {
    let mut q = Query::default();
    let mut group: Vec<Term> = Vec::new();
    let mut count = 0;
    let mut last_comma: Option<usize> = None;
    for tok in tokens {
        if tok.parts.len() == 1 && tok.parts[0] == (",".to_string(), false) {
            if group.is_empty() {
                return Err(err_at(tok.col, "',' (or) needs a term on each side"));
            }
            q.any.push(std::mem::take(&mut group));
            last_comma = Some(tok.col);
            continue;
        }
        count += 1;
        if count > MAX_TERMS {
            return Err(err_at(
                tok.col,
                format!("too many terms (the limit is {MAX_TERMS})"),
            ));
        }
        group.push(term(tok)?);
    }
    match (group.is_empty(), last_comma) {
        (true, Some(col)) => return Err(err_at(col, "',' (or) needs a term on each side")),
        (false, _) => q.any.push(group),
        _ => {}
    }
    Ok(q)
}

fn term(tok: &Token) -> Result<Term> {
    let mut parts = tok.parts.clone();
    let mut negated = false;
    if let Some((first, false)) = parts.first_mut() {
        if let Some(rest) = first.strip_prefix(['-', '^']) {
            negated = true;
            *first = rest.to_string();
        }
    }
    let col = tok.col;
    let field_split = match parts.first() {
        Some((first, false)) => first.split_once(':').filter(|(name, _)| {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && name.starts_with(|c: char| c.is_ascii_alphabetic())
        }),
        _ => None,
    };
    let Some((name, rest)) = field_split else {
        let text = Token { parts, col }.text();
        if text.trim().is_empty() {
            return Err(err_at(col, "empty search term"));
        }
        return Ok(Term {
            negated,
            pred: Pred::FullText(text),
            col,
        });
    };
    let field = fields::lookup(name).ok_or_else(|| {
        let hint = match fields::closest(name) {
            Some(n) => format!("did you mean {n:?}? "),
            None => String::new(),
        };
        err_at(
            col,
            format!(
                "unknown field {name:?}; {hint}`custos fields` lists them (to search the text for it, quote it: '\"{}\"')",
                tok.text().trim_start_matches(['-', '^'])
            ),
        )
    })?;
    let mut value_parts = parts.clone();
    value_parts[0].0 = rest.to_string();
    let quoted = value_parts.iter().skip(1).any(|(_, q)| *q);
    let mut value: String = value_parts.iter().map(|(s, _)| s.as_str()).collect();
    let mut exact = false;
    if value_parts[0].0.starts_with('=') {
        exact = true;
        value.remove(0);
    }
    if value.is_empty() {
        return Err(err_at(
            col,
            format!("{}: needs a value, e.g. {}", field.name, field.example),
        ));
    }
    let pred = typed(field, &value, exact, quoted).map_err(|m| err_at(col, m))?;
    Ok(Term { negated, pred, col })
}

/// Interprets a value for its field's type; the error text names the field
/// and shows the value.
fn typed(
    field: &'static Field,
    value: &str,
    exact: bool,
    quoted: bool,
) -> std::result::Result<Pred, String> {
    let range = if quoted || exact {
        None
    } else {
        value.split_once("..")
    };
    let name = field.name;
    match field.ty {
        Type::Timed(_) => Ok(Pred::Timed {
            field,
            words: value.to_string(),
        }),
        Type::Text => Ok(Pred::Text {
            field,
            value: value.to_string(),
            exact,
        }),
        Type::Digest => {
            let lower = value.to_ascii_lowercase();
            if lower.is_empty() || lower.len() > 64 || !lower.bytes().all(|b| b.is_ascii_hexdigit())
            {
                return Err(format!(
                    "sha256: {value:?} is not hex digits (a prefix or all 64)"
                ));
            }
            let exact = exact || lower.len() == 64;
            Ok(Pred::Text {
                field,
                value: lower,
                exact,
            })
        }
        Type::Integer | Type::Size | Type::Duration => {
            let num = |s: &str| -> std::result::Result<Option<i64>, String> {
                if s.is_empty() {
                    return Ok(None);
                }
                if field.ty == Type::Size {
                    parse_size(s).map(Some)
                } else if field.ty == Type::Duration {
                    crate::media::TimeCode::parse_duration(s)
                        .map(|t| Some(t.millis()))
                        .map_err(|e| format!("{name}: {e}"))
                } else {
                    s.parse::<i64>()
                        .map(Some)
                        .map_err(|_| format!("{name}: {s:?} is not a whole number"))
                }
            };
            let (lo, hi) = match range {
                Some((a, b)) => (num(a)?, num(b)?),
                None => {
                    let v = num(value)?;
                    (v, v)
                }
            };
            if lo.is_none() && hi.is_none() {
                return Err(format!("{name}: a range needs at least one end"));
            }
            Ok(Pred::Number { field, lo, hi })
        }
        Type::Date | Type::Coverage | Type::Day | Type::Timestamp => {
            if field.ty == Type::Day && value.eq_ignore_ascii_case("none") {
                return Ok(Pred::Missing { field });
            }
            if exact && field.ty == Type::Date {
                Edtf::parse(value).map_err(|e| format!("{name}: {e}"))?;
                return Ok(Pred::DateExact {
                    value: value.to_string(),
                });
            }
            let bound = |s: &str| -> std::result::Result<Edtf, String> {
                Edtf::parse(s).map_err(|e| format!("{name}: {e}"))
            };
            let (lo, hi) = match range.filter(|_| !value.contains('/')) {
                Some((a, b)) => {
                    let lo = if a.is_empty() {
                        None
                    } else {
                        Some(bound(a)?.lower().map(str::to_string).ok_or_else(|| {
                            format!("{name}: {a:?} has no start to begin a range at")
                        })?)
                    };
                    let hi = if b.is_empty() {
                        None
                    } else {
                        Some(bound(b)?.upper().map(str::to_string).ok_or_else(|| {
                            format!("{name}: {b:?} has no end to close a range at")
                        })?)
                    };
                    if lo.is_none() && hi.is_none() {
                        return Err(format!("{name}: a range needs at least one end"));
                    }
                    (lo, hi)
                }
                None => {
                    let d = bound(value)?;
                    (d.lower().map(str::to_string), d.upper().map(str::to_string))
                }
            };
            if let (Some(l), Some(h)) = (&lo, &hi) {
                if l > h {
                    return Err(format!("{name}: the range {value:?} ends before it starts"));
                }
            }
            Ok(Pred::Days { field, lo, hi })
        }
        Type::Enum(choices) => {
            let v = value.to_ascii_lowercase();
            let found = choices.iter().find(|c| **c == v).ok_or_else(|| {
                let hint = if value.contains(',') {
                    format!(" (for either, write `{name}:a , {name}:b`)")
                } else {
                    String::new()
                };
                format!(
                    "{name}: {value:?} is not one of {}{hint}",
                    choices.join(", ")
                )
            })?;
            Ok(Pred::Choice {
                field,
                value: found,
            })
        }
        Type::Access => {
            let v = value.to_ascii_lowercase();
            let found = fields::ACCESS_CLASSES
                .iter()
                .find(|c| **c == v)
                .ok_or_else(|| {
                    format!(
                        "access: {value:?} is not one of {}",
                        fields::ACCESS_CLASSES.join(", ")
                    )
                })?;
            Ok(Pred::Choice {
                field,
                value: found,
            })
        }
        Type::Term(_) => {
            let key = terms::key(value);
            if key.is_empty() {
                return Err(format!("{name}: needs a term"));
            }
            Ok(Pred::Term { field, key, exact })
        }
        Type::Evidence => match value.to_ascii_lowercase().as_str() {
            "none" => Ok(Pred::Evidence(Evidence::None)),
            "any" | "some" => Ok(Pred::Evidence(Evidence::Any)),
            v => v
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .map(|n| Pred::Evidence(Evidence::Item(n)))
                .ok_or_else(|| format!("evidence: {value:?} is not none, any, or an item id")),
        },
    }
}

/// `1500`, `1.5KB`, `2MiB`, `3 GB`: bytes. KB/MB/GB/TB are powers of 1000,
/// KiB/MiB/GiB/TiB of 1024; K/M/G/T alone mean the 1000 ones.
pub fn parse_size(s: &str) -> std::result::Result<i64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("size: {s:?} is not a size (e.g. 1500, 1.5KB, 2MiB)"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0f64.powi(4),
        _ => {
            return Err(format!(
                "size: unknown unit {unit:?} in {s:?} (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)"
            ))
        }
    };
    let bytes = (n * mult).round();
    if !bytes.is_finite() || bytes > i64::MAX as f64 {
        return Err(format!("size: {s:?} is too large"));
    }
    Ok(bytes as i64)
}
