//! The leak archive: one of each kind of secret, each a unique canary word,
//! and who may see it.
//!
//! Canaries are ASCII letters only (no digits, no `_`), so the full-text
//! tokenizer keeps each one a single word and the scanner can match them
//! after stripping everything that is not a letter or digit (table wrapping,
//! JSON and CSV escaping cannot split or hide one).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::harness::Env;
use crate::seed::{self, run};

/// Access levels, narrowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Public,
    Research,
    Custodian,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Public, Level::Research, Level::Custodian];
    pub fn name(self) -> &'static str {
        match self {
            Level::Public => "public",
            Level::Research => "research",
            Level::Custodian => "custodian",
        }
    }
}

/// Who may see a canary: readers at this level and above; `None`: nobody,
/// ever (legal names; the content of a withdrawn testimony).
pub type Seen = Option<Level>;

pub struct Canary {
    pub word: String,
    pub seen: Seen,
    /// What it is, for failure messages.
    pub what: String,
}

impl Canary {
    pub fn allowed(&self, level: Level) -> bool {
        self.seen.is_some_and(|s| level >= s)
    }
    pub fn is_legal(&self) -> bool {
        self.what.contains("(sealed)")
    }
}

/// A testimony state: tag, who may open it, the narrator's anonymity.
pub(super) const STATES: &[(&str, Seen, &str)] = &[
    ("PUB", Some(Level::Public), "anonymous"),
    ("RES", Some(Level::Research), "pseudonymous"),
    ("ARCH", Some(Level::Custodian), "anonymous"),
    ("EMB", Some(Level::Custodian), "named"),
    ("PEND", Some(Level::Custodian), "anonymous"),
    ("WD", None, "anonymous"),
];

/// The built archive.
pub struct Fixture {
    pub env: Env,
    pub key: PathBuf,
    pub canaries: Vec<Canary>,
    /// Item ids by tag: PUB, RES, ARCH, EMB, PEND, WD, RELEASE, DOCA, DOCB,
    /// CLOSED (closed at intake and by `access --close`), RSTR (`access
    /// --restrict research`), DEAC (deaccessioned), REC (a recording).
    pub items: BTreeMap<&'static str, i64>,
    /// Narrator ids by the tag of their testimony.
    pub narrators: BTreeMap<&'static str, i64>,
    /// A folder of copies of every imported file under neutral names.
    pub dups: PathBuf,
    /// A bag exported at public level, for `bag validate`.
    pub bag: PathBuf,
    /// Every table of the catalogue, for `sql`.
    pub tables: Vec<String>,
    /// A connection held open from before the first narrator, so the WAL
    /// stays on disk to be searched.
    pub reader: rusqlite::Connection,
}

pub(super) fn w(tag: &str, role: &str) -> String {
    format!("LEAKCANARY{role}{tag}")
}

/// A canary written with Cyrillic letters where one transliterates to the
/// Latin letter (Л for L, Д for D, ...): another script's spelling of the
/// same word, which the folded full-text index finds by the Latin word.
/// The fixture writes some secrets so, and the scanner looks for both.
pub fn cyrillic(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            'A' => 'А',
            'B' => 'Б',
            'D' => 'Д',
            'E' => 'Е',
            'F' => 'Ф',
            'G' => 'Г',
            'I' => 'И',
            'K' => 'К',
            'L' => 'Л',
            'M' => 'М',
            'N' => 'Н',
            'O' => 'О',
            'P' => 'П',
            'R' => 'Р',
            'S' => 'С',
            'T' => 'Т',
            'U' => 'У',
            'V' => 'В',
            'Z' => 'З',
            other => other,
        })
        .collect()
}

#[test]
fn a_cyrillic_canary_folds_to_its_latin_word() {
    let word = w("PUB", "REDACT");
    let cyr = cyrillic(&word);
    assert_ne!(cyr, word);
    assert_eq!(custos::fold::fold_text(&cyr), word.to_lowercase());
}

pub fn canaries() -> Vec<Canary> {
    let mut c = Vec::new();
    let mut add = |word: String, seen: Seen, what: &str| {
        c.push(Canary {
            word,
            seen,
            what: what.into(),
        })
    };
    let custodian = Some(Level::Custodian);
    for &(tag, open, anonymity) in STATES {
        let withdrawn = open.is_none();
        // The custodian keeps a withdrawn testimony's tombstone, consent
        // history and narrator, never its content or where it came from.
        let custodial = if withdrawn { None } else { custodian };
        let narrator = if withdrawn { custodian } else { open };
        let quasi = if anonymity == "anonymous" {
            custodian
        } else {
            narrator
        };
        add(w(tag, "LEGAL"), None, "legal name (sealed)");
        add(w(tag, "PHONE"), None, "legal contact (sealed)");
        add(w(tag, "TITLE"), open, "testimony title");
        add(w(tag, "DESC"), open, "testimony description");
        add(w(tag, "TEXT"), open, "testimony text");
        add(w(tag, "FILE"), custodial, "original file name");
        add(w(tag, "ORIGIN"), custodial, "origin of a testimony");
        add(
            w(tag, "SHELF"),
            custodial,
            "physical location of a testimony",
        );
        let interview = if withdrawn { None } else { quasi };
        add(w(tag, "IPLACE"), interview, "interview place");
        add(w(tag, "INTERVIEWER"), interview, "interviewer");
        add(w(tag, "TERM"), open.or(custodian), "place term");
        add(w(tag, "AGENT"), open.or(custodian), "agent term");
        add(w(tag, "DISPLAY"), narrator, "narrator display form");
        add(w(tag, "BORNIN"), quasi, "narrator place of origin");
        add(w(tag, "LIVESIN"), quasi, "narrator place of residence");
        add(w(tag, "NOTES"), quasi, "narrator notes");
        if tag != "PEND" {
            add(w(tag, "NOTE"), custodian, "consent note");
        }
        // A name of the testimony's place term, attested by the testimony
        // (issue 13): the name goes where the term goes, its locator only
        // where the testimony is open and not redacted.
        add(
            w(tag, "ALTNAME"),
            open.or(custodian),
            "a name of a place term",
        );
        let redacted = tag == "PUB";
        add(
            w(tag, "NAMESRC"),
            if redacted { custodian } else { open },
            "locator of a name's source",
        );
        // A claim the testimony makes (issue 13): seen where its source is.
        let source = if redacted { custodian } else { open };
        add(w(tag, "CLAIMV"), source, "value of a claim");
        add(w(tag, "CLAIMQ"), source, "quote of a claim");
    }
    // Where copies are kept (issue 14): the custodian's alone.
    add(w("", "SITEURL"), custodian, "site URL");
    add(w("", "SITENAME"), custodian, "site name");
    add(w("ARCH", "REASON"), custodian, "restriction reason");
    add(w("WD", "REASON"), custodian, "withdrawal reason");
    add(w("PUB", "REDACT"), custodian, "redaction term");
    add(w("", "RELEASETITLE"), custodian, "consent evidence title");
    add(
        w("", "RELEASENAME"),
        custodian,
        "legal name on the release form",
    );
    add(
        w("", "RELEASEFILE"),
        custodian,
        "consent evidence file name",
    );
    add(w("", "DONOR"), custodian, "accession donor");
    add(w("", "ACCNOTE"), custodian, "accession note");
    add(
        w("", "DEEDTITLE"),
        custodian,
        "donor agreement (title and text)",
    );
    // Items closed or restricted by their own access (issue 18): a photo
    // taken in closed at intake, a letter restricted to research.
    for (tag, seen) in [("CLOSED", custodian), ("RSTR", Some(Level::Research))] {
        add(
            w(tag, "ITEMTITLE"),
            seen,
            "title of an item closed by its access",
        );
        add(
            w(tag, "ITEMTEXT"),
            seen,
            "text of an item closed by its access",
        );
        add(
            w(tag, "ITEMORIGIN"),
            seen,
            "origin of an item closed by its access",
        );
        add(
            w(tag, "ITEMFILE"),
            seen,
            "file name of an item closed by its access",
        );
        add(
            w(tag, "ITEMREASON"),
            custodian,
            "reason for an item's access",
        );
    }
    // A recording open to everyone with one passage closed below
    // custodian (issue 12): what is said, indexed and heard there is the
    // custodian's; the rest is public.
    add(
        w("REC", "CUEOPEN"),
        Some(Level::Public),
        "cue outside a closed passage",
    );
    add(
        w("REC", "CUECLOSED"),
        custodian,
        "cue inside a closed passage",
    );
    add(
        w("REC", "SEGCLOSED"),
        custodian,
        "segment over a closed passage",
    );
    add(
        w("REC", "PASSAGEWHY"),
        custodian,
        "passage restriction reason",
    );
    add(
        w("REC", "AUDIO"),
        custodian,
        "audio inside a closed passage",
    );
    add(w("A", "DOCTITLE"), Some(Level::Public), "document title");
    add(w("A", "DOCTEXT"), Some(Level::Public), "document text");
    add(w("A", "DOCORIGIN"), Some(Level::Public), "document origin");
    c.extend(super::notes::canaries());
    c.extend(super::deaccessioned::canaries());
    c
}

pub(super) fn ok(env: &Env, args: &[&str]) {
    let (code, _, err) = run(env, args);
    assert_eq!(code, 0, "custos {args:?}: {err}");
}

pub(super) fn import(env: &Env, file: &Path, args: &[&str]) -> i64 {
    let out = env.import(&[file], args);
    assert_eq!(out[0]["status"], "imported", "{out:?}");
    out[0]["id"].as_i64().expect("id")
}

pub fn build() -> Fixture {
    build_with(&[])
}

/// The same archive keeping its originals only at a folder store
/// (`init --objects`), so every reader fetches them from there.
pub fn build_on_store() -> Fixture {
    let env = Env::new();
    let store = env.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let url = format!("file://{}", store.display());
    build_in(env, &["--objects", &url])
}

fn build_with(init: &[&str]) -> Fixture {
    build_in(Env::new(), init)
}

fn build_in(env: Env, init: &[&str]) -> Fixture {
    // Commands without --access run at the archive's default: the strictest.
    let archive = env.archive();
    let mut args = vec![
        "init",
        archive.to_str().unwrap(),
        "--default-access",
        "public",
        // Most items here are opened by consent; the closed intake is
        // one item's (CLOSED) below.
        "--intake",
        "open",
    ];
    args.extend_from_slice(init);
    ok(&env, &args);
    let key = env.path().join("keys/custodian.key");
    std::fs::create_dir_all(key.parent().unwrap()).unwrap();
    ok(&env, &["key", "init", "--out", key.to_str().unwrap()]);
    // A signing key, for the signed head (`log --head --sign`): see table.rs.
    let signing = key.with_file_name("signing.key");
    ok(
        &env,
        &[
            "key",
            "init",
            "--signing",
            "--no-password",
            "--out",
            signing.to_str().unwrap(),
        ],
    );
    let reader = env.db();
    let n: i64 = reader
        .query_row("SELECT count(*) FROM settings", [], |r| r.get(0))
        .unwrap();
    assert!(n > 0);
    let dups = env.path().join("dups");
    std::fs::create_dir_all(&dups).unwrap();
    let mut items = BTreeMap::new();
    let mut narrators = BTreeMap::new();
    let keep = |name: &str, text: &str| -> PathBuf {
        let n = std::fs::read_dir(&dups).unwrap().count();
        std::fs::write(dups.join(format!("copy-{n}.txt")), text).unwrap();
        env.write(&format!("intake/{name}"), text)
    };
    // A donor agreement and the accession the first letter came in
    // (issue 18): the donor, the note and the agreement are custodial.
    let deed = keep(
        "deed.txt",
        &format!("Deed of gift (fictional). {}.", w("", "DEEDTITLE")),
    );
    let deed = import(&env, &deed, &["--title", &w("", "DEEDTITLE")]);
    items.insert("DEED", deed);
    ok(
        &env,
        &[
            "accession",
            "add",
            "--number",
            "2026.001",
            "--donor",
            &w("", "DONOR"),
            "--received",
            "2026-11-03",
            "--agreement",
            &deed.to_string(),
            "--note",
            &w("", "ACCNOTE"),
        ],
    );
    let doc_text = format!("A fictional letter about the ferry. {}.", w("A", "DOCTEXT"));
    let doc = keep("letter.txt", &doc_text);
    let origin = w("A", "DOCORIGIN");
    let id = import(
        &env,
        &doc,
        &[
            "--title",
            &w("A", "DOCTITLE"),
            "--kind",
            "letter",
            "--accession",
            "2026.001",
        ],
    );
    items.insert("DOCA", id);
    let doc = keep("notice.txt", "A fictional notice about the harvest fair.");
    let id = import(
        &env,
        &doc,
        &[
            "--kind", "article", "--origin", &origin, "--place", "Velmora",
        ],
    );
    items.insert("DOCB", id);
    items.insert("REC", super::recording::recording(&env));
    let release = keep(
        &format!("{}.txt", w("", "RELEASEFILE")),
        &format!(
            "Release form (fictional), signed by {}.",
            w("", "RELEASENAME")
        ),
    );
    let rel = import(&env, &release, &["--title", &w("", "RELEASETITLE")]);
    items.insert("RELEASE", rel);
    for (tag, intake) in [("CLOSED", "closed"), ("RSTR", "open")] {
        let file = keep(
            &format!("{}.txt", w(tag, "ITEMFILE")),
            &format!("A fictional list of names. {}.", w(tag, "ITEMTEXT")),
        );
        let id = import(
            &env,
            &file,
            &[
                "--title",
                &w(tag, "ITEMTITLE"),
                "--kind",
                "photo",
                "--origin",
                &w(tag, "ITEMORIGIN"),
                "--collection",
                "Box 12",
                "--intake",
                intake,
            ],
        );
        items.insert(tag, id);
    }
    let closed = items["CLOSED"].to_string();
    let reason = w("CLOSED", "ITEMREASON");
    ok(&env, &["access", &closed, "--close", "--reason", &reason]);
    let rstr = items["RSTR"].to_string();
    let reason = w("RSTR", "ITEMREASON");
    ok(
        &env,
        &[
            "access",
            &rstr,
            "--restrict",
            "research",
            "--until",
            "2099-01-01",
            "--reason",
            &reason,
        ],
    );
    let gone = super::deaccessioned::build(&env, &keep);
    items.insert("DEAC", gone);
    for &(tag, _, anonymity) in STATES {
        let notes = env.write("private/notes.txt", w(tag, "NOTES"));
        let n = seed::narrator(
            &env,
            &format!("{} {}", w(tag, "LEGAL"), w(tag, "PHONE")),
            &[
                "--anonymity",
                anonymity,
                "--display",
                &w(tag, "DISPLAY"),
                "--birth-year",
                "1951",
                "--place-of-origin",
                &w(tag, "BORNIN"),
                "--place-of-residence",
                &w(tag, "LIVESIN"),
                "--notes-file",
                notes.to_str().unwrap(),
            ],
        );
        narrators.insert(tag, n);
        // Each text also says its canary in Cyrillic letters, and the
        // public one its redacted name so (redacted too), so the folded
        // index is held to the same policy as the plain one.
        let text = format!(
            "Fictional interview. {} The neighbour {} hid us in the mill. {} {}",
            w(tag, "TEXT"),
            if tag == "PUB" {
                w(tag, "REDACT")
            } else {
                "Oskar".into()
            },
            cyrillic(&w(tag, "TEXT")),
            if tag == "PUB" {
                cyrillic(&w(tag, "REDACT"))
            } else {
                String::new()
            }
        );
        let file = keep(&format!("{}.txt", w(tag, "FILE")), &text);
        let id = import(
            &env,
            &file,
            &[
                "--narrator",
                &n.to_string(),
                "--title",
                &format!("Testimony {}", w(tag, "TITLE")),
                "--description",
                &w(tag, "DESC"),
                "--origin",
                &w(tag, "ORIGIN"),
                "--collection",
                "Oral history",
                "--interview-date",
                "2018-04",
                "--interview-place",
                &w(tag, "IPLACE"),
                "--interviewer",
                &w(tag, "INTERVIEWER"),
                "--location",
                &w(tag, "SHELF"),
                "--place",
                &w(tag, "TERM"),
            ],
        );
        ok(&env, &["tag", &id.to_string(), "--agent", &w(tag, "AGENT")]);
        items.insert(tag, id);
    }
    let id = |tag: &str| items[tag].to_string();
    let grant = |tag: &str, scope: &str, extra: &[&str]| {
        let (t, note) = (id(tag), w(tag, "NOTE"));
        let head = [
            "consent",
            &t,
            "grant",
            "--scope",
            scope,
            "--date",
            "2018-05-01",
        ];
        ok(&env, &[&head[..], &["--note", &note], extra].concat());
    };
    grant("PUB", "public", &["--evidence", &id("RELEASE")]);
    grant("RES", "research", &[]);
    grant("ARCH", "research", &[]);
    let (arch, reason) = (id("ARCH"), w("ARCH", "REASON"));
    ok(
        &env,
        &[
            "consent", &arch, "restrict", "--scope", "archive", "--reason", &reason,
        ],
    );
    grant("EMB", "public", &["--embargo-until", "2099-01-01"]);
    grant("WD", "public", &[]);
    let (wd, reason) = (id("WD"), w("WD", "REASON"));
    ok(
        &env,
        &[
            "consent",
            &wd,
            "withdraw",
            "--date",
            "2019-01-01",
            "--reason",
            &reason,
        ],
    );
    for &(tag, _, _) in STATES {
        ok(
            &env,
            &[
                "terms",
                "name",
                "add",
                &format!("place:{}", w(tag, "TERM")),
                &w(tag, "ALTNAME"),
                "--source",
                &id(tag),
                "--locator",
                &w(tag, "NAMESRC"),
            ],
        );
        ok(
            &env,
            &[
                "claim",
                "add",
                "place:Velmora",
                "perpetrator",
                &w(tag, "CLAIMV"),
                "--text",
                "--source",
                &id(tag),
                "--quote",
                &w(tag, "CLAIMQ"),
            ],
        );
    }
    let terms = env.write(
        "private/terms.txt",
        format!(
            "{}\n{}\n",
            w("PUB", "REDACT"),
            cyrillic(&w("PUB", "REDACT"))
        ),
    );
    ok(
        &env,
        &[
            "redact",
            &id("PUB"),
            "--terms-file",
            terms.to_str().unwrap(),
        ],
    );
    // A folder site holding a copy of every object (`site list`, `show`).
    let site = env.path().join("sites").join(w("", "SITEURL"));
    std::fs::create_dir_all(&site).unwrap();
    ok(
        &env,
        &[
            "site",
            "add",
            &w("", "SITENAME"),
            &format!("file://{}", site.display()),
        ],
    );
    ok(&env, &["replicate", "--copies", "2"]);
    super::notes::add(&env, &items);
    ok(&env, &["verify"]);
    let bag = env.path().join("public-bag");
    ok(&env, &["export", "--bag", bag.to_str().unwrap()]);
    let tables = {
        let c = env.db();
        let mut stmt = c
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .unwrap();
        let names = stmt.query_map([], |r| r.get(0)).unwrap();
        names.map(Result::unwrap).collect()
    };
    std::fs::remove_dir_all(env.path().join("private")).unwrap();
    std::fs::remove_dir_all(env.path().join("intake")).unwrap();
    Fixture {
        key,
        canaries: canaries(),
        items,
        narrators,
        dups,
        bag,
        tables,
        reader,
        env,
    }
}
