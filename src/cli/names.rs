//! Arguments of the names of terms (`terms name add|list|remove`, `terms
//! label`, `terms show`) and of `claim`, with their typed value parsers:
//! a term written `vocab:name`, a BCP 47 language tag, an ISO 15924 script
//! code, a name's form. Parsing only: nothing here reads the archive.

use std::fmt;
use std::str::FromStr;

use clap::{Args, Subcommand};

use super::*;
use crate::model::{ItemId, Vocab};

/// A term named by its vocabulary and any of its names: `place:Khankendi`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermRef {
    pub vocab: Vocab,
    pub name: String,
}

impl FromStr for TermRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (v, name) = s.split_once(':').ok_or_else(|| {
            format!("{s:?}: write a term as VOCAB:NAME, e.g. place:Velmora or 'event:Harbour fire'")
        })?;
        let vocab = Vocab::from_str(v.trim()).map_err(|_| {
            format!("{s:?}: {v:?} is not a vocabulary (event, place, subject, agent)")
        })?;
        let name = name.trim().trim_start_matches('=').trim();
        if name.is_empty() {
            return Err(format!("{s:?}: the term's name is empty"));
        }
        Ok(TermRef {
            vocab,
            name: name.to_string(),
        })
    }
}

impl fmt::Display for TermRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.vocab, self.name)
    }
}

/// A BCP 47 language tag (`hy`, `az-Latn`, `ru`), validated and put in
/// canonical case by `unic-langid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LangTag(pub String);

impl FromStr for LangTag {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let id: unic_langid::LanguageIdentifier = s.parse().map_err(|e| {
            format!("{s:?} is not a BCP 47 language tag ({e}); e.g. hy, az, ru, ka")
        })?;
        if id.language.is_empty() {
            return Err(format!("{s:?}: name a language (e.g. hy, az, ru, ka)"));
        }
        Ok(LangTag(id.to_string()))
    }
}

/// An ISO 15924 script code (`Armn`, `Cyrl`, `Geor`, `Latn`), in its
/// canonical title case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptCode(pub String);

impl FromStr for ScriptCode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let sc: unic_langid::subtags::Script = s.parse().map_err(|_| {
            format!("{s:?} is not an ISO 15924 script code (four letters: Armn, Cyrl, Geor, Latn)")
        })?;
        Ok(ScriptCode(sc.as_str().to_string()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NameForm {
    Official,
    Endonym,
    Exonym,
    Historical,
    Transliteration,
    Other,
}

impl NameForm {
    pub fn as_str(self) -> &'static str {
        match self {
            NameForm::Official => "official",
            NameForm::Endonym => "endonym",
            NameForm::Exonym => "exonym",
            NameForm::Historical => "historical",
            NameForm::Transliteration => "transliteration",
            NameForm::Other => "other",
        }
    }
}

/// Where a name or a claim comes from: an item, where in it, or a citation.
#[derive(Debug, Args, Clone, Default)]
pub struct NameSource {
    /// The item that attests the name
    #[arg(long, value_name = "ITEM")]
    pub source: Option<ItemId>,
    /// Where in the source (a page, a paragraph, a time)
    #[arg(long, value_name = "TEXT", requires = "source")]
    pub locator: Option<String>,
    /// A free-text citation, for a source not in the archive
    #[arg(long, value_name = "TEXT")]
    pub citation: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum NameAction {
    /// Add a name to a term (found by any of its names)
    Add(Box<AddName>),
    /// List every name of a term with its attributes and sources
    List {
        term: TermRef,
        /// Show the term in this language where it has a name in it
        #[arg(long, value_name = "TAG")]
        lang: Option<LangTag>,
        #[command(flatten)]
        access: AccessArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Remove one name of a term (not its label)
    Remove {
        term: TermRef,
        name: String,
        /// Who is making the change (default: your login name)
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
}

/// `terms name add`: the name and its attributes.
#[derive(Debug, Args)]
pub struct AddName {
    pub term: TermRef,
    pub name: String,
    /// BCP 47 language tag: hy, az, ru, ka, en
    #[arg(long, value_name = "TAG")]
    pub lang: Option<LangTag>,
    /// ISO 15924 script: Armn, Cyrl, Geor, Latn
    #[arg(long, value_name = "CODE")]
    pub script: Option<ScriptCode>,
    #[arg(long, value_enum)]
    pub form: Option<NameForm>,
    /// Who uses this name (e.g. "Azerbaijani government")
    #[arg(long, value_name = "TEXT")]
    pub used_by: Option<String>,
    #[command(flatten)]
    pub source: NameSource,
    /// When the name was in use (EDTF: 1923/1991, 1988~)
    #[arg(long, value_name = "EDTF")]
    pub period: Option<crate::edtf::Edtf>,
    /// Who is making the change (default: your login name)
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}
