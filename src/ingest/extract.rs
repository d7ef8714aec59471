//! Pulls searchable text and a title out of a document's bytes, given its
//! media type, for the full-text index and the catalogue's title field.
//!
//! Plain text, CSV, Markdown and HTML are understood; every other media type
//! yields nothing. This module must NOT panic, fail, touch the filesystem or
//! database, or execute anything in a document (scripts, styles and templates
//! are dropped, never interpreted); damaged input degrades to less text, not
//! to an error, because ingest must never be blocked by a bad file.

use scraper::{ElementRef, Html, Node};

/// Titles longer than this are catalogue noise rather than titles.
const MAX_TITLE_CHARS: usize = 300;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub title: Option<String>,
    pub text: Option<String>,
}

/// Text for full-text search and a title, from a document's bytes. Never panics on any input.
pub fn extract(media_type: &str, bytes: &[u8]) -> Extracted {
    // Callers may pass a full Content-Type with parameters or odd casing.
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
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
    let pairs = bytes[2..].chunks_exact(2);
    let odd_tail = !pairs.remainder().is_empty();
    let units = pairs.map(|p| {
        let pair = [p[0], p[1]];
        if little_endian {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    let mut text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if odd_tail {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    text
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
            continue;
        }
        if body.is_empty() {
            paragraph.clear();
            continue;
        }
        if indent >= 4 {
            // Indented code cannot start a paragraph, but it can continue one.
            if !paragraph.is_empty() {
                paragraph.push(body);
            }
            continue;
        }
        if let Some(f) = fence_of(body) {
            fence = Some(f);
            paragraph.clear();
            continue;
        }
        if let Some(title) = atx_heading(body) {
            match clean_title(title) {
                Some(title) => return Some(title),
                None => {
                    paragraph.clear();
                    continue;
                }
            }
        }
        if atx_level(body).is_some() {
            paragraph.clear();
            continue;
        }
        if !paragraph.is_empty() && is_setext_underline(body) {
            if let Some(title) = clean_title(&paragraph.join(" ")) {
                return Some(title);
            }
            paragraph.clear();
            continue;
        }
        if starts_other_block(body) {
            paragraph.clear();
            continue;
        }
        paragraph.push(body);
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

/// The text of a level-1 or level-2 ATX heading, closing `#`s removed.
fn atx_heading(body: &str) -> Option<&str> {
    let level = atx_level(body).filter(|level| *level <= 2)?;
    let text = body[level..].trim();
    let without_closing = text.trim_end_matches('#');
    // A closing sequence needs a space before it, so `# C#` keeps its `#`.
    if without_closing.is_empty() || without_closing.ends_with([' ', '\t']) {
        Some(without_closing.trim_end())
    } else {
        Some(text)
    }
}

fn is_setext_underline(body: &str) -> bool {
    let Some(first) = body.chars().next().filter(|c| *c == '=' || *c == '-') else {
        return false;
    };
    body.chars().all(|c| c == first)
}

/// Lines that begin a list, block quote or thematic break, which end any
/// paragraph and so cannot be (part of) the text of a setext heading.
fn starts_other_block(body: &str) -> bool {
    let mut chars = body.chars();
    let first = chars.next().unwrap_or(' ');
    let second = chars.next();
    let bullet = matches!(first, '-' | '*' | '+') && second.is_none_or(char::is_whitespace);
    let digits = body.chars().take_while(char::is_ascii_digit).count();
    let ordered = (1..=9).contains(&digits)
        && matches!(body[digits..].chars().next(), Some('.' | ')'))
        && body[digits + 1..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace);
    let thematic = {
        let marks: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        marks.len() >= 3
            && ['-', '*', '_']
                .iter()
                .any(|m| marks.chars().all(|c| c == *m))
    };
    bullet || ordered || thematic || first == '>'
}

/// Elements whose content is never shown as page text.
const HIDDEN: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "noembed", "noframes", "head", "title",
];

/// Elements that start a new line when rendered.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "legend",
    "li",
    "main",
    "nav",
    "ol",
    "option",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "tr",
    "ul",
];

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
            Node::Element(e) if !HIDDEN.contains(&e.name()) => {
                let name = e.name();
                if BLOCKS.contains(&name) {
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

    fn utf16(s: &str, little_endian: bool) -> Vec<u8> {
        let bom: [u8; 2] = if little_endian {
            [0xFF, 0xFE]
        } else {
            [0xFE, 0xFF]
        };
        let units = s.encode_utf16().flat_map(move |u| {
            if little_endian {
                u.to_le_bytes()
            } else {
                u.to_be_bytes()
            }
        });
        bom.into_iter().chain(units).collect()
    }

    #[test]
    fn plain_text_and_csv_are_decoded_whole() {
        let le = utf16("Grüße\r\nline 2 😀", true);
        let be = utf16("Grüße\r\nline 2 😀", false);
        let mut odd = utf16("ab", true);
        odd.push(b'c');
        let cases: &[(&str, &[u8], Option<&str>)] = &[
            (
                "text/plain",
                b"  hello\nworld  \n",
                Some("  hello\nworld  \n"),
            ),
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
        let long = format!("# {}", "é".repeat(400));
        let got = extract("text/markdown", long.as_bytes())
            .title
            .unwrap_or_default();
        assert_eq!(got.chars().count(), MAX_TITLE_CHARS);
        assert!(got.chars().all(|c| c == 'é'));

        let spaced = format!("# {} tail", "a".repeat(299));
        let got = extract("text/markdown", spaced.as_bytes()).title;
        assert_eq!(got, Some("a".repeat(299)));

        let html = format!("<title>{}</title>", "日本".repeat(200));
        let got = extract("text/html", html.as_bytes())
            .title
            .unwrap_or_default();
        assert_eq!(got.chars().count(), MAX_TITLE_CHARS);
    }

    #[test]
    fn html_title_and_visible_text() {
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            (
                "<html><head><title>  The\n  Page </title></head><body><p>Hello <b>world</b></p></body></html>",
                Some("The Page"),
                Some("Hello world"),
            ),
            ("<h1>Heading &amp; more</h1><p>Body</p>", Some("Heading & more"), Some("Heading & more\nBody")),
            ("<title> </title><h1></h1><h1>Second</h1>", Some("Second"), Some("Second")),
            ("<title>T</title>", Some("T"), None),
            ("<p>one</p><p>two</p><div>three<br>four</div>", None, Some("one\ntwo\nthree\nfour")),
            ("<ul><li>a</li><li>b</li></ul>", None, Some("a\nb")),
            ("<table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table>", None, Some("a b\nc")),
            ("<p>in<span>line</span> words</p>", None, Some("inline words")),
            ("<p>  lots \n\n of \t space&nbsp;here  </p>", None, Some("lots of space here")),
            ("<p>\n</p><div> </div>", None, None),
            ("<svg><title>Tooltip</title></svg><p>x</p>", None, Some("x")),
            ("<!-- hidden comment --><p>shown</p>", None, Some("shown")),
            ("plain words, no tags", None, Some("plain words, no tags")),
            ("<frameset><frame src=a></frameset>", None, None),
            ("", None, None),
        ];
        for (source, title, text) in cases {
            let got = extract("text/html", source.as_bytes());
            assert_eq!(got.title.as_deref(), *title, "{source}");
            assert_eq!(got.text.as_deref(), *text, "{source}");
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
        let cases: Vec<(&str, Vec<u8>)> = vec![
            (
                "text/html",
                b"\xEF\xBB\xBF<title>BOM</title><p>x</p>".to_vec(),
            ),
            ("text/html", utf16("<title>BOM</title><p>x</p>", true)),
            (
                "application/xhtml+xml",
                b"<title>BOM</title><p>x</p>".to_vec(),
            ),
            (
                "Text/HTML; charset=UTF-8",
                b"<title>BOM</title><p>x</p>".to_vec(),
            ),
        ];
        for (media_type, bytes) in cases {
            let got = extract(media_type, &bytes);
            assert_eq!(got.title.as_deref(), Some("BOM"), "{media_type}");
            assert_eq!(got.text.as_deref(), Some("x"), "{media_type}");
        }
    }

    #[test]
    fn other_media_types_yield_nothing() {
        for media_type in [
            "application/pdf",
            "image/png",
            "application/json",
            "",
            "text",
            "foo",
        ] {
            assert_eq!(extract(media_type, b"# Title\nhello"), Extracted::default());
        }
    }

    #[test]
    fn deeply_nested_html_does_not_overflow() {
        let depth = 20_000;
        let source = format!(
            "{}deep{}",
            "<div><span>".repeat(depth),
            "</span></div>".repeat(depth)
        );
        assert_eq!(
            extract("text/html", source.as_bytes()).text.as_deref(),
            Some("deep")
        );
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
            for media_type in ["text/markdown", "text/html"] {
                let _ = extract(media_type, s.as_bytes());
            }
        }
    }
}
