//! Newtypes and closed vocabularies of the domain: item ids, digests, kinds,
//! anonymity, consent states and scopes, access levels.
//!
//! Each enum has one spelling, used alike on the command line, in the
//! catalogue and in JSON, so a value never needs translating. Nothing here
//! touches the database beyond converting to and from SQL values.

use std::fmt;
use std::str::FromStr;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::Serialize;

/// The catalogue number of an item, as archivists cite it (`custos show 17`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ItemId(pub i64);

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for ItemId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().parse::<i64>() {
            Ok(n) if n > 0 => Ok(ItemId(n)),
            _ => Err(format!("{s:?} is not an item id (a positive whole number)")),
        }
    }
}

impl ToSql for ItemId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}

impl FromSql for ItemId {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        i64::column_result(v).map(ItemId)
    }
}

/// A SHA-256 digest as 64 lowercase hex digits: the only form we store or print.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Sha256(String);

impl Sha256 {
    pub fn from_digest(bytes: &[u8]) -> Self {
        // By table, not `write!("{:02x}")`: formatting showed up at ~20% of
        // verify's chain check, which hex-encodes two digests per event.
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(bytes.len() * 2);
        for &b in bytes {
            s.push(HEX[usize::from(b >> 4)] as char);
            s.push(HEX[usize::from(b & 0xf)] as char);
        }
        Sha256(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Sha256 {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        if lower.len() == 64 && lower.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Sha256(lower))
        } else {
            Err(format!("{s:?} is not a SHA-256 digest (64 hex digits)"))
        }
    }
}

impl ToSql for Sha256 {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}

impl FromSql for Sha256 {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        let s = String::column_result(v)?;
        s.parse().map_err(|e: String| FromSqlError::Other(e.into()))
    }
}

/// Declares a closed vocabulary: clap value, SQL text and JSON string all use
/// the same lowercase spelling.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum, Serialize, serde::Deserialize)]
        #[serde(rename_all = "lowercase")]
        #[clap(rename_all = "lowercase")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let t = s.trim().to_ascii_lowercase();
                $(if t == $text { return Ok($name::$variant); })+
                let known: Vec<&str> = vec![$($text),+];
                Err(format!("unknown {} {:?}; expected one of: {}",
                    stringify!($name).to_ascii_lowercase(), s, known.join(", ")))
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
                let s = v.as_str()?;
                s.parse().map_err(|e: String| FromSqlError::Other(e.into()))
            }
        }
    };
}

vocabulary!(
    /// Who a note on an item is for: every reader the item is open to, or
    /// the custodian alone.
    NoteAudience {
        Public => "public",
        Custodial => "custodial",
    }
);

vocabulary!(
    /// What an item is.
    Kind {
        Article => "article",
        Testimony => "testimony",
        Report => "report",
        Letter => "letter",
        Photo => "photo",
        Audio => "audio",
        Video => "video",
        Other => "other",
    }
);

vocabulary!(
    /// How a provenance record came in.
    Method {
        File => "file",
        Manifest => "manifest",
        Bag => "bag",
    }
);

vocabulary!(
    /// How a narrator may be named.
    Anonymity {
        Named => "named",
        Pseudonymous => "pseudonymous",
        Anonymous => "anonymous",
    }
);

vocabulary!(
    /// The state a consent event puts a testimony in.
    ConsentStatus {
        Pending => "pending",
        Granted => "granted",
        Restricted => "restricted",
        Withdrawn => "withdrawn",
    }
);

vocabulary!(
    /// How far a consent reaches, narrowest first.
    Scope {
        Archive => "archive",
        Research => "research",
        Publication => "publication",
        Public => "public",
    }
);

vocabulary!(
    /// The controlled vocabularies terms belong to.
    Vocab {
        Event => "event",
        Place => "place",
        Subject => "subject",
        Agent => "agent",
    }
);

vocabulary!(
    /// Who is reading: decides what the policy lets through.
    Access {
        Public => "public",
        Research => "research",
        Custodian => "custodian",
    }
);

impl Kind {
    /// The kind an item gets when the user gives none: only the media type
    /// says anything reliable, and only for sound and images.
    pub fn guess(media_type: &str) -> Kind {
        match media_type.split('/').next() {
            Some("image") => Kind::Photo,
            Some("audio") => Kind::Audio,
            Some("video") => Kind::Video,
            _ => Kind::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_round_trip_their_spelling() {
        for k in Kind::ALL {
            assert_eq!(k.as_str().parse::<Kind>().unwrap(), *k);
        }
        assert_eq!("Testimony".parse::<Kind>().unwrap(), Kind::Testimony);
        let err = "poem".parse::<Kind>().unwrap_err();
        assert!(err.contains("poem") && err.contains("testimony"), "{err}");
    }

    #[test]
    fn sha256_is_lowercase_hex_of_64() {
        let upper = "A".repeat(64);
        assert_eq!(upper.parse::<Sha256>().unwrap().as_str(), "a".repeat(64));
        assert!("abc".parse::<Sha256>().is_err());
        assert!("g".repeat(64).parse::<Sha256>().is_err());
        assert_eq!(Sha256::from_digest(&[0, 255, 16]).as_str(), "00ff10");
    }

    #[test]
    fn item_ids_are_positive() {
        assert_eq!("17".parse::<ItemId>().unwrap(), ItemId(17));
        assert!("0".parse::<ItemId>().is_err());
        assert!("-3".parse::<ItemId>().is_err());
        assert!("x".parse::<ItemId>().is_err());
    }

    #[test]
    fn kind_guess_only_trusts_media() {
        assert_eq!(Kind::guess("image/png"), Kind::Photo);
        assert_eq!(Kind::guess("audio/wav"), Kind::Audio);
        assert_eq!(Kind::guess("text/plain"), Kind::Other);
    }
}

/// A narrator's number, as `custos narrator show 4` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct NarratorId(pub i64);

impl fmt::Display for NarratorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for NarratorId {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim().parse::<i64>() {
            Ok(n) if n > 0 => Ok(NarratorId(n)),
            _ => Err(format!(
                "{s:?} is not a narrator id (a positive whole number)"
            )),
        }
    }
}

impl ToSql for NarratorId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}

impl FromSql for NarratorId {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        i64::column_result(v).map(NarratorId)
    }
}

vocabulary!(
    /// An item's own access state, whatever its kind (issue 18): open,
    /// closed below custodian, or restricted to research.
    ItemAccess {
        Open => "open",
        Closed => "closed",
        Research => "research",
    }
);

vocabulary!(
    /// The levels `access --restrict` may name: who besides the custodian
    /// may see a restricted item.
    RestrictTo {
        Research => "research",
    }
);

vocabulary!(
    /// The access a newly imported item starts with (`init --intake`,
    /// `import --intake`, `settings intake`).
    Intake {
        Open => "open",
        Closed => "closed",
    }
);
