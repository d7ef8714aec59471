//! Resumption tokens: where a list left off, as an opaque string. A token
//! carries the selection, the last item number sent (the list is ordered
//! by item number, so the next page starts after it whatever was added or
//! closed meanwhile: stable), the cursor and the list's size when it
//! began. It holds nothing a harvester could not ask for itself, so it is
//! not signed; anything that does not decode exactly is refused.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDate;

use super::request::Selection;

const VERSION: &str = "1";
const SEP: char = '\u{1f}';

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub headers_only: bool,
    pub selection: Selection,
    /// The last item number already sent.
    pub after: i64,
    /// How many records were sent before this page.
    pub cursor: u64,
    pub complete_size: u64,
}

pub fn encode(t: &Token) -> String {
    let day = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    let fields = [
        VERSION.to_string(),
        if t.headers_only { "i" } else { "r" }.to_string(),
        t.selection.set.clone().unwrap_or_default(),
        day(t.selection.from).unwrap_or_default(),
        day(t.selection.until).unwrap_or_default(),
        t.after.to_string(),
        t.cursor.to_string(),
        t.complete_size.to_string(),
    ];
    URL_SAFE_NO_PAD.encode(fields.join(&SEP.to_string()))
}

pub fn decode(s: &str) -> Option<Token> {
    let bytes = URL_SAFE_NO_PAD.decode(s).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let f: Vec<&str> = text.split(SEP).collect();
    let [version, verb, set, from, until, after, cursor, size] = f.as_slice() else {
        return None;
    };
    if *version != VERSION {
        return None;
    }
    let headers_only = match *verb {
        "i" => true,
        "r" => false,
        _ => return None,
    };
    let day = |d: &str| -> Option<Option<NaiveDate>> {
        if d.is_empty() {
            Some(None)
        } else {
            NaiveDate::parse_from_str(d, "%Y-%m-%d").ok().map(Some)
        }
    };
    let number = |n: &str| -> Option<u64> {
        (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .then(|| n.parse().ok())
            .flatten()
    };
    let t = Token {
        headers_only,
        selection: Selection {
            set: (!set.is_empty()).then(|| set.to_string()),
            from: day(from)?,
            until: day(until)?,
        },
        after: i64::try_from(number(after)?).ok()?,
        cursor: number(cursor)?,
        complete_size: number(size)?,
    };
    // Only the exact spelling we issue: a token has one form.
    (encode(&t) == s).then_some(t)
}
