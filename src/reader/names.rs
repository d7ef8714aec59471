//! Reading a term with all its names, as a reader may see them: the term
//! only where the reader sees an item carrying it (or at custodian), and
//! each name's source only where the policy opens its source item
//! (`policy::view::name`). It loads rows and asks the policy; it never
//! decides visibility itself and never prints.

use serde::Serialize;

use super::Reader;
use crate::catalogue::names;
use crate::catalogue::terms;
use crate::error::Result;
use crate::model::{ItemId, Vocab};
use crate::policy::{self, view};

/// A term with every name a reader may see.
#[derive(Debug, Clone, Serialize)]
pub struct TermNames {
    pub vocab: Vocab,
    pub term: i64,
    /// The display label the custodian chose.
    pub label: String,
    /// What to show: the first name in the requested language, else the label.
    pub display: String,
    pub items: i64,
    pub names: Vec<view::NameView>,
}

impl Reader<'_> {
    /// An item as a source of evidence (None when missing).
    pub(crate) fn source(&self, id: ItemId) -> Result<Option<view::Source>> {
        Ok(
            policy::sql::load_facts(self.conn, id)?.map(|f| view::Source {
                decision: policy::decide(self.access, &f, self.today),
                redacted: f.redacted,
            }),
        )
    }

    /// The term that `name` names (any of its names) with its names; None
    /// where there is no such term or this reader may not see it.
    pub fn term_names(
        &self,
        vocab: Vocab,
        name: &str,
        lang: Option<&str>,
    ) -> Result<Option<TermNames>> {
        let Some((id, label)) = terms::find(self.conn, vocab, name)? else {
            return Ok(None);
        };
        let items = names::open_items(self.conn, id, self.access, self.today)?;
        if items == 0 && !policy::sees_everything(self.access) {
            return Ok(None);
        }
        let mut shown = Vec::new();
        for r in names::list(self.conn, id)? {
            let decision = match r.source_item {
                Some(item) => self.source(item)?,
                None => None,
            };
            shown.push(view::name(r, decision.as_ref()));
        }
        let display = lang
            .and_then(|l| {
                shown
                    .iter()
                    .find(|n| n.lang.as_deref().is_some_and(|nl| lang_matches(nl, l)))
            })
            .map(|n| n.name.clone())
            .unwrap_or_else(|| label.clone());
        Ok(Some(TermNames {
            vocab,
            term: id,
            label,
            display,
            items,
            names: shown,
        }))
    }
}

/// `hy` asks for `hy` and `hy-Latn`; `hy-Latn` only for itself.
fn lang_matches(name_lang: &str, asked: &str) -> bool {
    let n = name_lang.to_ascii_lowercase();
    let a = asked.to_ascii_lowercase();
    n == a || n.starts_with(&format!("{a}-"))
}
