//! The query language: `field:value` terms, ranges, negation, `,` for OR
//! and bare words for full text (the beets grammar), parsed to an AST
//! (`parse`), compiled to parameterized SQL with the access policy woven in
//! (`compile`), and run with every row shaped by the policy (`exec`).
//!
//! Field names come only from the allow-list in `fields`; user values only
//! ever reach SQL as bound parameters. Nothing here prints, and nothing here
//! decides visibility: the predicates and the shaping are `policy`'s.

mod compile;
mod exec;
pub mod fields;
mod fulltext;
mod parse;
pub mod raw;
mod snippets;
mod stream;

pub use compile::{fold, fts_string, DateShape};
pub use exec::{
    count, count_capped, count_plan, page_and_count, register, run, select_plan, Options, Plan,
    EXTRA_KEYS,
};
pub use parse::{parse, parse_line, parse_size, Evidence, Pred, Query, Term, MAX_QUERY_BYTES};

#[cfg(test)]
mod tests;
