//! Pathnames as manifests carry them: RFC 8493 §2.1.3 percent-encodes
//! exactly three characters — LF (`%0A`), CR (`%0D`) and `%` (`%25`) — so a
//! name fits on one manifest line. Also the safety check every manifest
//! path must pass before it is joined to the bag's folder.
//!
//! This module must not decode anything else (`%20` stays as written, as
//! the RFC says), and must not touch the file system.

/// Encodes a relative path for a manifest line.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\n' => out.push_str("%0A"),
            '\r' => out.push_str("%0D"),
            c => out.push(c),
        }
    }
    out
}

/// Decodes a manifest path. A `%` that does not start `%0A`, `%0D` or `%25`
/// (any case) is an error: an encoder following the RFC never writes one,
/// and guessing what it meant could point at the wrong file.
pub fn decode_path(encoded: &str) -> Result<String, String> {
    let mut out = String::with_capacity(encoded.len());
    let mut rest = encoded;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest.get(i + 1..i + 3).map(str::to_ascii_uppercase);
        match code.as_deref() {
            Some("0A") => out.push('\n'),
            Some("0D") => out.push('\r'),
            Some("25") => out.push('%'),
            _ => {
                let shown: String = rest[i..].chars().take(3).collect();
                return Err(format!(
                    "{shown:?} is not one of the encodings BagIt allows (%0A, %0D, %25); a literal % must be written %25"
                ));
            }
        }
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Checks that a (decoded) path names something inside the bag: relative,
/// `/`-separated, without `..`, `.` or empty components. Returns the reason
/// when it does not. Symbolic links are the caller's business (it must not
/// follow them).
pub fn check_relative(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the path is empty".into());
    }
    if path.contains('\0') {
        return Err("the path contains a NUL character".into());
    }
    if path.starts_with('/') || path.starts_with('\\') {
        return Err("the path is absolute".into());
    }
    let b = path.as_bytes();
    if b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic() {
        return Err("the path starts with a drive letter".into());
    }
    if path.starts_with('~') {
        return Err("the path starts with ~ (a home folder)".into());
    }
    for part in path.split(['/', '\\']) {
        match part {
            ".." => return Err("the path contains '..' and would leave the bag".into()),
            "." | "" => return Err("the path has an empty or '.' component".into()),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_round_trips_the_three_characters() {
        let cases = [
            ("data/plain.txt", "data/plain.txt"),
            ("data/50%.txt", "data/50%25.txt"),
            ("data/two\nlines", "data/two%0Alines"),
            ("data/cr\rlf\r\n", "data/cr%0Dlf%0D%0A"),
            ("data/%0A literally", "data/%250A literally"),
            ("data/space stays", "data/space stays"),
        ];
        for (raw, enc) in cases {
            assert_eq!(encode_path(raw), enc);
            assert_eq!(decode_path(enc).unwrap(), raw);
        }
        assert_eq!(decode_path("data/a%0a%0d").unwrap(), "data/a\n\r");
    }

    #[test]
    fn stray_percent_signs_are_errors() {
        for bad in ["data/%20x", "data/100%", "data/%2", "data/%zz", "data/%é"] {
            assert!(decode_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_paths_inside_the_bag_pass() {
        for ok in ["data/a.txt", "data/x/y z", "bag-info.txt", "data/..hidden"] {
            assert!(check_relative(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "data/../../x",
            "..",
            "data/./a",
            "data//a",
            "C:/x",
            "~/x",
            "data\\..\\x",
            "\\\\server\\x",
        ] {
            assert!(check_relative(bad).is_err(), "{bad:?}");
        }
    }
}
