//! The rows of the verdict table: every rule in every version, then the
//! rules in which versions differ.

use super::{latin1, md5, sha256, utf16_bom, utf8, Bag, Build};
use crate::bagit::Verdict;

/// Every version's rules, one row each: (version, what is special, build,
/// verdict, reason). An empty reason on a valid bag means no warning.
pub(super) fn rows() -> Vec<(&'static str, &'static str, Build, Verdict, &'static str)> {
    use Verdict::{Incomplete, Invalid, Valid};
    let mut rows: Vec<(&'static str, &'static str, Build, Verdict, &'static str)> = Vec::new();
    for v in ["0.93", "0.94", "0.95", "0.96", "0.97", "1.0"] {
        rows.extend([
            (
                v,
                "plain bag with tag manifest",
                (|b: &mut Bag| b.tagmanifest = true) as Build,
                Valid,
                "",
            ),
            (
                v,
                "wrong Payload-Oxum in the version's info file",
                |b| {
                    b.tags
                        .values_mut()
                        .for_each(|t| *t = t.replace("{OXUM}", "1.1"))
                },
                Invalid,
                "Payload-Oxum says 1 bytes in 1 files",
            ),
            (
                v,
                "../ in a manifest",
                |b| b.manifest_extra = format!("{}  data/../../x\n", sha256(b"")),
                Invalid,
                "would leave the bag",
            ),
            (
                v,
                "absolute path in a manifest",
                |b| b.manifest_extra = format!("{}  /etc/passwd\n", sha256(b"")),
                Invalid,
                "absolute",
            ),
            (
                v,
                "~ path in fetch.txt",
                |b| {
                    b.tag("fetch.txt", "http://example.org/x - ~/x\n");
                },
                Invalid,
                "home folder",
            ),
            (
                v,
                "leading ./ in a manifest",
                |b| {
                    b.listed("data/c.txt", "./data/c.txt", b"c");
                },
                Valid,
                "leading ./",
            ),
            (
                v,
                "changed payload file, same size",
                |b| b.overwrite.push(("data/a.txt", b"ALPHA")),
                Invalid,
                "checksum_mismatch data/a.txt",
            ),
            (
                v,
                "missing payload file",
                |b| {
                    b.absent("data/gone.txt", b"g");
                },
                Invalid,
                "missing_file data/gone.txt",
            ),
            (
                v,
                "tag manifest does not match",
                |b| {
                    b.tagmanifest = true;
                    b.overwrite.push(("manifest-sha256.txt", b""));
                },
                Invalid,
                "tagmanifest-md5.txt says",
            ),
            (
                v,
                "CRLF line endings",
                |b| {
                    b.encoding = ("UTF-8", |s| utf8(&s.replace('\n', "\r\n")));
                    b.bagit_txt = Some(
                        format!(
                            "BagIt-Version: {}\r\nTag-File-Character-Encoding: UTF-8\r\n",
                            b.version
                        )
                        .into_bytes(),
                    );
                },
                Valid,
                "",
            ),
            (
                v,
                "CR line endings, no final line break",
                |b| {
                    b.encoding = ("UTF-8", |s| utf8(s.trim_end().replace('\n', "\r").as_str()));
                    b.bagit_txt = Some(
                        format!(
                            "BagIt-Version: {}\rTag-File-Character-Encoding: UTF-8",
                            b.version
                        )
                        .into_bytes(),
                    );
                },
                Valid,
                "",
            ),
            (
                v,
                "UTF-16 tag files (with BOM)",
                |b| {
                    b.encoding = ("UTF-16", utf16_bom);
                    b.tagmanifest = true;
                },
                Valid,
                "",
            ),
            (
                v,
                "ISO-8859-1 tag files with a name in it",
                |b| {
                    b.encoding = ("ISO-8859-1", latin1);
                    b.file("data/caf\u{e9}.txt", b"x")
                        .info_line("Contact-Name: Jos\u{e9}");
                },
                Valid,
                "",
            ),
            (
                v,
                "declares UTF-8, a manifest is ISO-8859-1",
                |b| {
                    b.file("data/caf\u{e9}.txt", b"x").encoding = ("UTF-8", latin1);
                },
                Invalid,
                "bad_encoding",
            ),
            (
                v,
                "unknown tag-file encoding",
                |b| b.encoding = ("EBCDIC-FR-9", utf8),
                Invalid,
                "not an encoding custos knows",
            ),
            (
                v,
                "bagit.txt in UTF-16 itself",
                |b| {
                    b.bagit_txt = Some(utf16_bom(&format!(
                        "BagIt-Version: {}\nTag-File-Character-Encoding: UTF-16\n",
                        b.version
                    )))
                },
                Invalid,
                "bagit.txt itself is always UTF-8",
            ),
            (
                v,
                "BOM in bagit.txt",
                |b| {
                    b.bagit_txt = Some(
                        format!(
                            "\u{feff}BagIt-Version: {}\nTag-File-Character-Encoding: UTF-8\n",
                            b.version
                        )
                        .into_bytes(),
                    )
                },
                Invalid,
                "byte-order mark",
            ),
            (
                v,
                "UTF-8 BOM in a manifest",
                |b| b.encoding = ("UTF-8", |s| [&b"\xEF\xBB\xBF"[..], s.as_bytes()].concat()),
                Valid,
                "byte-order mark",
            ),
            (
                v,
                "three lines in bagit.txt",
                |b| {
                    b.bagit_txt = Some(
                        format!(
                            "BagIt-Version: {}\nTag-File-Character-Encoding: UTF-8\nX: y\n",
                            b.version
                        )
                        .into_bytes(),
                    )
                },
                Invalid,
                "exactly two",
            ),
            (
                v,
                "same path twice, different checksums",
                |b| b.manifest_extra = format!("{}  data/a.txt\n", sha256(b"other")),
                Invalid,
                "different checksums",
            ),
            (
                v,
                "fetch.txt, its file present",
                |b| {
                    b.file("data/f.txt", b"fetched")
                        .tag("fetch.txt", "https://example.org/f.txt 7 data/f.txt\n");
                },
                Valid,
                "",
            ),
            (
                v,
                "fetch.txt, its file absent",
                |b| {
                    b.absent("data/f.txt", b"fetched")
                        .tag("fetch.txt", "https://example.org/f.txt 7 data/f.txt\n");
                },
                Incomplete,
                "not_fetched",
            ),
            (
                v,
                "fetch.txt absent file, and a changed file",
                |b| {
                    b.absent("data/f.txt", b"f")
                        .tag("fetch.txt", "https://example.org/f - data/f.txt\n")
                        .overwrite
                        .push(("data/a.txt", b"ALPHA"));
                },
                Invalid,
                "checksum_mismatch",
            ),
            (
                v,
                "fetch.txt file in no manifest",
                |b| {
                    b.tag("fetch.txt", "https://example.org/g 1 data/g.txt\n");
                },
                Invalid,
                "in no payload manifest",
            ),
            (
                v,
                "fetch.txt lists a tag file",
                |b| {
                    b.tag("fetch.txt", "https://example.org/g 1 bag-info.txt\n");
                },
                Invalid,
                "never tag files",
            ),
            (
                v,
                "fetch.txt line without a length",
                |b| {
                    b.tag("fetch.txt", "https://example.org/g data/a.txt\n");
                },
                Invalid,
                "bad_fetch_line",
            ),
            (
                v,
                "fetch.txt ../ path",
                |b| {
                    b.tag("fetch.txt", "https://example.org/g - data/../../g\n");
                },
                Invalid,
                "would leave the bag",
            ),
            (
                v,
                "unlisted payload file",
                |b| b.overwrite.push(("data/extra", b"x")),
                Invalid,
                "unlisted_file data/extra",
            ),
        ]);
    }
    // Where the versions differ.
    let before_1: [&'static str; 5] = ["0.93", "0.94", "0.95", "0.96", "0.97"];
    for v in before_1 {
        rows.extend([
            (
                v,
                "%7Edir written literally (older writers)",
                (|b: &mut Bag| {
                    b.file("data/%7Edir/a.txt", b"t")
                        .file("data/%test2.txt", b"u");
                }) as Build,
                Valid,
                "",
            ),
            (
                v,
                "a literal % in a name",
                |b| {
                    b.file("data/50%.txt", b"x");
                },
                Valid,
                "",
            ),
            (
                v,
                "line break written %0A (bagit-python)",
                |b| {
                    b.listed("data/two\nlines", "data/two%0Alines", b"x");
                },
                Valid,
                "",
            ),
            (
                v,
                "same path twice, same checksum",
                |b| b.manifest_extra = format!("{}  data/a.txt\n", sha256(b"alpha")),
                Valid,
                "1.0 does not",
            ),
            (
                v,
                "second manifest lists only some files",
                |b| {
                    b.tag(
                        "manifest-md5.txt",
                        &format!("{}  data/a.txt\n", md5(b"alpha")),
                    );
                },
                Valid,
                "",
            ),
            (
                v,
                "fetch.txt file in only one of two manifests",
                |b| {
                    b.absent("data/f.txt", b"f")
                        .tag("fetch.txt", "https://example.org/f - data/f.txt\n")
                        .tag(
                            "manifest-md5.txt",
                            &format!("{}  data/a.txt\n", md5(b"alpha")),
                        );
                },
                Incomplete,
                "not_fetched",
            ),
        ]);
    }
    rows.extend([
        (
            "1.0",
            "%7Edir (not an RFC 8493 encoding)",
            (|b: &mut Bag| {
                b.listed("data/%7Edir/a.txt", "data/%7Edir/a.txt", b"t");
            }) as Build,
            Invalid,
            "bad_percent_encoding",
        ),
        (
            "1.0",
            "a literal % in a name, unencoded",
            |b| {
                b.file("data/50%.txt", b"x");
            },
            Invalid,
            "must be written %25",
        ),
        (
            "1.0",
            "% encoded as %25",
            |b| {
                b.listed("data/50%.txt", "data/50%25.txt", b"x");
            },
            Valid,
            "",
        ),
        (
            "1.0",
            "line break encoded %0A",
            |b| {
                b.listed("data/two\nlines", "data/two%0Alines", b"x");
            },
            Valid,
            "",
        ),
        (
            "1.0",
            "same path twice, same checksum",
            |b| b.manifest_extra = format!("{}  data/a.txt\n", sha256(b"alpha")),
            Invalid,
            "listed more than once",
        ),
        (
            "1.0",
            "second manifest lists only some files",
            |b| {
                b.tag(
                    "manifest-md5.txt",
                    &format!("{}  data/a.txt\n", md5(b"alpha")),
                );
            },
            Invalid,
            "not listed in manifest-md5.txt",
        ),
        (
            "1.0",
            "fetch.txt file in only one of two manifests",
            |b| {
                b.absent("data/f.txt", b"f")
                    .tag("fetch.txt", "https://example.org/f - data/f.txt\n")
                    .tag(
                        "manifest-md5.txt",
                        &format!("{}  data/a.txt\n", md5(b"alpha")),
                    );
            },
            Invalid,
            "but not in manifest-md5.txt",
        ),
        (
            "1.0",
            "name in another normalisation form",
            |b| {
                b.listed(
                    "data/S\u{327}us\u{327}a.txt",
                    "data/\u{15e}u\u{15f}a.txt",
                    b"s",
                );
            },
            Valid,
            "normalisation",
        ),
        (
            "0.95",
            "bag-info.txt is only a tag file before 0.96",
            |b| {
                b.tag("bag-info.txt", "Payload-Oxum: 999.9\n");
            },
            Valid,
            "",
        ),
        (
            "0.96",
            "package-info.txt is only a tag file from 0.96",
            |b| {
                b.tag("package-info.txt", "Payload-Oxum: 999.9\n");
            },
            Valid,
            "",
        ),
        (
            "0.98",
            "unknown version",
            |_| {},
            Invalid,
            "not one custos reads",
        ),
        (
            "2.0",
            "unknown version",
            |_| {},
            Invalid,
            "not one custos reads",
        ),
        (
            ".97",
            "malformed version",
            |_| {},
            Invalid,
            "not one custos reads",
        ),
    ]);
    rows
}
