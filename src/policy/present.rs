//! What a reader gets from a decision beside the typed views of `view`:
//! an item's text (the redacted copy where it applies) and its current
//! consent as `show` prints it.
//!
//! Shapes are built by removing, never by adding: whatever a decision does
//! not grant is set to null (keys stay, so CSV columns and JSON shapes are
//! stable). Only the decision says what is granted; this module must not
//! consult consent or identity itself.

use serde_json::Value;

use super::Decision;

/// The redacted copy of an item, made when the custodian redacted it.
#[derive(Debug, Clone, Default)]
pub struct RedactedCopy {
    pub title: String,
    pub description: Option<String>,
    pub text: Option<String>,
}

/// The item's text as this reader may see it.
pub fn text(
    decision: &Decision,
    full: Option<&str>,
    redacted: Option<&RedactedCopy>,
) -> Option<String> {
    match decision {
        Decision::Open(g) if g.redact && redacted.is_some() => {
            redacted.and_then(|r| r.text.clone())
        }
        Decision::Open(_) => full.map(str::to_string),
        _ => None,
    }
}

/// The current consent of an item, as `show` gives it: null unless the
/// item is open to this reader; `pending` for a testimony without consent;
/// the reason only with custodial detail.
pub fn consent(decision: &Decision, facts: &super::Facts) -> Value {
    match (decision, &facts.consent) {
        (Decision::Open(g), Some(c)) => serde_json::json!({
            "status": c.status,
            "scope": c.scope,
            "date": c.date,
            "embargo_until": c.embargo_until.map(|d| d.to_string()),
            "reason": if g.custodial_detail { c.reason.clone() } else { None },
        }),
        (Decision::Open(_), None) if facts.kind == crate::model::Kind::Testimony => {
            serde_json::json!({ "status": "pending" })
        }
        _ => Value::Null,
    }
}
