//! The catalogue's rows: items, objects, provenance, extracted text, terms,
//! the event log, and the tallies derived from them. All SQL about them
//! lives here, behind typed functions.
//!
//! It reads and writes rows; it does not decide who may see them (that is
//! `policy`) and it never prints.

pub mod access;
pub mod accessions;
pub mod chain;
pub mod claims;
pub mod collections;
pub mod consent;
pub mod copies;
pub mod deaccessions;
pub mod digests;
pub mod events;
pub mod fixity;
pub mod fts;
pub mod items;
pub mod names;
pub mod narrators;
pub mod notes;
pub mod passages;
pub mod provenance;
pub mod recordings;
pub mod redactions;
pub mod segments;
pub mod settings;
pub mod sites;
pub mod tally;
pub mod terms;
pub mod testimonies;
pub mod tokens;
pub mod transcripts;

/// File names need not be UTF-8; they are stored byte-exact and shown with
/// each invalid byte as `\xNN`, so a name is never silently altered.
pub fn display_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn invalid_utf8_is_escaped_not_lost() {
        assert_eq!(super::display_bytes(b"caf\xe9.txt"), "caf\\xE9.txt");
        assert_eq!(super::display_bytes("Şuşa.md".as_bytes()), "Şuşa.md");
    }
}
