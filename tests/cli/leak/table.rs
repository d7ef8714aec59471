//! Which commands the leak test runs, and with what: read from the clap
//! tree, so a new command cannot ship without being classified here.

use std::collections::BTreeMap;

use clap::CommandFactory;

use super::fixture::Fixture;

/// A command of the clap tree: its path, its `--format` values, and
/// whether it takes `--access`.
pub struct Node {
    pub formats: Vec<String>,
    pub access: bool,
}

/// Every runnable command path (`"consent history"`, `"terms"`, ...).
pub fn walk() -> BTreeMap<String, Node> {
    fn go(cmd: &clap::Command, prefix: &str, out: &mut BTreeMap<String, Node>) {
        for sub in cmd.get_subcommands() {
            let path = format!("{prefix} {}", sub.get_name()).trim().to_string();
            let runnable = !sub.has_subcommands() || !sub.is_subcommand_required_set();
            if runnable && sub.get_name() != "help" {
                let long = |name: &str| sub.get_arguments().find(|a| a.get_long() == Some(name));
                let formats = long("format")
                    .map(|a| {
                        let values = a.get_possible_values();
                        values.iter().map(|v| v.get_name().to_string()).collect()
                    })
                    .unwrap_or_default();
                let access = long("access").is_some();
                out.insert(path.clone(), Node { formats, access });
            }
            go(sub, &path, out);
        }
    }
    let mut out = BTreeMap::new();
    go(&custos::cli::Cli::command(), "", &mut out);
    out
}

/// Read commands without `--format` that still show archive data.
pub const READ_WITHOUT_FORMAT: &[&str] = &[
    "log",
    "verify",
    "fields",
    "terms",
    "report",
    "query",
    "sql",
    "narrator list",
    "narrator show",
    "consent history",
    "bag validate",
    "export",
    "backup",
    "access-copy",
];

/// Commands that only change the archive and print no archive data.
pub const WRITE_ONLY: &[&str] = &[
    "init",
    "accession add",
    "edit",
    "key init",
    "narrator edit",
    "testimony set",
    "redact",
    "purge",
    "note add",
    "note remove",
    "consent grant",
    "consent restrict",
    "consent withdraw",
    "consent embargo",
    "tag",
    "untag",
    "terms rename",
    "terms merge",
    "terms name add",
    "terms name remove",
    "terms label",
    "claim add",
    "claim remove",
    "site add",
    "replicate",
    "repair",
    "restore",
    "transcript set",
    "segment add",
    "segment remove",
    "segment import",
    // A server, not a one-shot read: crawled over HTTP by leak/web.rs.
    "serve",
    "token create",
    "token revoke",
];

/// The tags of the fixture's testimonies.
const STATE_TAGS: [&str; 6] = ["PUB", "RES", "ARCH", "EMB", "PEND", "WD"];

/// How an entry runs: alongside the others, or alone after them (it writes
/// to the archive, or its output depends on the archive not changing).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Run {
    Parallel,
    Serial,
}

/// One command path and the argument lists to try (the whole argv after
/// `custos`; `{OUT}` becomes a fresh folder whose files are scanned too).
/// `--access` and `--format` are added from the clap tree.
pub struct Entry {
    pub path: &'static str,
    pub run: Run,
    pub args: fn(&Fixture) -> Vec<Vec<String>>,
}

fn v(words: &[&str]) -> Vec<String> {
    words.iter().map(|s| s.to_string()).collect()
}

fn per<T: ToString>(
    ids: impl IntoIterator<Item = T>,
    f: impl Fn(&str) -> Vec<String>,
) -> Vec<Vec<String>> {
    ids.into_iter().map(|i| f(&i.to_string())).collect()
}

fn item_ids(fx: &Fixture) -> Vec<String> {
    let mut ids: Vec<String> = fx.items.values().map(i64::to_string).collect();
    ids.push("99".into());
    ids
}

/// Every key a query row can carry (`--fields`), snippet included.
pub const ALL_FIELDS: &str = "id,title,kind,date,sha256,size,media_type,original_name,origin,\
ingested_at,ingested_by,language,collection,creator,description,access,closed_until,withdrawn_on,\
withdrawal_reason,deaccessioned_on,deaccession_reason,snippet,segments,narrator,anonymity,consent,scope,embargo,evidence,event,place,subject,agent";

fn queries(fx: &Fixture) -> Vec<Vec<String>> {
    let mut q = vec![
        v(&["query"]),
        v(&["query", "--count"]),
        v(&["query", "--sql", "kind:testimony", "mill"]),
        v(&["query", "--fields", ALL_FIELDS]),
        v(&["query", "--sort", "-title", "--fields", ALL_FIELDS]),
    ];
    for field in [
        "title",
        "description",
        "origin",
        "creator",
        "collection",
        "narrator",
        "event",
        "place",
        "subject",
        "agent",
        "media_type",
        "ingested_by",
        "language",
    ] {
        q.push(v(&[
            "query",
            &format!("{field}:leakcanary"),
            "--fields",
            ALL_FIELDS,
        ]));
    }
    for term in [
        "kind:testimony",
        "-kind:letter",
        "consent:withdrawn",
        "consent:pending",
        "access:closed",
        "access:withdrawn",
        "evidence:any",
        "scope:archive",
        "anonymity:anonymous",
        "embargo:2099",
        "mill",
        "\"the neighbour\"",
    ] {
        q.push(v(&["query", term, "--fields", ALL_FIELDS]));
    }
    // Full-text words: a hidden one must find exactly what a word that does
    // not exist finds (the scanner checks the JSON result is empty).
    let mut words: Vec<&str> = fx
        .canaries
        .iter()
        .map(|c| c.word.as_str())
        .filter(|w| {
            ["TEXT", "TITLE", "DESC", "REDACT", "RELEASE", "CUE", "SEG"]
                .iter()
                .any(|r| w.contains(r))
        })
        .collect();
    words.push("LEAKCANARYDISPLAYARCH");
    for word in words {
        q.push(v(&["query", word, "--fields", ALL_FIELDS]));
        // The same word in Cyrillic letters, found through the folded index.
        if word.contains("TEXT") || word.contains("REDACT") {
            let cyr = super::fixture::cyrillic(word);
            q.push(v(&["query", &cyr, "--fields", ALL_FIELDS]));
        }
    }
    q.push(v(&["query", "LEAKCANARYREDACTPUB"]));
    // What is said in a recording, by field: a word said only inside a
    // closed passage finds nothing below custodian.
    for word in [
        "LEAKCANARYCUECLOSEDREC",
        "LEAKCANARYCUEOPENREC",
        "LEAKCANARYSEGCLOSEDREC",
    ] {
        for field in ["transcript", "segment"] {
            q.push(v(&[
                "query",
                &format!("{field}:{word}"),
                "--fields",
                ALL_FIELDS,
            ]));
        }
    }
    q.push(v(&["query", "narrator:LEAKCANARYDISPLAYARCH"]));
    // Notes (issue 18): a note the level may not see matches nothing.
    for tag in STATE_TAGS {
        for role in ["PNOTE", "CNOTE"] {
            let term = format!("note:LEAKCANARY{role}{tag}");
            q.push(v(&["query", &term, "--fields", ALL_FIELDS]));
        }
    }
    q
}

fn sql(fx: &Fixture) -> Vec<Vec<String>> {
    let mut s = vec![
        v(&["sql", "SELECT * FROM items_visible"]),
        v(&["sql", "SELECT * FROM item_terms_visible"]),
        v(&["sql", "SELECT title, count(*) AS n FROM items_visible WHERE title LIKE '%leakcanary%' GROUP BY title"]),
    ];
    // Around the custodian's copies of the item tables: qualified, or
    // from inside a CTE.
    for t in ["items", "item_text", "provenance", "testimonies", "events"] {
        s.push(v(&["sql", &format!("SELECT * FROM main.{t}")]));
        s.push(v(&[
            "sql",
            &format!("WITH x AS (SELECT * FROM main.{t}) SELECT * FROM x"),
        ]));
    }
    for t in &fx.tables {
        s.push(v(&["sql", &format!("SELECT * FROM \"{t}\"")]));
    }
    s
}

pub fn entries() -> Vec<Entry> {
    use Run::{Parallel, Serial};
    vec![
        Entry {
            path: "list",
            run: Parallel,
            args: |_| vec![v(&["list"]), v(&["list", "--sort", "-title"])],
        },
        Entry {
            path: "show",
            run: Parallel,
            args: |fx| per(item_ids(fx), |i| v(&["show", i])),
        },
        Entry {
            path: "access",
            run: Parallel,
            args: |fx| per(item_ids(fx), |i| v(&["access", i, "--history"])),
        },
        Entry {
            path: "note list",
            run: Parallel,
            args: |fx| per(item_ids(fx), |i| v(&["note", "list", i])),
        },
        // A dry run prints ids and outcomes only, and writes nothing.
        Entry {
            path: "deaccession",
            run: Parallel,
            args: |fx| {
                per(item_ids(fx), |i| {
                    v(&[
                        "deaccession",
                        i,
                        "--reason",
                        "x",
                        "--dry-run",
                        "--purge-bytes",
                    ])
                })
            },
        },
        Entry {
            path: "accession list",
            run: Parallel,
            args: |_| vec![v(&["accession", "list"])],
        },
        Entry {
            path: "site list",
            run: Parallel,
            args: |_| vec![v(&["site", "list"])],
        },
        Entry {
            path: "settings",
            run: Parallel,
            args: |_| vec![v(&["settings"]), v(&["settings", "intake"])],
        },
        Entry {
            path: "narrator list",
            run: Parallel,
            args: |_| vec![v(&["narrator", "list"])],
        },
        Entry {
            path: "narrator show",
            run: Parallel,
            args: |fx| {
                per(
                    fx.narrators
                        .values()
                        .map(i64::to_string)
                        .chain(["99".into()]),
                    |n| v(&["narrator", "show", n]),
                )
            },
        },
        // --reveal without the key: refused, and nothing may slip out.
        Entry {
            path: "narrator show",
            run: Serial,
            args: |fx| {
                per(fx.narrators.values(), |n| {
                    v(&["narrator", "show", n, "--reveal"])
                })
            },
        },
        Entry {
            path: "narrator add",
            run: Serial,
            args: |_| {
                vec![v(&[
                    "narrator",
                    "add",
                    "--anonymity",
                    "named",
                    "--display",
                    "Plain Person",
                ])]
            },
        },
        Entry {
            path: "consent history",
            run: Parallel,
            args: |fx| per(item_ids(fx), |i| v(&["consent", i, "history"])),
        },
        Entry {
            path: "query",
            run: Parallel,
            args: queries,
        },
        Entry {
            path: "fields",
            run: Parallel,
            args: |_| vec![v(&["fields"])],
        },
        Entry {
            path: "report",
            run: Parallel,
            args: |_| {
                let mut r = per(
                    ["consent", "accessions", "narrators", "fixity", "claims"],
                    |n| v(&["report", n]),
                );
                r.extend(per(
                    ["kind", "collection", "event", "place", "decade", "language"],
                    |b| v(&["report", "holdings", "--by", b]),
                ));
                r.push(v(&[
                    "report",
                    "accessions",
                    "--since",
                    "2000-01-01",
                    "--until",
                    "2100-01-01",
                ]));
                r.push(v(&["report", "accessions", "--items"]));
                r.push(v(&["report", "consent", "--within", "100y"]));
                r.push(v(&["report", "claims", "--disputed"]));
                r.push(v(&["report", "claims", "--subject", "place:Velmora"]));
                r
            },
        },
        Entry {
            path: "sql",
            run: Parallel,
            args: sql,
        },
        Entry {
            path: "terms",
            run: Parallel,
            args: |_| {
                let mut t = vec![v(&["terms"])];
                t.extend(per(["event", "place", "subject", "agent"], |x| {
                    v(&["terms", "--vocab", x])
                }));
                t
            },
        },
        Entry {
            path: "claim list",
            run: Parallel,
            args: |fx| {
                let mut c = vec![
                    v(&["claim", "list", "place:Velmora"]),
                    v(&[
                        "claim",
                        "list",
                        "place:Velmora",
                        "--property",
                        "perpetrator",
                    ]),
                ];
                c.extend(per(item_ids(fx), |i| v(&["claim", "list", i])));
                c
            },
        },
        Entry {
            path: "terms show",
            run: Parallel,
            args: |_| {
                let mut t = per(STATE_TAGS, |x| {
                    v(&["terms", "show", &format!("place:LEAKCANARYTERM{x}")])
                });
                t.extend(per(STATE_TAGS, |x| {
                    v(&[
                        "terms",
                        "show",
                        &format!("place:LEAKCANARYALTNAME{x}"),
                        "--lang",
                        "en",
                    ])
                }));
                t
            },
        },
        Entry {
            path: "terms name list",
            run: Parallel,
            args: |_| {
                per(STATE_TAGS, |x| {
                    v(&[
                        "terms",
                        "name",
                        "list",
                        &format!("place:LEAKCANARYALTNAME{x}"),
                    ])
                })
            },
        },
        Entry {
            path: "log",
            run: Parallel,
            args: |fx| {
                let mut l = vec![
                    v(&["log"]),
                    v(&["log", "--head"]),
                    v(&["log", "--since", "2000-01-01"]),
                ];
                l.extend(per(
                    [
                        "ingestion",
                        "consent_change",
                        "metadata_modification",
                        "redaction",
                        "creation",
                    ],
                    |t| v(&["log", "--type", t]),
                ));
                l.extend(per(item_ids(fx), |i| v(&["log", i])));
                // The signed head: printed, and kept in the archive, whence
                // the custodian bag of `export` carries it (scanned there).
                let signing = fx.key.with_file_name("signing.key");
                l.push(v(&["log", "--head", "--sign", signing.to_str().unwrap()]));
                l
            },
        },
        Entry {
            path: "verify",
            run: Serial,
            args: |fx| {
                let mut r = vec![v(&["verify"]), v(&["verify", "--objects-only"])];
                r.extend(per(fx.items.values(), |i| v(&["verify", "--item", i])));
                r.extend(per(fx.items.values(), |i| {
                    v(&["verify", "--item", i, "--objects-only"])
                }));
                r
            },
        },
        Entry {
            path: "bag validate",
            run: Parallel,
            args: |fx| vec![v(&["bag", "validate", fx.bag.to_str().unwrap()])],
        },
        Entry {
            path: "export",
            run: Serial,
            args: |fx| {
                let mut e = vec![v(&["export", "--bag", "{OUT}"])];
                e.extend(per(fx.items.values(), |i| {
                    v(&["export", "--bag", "{OUT}", "--item", i])
                }));
                e.push(v(&["export", "--ocfl", "{OUT}"]));
                e.extend(per(fx.items.values(), |i| {
                    v(&["export", "--ocfl", "{OUT}", "--item", i])
                }));
                e
            },
        },
        Entry {
            path: "backup",
            run: Serial,
            args: |_| vec![v(&["backup", "{OUT}"])],
        },
        Entry {
            path: "import",
            run: Serial,
            args: |fx| vec![v(&["import", fx.dups.to_str().unwrap(), "--dry-run"])],
        },
        Entry {
            path: "completions",
            run: Parallel,
            args: |_| per(["bash", "zsh", "fish"], |s| v(&["completions", s])),
        },
        Entry {
            path: "transcript show",
            run: Parallel,
            args: |fx| {
                let mut t = per(item_ids(fx), |i| v(&["transcript", "show", i]));
                t.extend(per(item_ids(fx), |i| {
                    v(&["transcript", "show", i, "--history"])
                }));
                t
            },
        },
        Entry {
            path: "segment list",
            run: Parallel,
            args: |fx| per(item_ids(fx), |i| v(&["segment", "list", i])),
        },
        Entry {
            path: "segment export",
            run: Parallel,
            args: |fx| per(item_ids(fx), |i| v(&["segment", "export", i])),
        },
        Entry {
            path: "restrict",
            run: Parallel,
            args: |fx| per(item_ids(fx), |i| v(&["restrict", i, "--list"])),
        },
        Entry {
            path: "access-copy",
            run: Parallel,
            args: |fx| per(item_ids(fx), |i| v(&["access-copy", i, "--out", "{OUT}"])),
        },
        // The custodian's views of web tokens and the research access log
        // (crawled and filled by leak/web.rs, which runs after this table).
        Entry {
            path: "token list",
            run: Parallel,
            args: |_| vec![v(&["token", "list"])],
        },
        Entry {
            path: "token log",
            run: Parallel,
            args: |_| vec![v(&["token", "log"])],
        },
        Entry {
            path: "man",
            run: Parallel,
            args: |_| vec![v(&["man"]), v(&["man", "--out-dir", "{OUT}"])],
        },
    ]
}
