//! A catalogue of N (default one million) invented items, written with SQL
//! straight into a fresh `custos init` archive, for the query and report
//! benchmarks.
//!
//! Items get kinds, EDTF dates with their bounds (computed by custos's own
//! EDTF code, so queries see what an import would store), terms (places,
//! events, subjects), testimonies with narrators and consent histories, and
//! ~1 KiB of invented text each in item_text and item_fts, with three
//! planted words at known frequencies. Object rows point at no files: this
//! archive is for queries only and must never be verified or imported into.
//! Speed comes from big transactions, prepared statements, no journal during
//! the load, and building secondary indexes after it (their SQL is read back
//! from the schema, so new migrations are followed, not copied).

use std::path::Path;
use std::process::Command;
use std::sync::mpsc;

use rayon::prelude::*;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use custos::edtf::Edtf;

use crate::rng::{self, Prose, Rng, Zipf};
use crate::{ctx, Res};

#[path = "catalogue_rows.rs"]
mod rows;

const BATCH: i64 = 20_000;

pub struct Vocab {
    pub places: Vec<String>,
    pub events: Vec<String>,
    pub subjects: Vec<&'static str>,
    people: Vec<String>,
    origins: Vec<String>,
    collections: Vec<String>,
}

const SUBJECTS: &[&str] = &[
    "rescue",
    "displacement",
    "property",
    "schooling",
    "religion",
    "work",
    "family",
    "hiding",
    "return",
    "transport",
    "press",
    "policing",
    "violence",
    "memory",
    "burial",
    "trial",
];
const EVENT_FORMS: &[&str] = &[
    "pogrom",
    "expulsion",
    "massacre",
    "deportation",
    "evacuation",
    "siege",
];
const KINDS: &[&str] = &[
    "article",
    "testimony",
    "report",
    "letter",
    "photo",
    "audio",
    "video",
    "other",
];
const KIND_W: &[u32] = &[20, 25, 10, 15, 12, 8, 3, 7];
const LANGS: &[&str] = &["en", "hy", "az", "ru", "de", "fr"];
const LANG_W: &[u32] = &[40, 20, 15, 15, 5, 5];
const AGENTS: &[&str] = &["ana", "boris", "leyla", "tigran", "marta", "intake-bot"];

impl Vocab {
    pub fn new() -> Vocab {
        let places = rng::names(300, 11);
        let events = places
            .iter()
            .take(60)
            .enumerate()
            .map(|(i, p)| format!("{p} {}", EVENT_FORMS[i % EVENT_FORMS.len()]))
            .collect();
        let surnames = rng::names(400, 13);
        let given = rng::names(120, 17);
        let people = (0..600)
            .map(|i| format!("{} {}", given[i % given.len()], surnames[(i * 7) % 400]))
            .collect();
        let origins = (0..300)
            .map(|i| match i % 3 {
                0 => format!("Donation of the {} family", surnames[i]),
                1 => format!("Transfer from the {} Memory Project", places[i % 300]),
                _ => format!("Collected by {} {}", given[i % 120], surnames[i]),
            })
            .collect();
        let collections = rng::names(40, 19)
            .into_iter()
            .map(|n| format!("{n} papers"))
            .collect();
        Vocab {
            places,
            events,
            subjects: SUBJECTS.to_vec(),
            people,
            origins,
            collections,
        }
    }
}

struct Consent {
    status: &'static str,
    scope: Option<&'static str>,
    date: String,
    evidence: Option<i64>,
    embargo: Option<String>,
    reason: Option<&'static str>,
}

struct Testimony {
    narrator: i64,
    interview_date: String,
    place: String,
    interviewer: String,
    consents: Vec<Consent>,
}

struct Item {
    id: i64,
    sha: String,
    size: i64,
    media_type: &'static str,
    kind: &'static str,
    title: String,
    description: Option<String>,
    creator: Option<String>,
    date: Option<Edtf>,
    language: &'static str,
    collection: String,
    at: String,
    origin: String,
    name: String,
    agent: &'static str,
    text: String,
    /// Offsets into the terms table: places first, then events, subjects.
    terms: Vec<i64>,
    testimony: Option<Testimony>,
}

struct Gen<'a> {
    seed: u64,
    n: i64,
    narrators: i64,
    v: &'a Vocab,
    prose: &'a Prose,
    place_zipf: Zipf,
    event_zipf: Zipf,
}

impl Gen<'_> {
    fn item(&self, id: i64) -> Item {
        let r = &mut Rng::for_item(self.seed, 10, id as u64);
        let v = self.v;
        let kind = KINDS[r.weighted(KIND_W)];
        let media_type = match kind {
            "article" => ["text/html", "text/plain", "application/pdf"][r.below(3) as usize],
            "testimony" => ["audio/mpeg", "text/plain"][r.below(2) as usize],
            "letter" => ["image/jpeg", "text/plain"][r.below(2) as usize],
            "photo" => "image/jpeg",
            "audio" => "audio/x-wav",
            "video" => "video/mp4",
            _ => "application/pdf",
        };
        let year = if r.chance(0.4) {
            1987 + r.weighted(&[2, 8, 8, 7, 4, 3, 2, 1]) as i64
        } else {
            r.range(1900, 2024)
        };
        let (mo, d) = (r.range(1, 12), r.range(1, 28));
        let date = match r.weighted(&[45, 20, 15, 5, 5, 5, 5]) {
            0 => Some(format!("{year}-{mo:02}-{d:02}")),
            1 => Some(format!("{year}-{mo:02}")),
            2 => Some(format!("{year}")),
            3 => Some(format!("{year}~")),
            4 => Some(format!("{year}?")),
            5 => Some(format!("{year}/{}", year + r.range(1, 3))),
            _ => None,
        }
        .and_then(|s| Edtf::parse(&s).ok());
        let mut text = String::with_capacity(1200);
        let len = r.range(700, 1300) as usize;
        self.prose.write(r, &mut text, len / 2);
        text.push_str(rng::WORD_EVERY);
        text.push(' ');
        if r.chance(0.05) {
            text.push_str(rng::WORD_MEDIUM);
            text.push(' ');
        }
        if id % 100_000 == 1 {
            text.push_str(rng::WORD_RARE);
            text.push(' ');
        }
        self.prose.write(r, &mut text, len - len / 2);
        let mut terms = Vec::new();
        for _ in 0..r.weighted(&[2, 5, 2, 1]) {
            terms.push(self.place_zipf.sample(r) as i64);
        }
        if r.chance(0.6) {
            terms.push(v.places.len() as i64 + self.event_zipf.sample(r) as i64);
        }
        for _ in 0..r.below(3) {
            terms.push((v.places.len() + v.events.len()) as i64 + r.below(16) as i64);
        }
        terms.sort_unstable();
        terms.dedup();
        let person = |r: &mut Rng| v.people[r.below(v.people.len() as u64) as usize].clone();
        let testimony = (kind == "testimony").then(|| {
            let interview_date = format!(
                "{}-{:02}-{:02}",
                r.range(1995, 2024),
                r.range(1, 12),
                r.range(1, 28)
            );
            let consents = self.consents(r, &interview_date);
            Testimony {
                narrator: 1 + r.below(self.narrators as u64) as i64,
                place: v.places[self.place_zipf.sample(r)].clone(),
                interviewer: person(r),
                interview_date,
                consents,
            }
        });
        let title = match kind {
            "testimony" => format!("Interview: {}", self.prose.phrase(r, 3)),
            "letter" => format!("Letter from {} to {}", person(r), person(r)),
            "photo" => format!(
                "Photograph: {} in {}",
                self.prose.phrase(r, 2),
                v.places[self.place_zipf.sample(r)]
            ),
            _ => self.prose.phrase(r, 5),
        };
        let mut hasher = Sha256::new();
        hasher.update(self.seed.to_le_bytes());
        hasher.update(id.to_le_bytes());
        let sha = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        // Accession order: ingest times rise with the id over seven years.
        let secs = 1_546_300_800 + (id as f64 * 220_000_000.0 / self.n as f64) as i64;
        let at = chrono::DateTime::from_timestamp(secs, 0)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default();
        Item {
            id,
            sha,
            size: r.lognormal(200_000.0, 1.5) as i64,
            media_type,
            kind,
            description: r
                .chance(0.5)
                .then(|| self.prose.phrase(r, 12).to_string() + "."),
            creator: r.chance(0.6).then(|| person(r)),
            title,
            date,
            language: LANGS[r.weighted(LANG_W)],
            collection: v.collections[r.below(v.collections.len() as u64) as usize].clone(),
            at,
            origin: v.origins[r.below(v.origins.len() as u64) as usize].clone(),
            name: format!("item-{id:07}.bin"),
            agent: AGENTS[r.below(AGENTS.len() as u64) as usize],
            text,
            terms,
            testimony,
        }
    }

    fn consents(&self, r: &mut Rng, interview: &str) -> Vec<Consent> {
        let mut out = Vec::new();
        let year: i64 = interview[..4].parse().unwrap_or(2000);
        let later =
            |r: &mut Rng, y: i64| format!("{}-{:02}-{:02}", y, r.range(1, 12), r.range(1, 28));
        // A testimony with no consent row is pending.
        if r.chance(0.05) {
            return out;
        }
        if r.chance(0.3) {
            out.push(Consent {
                status: "pending",
                scope: None,
                date: interview.to_string(),
                evidence: None,
                embargo: None,
                reason: None,
            });
        }
        let evidence = |r: &mut Rng| r.chance(0.7).then(|| 1 + r.below(self.n as u64) as i64);
        let c = match r.weighted(&[58, 12, 20, 5]) {
            0 => Consent {
                status: "granted",
                scope: Some(
                    ["public", "publication", "research", "archive"][r.weighted(&[3, 3, 3, 1])],
                ),
                date: later(r, year),
                evidence: evidence(r),
                embargo: None,
                reason: None,
            },
            1 => Consent {
                status: "pending",
                scope: None,
                date: later(r, year),
                evidence: None,
                embargo: None,
                reason: Some("release form not yet returned"),
            },
            2 => Consent {
                status: "restricted",
                scope: Some(["research", "archive"][r.below(2) as usize]),
                date: later(r, year),
                evidence: evidence(r),
                embargo: r.chance(0.5).then(|| {
                    let y = r.range(2026, 2060);
                    later(r, y)
                }),
                reason: Some("the narrator's family still lives nearby"),
            },
            _ => Consent {
                status: "withdrawn",
                scope: None,
                date: later(r, (year + 2).min(2025)),
                evidence: None,
                embargo: None,
                reason: Some("withdrawn by the narrator"),
            },
        };
        out.push(c);
        out
    }
}

/// What the query benchmarks need to know about the generated catalogue.
pub struct Catalogue {
    pub place: String,
}

/// Creates `dir` with `custos init` and fills it with `n` items, unless a
/// complete catalogue of the same size and seed is already there.
pub fn generate(custos: &Path, dir: &Path, seed: u64, n: i64) -> Res<Catalogue> {
    let v = Vocab::new();
    let info = Catalogue {
        place: v.places[0].clone(),
    };
    let marker = dir.with_extension("done");
    let params = format!("seed={seed} items={n}\n");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(params.as_str()) {
        return Ok(info);
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(ctx(dir, "removing an incomplete catalogue"))?;
    }
    let st = Command::new(custos)
        .arg("init")
        .arg(dir)
        .arg("--default-access")
        .arg("research")
        .status()?;
    if !st.success() {
        return Err(format!("custos init {} failed", dir.display()).into());
    }
    let mut conn = Connection::open(dir.join("custos.db"))?;
    // A fixture, rebuilt from scratch on failure: no journal, no syncs.
    conn.pragma_update(None, "journal_mode", "OFF")?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.pragma_update(None, "cache_size", -524_288)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    // Flush FTS5's in-memory terms less often during the load (an
    // undocumented but long-standing FTS5 option), then give back the
    // setting custos's migrations chose (0005: 32 MiB). Resetting it to
    // FTS5's default instead once made every later import into the
    // catalogue flush and merge more often than in a real archive.
    let hashsize: i64 = conn
        .query_row(
            "SELECT v FROM item_fts_config WHERE k = 'hashsize'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(1024 * 1024);
    conn.execute(
        "INSERT INTO item_fts(item_fts, rank) VALUES('hashsize', ?1)",
        [64 * 1024 * 1024],
    )?;
    // Tally triggers would fire for each of millions of rows; the tallies
    // are recounted once at the end instead (their small indexes stay:
    // the triggers' upserts need them). So would the triggers that keep
    // the levels of object digests (migration 0028): the index is written
    // once at the end, in key order, as repeated merges would leave it.
    let triggers = take_schema(
        &conn,
        "trigger",
        "name LIKE 'tally%' OR name LIKE 'objects_digest%'",
    )?;
    let indexes = take_schema(
        &conn,
        "index",
        "sql IS NOT NULL AND tbl_name NOT LIKE 'item_fts%' AND tbl_name NOT LIKE 'tally%'",
    )?;
    let narrators = (n / 8).max(1);
    fill_terms(&conn, &v)?;
    fill_narrators(&conn, seed, narrators, &v)?;
    let prose = Prose::new();
    let g = Gen {
        seed,
        n,
        narrators,
        v: &v,
        prose: &prose,
        place_zipf: Zipf::new(v.places.len(), 0.9),
        event_zipf: Zipf::new(v.events.len(), 1.0),
    };
    let (tx, rx) = mpsc::sync_channel::<Vec<Item>>(2);
    std::thread::scope(|s| -> Res<()> {
        let g = &g;
        s.spawn(move || {
            let mut start = 1;
            while start <= n {
                let end = (start + BATCH).min(n + 1);
                let batch: Vec<Item> = (start..end).into_par_iter().map(|i| g.item(i)).collect();
                if tx.send(batch).is_err() {
                    return;
                }
                start = end;
            }
        });
        let mut chain = crate::event_chain::Chain::new();
        // One line rewritten on a terminal; in a log, a line a tenth.
        let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let mut logged = 0;
        for batch in rx {
            rows::insert_batch(&mut conn, &batch, &mut chain)?;
            let done = batch.last().map_or(0, |i| i.id);
            if terminal {
                eprint!("\rcustos-bench: catalogue {done} / {n} items");
            } else if done * 10 >= (logged + 1) * n {
                logged = done * 10 / n.max(1);
                eprintln!("custos-bench: catalogue {done} / {n} items");
            }
        }
        if terminal {
            eprintln!();
        }
        Ok(())
    })?;
    eprintln!("custos-bench: building indexes and statistics");
    for sql in &indexes {
        conn.execute_batch(sql)?;
    }
    // A consent event may name as its evidence an item of a later batch,
    // which the trigger that flags evidence (0004) did not find yet; the
    // flag hides the item from every reader below custodian.
    conn.execute_batch(
        "UPDATE items SET is_evidence = 1
          WHERE id IN (SELECT evidence_item_id FROM consent_events) AND is_evidence = 0",
    )?;
    custos::bench_support::rebuild_tallies(&conn)?;
    custos::bench_support::rebuild_object_digests(&conn)?;
    for sql in &triggers {
        conn.execute_batch(sql)?;
    }
    conn.execute(
        "INSERT INTO item_fts(item_fts, rank) VALUES('hashsize', ?1)",
        [hashsize],
    )?;
    conn.execute_batch("ANALYZE")?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    drop(conn);
    std::fs::write(&marker, params).map_err(ctx(&marker, "writing the catalogue marker"))?;
    Ok(info)
}

/// Drops the schema objects of a type that `filter` selects (fixed SQL,
/// never user input) and returns the SQL that recreates them.
fn take_schema(conn: &Connection, kind: &str, filter: &str) -> Res<Vec<String>> {
    let found: Vec<(String, String)> = conn
        .prepare(&format!(
            "SELECT name, sql FROM sqlite_master WHERE type = ?1 AND ({filter})"
        ))?
        .query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut sqls = Vec::with_capacity(found.len());
    for (name, sql) in found {
        conn.execute_batch(&format!("DROP {} \"{name}\"", kind.to_uppercase()))?;
        sqls.push(sql);
    }
    Ok(sqls)
}

fn fill_terms(conn: &Connection, v: &Vocab) -> Res<()> {
    let mut st =
        conn.prepare("INSERT INTO terms (id, vocab, label, key) VALUES (?1, ?2, ?3, ?4)")?;
    let all = v
        .places
        .iter()
        .map(|p| ("place", p.as_str()))
        .chain(v.events.iter().map(|e| ("event", e.as_str())))
        .chain(v.subjects.iter().map(|s| ("subject", *s)));
    for (i, (vocab, label)) in all.enumerate() {
        st.execute(params![i as i64 + 1, vocab, label, label.to_lowercase()])?;
    }
    Ok(())
}

fn fill_narrators(conn: &Connection, seed: u64, n: i64, v: &Vocab) -> Res<()> {
    conn.execute_batch("BEGIN")?;
    {
        let mut st = conn.prepare(
            "INSERT INTO narrators (id, display, anonymity, birth_year, place_of_origin, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, '2019-01-01T00:00:00Z')",
        )?;
        for id in 1..=n {
            let r = &mut Rng::for_item(seed, 20, id as u64);
            let place = &v.places[r.below(v.places.len() as u64) as usize];
            let (display, anonymity) = match r.weighted(&[4, 3, 3]) {
                0 => (Some(v.people[r.below(600) as usize].clone()), "named"),
                1 => (
                    Some(format!(
                        "{}. from {place}",
                        (b'A' + r.below(26) as u8) as char
                    )),
                    "pseudonymous",
                ),
                _ => (None, "anonymous"),
            };
            st.execute(params![id, display, anonymity, r.range(1910, 1985), place])?;
        }
    }
    conn.execute_batch("COMMIT")?;
    Ok(())
}
