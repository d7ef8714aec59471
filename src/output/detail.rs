//! An event's JSON detail as readable lines for a table cell: one
//! `key: value` line per key, a change as `field: "old" → "new"`, a term as
//! `vocab: label`. JSON, CSV and TSV keep the detail as JSON; this is only
//! for people reading a table.
//!
//! Each value is escaped for the terminal here (line breaks inside a
//! value included), so only the lines this module makes break the cell.

use serde_json::{Map, Value};

use super::escape::terminal_line;

/// The detail object as lines.
pub fn readable(detail: &Value) -> String {
    match detail {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{}: {}", terminal_line(k), value(v)))
            .collect::<Vec<_>>()
            .join("\n"),
        other => value(other),
    }
}

fn value(v: &Value) -> String {
    match v {
        Value::Null => "(none)".into(),
        Value::String(s) => terminal_line(s).into_owned(),
        Value::Array(items) => items.iter().map(value).collect::<Vec<_>>().join(", "),
        Value::Object(map) => object(map),
        other => other.to_string(),
    }
}

/// The shapes events use often, read as phrases; any other object inline.
fn object(map: &Map<String, Value>) -> String {
    let s = |k: &str| map.get(k).map(value);
    if let (Some(field), true, true) =
        (s("field"), map.contains_key("old"), map.contains_key("new"))
    {
        let q = |k: &str| match map.get(k) {
            Some(Value::Null) | None => "(none)".to_string(),
            Some(v) => format!("\u{201c}{}\u{201d}", value(v)),
        };
        return format!("{field} {} \u{2192} {}", q("old"), q("new"));
    }
    if let (Some(vocab), Some(label), 2) = (s("vocab"), s("label"), map.len()) {
        return format!("{vocab} {label}");
    }
    let parts: Vec<String> = map
        .iter()
        .map(|(k, v)| format!("{}={}", terminal_line(k), value(v)))
        .collect();
    format!("({})", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::readable;
    use serde_json::json;

    #[test]
    fn changes_and_terms_read_as_phrases() {
        let d = json!({"changes": [{"field": "title", "old": "A", "new": "B"},
                                   {"field": "date", "old": null, "new": "1990"}]});
        assert_eq!(
            readable(&d),
            "changes: title \u{201c}A\u{201d} \u{2192} \u{201c}B\u{201d}, date (none) \u{2192} \u{201c}1990\u{201d}"
        );
        let d = json!({"origin": "Courier", "size": 12, "terms": [{"vocab": "place", "label": "Velmora"}]});
        assert_eq!(
            readable(&d),
            "origin: Courier\nsize: 12\nterms: place Velmora"
        );
    }

    #[test]
    fn a_line_break_inside_a_value_cannot_start_a_line() {
        let d = json!({"note": "one\ntwo", "x": {"a\nb": 1}});
        let r = readable(&d);
        assert_eq!(r.lines().count(), 2, "{r}");
    }
}
