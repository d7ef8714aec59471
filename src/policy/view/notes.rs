//! Which of an item's notes a reader sees: public notes wherever the item
//! is open to them — except below custodian on a redacted item, since a
//! note is not redacted and may name whom the redaction hides — and
//! custodial notes only with the custodial-detail grant (the custodian).
//! Closed, withdrawn, deaccessioned and hidden items show none.

use serde::Serialize;

use super::super::{Decision, Facts};
use crate::catalogue::notes::NoteRecord;
use crate::model::NoteAudience;

#[derive(Debug, Clone, Serialize)]
pub struct NoteView {
    pub id: i64,
    pub audience: NoteAudience,
    pub text: String,
    pub recorded_at: String,
    pub recorded_by: String,
}

pub fn notes(decision: &Decision, facts: &Facts, rows: Vec<NoteRecord>) -> Vec<NoteView> {
    let Decision::Open(g) = decision else {
        return Vec::new();
    };
    let public = !(g.redact && facts.redacted);
    rows.into_iter()
        .filter(|n| match n.audience {
            NoteAudience::Public => public,
            NoteAudience::Custodial => g.custodial_detail,
        })
        .map(|n| {
            let NoteRecord {
                id,
                audience,
                text,
                recorded_at,
                recorded_by,
            } = n;
            NoteView {
                id,
                audience,
                text,
                recorded_at,
                recorded_by,
            }
        })
        .collect()
}
