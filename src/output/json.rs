//! JSON on stdout with the characters a terminal would act on written as
//! `\uXXXX` escapes.
//!
//! serde_json escapes C0 controls (ESC among them) but writes DEL, the C1
//! controls (U+0080–U+009F, CSI among them) and the bidi overrides raw, so
//! `custos show 7 --format json` at a terminal could still be steered by a
//! title. A `\uXXXX` escape is plain JSON: every parser reads back exactly
//! the same string, so this changes no value, only how it is spelled. It
//! must not change anything else of serde_json's layout.

use std::io;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use super::escape::is_unsafe;

/// Delegates all layout to `F`, escaping unsafe characters in strings.
struct Safe<F>(F);

impl<F: Formatter> Formatter for Safe<F> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // Each unsafe character's UTF-8 form starts with one of these bytes
        // (DEL, C1 controls, the U+20xx punctuation block).
        if !fragment.bytes().any(|b| matches!(b, 0x7f | 0xc2 | 0xe2)) {
            return w.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                // Every unsafe character lies in the Basic Multilingual
                // Plane, so four hex digits always suffice.
                write!(w, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Writes `value` as serde_json would (indented if `pretty`), with unsafe
/// characters escaped.
pub fn write<T: Serialize + ?Sized>(
    out: &mut dyn io::Write,
    value: &T,
    pretty: bool,
) -> serde_json::Result<()> {
    if pretty {
        let f = Safe(PrettyFormatter::new());
        value.serialize(&mut serde_json::Serializer::with_formatter(out, f))
    } else {
        let f = Safe(CompactFormatter);
        value.serialize(&mut serde_json::Serializer::with_formatter(out, f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    fn both(v: &Value) -> [String; 2] {
        [true, false].map(|pretty| {
            let mut buf = Vec::new();
            write(&mut buf, v, pretty).unwrap();
            String::from_utf8(buf).unwrap()
        })
    }

    #[test]
    fn unsafe_characters_are_spelled_as_escapes() {
        let v = json!([{"title": "a\u{1b}[31m\u{9b}2J\u{7f}\u{202e}b", "n": -5}]);
        let [pretty, compact] = both(&v);
        assert_eq!(
            compact,
            r#"[{"title":"a\u001b[31m\u009b2J\u007f\u202eb","n":-5}]"#
        );
        assert!(
            pretty.contains(r#""title": "a\u001b[31m\u009b2J\u007f\u202eb""#),
            "{pretty}"
        );
    }

    proptest! {
        #[test]
        fn same_value_same_layout_as_serde_json(
            s in "\\PC*|[\u{0}-\u{a0}\u{2020}-\u{2070}é漢😀]*",
            key in "[a-z\u{9b}\u{202e}]{0,4}",
        ) {
            let v = json!({ key: [s, 1, null, {"x": true}] });
            let [pretty, compact] = both(&v);
            prop_assert!(!pretty.chars().chain(compact.chars()).any(|c| is_unsafe(c) && c != '\n'));
            prop_assert_eq!(serde_json::from_str::<Value>(&pretty).unwrap(), v.clone());
            prop_assert_eq!(serde_json::from_str::<Value>(&compact).unwrap(), v.clone());
            // Where nothing needed escaping the bytes are serde_json's own.
            if !v.to_string().chars().any(is_unsafe) {
                prop_assert_eq!(&compact, &serde_json::to_string(&v).unwrap());
                prop_assert_eq!(&pretty, &serde_json::to_string_pretty(&v).unwrap());
            }
        }
    }
}
