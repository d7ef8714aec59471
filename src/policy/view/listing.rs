//! Typed rows of listings: what `query --fields` adds to an item view,
//! and what reports list of an item (its heading, its ingestion, facts
//! beside it). Each view is built by destructuring what the catalogue
//! holds, so a new field does not compile until someone decides who may
//! see it; only the decision says what is granted.

use serde::Serialize;

use super::{AccessClass, Decision, ItemView, Standing};
use crate::model::{ItemId, Kind, Sha256};

/// What `query --fields` can add beyond the record, as the catalogue
/// holds it.
#[derive(Debug, Clone, Default)]
pub struct ItemExtras {
    pub narrator: Option<String>,
    pub anonymity: Option<String>,
    pub consent: Option<String>,
    pub scope: Option<String>,
    pub embargo: Option<String>,
    pub evidence: Option<i64>,
    pub event: Vec<String>,
    pub place: Vec<String>,
    pub subject: Vec<String>,
    pub agent: Vec<String>,
}

/// The extras a reader asked for, as it may see them: a key is absent when
/// not asked for, and null when asked for but not granted.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExtrasView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narrator: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anonymity: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embargo: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Option<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<Option<Vec<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<Option<Vec<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Option<Vec<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<Option<Vec<String>>>,
}

/// The extras as this reader may see them: nothing of a closed, withdrawn
/// or hidden item; the evidence link only with custodial detail. `wanted`
/// says whether a key (by its `--fields` name) was asked for.
pub fn extras(
    decision: &Decision,
    extras: ItemExtras,
    wanted: impl Fn(&str) -> bool,
) -> ExtrasView {
    let ItemExtras {
        narrator,
        anonymity,
        consent,
        scope,
        embargo,
        evidence,
        event,
        place,
        subject,
        agent,
    } = extras;
    let (open, custodial) = match decision {
        Decision::Open(g) => (true, g.custodial_detail),
        _ => (false, false),
    };
    let ask = |key: &str| wanted(key);
    fn give<T>(asked: bool, granted: bool, v: T) -> Option<Option<T>> {
        asked.then(|| Some(v).filter(|_| granted))
    }
    ExtrasView {
        narrator: give(ask("narrator"), open, narrator).map(Option::flatten),
        anonymity: give(ask("anonymity"), open, anonymity).map(Option::flatten),
        consent: give(ask("consent"), open, consent).map(Option::flatten),
        scope: give(ask("scope"), open, scope).map(Option::flatten),
        embargo: give(ask("embargo"), open, embargo).map(Option::flatten),
        evidence: give(ask("evidence"), open && custodial, evidence).map(Option::flatten),
        event: give(ask("event"), open, event),
        place: give(ask("place"), open, place),
        subject: give(ask("subject"), open, subject),
        agent: give(ask("agent"), open, agent),
    }
}

/// One row of `list` and `query`: the item view, the extras asked for, and
/// the snippet (present when the query searched text; null unless open).
#[derive(Debug, Clone, Serialize)]
pub struct ListedItem {
    #[serde(flatten)]
    pub item: ItemView,
    #[serde(flatten)]
    pub extras: ExtrasView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<Option<String>>,
    /// Where in a recording the words are said or indexed (issue 12);
    /// only with full-text terms, only hits the reader may find.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segments: Option<Vec<super::TimedHit>>,
}

/// What a report lists of any item: its heading. The title is the one
/// the reader's level reads in SQL (`policy::sql::title`).
#[derive(Debug, Clone)]
pub struct Heading {
    pub id: ItemId,
    pub title: String,
    pub kind: Kind,
    pub collection: Option<String>,
}

/// A heading as the reader may see it: a closed or withdrawn entry keeps
/// id, kind and collection, and says why.
#[derive(Debug, Clone, Serialize)]
pub struct HeadingView {
    pub id: ItemId,
    pub title: Option<String>,
    pub kind: Kind,
    pub collection: Option<String>,
    pub access: &'static str,
    #[serde(flatten)]
    pub standing: Standing,
}

/// The heading as this reader may see it; None when the item is hidden.
pub fn heading(decision: &Decision, class: AccessClass, h: Heading) -> Option<HeadingView> {
    let Heading {
        id,
        title,
        kind,
        collection,
    } = h;
    let (access, standing) = standing(decision, class)?;
    let open = matches!(decision, Decision::Open(_));
    Some(HeadingView {
        id,
        title: Some(title).filter(|_| open),
        kind,
        collection,
        access,
        standing,
    })
}

/// The access word and standing of a decision; None when hidden.
fn standing(decision: &Decision, class: AccessClass) -> Option<(&'static str, Standing)> {
    match decision {
        Decision::Hidden => None,
        Decision::Closed { until } => Some((
            "closed",
            Standing::Closed {
                closed_until: until.map(|d| d.to_string()),
            },
        )),
        Decision::Tombstone { gone, on, reason } => Some(super::tombstone(*gone, on, reason)),
        Decision::Open(_) => Some((class.as_str(), Standing::Open {})),
    }
}

/// How an item entered the archive, as the accession register lists it.
#[derive(Debug, Clone)]
pub struct Ingestion {
    pub ingested_at: Option<String>,
    pub origin: Option<String>,
    pub ingested_by: Option<String>,
    pub sha256: Sha256,
    pub method: Option<String>,
}

/// An ingestion as the reader may see it: nothing of a closed entry; the
/// origin only with the origin grant, the digest only with the digest
/// grant.
#[derive(Debug, Clone, Serialize)]
pub struct IngestionView {
    pub ingested_at: Option<String>,
    pub origin: Option<String>,
    pub ingested_by: Option<String>,
    pub sha256: Option<Sha256>,
    pub method: Option<String>,
}

pub fn ingestion(decision: &Decision, i: Ingestion) -> IngestionView {
    let Ingestion {
        ingested_at,
        origin,
        ingested_by,
        sha256,
        method,
    } = i;
    match decision {
        Decision::Open(g) => IngestionView {
            ingested_at,
            origin: origin.filter(|_| g.origin),
            ingested_by,
            sha256: Some(sha256).filter(|_| g.digest),
            method,
        },
        _ => IngestionView {
            ingested_at: None,
            origin: None,
            ingested_by: None,
            sha256: None,
            method: None,
        },
    }
}

/// A fact about an item that a report lists beside its heading (the day
/// and outcome of its last check, the end of its embargo): shown only
/// where the item is open to the reader.
pub fn beside<T>(decision: &Decision, fact: T) -> Option<T> {
    Some(fact).filter(|_| matches!(decision, Decision::Open(_)))
}
