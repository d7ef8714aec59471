//! SQL forms of the policy: the columns that load an item's facts, and
//! predicates that select exactly the items [`super::decide`] lists or opens.
//!
//! Queries over a million items cannot filter in Rust after a LIMIT, so the
//! decision also exists as SQL; `tests.rs` checks the two agree on every
//! combination. Access-dependent values (scopes, today) are bound
//! parameters. The predicates read only `items i` (its derived consent
//! columns, kept by triggers from consent_current), so filtering a million
//! rows needs no join; [`FACTS_COLUMNS`] assume `items i` joined with
//! [`FACTS_JOIN`].

use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

use super::{scopes_for, Consent, Deaccession, Facts};
use crate::error::Result;
use crate::model::{Access, ItemAccess, ItemId};

/// Joins the tables the facts come from onto `items i`.
pub const FACTS_JOIN: &str = "
LEFT JOIN consent_current cc ON cc.item_id = i.id
LEFT JOIN testimonies t ON t.item_id = i.id
LEFT JOIN narrators n ON n.id = t.narrator_id";

/// Kept by a trigger on consent_events (migration 0004), so no row needs a
/// probe of the consent history.
const IS_EVIDENCE: &str = "i.is_evidence = 1";

/// How many columns [`FACTS_COLUMNS`] are.
pub const FACTS_WIDTH: usize = 13;

/// The thirteen columns [`facts_from_row`] reads, in order. A
/// deaccession's day and reason are read only for a deaccessioned item.
pub const FACTS_COLUMNS: &str =
    "i.kind, cc.status, cc.scope, cc.date, cc.embargo_until, cc.reason, n.anonymity,
 i.is_evidence = 1,
 EXISTS (SELECT 1 FROM redacted_text rt WHERE rt.item_id = i.id),
 i.access_level, i.access_until,
 CASE WHEN i.access_level = 'deaccessioned'
      THEN (SELECT substr(d.recorded_at, 1, 10) FROM deaccessions d WHERE d.item_id = i.id) END,
 CASE WHEN i.access_level = 'deaccessioned'
      THEN (SELECT d.reason FROM deaccessions d WHERE d.item_id = i.id) END";

/// `items.access_level` of a deaccessioned item (migration 0016).
pub const DEACCESSIONED: &str = "deaccessioned";

pub fn facts_from_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Facts> {
    let status: Option<crate::model::ConsentStatus> = r.get(at + 1)?;
    let embargo: Option<String> = r.get(at + 4)?;
    let consent = match status {
        None => None,
        Some(status) => Some(Consent {
            status,
            scope: r.get(at + 2)?,
            date: r.get::<_, Option<String>>(at + 3)?.unwrap_or_default(),
            embargo_until: embargo.and_then(|e| NaiveDate::parse_from_str(&e, "%Y-%m-%d").ok()),
            reason: r.get(at + 5)?,
        }),
    };
    let level: Option<String> = r.get(at + 9)?;
    let deaccessioned = match level.as_deref() {
        Some(DEACCESSIONED) => Some(Deaccession {
            on: r.get::<_, Option<String>>(at + 11)?.unwrap_or_default(),
            reason: r.get::<_, Option<String>>(at + 12)?.unwrap_or_default(),
        }),
        _ => None,
    };
    let item_access = match level.as_deref() {
        None => ItemAccess::Open,
        // Closed, so that whatever reads the level alone finds it so.
        Some(DEACCESSIONED) => ItemAccess::Closed,
        // A level this build does not know closes the item rather than
        // failing every read of the catalogue.
        Some(l) => l.parse().unwrap_or(ItemAccess::Closed),
    };
    Ok(Facts {
        kind: r.get(at)?,
        consent,
        anonymity: r.get(at + 6)?,
        is_evidence: r.get(at + 7)?,
        redacted: r.get(at + 8)?,
        item_access,
        item_access_until: r
            .get::<_, Option<String>>(at + 10)?
            .and_then(|e| NaiveDate::parse_from_str(&e, "%Y-%m-%d").ok()),
        deaccessioned,
    })
}

pub fn load_facts(conn: &Connection, id: ItemId) -> Result<Option<Facts>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {FACTS_COLUMNS} FROM items i {FACTS_JOIN} WHERE i.id = ?1"
        ))?
        .query_row([id], |r| facts_from_row(r, 0))
        .optional()?)
}

/// The object's digest and size as a query below custodian may match and
/// sort on them (over `objects o` and `redacted_text rx`): NULL for a
/// redacted item, agreeing with [`super::Grant::digest`].
pub const DIGEST_BELOW_CUSTODIAN: &str = "CASE WHEN rx.item_id IS NULL THEN o.sha256 END";
/// See [`DIGEST_BELOW_CUSTODIAN`].
pub const SIZE_BELOW_CUSTODIAN: &str = "CASE WHEN rx.item_id IS NULL THEN o.size END";

/// Items whose origin a reader below custodian may match on (over
/// `items i`), agreeing with [`super::Grant::origin`]: not testimonies, and
/// not redacted items (their file names may hold the redacted names).
pub const ORIGIN_BELOW_CUSTODIAN: &str = "(i.kind <> 'testimony'
    AND NOT EXISTS (SELECT 1 FROM redacted_text rt WHERE rt.item_id = i.id))";

/// Items whose narrator's quasi-identifiers (interviewer, interview place)
/// a reader below custodian may match on (over the facts join), agreeing
/// with [`super::Grant::quasi_identifiers`]: not an anonymous narrator's.
pub const QUASI_IDENTIFIERS_BELOW_CUSTODIAN: &str = "ifnull(n.anonymity, '') <> 'anonymous'";

/// The notes a reader below custodian may match on (over `item_notes nt`
/// and `items i`), agreeing with `view::notes`: public notes, and none of
/// a redacted item (a note is not redacted).
pub const NOTES_BELOW_CUSTODIAN: &str = "nt.audience = 'public'
    AND NOT EXISTS (SELECT 1 FROM redacted_text rt WHERE rt.item_id = i.id)";

/// A WHERE fragment with its `?` parameters, in textual order.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub sql: String,
    pub params: Vec<Value>,
}

fn scope_params(access: Access) -> (String, Vec<Value>) {
    let scopes = scopes_for(access);
    let marks = vec!["?"; scopes.len()].join(", ");
    let params = scopes
        .iter()
        .map(|s| Value::Text(s.as_str().to_string()))
        .collect();
    (marks, params)
}

fn day(today: NaiveDate) -> Value {
    Value::Text(today.format("%Y-%m-%d").to_string())
}

/// The title a reader sees, as an SQL expression over `items i` and
/// `LEFT JOIN redacted_text rx ON rx.item_id = i.id`: the redacted copy's
/// where there is one, except for the custodian.
pub fn title(access: Access) -> &'static str {
    if super::reads_originals(access) {
        "i.title"
    } else {
        "coalesce(rx.title, i.title)"
    }
}

/// Every item, as the custodian lists them (for writers such as the bag
/// restore, which read what they are about to copy whole).
pub fn all_items() -> Filter {
    listed(Access::Custodian)
}

/// Not deaccessioned (over `items i`, or a tally aliased `i`).
const NOT_DEACCESSIONED: &str = "ifnull(i.access_level, '') <> 'deaccessioned'";

/// Items the reader sees in any form (open, closed or tombstone).
pub fn listed(access: Access) -> Filter {
    if access == Access::Custodian {
        return Filter {
            sql: "1".into(),
            params: vec![],
        };
    }
    let (marks, params) = scope_params(access);
    Filter {
        sql: format!(
            "(NOT {IS_EVIDENCE} AND {NOT_DEACCESSIONED}
              AND (i.kind <> 'testimony' OR i.consent_status IS NULL OR i.consent_status = 'pending'
              OR (i.consent_status IN ('granted', 'restricted') AND i.consent_scope IN ({marks}))))"
        ),
        params,
    }
}

/// Items the reader sees that the collection still holds (reports and
/// counts read these): the listed ones less deaccessioned tombstones, which
/// only the custodian is shown and which left the holdings.
pub fn held(access: Access) -> Filter {
    let mut f = listed(access);
    f.sql = format!("({} AND {NOT_DEACCESSIONED})", f.sql);
    f
}

/// Items the reader may see in full: only these may match on title, text,
/// narrator or any field beyond id, kind and collection.
pub fn open(access: Access, today: NaiveDate) -> Filter {
    if access == Access::Custodian {
        return Filter {
            sql: format!(
                "(NOT (i.kind = 'testimony' AND coalesce(i.consent_status, '') = 'withdrawn')
                  AND {NOT_DEACCESSIONED})"
            ),
            params: vec![],
        };
    }
    let (marks, mut params) = scope_params(access);
    params.push(day(today));
    params.push(day(today));
    let own = own_access_admits(access);
    Filter {
        sql: format!(
            "(NOT {IS_EVIDENCE} AND (i.kind <> 'testimony' OR (i.consent_status IN ('granted', 'restricted')
              AND i.consent_scope IN ({marks}) AND (i.consent_embargo IS NULL OR i.consent_embargo <= ?)))
              AND {own})"
        ),
        params,
    }
}

/// Whether the item's own access lets a reader below custodian open it,
/// with one `?` for today, agreeing with [`super::Facts::own_restriction`]
/// as [`super::decide`] applies it: no restriction, one this level is
/// admitted to, or one whose end day has come (a NULL end never comes).
fn own_access_admits(access: Access) -> &'static str {
    match access {
        Access::Research => {
            "(i.access_level IS NULL OR i.access_level = 'research' OR i.access_until <= ?)"
        }
        _ => "(i.access_level IS NULL OR i.access_until <= ?)",
    }
}

/// The `access` field as an SQL expression, agreeing with
/// [`super::access_class`].
pub fn access_class(today: NaiveDate) -> Filter {
    let by_consent = format!(
        "(CASE WHEN {IS_EVIDENCE} THEN 'restricted'
              WHEN i.kind <> 'testimony' THEN 'open'
              WHEN i.consent_status IS NULL OR i.consent_status = 'pending' THEN 'closed'
              WHEN i.consent_status = 'withdrawn' THEN 'withdrawn'
              WHEN i.consent_embargo IS NOT NULL AND ? < i.consent_embargo THEN 'closed'
              WHEN i.consent_status = 'granted' AND i.consent_scope = 'public' THEN 'open'
              ELSE 'restricted' END)"
    );
    // The stricter of the two (open < restricted < closed < withdrawn),
    // as super::access_class ranks them.
    Filter {
        sql: format!(
            "(CASE WHEN i.access_level = 'deaccessioned' THEN 'deaccessioned'
                  WHEN i.access_level IS NOT NULL AND (i.access_until IS NULL OR ? < i.access_until)
                  THEN (CASE WHEN {by_consent} = 'withdrawn' THEN 'withdrawn'
                             WHEN i.access_level = 'closed' OR {by_consent} = 'closed' THEN 'closed'
                             ELSE 'restricted' END)
                  ELSE {by_consent} END)"
        ),
        params: vec![day(today), day(today), day(today), day(today)],
    }
}

/// The testimonies a reader's counts and narrator listings go through
/// (assumes `items i` with [`FACTS_JOIN`]): the custodian counts every
/// testimony, withdrawn ones included (the state is what a tombstone
/// shows), but not deaccessioned ones (they left the collection); others
/// only those open to them.
pub fn counted_testimonies(access: Access, today: NaiveDate) -> Filter {
    if super::sees_everything(access) {
        held(access)
    } else {
        open(access, today)
    }
}

/// The policy tallies the reports read (migrations 0008, 0023, 0025): item
/// counts and sizes by policy state and a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tally {
    /// The whole catalogue, by kind.
    Items,
    /// Items with a term in a vocabulary, by vocabulary.
    Vocab,
    /// Items per term.
    Terms,
    /// Items by collection, language and decade.
    Holdings,
}

impl Tally {
    /// Its table; the table of its dated rows has `_day` after the name.
    pub fn table(self) -> &'static str {
        match self {
            Tally::Items => "tally_items",
            Tally::Vocab => "tally_vocab",
            Tally::Terms => "tally_terms",
            Tally::Holdings => "tally_holdings",
        }
    }
}

/// A grouped sum over a policy tally, as a reader would write it over the
/// table: `SELECT keys, sums FROM tally i join WHERE filter GROUP BY keys`.
pub struct TallySum<'a> {
    pub tally: Tally,
    /// Joined onto `i` (may be empty).
    pub join: &'a str,
    /// Group expressions; named `k0`, `k1`, ... in the result.
    pub keys: &'a [&'a str],
    /// Sum expressions; named `s0`, `s1`, ... in the result. The first
    /// counts items: a group whose count is 0 has no item and is left out.
    pub sums: &'a [&'a str],
    /// The `?` parameters of `sums`, in order.
    pub sum_params: Vec<Value>,
    /// Which rows count (its parameters follow the sums').
    pub filter: Filter,
}

/// The SQL of a [`TallySum`] that decides every row by its own days on
/// `today`, with its parameters; one row per group (one row in all when
/// there are no keys).
///
/// Since migration 0025 `tally_X` keeps a date as its year's last day,
/// which gives the predicates of this module the answer the day itself
/// gives on any day of another year. Its rows of today's year may be
/// wrong, so their sum is taken out again and the same rows are summed
/// from `tally_X_day`, which keeps the days of every dated row. The whole
/// table is read once, as before; the two corrections read one year's rows
/// through their indexes.
pub fn tally_sum(q: &TallySum<'_>, today: NaiveDate) -> Filter {
    let table = q.tally.table();
    // The year as it begins the day the predicates compare with.
    let year = Value::Text(
        today
            .format("%Y-%m-%d")
            .to_string()
            .chars()
            .take(4)
            .collect(),
    );
    let keys: Vec<String> = (0..q.keys.len()).map(|n| format!("k{n}")).collect();
    let group = if q.keys.is_empty() {
        String::new()
    } else {
        format!(" GROUP BY {}", q.keys.join(", "))
    };
    // One year's rows of each table, found through its indexes by year.
    // MATERIALIZED keeps the planner from reading them through the key
    // instead (which starts with the kind a filter may name).
    let this_year = "substr(consent_embargo, 1, 4) = ? OR substr(access_until, 1, 4) = ?";
    let mut params = vec![year.clone(), year.clone(), year.clone(), year];
    let mut arm = |from: &str, sign: &str| {
        let select: Vec<String> = q
            .keys
            .iter()
            .zip(&keys)
            .map(|(k, name)| format!("{k} AS {name}"))
            .chain(
                q.sums
                    .iter()
                    .enumerate()
                    .map(|(n, s)| format!("{sign}({s}) AS s{n}")),
            )
            .collect();
        params.extend(q.sum_params.iter().cloned());
        params.extend(q.filter.params.iter().cloned());
        format!(
            "SELECT {} FROM {from} i {} WHERE ({}){group}",
            select.join(", "),
            q.join,
            q.filter.sql
        )
    };
    let arms = [arm(table, ""), arm("year_rows", "-"), arm("day_rows", "")];
    let sums: Vec<String> = (0..q.sums.len())
        .map(|n| format!("sum(s{n}) AS s{n}"))
        .collect();
    let outer = keys
        .iter()
        .cloned()
        .chain(sums)
        .collect::<Vec<_>>()
        .join(", ");
    let regroup = if keys.is_empty() {
        String::new()
    } else {
        format!(" GROUP BY {} HAVING sum(s0) <> 0", keys.join(", "))
    };
    Filter {
        sql: format!(
            "WITH year_rows AS MATERIALIZED (SELECT * FROM {table} WHERE {this_year}),
                  day_rows AS MATERIALIZED (SELECT * FROM {table}_day WHERE {this_year})
             SELECT {outer} FROM ({}){regroup}",
            arms.join(" UNION ALL ")
        ),
        params,
    }
}

/// Catalogue tables that describe items: each with the column naming the
/// item, and the columns a withdrawn testimony's rows keep there (its
/// tombstone; every other column reads as NULL). The custodian's raw SQL
/// reads these tables only as copies made by this list, because
/// [`super::decide`] gives the custodian a tombstone of a withdrawn
/// testimony, never its content or where it came from.
pub const ITEM_TABLES: &[(&str, &str, &[&str])] = &[
    ("items", "id", super::view::CLOSED_KEEPS),
    ("item_text", "item_id", &["item_id"]),
    (
        "provenance",
        "item_id",
        &["id", "item_id", "method", "ingested_at", "ingested_by"],
    ),
    ("testimonies", "item_id", &["item_id", "narrator_id"]),
    // A withdrawn testimony's places and events can say who spoke.
    ("item_terms", "item_id", &["item_id"]),
    ("redactions", "item_id", &["id", "item_id", "created_at"]),
    ("redacted_text", "item_id", &["item_id"]),
    (
        "events",
        "item_id",
        &[
            "id",
            "at",
            "type",
            "item_id",
            "agent",
            "outcome",
            "detail_hash",
            "prev_hash",
            "hash",
        ],
    ),
    // What a withdrawn testimony says (a claim's value, quote, locator) is
    // its content; a name it attested stays, without its source.
    ("claims", "source_item", &["id"]),
    (
        "term_names",
        "source_item",
        &[
            "id", "term_id", "text", "key", "lang", "script", "form", "used_by", "citation",
            "period",
        ],
    ),
    // Recordings (issue 12): what was said and indexed, and the passages
    // closed in it (their reasons are custodial detail of the content).
    (
        "transcripts",
        "item_id",
        &[
            "id",
            "item_id",
            "format",
            "current",
            "event_id",
            "recorded_at",
            "recorded_by",
        ],
    ),
    (
        "cues",
        "item_id",
        &["id", "transcript_id", "item_id", "seq"],
    ),
    ("segments", "item_id", &["id", "item_id"]),
    // Notes (issue 18): what they say is the item's description.
    (
        "item_notes",
        "item_id",
        &["id", "item_id", "audience", "recorded_at", "recorded_by"],
    ),
    ("segment_terms", "item_id", &["segment_id", "item_id"]),
    (
        "passages",
        "item_id",
        &[
            "id",
            "item_id",
            "event_id",
            "lifted_event",
            "recorded_at",
            "recorded_by",
        ],
    ),
];

/// Catalogue tables that name an item but are not in [`ITEM_TABLES`], and
/// why the raw SQL reader may show them to the custodian as they are. (Below
/// custodian, raw SQL reads only views the policy builds.)
pub const ITEM_TABLES_OTHERWISE: &[(&str, &str)] = &[
    (
        "research_access_log",
        "which web token viewed or downloaded an item, when (issue 15): ids and times only, the custodian's (`token log`); purge erases a purged item's rows",
    ),
    (
        "consent_events",
        "the custodian sees a withdrawn testimony's consent dates, states and reason (its tombstone); purge erases the reasons",
    ),
    (
        "consent_current",
        "derived from consent_events; the same as it",
    ),
    (
        "access_events",
        "the item's own access history (levels, dates, reasons): the custodian sees every item whatever its access, and it holds no content",
    ),
    (
        "accessions",
        "the custodian's register of accessions (donor, agreement); its agreement item is never a testimony, and a purge erases the links of a withdrawn one",
    ),
    (
        "deaccessions",
        "which items left the collection, when, by whom and why (issue 18): the custodian's record behind each deaccessioned tombstone; it holds no content of the item",
    ),
    (
        "accession_items",
        "which accession an item came in, a number like its collection; purge erases a withdrawn testimony's link",
    ),
];

/// Full-text tables (and their shadow tables) start so. Their rows cannot
/// be filtered behind a view without losing MATCH, so raw SQL never reads
/// them; `custos query` searches them through the policy.
pub const FTS_TABLE_PREFIX: &str = "item_fts";

/// A SELECT of the ids of items nobody may see the content of, not even
/// the custodian (withdrawn testimonies). Reads the `main` catalogue.
pub fn contentless_items() -> String {
    let open = open(Access::Custodian, NaiveDate::MIN);
    debug_assert!(open.params.is_empty());
    let join = FACTS_JOIN
        .replace("JOIN consent_current", "JOIN main.consent_current")
        .replace("JOIN testimonies", "JOIN main.testimonies")
        .replace("JOIN narrators", "JOIN main.narrators");
    format!(
        "SELECT i.id FROM main.items i {join} WHERE NOT ({})",
        open.sql
    )
}
