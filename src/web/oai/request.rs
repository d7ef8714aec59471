//! An OAI-PMH request from its arguments: the verb, and for each verb
//! exactly the arguments it allows (spec 3.1.1 and section 4). Anything
//! else is an error code of the protocol; nothing here reads the archive.

use chrono::NaiveDate;

use super::token::{self, Token};

/// Arguments longer than this are refused (a query-size limit: no valid
/// argument of ours comes near it).
const MAX_ARG: usize = 4096;

/// The one metadata format we disseminate.
pub const OAI_DC: &str = "oai_dc";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Identify,
    ListMetadataFormats,
    ListSets,
    ListIdentifiers,
    ListRecords,
    GetRecord,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Identify => "Identify",
            Verb::ListMetadataFormats => "ListMetadataFormats",
            Verb::ListSets => "ListSets",
            Verb::ListIdentifiers => "ListIdentifiers",
            Verb::ListRecords => "ListRecords",
            Verb::GetRecord => "GetRecord",
        }
    }

    fn parse(s: &str) -> Option<Verb> {
        [
            Verb::Identify,
            Verb::ListMetadataFormats,
            Verb::ListSets,
            Verb::ListIdentifiers,
            Verb::ListRecords,
            Verb::GetRecord,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    BadVerb,
    BadArgument,
    CannotDisseminateFormat,
    IdDoesNotExist,
    NoRecordsMatch,
    BadResumptionToken,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadVerb => "badVerb",
            ErrorCode::BadArgument => "badArgument",
            ErrorCode::CannotDisseminateFormat => "cannotDisseminateFormat",
            ErrorCode::IdDoesNotExist => "idDoesNotExist",
            ErrorCode::NoRecordsMatch => "noRecordsMatch",
            ErrorCode::BadResumptionToken => "badResumptionToken",
        }
    }
}

/// A protocol error: its code and a message for the person reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OaiError {
    pub code: ErrorCode,
    pub message: String,
}

pub fn error(code: ErrorCode, message: impl Into<String>) -> OaiError {
    OaiError {
        code,
        message: message.into(),
    }
}

/// A set we know how to select by: `kind:<kind>` or `collection:<hex of
/// the name's UTF-8>` (setSpec allows only a few ASCII characters, and a
/// collection's name may hold any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetSpec {
    Kind(&'static str),
    Collection(String),
}

impl SetSpec {
    pub fn parse(s: &str) -> Option<SetSpec> {
        let (head, tail) = s.split_once(':')?;
        match head {
            "kind" => custos::query::fields::lookup("kind").and_then(|f| match f.ty {
                custos::query::fields::Type::Enum(kinds) => {
                    kinds.iter().find(|k| **k == tail).map(|k| SetSpec::Kind(k))
                }
                _ => None,
            }),
            "collection" => {
                let bytes = from_hex(tail)?;
                let name = String::from_utf8(bytes).ok()?;
                (!name.is_empty()).then_some(SetSpec::Collection(name))
            }
            _ => None,
        }
    }

    pub fn spec(&self) -> String {
        match self {
            SetSpec::Kind(k) => format!("kind:{k}"),
            SetSpec::Collection(c) => {
                let hex: String = c.bytes().map(|b| format!("{b:02x}")).collect();
                format!("collection:{hex}")
            }
        }
    }
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || s.len() % 2 != 0 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// What a list request selects (ListIdentifiers, ListRecords).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selection {
    /// The set as asked for: an unknown spec selects nothing.
    pub set: Option<String>,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// Where a list request starts: at the beginning of a selection, or where
/// a resumption token left off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    Fresh(Selection),
    Resume(Token),
}

/// A valid request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub verb: Verb,
    /// The arguments as given (for the response's `request` element).
    pub args: Vec<(String, String)>,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Identify,
    Formats { identifier: Option<String> },
    Sets,
    List { headers_only: bool, start: Start },
    Get { identifier: String },
}

/// The verb of a request that names exactly one valid verb.
pub fn verb_of(params: &[(String, String)]) -> Option<Verb> {
    let mut verbs = params.iter().filter(|(k, _)| k == "verb");
    match (verbs.next(), verbs.next()) {
        (Some((_, v)), None) => Verb::parse(v),
        _ => None,
    }
}

/// Parses the request's arguments (query string or form body, decoded).
pub fn parse(params: &[(String, String)]) -> Result<Request, OaiError> {
    let verbs: Vec<&str> = params
        .iter()
        .filter(|(k, _)| k == "verb")
        .map(|(_, v)| v.as_str())
        .collect();
    let verb = match verbs.as_slice() {
        [] => return Err(error(ErrorCode::BadVerb, "the verb argument is missing")),
        [v] => Verb::parse(v).ok_or_else(|| {
            error(
                ErrorCode::BadVerb,
                format!("{:?} is not an OAI-PMH verb", clip(v)),
            )
        })?,
        _ => return Err(error(ErrorCode::BadVerb, "the verb argument is repeated")),
    };
    let args: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "verb")
        .cloned()
        .collect();
    for (i, (k, v)) in args.iter().enumerate() {
        if args[..i].iter().any(|(k2, _)| k2 == k) {
            return Err(error(
                ErrorCode::BadArgument,
                format!("the argument {:?} is repeated", clip(k)),
            ));
        }
        if v.len() > MAX_ARG {
            return Err(error(
                ErrorCode::BadArgument,
                format!("the argument {:?} is longer than {MAX_ARG} bytes", clip(k)),
            ));
        }
    }
    let get = |k: &str| args.iter().find(|(k2, _)| k2 == k).map(|(_, v)| v.clone());
    let allowed: &[&str] = match verb {
        Verb::Identify => &[],
        Verb::ListMetadataFormats => &["identifier"],
        Verb::ListSets => &["resumptionToken"],
        Verb::ListIdentifiers | Verb::ListRecords => {
            &["metadataPrefix", "from", "until", "set", "resumptionToken"]
        }
        Verb::GetRecord => &["identifier", "metadataPrefix"],
    };
    if let Some((k, _)) = args.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        return Err(error(
            ErrorCode::BadArgument,
            format!("{} takes no argument {:?}", verb.as_str(), clip(k)),
        ));
    }
    let kind = match verb {
        Verb::Identify => Kind::Identify,
        Verb::ListMetadataFormats => Kind::Formats {
            identifier: get("identifier"),
        },
        Verb::ListSets => {
            if get("resumptionToken").is_some() {
                // Our set list is never split, so no token of ours exists.
                return Err(error(
                    ErrorCode::BadResumptionToken,
                    "ListSets is answered in one response; this token was not issued",
                ));
            }
            Kind::Sets
        }
        Verb::GetRecord => {
            let (Some(identifier), Some(prefix)) = (get("identifier"), get("metadataPrefix"))
            else {
                return Err(error(
                    ErrorCode::BadArgument,
                    "GetRecord needs identifier and metadataPrefix",
                ));
            };
            check_prefix(&prefix)?;
            Kind::Get { identifier }
        }
        Verb::ListIdentifiers | Verb::ListRecords => {
            let headers_only = verb == Verb::ListIdentifiers;
            let start = match get("resumptionToken") {
                Some(t) => {
                    if args.len() > 1 {
                        return Err(error(
                            ErrorCode::BadArgument,
                            "resumptionToken is an exclusive argument",
                        ));
                    }
                    let tok = token::decode(&t).ok_or_else(|| {
                        error(
                            ErrorCode::BadResumptionToken,
                            "this token was not issued here",
                        )
                    })?;
                    if tok.headers_only != headers_only {
                        return Err(error(
                            ErrorCode::BadResumptionToken,
                            "this token continues a list of another verb",
                        ));
                    }
                    Start::Resume(tok)
                }
                None => {
                    let prefix = get("metadataPrefix").ok_or_else(|| {
                        error(ErrorCode::BadArgument, "metadataPrefix is required")
                    })?;
                    check_prefix(&prefix)?;
                    let from = get("from").map(|d| day("from", &d)).transpose()?;
                    let until = get("until").map(|d| day("until", &d)).transpose()?;
                    if let (Some(f), Some(u)) = (from, until) {
                        if f > u {
                            return Err(error(ErrorCode::BadArgument, "from is later than until"));
                        }
                    }
                    Start::Fresh(Selection {
                        set: get("set"),
                        from,
                        until,
                    })
                }
            };
            Kind::List {
                headers_only,
                start,
            }
        }
    };
    Ok(Request { verb, args, kind })
}

fn check_prefix(prefix: &str) -> Result<(), OaiError> {
    if prefix == OAI_DC {
        Ok(())
    } else {
        Err(error(
            ErrorCode::CannotDisseminateFormat,
            format!("{:?} is not disseminated here; oai_dc is", clip(prefix)),
        ))
    }
}

/// A datestamp argument at our granularity, `YYYY-MM-DD` (a finer one is
/// `badArgument`, spec 3.3.1).
fn day(name: &str, s: &str) -> Result<NaiveDate, OaiError> {
    let ok = s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-';
    ok.then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| {
            error(
                ErrorCode::BadArgument,
                format!(
                    "{name} must be a day, YYYY-MM-DD (the granularity here), not {:?}",
                    clip(s)
                ),
            )
        })
}

/// A user's value cut short for a message.
fn clip(s: &str) -> String {
    s.chars().take(64).collect()
}

/// The item number in an identifier `oai:<repository>:<n>` of this
/// repository, if it is one.
pub fn item_number(identifier: &str, repository_id: &str) -> Option<i64> {
    let rest = identifier.strip_prefix("oai:")?;
    let n = rest.strip_prefix(repository_id)?.strip_prefix(':')?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) || n.starts_with('0') {
        return None;
    }
    n.parse().ok()
}
