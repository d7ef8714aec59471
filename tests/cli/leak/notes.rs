//! The leak archive's notes (issue 18): a public and a custodial note on
//! every testimony. A public note is seen where its item is open, except
//! below custodian on the redacted one (a note is not redacted); a
//! custodial note is the custodian's; a withdrawn testimony's tombstone
//! shows neither.

use std::collections::BTreeMap;

use super::fixture::{ok, w, Canary, Level, STATES};
use crate::harness::Env;

pub fn canaries() -> Vec<Canary> {
    let mut c = Vec::new();
    for &(tag, open, _) in STATES {
        let withdrawn = open.is_none();
        let public = if tag == "PUB" {
            Some(Level::Custodian)
        } else {
            open
        };
        c.push(Canary {
            word: w(tag, "PNOTE"),
            seen: public,
            what: "public note on a testimony".into(),
        });
        c.push(Canary {
            word: w(tag, "CNOTE"),
            seen: if withdrawn {
                None
            } else {
                Some(Level::Custodian)
            },
            what: "custodial note on a testimony".into(),
        });
    }
    c
}

pub fn add(env: &Env, items: &BTreeMap<&'static str, i64>) {
    for &(tag, _, _) in STATES {
        let id = items[tag].to_string();
        ok(env, &["note", "add", &id, "--public", &w(tag, "PNOTE")]);
        ok(env, &["note", "add", &id, "--custodial", &w(tag, "CNOTE")]);
    }
}
