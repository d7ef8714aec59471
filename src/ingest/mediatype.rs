//! Decides the IANA media type of an ingested file from its first bytes and,
//! failing that, its name.
//!
//! Content wins over the name for binary formats (a PNG called `x.txt` is
//! `image/png`), because archivists receive files with wrong or missing
//! extensions. This module must NOT read files, open paths or trust the name
//! over recognisable binary content; it looks only at the bytes and name it is
//! given, and it always returns some media type rather than failing.

use std::ffi::OsStr;
use std::path::Path;

const OCTET_STREAM: &str = "application/octet-stream";

/// Media type (IANA, e.g. "text/html", "application/pdf", "image/png") from content first, extension second.
pub fn detect(file_name: &OsStr, head: &[u8]) -> String {
    // infer also sniffs a few text formats (HTML, XML, `#!` scripts); those
    // signatures are too weak to overrule a `.md` or `.txt` name, so only its
    // binary matchers are allowed to decide here.
    if let Some(kind) = infer::get(head) {
        if kind.matcher_type() != infer::MatcherType::Text {
            return kind.mime_type().to_string();
        }
    }

    let extension = Path::new(file_name)
        .extension()
        .and_then(OsStr::to_str)
        .map(str::to_ascii_lowercase);
    if let Some(known) = extension.as_deref().and_then(text_type_for_extension) {
        return known.to_string();
    }
    if looks_like_html(head) {
        return "text/html".to_string();
    }
    if let Some(guess) = extension
        .as_deref()
        .and_then(|ext| mime_guess::from_ext(ext).first_raw())
    {
        return guess.to_string();
    }
    if is_text(head) {
        return "text/plain".to_string();
    }
    OCTET_STREAM.to_string()
}

/// The text formats custos extracts from, where the name is more telling than
/// any sniffing (Markdown and CSV have no signature at all).
fn text_type_for_extension(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "md" | "markdown" => "text/markdown",
        "html" | "htm" => "text/html",
        "csv" => "text/csv",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain",
        _ => return None,
    })
}

fn looks_like_html(head: &[u8]) -> bool {
    let rest = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = rest
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    let rest = &rest[start..];
    [b"<!doctype html".as_slice(), b"<html".as_slice()]
        .iter()
        .any(|tag| starts_with_tag(rest, tag))
}

/// Case-insensitive prefix match that also requires the tag name to end
/// there, so `<htmlfoo>` or `<!doctype htmlx>` are not taken for HTML.
fn starts_with_tag(buf: &[u8], tag: &[u8]) -> bool {
    buf.len() >= tag.len()
        && buf[..tag.len()].eq_ignore_ascii_case(tag)
        && buf
            .get(tag.len())
            .is_none_or(|b| b.is_ascii_whitespace() || *b == b'>')
}

fn is_text(head: &[u8]) -> bool {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return is_utf16_text(head);
    }
    !head.contains(&0)
        && match std::str::from_utf8(head) {
            Ok(_) => true,
            // `error_len() == None` means the input merely ended inside a
            // multi-byte character, which is what cutting a file at 8 KiB does.
            Err(e) => e.error_len().is_none(),
        }
}

/// UTF-16 with a byte-order mark is the one common text encoding that
/// contains NUL bytes (and is never valid UTF-8); extraction decodes it, so
/// it should not be lost as `application/octet-stream`.
fn is_utf16_text(head: &[u8]) -> bool {
    let little_endian = match head {
        [0xFF, 0xFE, ..] => true,
        [0xFE, 0xFF, ..] => false,
        _ => return false,
    };
    let to_unit: fn([u8; 2]) -> u16 = if little_endian {
        u16::from_le_bytes
    } else {
        u16::from_be_bytes
    };
    let units = head[2..].chunks_exact(2).map(|p| to_unit([p[0], p[1]]));
    let decoded: Vec<_> = char::decode_utf16(units).collect();
    let Some((last, rest)) = decoded.split_last() else {
        return true;
    };
    // Like UTF-8 above, a surrogate pair cut in half at the end is tolerated.
    rest.iter().all(|c| matches!(c, Ok(ch) if *ch != '\0')) && !matches!(last, Ok('\0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0";
    const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
    const ZIP: &[u8] = b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
    const MP3: &[u8] = b"ID3\x04\0\0\0\0\0\0";
    const WAV: &[u8] = b"RIFF\x24\0\0\0WAVEfmt \x10\0\0\0";
    const OGG: &[u8] = b"OggS\0\x02\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\x1e\x01vorbis";
    const MP4: &[u8] = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom";
    const GIF: &[u8] = b"GIF89a\x01\0\x01\0";

    fn detect_str(name: &str, head: &[u8]) -> String {
        detect(OsStr::new(name), head)
    }

    #[test]
    fn binary_content_wins_over_any_name() {
        let cases: &[(&str, &[u8], &str)] = &[
            ("photo.png", PNG, "image/png"),
            ("x.txt", PNG, "image/png"),
            ("notes.md", PNG, "image/png"),
            ("noext", PNG, "image/png"),
            ("scan.jpg", JPEG, "image/jpeg"),
            ("scan.html", JPEG, "image/jpeg"),
            ("letter.pdf", PDF, "application/pdf"),
            ("letter.txt", PDF, "application/pdf"),
            ("bundle.zip", ZIP, "application/zip"),
            ("bundle.csv", ZIP, "application/zip"),
            ("interview.mp3", MP3, "audio/mpeg"),
            ("interview.wav", WAV, "audio/x-wav"),
            ("interview.ogg", OGG, "audio/ogg"),
            ("interview.mp4", MP4, "video/mp4"),
            ("interview.json", MP4, "video/mp4"),
            ("anim.gif", GIF, "image/gif"),
        ];
        for (name, head, want) in cases {
            assert_eq!(detect_str(name, head), *want, "{name}");
        }
    }

    #[test]
    fn listed_text_extensions_win_over_sniffing() {
        let html = b"<!DOCTYPE html><html><body>hi</body></html>";
        let cases: &[(&str, &[u8], &str)] = &[
            ("a.md", b"# Title\n", "text/markdown"),
            ("a.markdown", b"# Title\n", "text/markdown"),
            ("README.MD", b"# Title\n", "text/markdown"),
            ("page.md", html, "text/markdown"),
            ("page.html", html, "text/html"),
            ("page.htm", b"no tags at all", "text/html"),
            ("PAGE.HTM", html, "text/html"),
            ("data.csv", b"a,b\n1,2\n", "text/csv"),
            ("data.json", b"{\"a\": 1}", "application/json"),
            (
                "data.xml",
                b"<?xml version=\"1.0\"?><a/>",
                "application/xml",
            ),
            ("notes.txt", b"plain words", "text/plain"),
            ("notes.txt", html, "text/plain"),
            ("notes.txt", b"<b>bold</b> claim", "text/plain"),
            ("script.txt", b"#!/bin/sh\necho hi\n", "text/plain"),
            ("empty.md", b"", "text/markdown"),
            ("binary.txt", b"\0\x01\x02\x03", "text/plain"),
        ];
        for (name, head, want) in cases {
            assert_eq!(detect_str(name, head), *want, "{name}");
        }
    }

    #[test]
    fn html_is_sniffed_when_the_name_says_nothing_listed() {
        let cases: &[(&str, &[u8], &str)] = &[
            ("page", b"<!DOCTYPE html><title>x</title>", "text/html"),
            ("page", b"<!doctype HTML>", "text/html"),
            ("page", b"<html lang=\"en\">", "text/html"),
            ("page", b"<HTML>", "text/html"),
            ("page", b"<html", "text/html"),
            ("page", b"\xEF\xBB\xBF  \r\n\t<html>", "text/html"),
            ("page.php", b"<html><?php echo 1; ?></html>", "text/html"),
            ("page.asp", b"\n\n<!DOCTYPE html>", "text/html"),
            ("page", b"<htmlx>", "text/plain"),
            ("page", b"<!doctype htmlx>", "text/plain"),
            ("page", b"text before <html>", "text/plain"),
            ("page", b"<body>only a body</body>", "text/plain"),
        ];
        for (name, head, want) in cases {
            assert_eq!(detect_str(name, head), *want, "{name} {head:?}");
        }
    }

    #[test]
    fn other_extensions_fall_back_to_mime_guess() {
        let cases: &[(&str, &[u8], &str)] = &[
            ("style.css", b"body { color: red }", "text/css"),
            (
                "logo.svg",
                b"<?xml version=\"1.0\"?><svg/>",
                "image/svg+xml",
            ),
            ("run.sh", b"#!/bin/sh\n", "application/x-sh"),
            ("truncated.png", b"", "image/png"),
            ("letter.rtf", b"{\\rtf1 hi}", "application/rtf"),
            ("blob.bin", b"readable text", "application/octet-stream"),
        ];
        for (name, head, want) in cases {
            assert_eq!(detect_str(name, head), *want, "{name}");
        }
    }

    #[test]
    fn unknown_names_are_judged_by_their_bytes() {
        let mut cut_utf8 = "é".repeat(4095).into_bytes();
        cut_utf8.extend_from_slice("é".as_bytes());
        cut_utf8.truncate(8191);
        let utf16le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Oral history".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let utf16be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("Oral history".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        let utf16_cjk: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("東京の記録".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert!(!utf16_cjk.contains(&0));
        let cases: &[(&str, &[u8], &str)] = &[
            ("README", b"Just some words.\n", "text/plain"),
            (
                "transcript.unknownext",
                "Grüße, 東京".as_bytes(),
                "text/plain",
            ),
            ("empty", b"", "text/plain"),
            ("LICENSE", b"\xEF\xBB\xBFwith bom", "text/plain"),
            ("cut", &cut_utf8, "text/plain"),
            (
                "cut-short",
                "ab\u{1F600}"
                    .as_bytes()
                    .split_last()
                    .map_or(&[][..], |(_, r)| r),
                "text/plain",
            ),
            ("utf16le", &utf16le, "text/plain"),
            ("utf16be", &utf16be, "text/plain"),
            ("utf16-cjk", &utf16_cjk, "text/plain"),
            ("nul", b"text\0with nul", OCTET_STREAM),
            ("latin1", b"caf\xE9 au lait", OCTET_STREAM),
            ("bad-middle", b"ab\xFFcd", OCTET_STREAM),
            ("utf16-nul", b"\xFF\xFEa\0\0\0b\0", OCTET_STREAM),
            ("utf16-lone-surrogate", b"\xFF\xFE\x00\xD8a\0", OCTET_STREAM),
            ("random", b"\x00\x9F\x92\x96\x01", OCTET_STREAM),
        ];
        for (name, head, want) in cases {
            assert_eq!(detect_str(name, head), *want, "{name}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_names_do_not_break_detection() {
        use std::os::unix::ffi::OsStrExt;
        let name = OsStr::from_bytes(b"caf\xE9.\xFFmd");
        assert_eq!(detect(name, b"hello"), "text/plain");
        assert_eq!(detect(name, PNG), "image/png");
        let name = OsStr::from_bytes(b"caf\xE9.md");
        assert_eq!(detect(name, b"hello"), "text/markdown");
    }
}
