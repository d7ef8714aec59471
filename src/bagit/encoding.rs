//! Tag-file character encodings. `bagit.txt` names the encoding of every
//! other tag file (`bag-info.txt`, manifests, `fetch.txt`, …): UTF-8 is
//! what everyone writes and RFC 8493 recommends, but every version allows
//! another registered charset, and bags from older tools arrive in UTF-16
//! or ISO-8859-1.
//!
//! The Unicode family, ISO-8859-1 and US-ASCII are decoded here exactly as
//! their IANA definitions say (the WHATWG tables of `encoding_rs` read
//! "ISO-8859-1" as windows-1252 and a BOM-less "UTF-16" as little-endian,
//! which is not what a bag declaring them means); any other label goes to
//! `encoding_rs`. Decoding never guesses and never replaces: bytes that are
//! not valid in the declared encoding are an error, because a manifest path
//! decoded wrongly would name the wrong file. It does no I/O.

use encoding_rs::Encoding;

/// An encoding a bag may declare for its tag files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagEncoding {
    Utf8,
    /// UTF-16 with a byte-order mark, or big-endian without one (RFC 2781).
    Utf16,
    Utf16Be,
    Utf16Le,
    /// ISO-8859-1: each byte is the code point of the same number.
    Latin1,
    Ascii,
    Other(&'static Encoding),
}

/// Decoded tag-file text, and whether a byte-order mark was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub bom: bool,
}

impl TagEncoding {
    /// The encoding a `Tag-File-Character-Encoding` value names (IANA
    /// names and aliases, case-insensitive), if custos can decode it.
    pub fn from_label(label: &str) -> Option<TagEncoding> {
        let l = label.trim().to_ascii_lowercase();
        Some(match l.as_str() {
            "utf-8" | "utf8" | "csutf8" => TagEncoding::Utf8,
            "utf-16" | "utf16" | "csutf16" => TagEncoding::Utf16,
            "utf-16be" | "csutf16be" => TagEncoding::Utf16Be,
            "utf-16le" | "csutf16le" => TagEncoding::Utf16Le,
            "iso-8859-1" | "iso_8859-1" | "iso_8859-1:1987" | "iso8859-1" | "latin1"
            | "latin-1" | "l1" | "iso-ir-100" | "ibm819" | "cp819" | "csisolatin1" => {
                TagEncoding::Latin1
            }
            "us-ascii" | "ascii" | "ansi_x3.4-1968" | "iso646-us" | "us" | "ibm367" | "cp367"
            | "csascii" | "iso-ir-6" => TagEncoding::Ascii,
            _ => {
                let e = Encoding::for_label_no_replacement(l.as_bytes())?;
                // Labels the WHATWG table folds into UTF-16LE or windows-1252
                // are handled above; anything else it knows is decoded as is.
                TagEncoding::Other(e)
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            TagEncoding::Utf8 => "UTF-8",
            TagEncoding::Utf16 => "UTF-16",
            TagEncoding::Utf16Be => "UTF-16BE",
            TagEncoding::Utf16Le => "UTF-16LE",
            TagEncoding::Latin1 => "ISO-8859-1",
            TagEncoding::Ascii => "US-ASCII",
            TagEncoding::Other(e) => e.name(),
        }
    }

    /// Decodes a whole tag file. A leading byte-order mark is dropped (and
    /// reported in `bom`); the error says what is wrong and where.
    pub fn decode(self, bytes: &[u8]) -> Result<Decoded, String> {
        match self {
            TagEncoding::Utf8 => {
                let (bom, body) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
                    Some(b) => (true, b),
                    None => (false, bytes),
                };
                let text = std::str::from_utf8(body).map_err(|e| {
                    format!(
                        "not valid UTF-8 (at byte {})",
                        e.valid_up_to() + bom as usize * 3
                    )
                })?;
                Ok(Decoded {
                    text: text.to_string(),
                    bom,
                })
            }
            TagEncoding::Utf16 => match bytes {
                [0xFE, 0xFF, rest @ ..] => utf16(rest, true, true),
                [0xFF, 0xFE, rest @ ..] => utf16(rest, false, true),
                _ => utf16(bytes, true, false),
            },
            TagEncoding::Utf16Be => match bytes {
                [0xFE, 0xFF, rest @ ..] => utf16(rest, true, true),
                _ => utf16(bytes, true, false),
            },
            TagEncoding::Utf16Le => match bytes {
                [0xFF, 0xFE, rest @ ..] => utf16(rest, false, true),
                _ => utf16(bytes, false, false),
            },
            TagEncoding::Latin1 => Ok(Decoded {
                text: bytes.iter().map(|&b| char::from(b)).collect(),
                bom: false,
            }),
            TagEncoding::Ascii => match bytes.iter().position(|b| !b.is_ascii()) {
                Some(i) => Err(format!("not US-ASCII (byte {i} is 0x{:02X})", bytes[i])),
                None => Ok(Decoded {
                    text: bytes.iter().map(|&b| char::from(b)).collect(),
                    bom: false,
                }),
            },
            TagEncoding::Other(e) => {
                let (body, bom) = match Encoding::for_bom(bytes) {
                    Some((be, n)) if be == e => (&bytes[n..], true),
                    _ => (bytes, false),
                };
                e.decode_without_bom_handling_and_without_replacement(body)
                    .map(|t| Decoded {
                        text: t.into_owned(),
                        bom,
                    })
                    .ok_or_else(|| format!("not valid {} text", e.name()))
            }
        }
    }
}

fn utf16(bytes: &[u8], big_endian: bool, bom: bool) -> Result<Decoded, String> {
    if bytes.len() % 2 != 0 {
        return Err("not valid UTF-16: an odd number of bytes".into());
    }
    let units = bytes.chunks_exact(2).map(|p| {
        if big_endian {
            u16::from_be_bytes([p[0], p[1]])
        } else {
            u16::from_le_bytes([p[0], p[1]])
        }
    });
    let text = char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|e| {
            format!(
                "not valid UTF-16: unpaired surrogate 0x{:04X}",
                e.unpaired_surrogate()
            )
        })?;
    Ok(Decoded { text, bom })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(label: &str, bytes: &[u8]) -> Result<Decoded, String> {
        TagEncoding::from_label(label)
            .unwrap_or_else(|| panic!("{label}"))
            .decode(bytes)
    }

    #[test]
    fn each_declared_encoding_reads_its_own_bytes() {
        let t = "Source-Organization: Bibliothèque\n";
        let be: Vec<u8> = t.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let le: Vec<u8> = t.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let latin1: Vec<u8> = t.chars().map(|c| c as u32 as u8).collect();
        let cases: Vec<(&str, Vec<u8>, bool)> = vec![
            ("UTF-8", t.as_bytes().to_vec(), false),
            ("utf-8", [&b"\xEF\xBB\xBF"[..], t.as_bytes()].concat(), true),
            ("UTF-16", [&[0xFE, 0xFF][..], &be].concat(), true),
            ("UTF-16", [&[0xFF, 0xFE][..], &le].concat(), true),
            ("UTF-16", be.clone(), false),
            ("UTF-16BE", be, false),
            ("UTF-16LE", le, false),
            ("ISO-8859-1", latin1.clone(), false),
            ("latin1", latin1.clone(), false),
            ("windows-1252", latin1, false),
        ];
        for (label, bytes, bom) in cases {
            let d = dec(label, &bytes).unwrap_or_else(|e| panic!("{label}: {e}"));
            assert_eq!(d.text, t, "{label}");
            assert_eq!(d.bom, bom, "{label}");
        }
    }

    #[test]
    fn iso_8859_1_is_not_windows_1252() {
        // 0x80 is a C1 control in ISO-8859-1 and the euro sign in windows-1252.
        assert_eq!(dec("ISO-8859-1", b"\x80").unwrap().text, "\u{80}");
        assert_eq!(dec("windows-1252", b"\x80").unwrap().text, "\u{20ac}");
    }

    #[test]
    fn bytes_invalid_in_the_declared_encoding_are_errors() {
        assert!(dec("UTF-8", b"caf\xE9").is_err());
        assert!(dec("US-ASCII", b"caf\xE9").is_err());
        assert!(dec("UTF-16", b"\xFE\xFF\x00").is_err(), "odd length");
        assert!(
            dec("UTF-16BE", b"\xD8\x00\x00\x41").is_err(),
            "lone surrogate"
        );
        assert!(dec("Shift_JIS", b"\x82").is_err());
        assert!(TagEncoding::from_label("EBCDIC-weird").is_none());
        assert!(TagEncoding::from_label("replacement").is_none());
    }
}
