//! Pulls searchable text and a title out of a document's bytes, given its
//! media type, for the full-text index and the catalogue's title field.
//!
//! Plain text, CSV, Markdown and HTML are understood here, and PDF in
//! [`super::pdf`]; every other media type yields nothing. This module must
//! NOT panic, fail, touch the filesystem or database, or execute anything in
//! a document (scripts, styles and templates are dropped, never
//! interpreted); damaged input degrades to less text, not to an error,
//! because ingest must never be blocked by a bad file.

use scraper::{ElementRef, Html, Node};

/// Titles longer than this are catalogue noise rather than titles.
const MAX_TITLE_CHARS: usize = 300;

/// What [`extract`] found; either part may be missing.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub title: Option<String>,
    pub text: Option<String>,
}

/// Text for full-text search and a title, from a document's bytes. Never panics on any input.
pub fn extract(media_type: &str, bytes: &[u8]) -> Extracted {
    // Callers may pass a full Content-Type with parameters or odd casing.
    let essence = media_type.split(';').next().unwrap_or_default();
    match essence.trim().to_ascii_lowercase().as_str() {
        "text/plain" | "text/csv" => Extracted {
            title: None,
            text: non_blank(decode(bytes)),
        },
        "text/markdown" | "text/x-markdown" => {
            let content = decode(bytes);
            Extracted {
                title: markdown_title(&content),
                text: non_blank(content),
            }
        }
        "text/html" | "application/xhtml+xml" => html(&decode(bytes)),
        "application/pdf" => {
            let found = super::pdf::extract(bytes);
            Extracted {
                title: found.title.as_deref().and_then(clean_title),
                text: found.text.and_then(non_blank),
            }
        }
        _ => Extracted::default(),
    }
}

/// UTF-8 (BOM stripped) or BOM-marked UTF-16; anything else is read as
/// UTF-8 with replacement characters so that some text still gets indexed.
fn decode(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    let little_endian = match bytes {
        [0xFF, 0xFE, ..] => true,
        [0xFE, 0xFF, ..] => false,
        _ => return String::from_utf8_lossy(bytes).into_owned(),
    };
    let to_unit: fn([u8; 2]) -> u16 = if little_endian {
        u16::from_le_bytes
    } else {
        u16::from_be_bytes
    };
    let pairs = bytes[2..].chunks_exact(2);
    // A dangling odd byte is damage, shown like any other undecodable unit.
    let tail = (!pairs.remainder().is_empty()).then_some(char::REPLACEMENT_CHARACTER);
    char::decode_utf16(pairs.map(|p| to_unit([p[0], p[1]])))
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .chain(tail)
        .collect()
}

fn non_blank(text: String) -> Option<String> {
    (!text.trim().is_empty()).then_some(text)
}

/// Collapses whitespace, caps the length on a char boundary, and treats an
/// empty result as no title at all.
fn clean_title(raw: &str) -> Option<String> {
    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let capped: String = collapsed.chars().take(MAX_TITLE_CHARS).collect();
    let capped = capped.trim_end();
    (!capped.is_empty()).then(|| capped.to_string())
}

/// The first level-1/2 heading, ATX or setext. Only a small part of
/// CommonMark is modelled: enough not to mistake code, front matter, lists or
/// thematic breaks for headings.
fn markdown_title(content: &str) -> Option<String> {
    let mut lines = content.lines().peekable();
    // YAML front matter's closing `---` would otherwise read as a setext
    // underline for its last key.
    if lines.peek().map(|l| l.trim_end()) == Some("---") {
        lines.next();
        for line in lines.by_ref() {
            if matches!(line.trim_end(), "---" | "...") {
                break;
            }
        }
    }

    let mut fence: Option<(char, usize)> = None;
    let mut paragraph: Vec<&str> = Vec::new();
    for line in lines {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let body = line.trim();
        if let Some((ch, len)) = fence {
            if indent < 4 && fence_of(body).is_some_and(|(c, n)| c == ch && n >= len) {
                fence = None;
            }
        } else if indent >= 4 {
            // Indented code cannot start a paragraph, but it can continue one.
            if !paragraph.is_empty() {
                paragraph.push(body);
            }
        } else if let Some(level) = atx_level(body) {
            // Empty or deeper headings are skipped in favour of a later one.
            if let Some(title) = (level <= 2)
                .then(|| atx_text(body, level))
                .and_then(clean_title)
            {
                return Some(title);
            }
            paragraph.clear();
        } else if !paragraph.is_empty() && is_setext_underline(body) {
            if let Some(title) = clean_title(&paragraph.join(" ")) {
                return Some(title);
            }
            paragraph.clear();
        } else if body.is_empty() || starts_other_block(body) {
            paragraph.clear();
            fence = fence_of(body);
        } else {
            paragraph.push(body);
        }
    }
    None
}

/// The fence character and length if `body` opens or closes a code fence.
fn fence_of(body: &str) -> Option<(char, usize)> {
    let ch = body.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = body.chars().take_while(|c| *c == ch).count();
    (len >= 3).then_some((ch, len))
}

/// Heading level of an ATX line: 1–6 `#` followed by a space, tab or the end.
fn atx_level(body: &str) -> Option<usize> {
    let level = body.bytes().take_while(|b| *b == b'#').count();
    let after = body.as_bytes().get(level);
    ((1..=6).contains(&level) && after.is_none_or(|b| *b == b' ' || *b == b'\t')).then_some(level)
}

/// The text of an ATX heading, closing `#`s removed.
fn atx_text(body: &str, level: usize) -> &str {
    let text = body.get(level..).unwrap_or_default().trim();
    let without_closing = text.trim_end_matches('#');
    // A closing sequence needs a space before it, so `# C#` keeps its `#`.
    if without_closing.is_empty() || without_closing.ends_with([' ', '\t']) {
        without_closing.trim_end()
    } else {
        text
    }
}

fn is_setext_underline(body: &str) -> bool {
    !body.is_empty() && (body.bytes().all(|b| b == b'=') || body.bytes().all(|b| b == b'-'))
}

/// Lines that begin a code fence, list, block quote or thematic break, which
/// end any paragraph and so cannot be (part of) the text of a setext heading.
fn starts_other_block(body: &str) -> bool {
    let marks: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let thematic = marks.len() >= 3
        && ["-", "*", "_"]
            .iter()
            .any(|m| marks.replace(m, "").is_empty());
    let after_number = body.trim_start_matches(|c: char| c.is_ascii_digit());
    let ordered = after_number.len() < body.len() && after_number.starts_with(['.', ')']);
    let list_marker = if ordered {
        &after_number[1..]
    } else {
        body.get(1..).unwrap_or_default()
    };
    let bulleted = ordered || body.starts_with(['-', '*', '+']);
    let list = bulleted && list_marker.chars().next().is_none_or(char::is_whitespace);
    fence_of(body).is_some() || thematic || list || body.starts_with('>')
}

/// Elements whose content is never shown as page text.
const HIDDEN: &str = "script style noscript template iframe noembed noframes head title";

/// Elements that start a new line when rendered.
const BLOCKS: &str = "address article aside blockquote br caption dd details dialog div dl dt \
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr legend li main nav \
    ol option p pre section summary table tbody tfoot thead tr ul";

fn listed(list: &str, name: &str) -> bool {
    list.split_ascii_whitespace().any(|listed| listed == name)
}

fn html(source: &str) -> Extracted {
    let document = Html::parse_document(source);
    let root = document.root_element();
    let named = |name: &'static str| {
        root.descendent_elements()
            .filter(move |e| e.value().name() == name && is_html_element(e))
    };
    // An empty <title> is as good as none, so fall through to the next
    // candidate rather than giving up.
    let title = named("title")
        .find_map(|t| clean_title(&t.text().collect::<String>()))
        .or_else(|| named("h1").find_map(|h| clean_title(&visible_text(h))));
    let text = named("body")
        .next()
        .and_then(|body| non_blank(visible_text(body)));
    Extracted { title, text }
}

/// Excludes SVG and MathML elements that share a name with HTML ones (an
/// SVG <title> is a tooltip, not the document title).
fn is_html_element(element: &ElementRef<'_>) -> bool {
    &*element.value().name.ns == "http://www.w3.org/1999/xhtml"
}

/// The text a reader would see, one line per block, whitespace collapsed.
fn visible_text(element: ElementRef<'_>) -> String {
    let mut out = Collapser::default();
    // An explicit stack, not recursion: hostile HTML can nest deeply enough
    // to overflow the call stack.
    let mut stack = vec![(*element, false)];
    while let Some((node, closing)) = stack.pop() {
        match node.value() {
            Node::Text(text) => out.push_str(text),
            Node::Element(e) if !listed(HIDDEN, e.name()) => {
                let name = e.name();
                if listed(BLOCKS, name) {
                    out.gap('\n');
                } else if name == "td" || name == "th" {
                    out.gap(' ');
                }
                if !closing {
                    stack.push((node, true));
                    stack.extend(node.children().rev().map(|child| (child, false)));
                }
            }
            _ => {}
        }
    }
    out.text
}

/// Builds text with every whitespace run reduced to one separator: a newline
/// if the run crossed a block boundary, else a space; none at either end.
#[derive(Default)]
struct Collapser {
    text: String,
    pending: Option<char>,
}

impl Collapser {
    fn gap(&mut self, separator: char) {
        if self.pending != Some('\n') {
            self.pending = Some(separator);
        }
    }

    fn push_str(&mut self, s: &str) {
        for ch in s.chars() {
            if ch.is_whitespace() {
                self.gap(' ');
                continue;
            }
            if let Some(separator) = self.pending.take() {
                if !self.text.is_empty() {
                    self.text.push(separator);
                }
            }
            self.text.push(ch);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utf16(s: &str, le: bool) -> Vec<u8> {
        let to_bytes: fn(u16) -> [u8; 2] = if le {
            u16::to_le_bytes
        } else {
            u16::to_be_bytes
        };
        let bom = if le { [0xFF, 0xFE] } else { [0xFE, 0xFF] };
        bom.into_iter()
            .chain(s.encode_utf16().flat_map(to_bytes))
            .collect()
    }

    #[test]
    fn plain_text_and_csv_are_decoded_whole() {
        let le = utf16("Grüße\r\nline 2 😀", true);
        let be = utf16("Grüße\r\nline 2 😀", false);
        let mut odd = utf16("ab", true);
        odd.push(b'c');
        let cases: &[(&str, &[u8], Option<&str>)] = &[
            ("text/plain", b" hi\nyou \n", Some(" hi\nyou \n")),
            ("text/csv", b"id,name\n1,Ada\n", Some("id,name\n1,Ada\n")),
            ("text/plain", b"\xEF\xBB\xBFwith bom", Some("with bom")),
            ("text/plain", &le, Some("Grüße\r\nline 2 😀")),
            ("text/csv", &be, Some("Grüße\r\nline 2 😀")),
            ("text/plain", &odd, Some("ab\u{FFFD}")),
            ("text/plain", b"\xFF\xFE\x00\xD8a\x00", Some("\u{FFFD}a")),
            ("text/plain", b"caf\xE9", Some("caf\u{FFFD}")),
            ("text/plain", b"", None),
            ("text/plain", b" \n\t \r\n", None),
            ("text/plain", b"\xEF\xBB\xBF", None),
            ("text/plain", b"\xFF\xFE", None),
            ("TEXT/Plain; charset=utf-8", b"params ok", Some("params ok")),
            ("text/plain", b"# Not a title", Some("# Not a title")),
        ];
        for (media_type, bytes, text) in cases {
            let got = extract(media_type, bytes);
            assert_eq!(got.title, None, "{media_type} {bytes:?}");
            assert_eq!(got.text.as_deref(), *text, "{media_type} {bytes:?}");
        }
    }

    #[test]
    fn markdown_title_is_the_first_level_one_or_two_heading() {
        let cases: &[(&str, Option<&str>)] = &[
            ("# Title\nbody", Some("Title")),
            ("## Second level\nbody", Some("Second level")),
            ("intro\n\n# Later Title\n## Sub", Some("Later Title")),
            ("### Deep\n## Shallow", Some("Shallow")),
            ("# Closed ##\n", Some("Closed")),
            ("# Closed #   \n", Some("Closed")),
            ("# C#\n", Some("C#")),
            ("#   Spaced    out   \n", Some("Spaced out")),
            ("   # Indented three", Some("Indented three")),
            ("    # Indented four is code\n", None),
            ("#hashtag\n", None),
            ("#\n# Real", Some("Real")),
            ("# #\n## Real", Some("Real")),
            ("#\tTabbed", Some("Tabbed")),
            ("Setext One\n==========\n", Some("Setext One")),
            ("Setext Two\n---\n", Some("Setext Two")),
            ("Two line\nsetext\n===\n", Some("Two line setext")),
            ("Title\r\n=====\r\nbody", Some("Title")),
            ("para\n\n---\nafter", None),
            ("---\ntitle: Front\n---\n\nbody", None),
            ("---\ntitle: Front\n---\n# Heading", Some("Heading")),
            ("```\n# not a title\n```\n# Real", Some("Real")),
            (
                "~~~~\n# no\n~~~\n# still code\n~~~~\nText\n===",
                Some("Text"),
            ),
            ("- item\n---\n", None),
            ("Intro\n- item\n---\n", None),
            ("1. item\n---\n", None),
            ("> quote\n---\n", None),
            ("***\n===\n", None),
            ("==\n", None),
            ("no headings at all", None),
            ("", None),
        ];
        for (source, title) in cases {
            let got = extract("text/markdown", source.as_bytes());
            assert_eq!(got.title.as_deref(), *title, "{source:?}");
            let text = (!source.trim().is_empty()).then_some(*source);
            assert_eq!(got.text.as_deref(), text, "{source:?}");
        }
    }

    #[test]
    fn titles_are_collapsed_and_capped_on_a_char_boundary() {
        let title = |media_type, source: String| extract(media_type, source.as_bytes()).title;
        let md = format!("# {}", "é".repeat(400));
        assert_eq!(title("text/markdown", md), Some("é".repeat(300)));
        let md = format!("# {} tail", "a".repeat(299));
        assert_eq!(title("text/markdown", md), Some("a".repeat(299)));
        let html = format!("<title>{}</title>", "日本".repeat(200));
        assert_eq!(title("text/html", html), Some("日本".repeat(150)));
        let html = format!("<h1>{}</h1>", " x\n".repeat(200));
        assert_eq!(
            title("text/html", html),
            Some("x ".repeat(150).trim_end().into())
        );
    }

    #[test]
    fn html_title_and_visible_text() {
        // "source => title => text", an empty title or text meaning None.
        let cases = [
            "<head><title> The\n Page </title></head><p>Hi <b>you</b> => The Page => Hi you",
            "<h1>Heading &amp; more</h1><p>Body</p> => Heading & more => Heading & more\nBody",
            "<title> </title><h1></h1><h1>Second</h1> => Second => Second",
            "<title>T</title> => T => ",
            "<p>one</p><p>two</p><div>three<br>four</div> =>  => one\ntwo\nthree\nfour",
            "<ul><li>a</li><li>b</li></ul> =>  => a\nb",
            "<table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table> =>  => a b\nc",
            "<p>in<span>line</span> words</p> =>  => inline words",
            "<p>  lots \n\n of \t space&nbsp;here  </p> =>  => lots of space here",
            "<p>\n</p><div> </div> =>  => ",
            "<svg><title>Tooltip</title></svg><p>x</p> =>  => x",
            "<!-- hidden comment --><p>shown</p> =>  => shown",
            "plain words, no tags =>  => plain words, no tags",
            "<frameset><frame src=a></frameset> =>  => ",
            " =>  => ",
        ];
        for case in cases {
            let parts: Vec<&str> = case.split(" => ").collect();
            let [source, title, text] = parts[..] else {
                panic!("malformed case {case:?}");
            };
            let got = extract("text/html", source.as_bytes());
            assert_eq!(
                got.title.as_deref(),
                Some(title).filter(|t| !t.is_empty()),
                "{source}"
            );
            assert_eq!(
                got.text.as_deref(),
                Some(text).filter(|t| !t.is_empty()),
                "{source}"
            );
        }
    }

    #[test]
    fn html_hidden_elements_never_reach_the_text() {
        let source = "<html><head><style>.secret1{}</style><script>secret2()</script></head>\
            <body><p>keep</p><script>var secret3 = '<p>x</p>';</script>\
            <style>p { secret4: 1 }</style><noscript>secret5</noscript>\
            <template><p>secret6</p></template><iframe>secret7</iframe>\
            <div>also<script>secret8</script> kept</div><svg><style>secret9</style></svg></body></html>";
        let got = extract("text/html", source.as_bytes());
        let text = got.text.unwrap_or_default();
        assert_eq!(text, "keep\nalso kept");
        assert!(!text.contains("secret"));
    }

    #[test]
    fn html_is_decoded_from_any_supported_encoding() {
        const DOC: &str = "<title>T</title><p>x</p>";
        let cases = [
            ("text/html", [b"\xEF\xBB\xBF", DOC.as_bytes()].concat()),
            ("text/html", utf16(DOC, true)),
            ("application/xhtml+xml", DOC.into()),
            ("Text/HTML; charset=UTF-8", DOC.into()),
        ];
        for (media_type, bytes) in cases {
            let got = extract(media_type, &bytes);
            assert_eq!(got.title.as_deref(), Some("T"), "{media_type}");
            assert_eq!(got.text.as_deref(), Some("x"), "{media_type}");
        }
    }

    #[test]
    fn other_media_types_yield_nothing() {
        for media_type in ["image/png", "text/xml", "", "text"] {
            assert_eq!(extract(media_type, b"# Title\nhello"), Extracted::default());
        }
    }

    #[test]
    fn deeply_nested_html_does_not_overflow() {
        // A small stack makes a recursive walk fail at a depth the parser
        // (quadratic in nesting) still handles quickly.
        let depth = 4_000;
        let source = "<div><span>".repeat(depth) + "deep" + &"</span></div>".repeat(depth);
        let worker = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || extract("text/html", source.as_bytes()).text);
        let text = worker.map(|handle| handle.join());
        assert!(matches!(text, Ok(Ok(Some(ref t))) if t == "deep"));
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            for media_type in ["text/plain", "text/csv", "text/markdown", "text/html", "application/pdf"] {
                let got = extract(media_type, &bytes);
                if let Some(title) = got.title {
                    prop_assert!(!title.is_empty() && title.chars().count() <= MAX_TITLE_CHARS);
                    prop_assert_eq!(title.trim(), title.as_str());
                }
                if let Some(text) = got.text {
                    prop_assert!(!text.trim().is_empty());
                }
            }
        }

        #[test]
        fn never_panics_on_markup_like_text(s in "[#=\\-*`~>0-9. \n<a-z/!]{0,200}") {
            let _ = (extract("text/markdown", s.as_bytes()), extract("text/html", s.as_bytes()));
        }
    }
}
