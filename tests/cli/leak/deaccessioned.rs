//! The leak archive's deaccessioned item (issue 18): its title, text,
//! origin and file name are nobody's any more (the custodian's tombstone
//! has id, kind, collection, day and reason); the place term only it used
//! and the reason are the custodian's.

use std::path::PathBuf;

use super::fixture::{import, ok, w, Canary, Level};
use crate::harness::Env;

pub fn canaries() -> Vec<Canary> {
    let custodian = Some(Level::Custodian);
    [
        ("ITEMTITLE", None, "title of a deaccessioned item"),
        ("ITEMTEXT", None, "text of a deaccessioned item"),
        ("ITEMORIGIN", None, "origin of a deaccessioned item"),
        ("ITEMFILE", None, "file name of a deaccessioned item"),
        (
            "TERM",
            custodian,
            "place term only a deaccessioned item used",
        ),
        ("REASON", custodian, "deaccession reason"),
    ]
    .into_iter()
    .map(|(role, seen, what)| Canary {
        word: w("DEAC", role),
        seen,
        what: what.into(),
    })
    .collect()
}

/// Imports the item (through `keep`, which also copies it among the
/// duplicates) and deaccessions it; its id.
pub fn build(env: &Env, keep: &dyn Fn(&str, &str) -> PathBuf) -> i64 {
    let file = keep(
        &format!("{}.txt", w("DEAC", "ITEMFILE")),
        &format!("A fictional list of donors. {}.", w("DEAC", "ITEMTEXT")),
    );
    let gone = import(
        env,
        &file,
        &[
            "--title",
            &w("DEAC", "ITEMTITLE"),
            "--kind",
            "letter",
            "--origin",
            &w("DEAC", "ITEMORIGIN"),
            "--place",
            &w("DEAC", "TERM"),
            "--collection",
            "Box 12",
        ],
    );
    ok(
        env,
        &[
            "deaccession",
            &gone.to_string(),
            "--reason",
            &w("DEAC", "REASON"),
        ],
    );
    gone
}
