//! Table-driven tests of the grammar, tests of the policy in generated SQL,
//! and property tests that user text never becomes SQL.

use chrono::NaiveDate;
use proptest::prelude::*;
use rusqlite::types::Value;

use super::compile::compile;
use super::parse::{parse, parse_line, Evidence, Pred};
use super::{select_plan, Options};
use crate::error::Error;
use crate::model::Access;

/// A query as one typed line (the grammar as `access --query` reads it).
fn q(s: &str) -> Result<super::Query, Error> {
    parse_line(s)
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
}

/// A compact description of a parsed query, for table-driven checks.
fn show(s: &str) -> String {
    let query = q(s).unwrap_or_else(|e| panic!("{s}: {e}"));
    query
        .any
        .iter()
        .map(|alt| {
            alt.iter()
                .map(|t| {
                    let body = match &t.pred {
                        Pred::FullText(w) => format!("fts({w})"),
                        Pred::Text {
                            field,
                            value,
                            exact,
                        } => format!("{}{}{value}", field.name, if *exact { "=" } else { "~" }),
                        Pred::Number { field, lo, hi } => format!("{}[{lo:?},{hi:?}]", field.name),
                        Pred::Days { field, lo, hi } => format!(
                            "{}[{},{}]",
                            field.name,
                            lo.as_deref().unwrap_or(""),
                            hi.as_deref().unwrap_or("")
                        ),
                        Pred::DateExact { value } => format!("date={value}"),
                        Pred::Missing { field } => format!("{}=none", field.name),
                        Pred::Choice { field, value } => format!("{}={value}", field.name),
                        Pred::Term { field, key, exact } => {
                            format!("{}{}{key}", field.name, if *exact { "=" } else { "~" })
                        }
                        Pred::Evidence(e) => format!("evidence={e:?}"),
                        Pred::Timed { field, words } => format!("{}:fts({words})", field.name),
                    };
                    if t.negated {
                        format!("!{body}")
                    } else {
                        body
                    }
                })
                .collect::<Vec<_>>()
                .join(" & ")
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

#[test]
fn grammar() {
    let cases: &[(&str, &str)] = &[
        ("kind:testimony", "kind=testimony"),
        ("title:Courier", "title~Courier"),
        ("title:=Courier", "title=Courier"),
        ("-kind:letter", "!kind=letter"),
        ("^kind:letter", "!kind=letter"),
        ("cellar", "fts(cellar)"),
        ("-cellar", "!fts(cellar)"),
        ("\"flour cellar\"", "fts(flour cellar)"),
        ("title:\"tannery lane\"", "title~tannery lane"),
        ("\"re: bridge\"", "fts(re: bridge)"),
        ("a b , c", "fts(a) & fts(b) | fts(c)"),
        ("id:3..7", "id[Some(3),Some(7)]"),
        ("id:3..", "id[Some(3),None]"),
        ("id:..7", "id[None,Some(7)]"),
        ("size:1KB..2MiB", "size[Some(1000),Some(2097152)]"),
        ("date:1988..1990", "date[1988-01-01,1990-12-31]"),
        ("date:1988~", "date[1988-01-01,1988-12-31]"),
        ("date:1988/1990", "date[1988-01-01,1990-12-31]"),
        ("date:1990-02..", "date[1990-02-01,]"),
        ("date:=1988~", "date=1988~"),
        ("ingested_at:2026-03", "ingested_at[2026-03-01,2026-03-31]"),
        ("embargo:none", "embargo=none"),
        ("place:ŞUŞA", "place~şuşa"),
        ("event:=\"Velmora unrest\"", "event=velmora unrest"),
        ("evidence:none", "evidence=None"),
        ("evidence:12", "evidence=Item(12)"),
        ("access:Closed", "access=closed"),
        ("sha256:ABC", "sha256~abc"),
        ("KIND:photo", "kind=photo"),
        ("", ""),
    ];
    for (input, want) in cases {
        assert_eq!(show(input), *want, "query {input:?}");
    }
    assert!(matches!(
        q("evidence:any").unwrap().any[0][0].pred,
        Pred::Evidence(Evidence::Any)
    ));
}

/// Command-line arguments: what the shell quoted stays one term.
#[test]
fn each_argument_with_spaces_is_one_term() {
    let args = |a: &[&str]| {
        let v: Vec<String> = a.iter().map(|s| s.to_string()).collect();
        let query = parse(&v).unwrap_or_else(|e| panic!("{a:?}: {e}"));
        let line = a.join(" ");
        (query, line)
    };
    let one = |a: &[&str]| {
        let (query, line) = args(a);
        assert_eq!(query.any.len(), 1, "{line}");
        query.any[0]
            .iter()
            .map(|t| t.pred.clone())
            .collect::<Vec<_>>()
    };
    let harbour = one(&["event:=Harbour fire"]);
    assert_eq!(harbour, one(&["event:=\"Harbour fire\""]));
    assert!(matches!(&harbour[..], [Pred::Term { key, exact: true, .. }] if key == "harbour fire"));
    assert!(
        matches!(&one(&["place:Corran Ford"])[..], [Pred::Term { key, exact: false, .. }] if key == "corran ford")
    );
    assert!(matches!(&one(&["tannery lane"])[..], [Pred::FullText(t)] if t == "tannery lane"));
    assert_eq!(one(&["kind:letter", "cellar"]).len(), 2);
    // An argument holding a quote is split at its unquoted spaces.
    assert_eq!(one(&["collection:\"Box 12\" kind:letter"]).len(), 2);
    let (query, _) = args(&["place:velmora", ",", "place:oster"]);
    assert_eq!(query.any.len(), 2);
    // Columns still count the arguments joined by single spaces.
    let e = parse(&["cellar".into(), "kidn:x y".into()])
        .unwrap_err()
        .to_string();
    assert!(e.contains("column 8"), "{e}");
}

#[test]
fn errors_say_what_and_where() {
    let cases: &[(&str, &[&str])] = &[
        (
            "kidn:testimony",
            &["column 1", "unknown field \"kidn\"", "\"kind\""],
        ),
        ("cellar title:\"tannery", &["column 14", "unbalanced quote"]),
        ("date:19x8", &["date", "19x8"]),
        ("date:1990..1980", &["ends before it starts"]),
        ("kind:poem", &["kind", "poem", "testimony"]),
        ("kind:photo,letter", &["kind:a , kind:b"]),
        ("size:3XB", &["unknown unit"]),
        ("id:x", &["not a whole number"]),
        ("title:", &["needs a value"]),
        (", a", &["needs a term on each side"]),
        ("a ,", &["needs a term on each side"]),
        ("a , , b", &["needs a term on each side"]),
        ("date:..", &["at least one end"]),
        ("sha256:xyz", &["not hex"]),
        ("-", &["empty search term"]),
    ];
    for (input, wants) in cases {
        let err = q(input).expect_err(input).to_string();
        for w in *wants {
            assert!(err.contains(w), "{input:?}: {err:?} lacks {w:?}");
        }
        assert!(matches!(q(input), Err(Error::Usage(_))), "{input}");
    }
    let nul = parse(&["a\0b".to_string()]).unwrap_err().to_string();
    assert!(nul.contains("NUL") && nul.contains("column 2"), "{nul}");
    let big = parse(&["x".repeat(1 << 20)]).unwrap_err();
    assert!(matches!(big, Error::Usage(_)));
    let many = vec!["w".to_string(); 500];
    assert!(parse(&many).unwrap_err().to_string().contains("too many"));
}

fn sql_for(s: &str, access: Access) -> (String, Vec<Value>) {
    let c = compile(&q(s).unwrap(), access, today()).unwrap();
    (c.filter.sql, c.filter.params)
}

#[test]
fn the_policy_is_in_every_query() {
    let listed = crate::policy::sql::listed(Access::Research).sql;
    let open = crate::policy::sql::open(Access::Research, today()).sql;
    // Visible fields: listed only.
    for s in [
        "",
        "kind:testimony",
        "collection:letters",
        "id:3",
        "access:closed",
    ] {
        let (sql, _) = sql_for(s, Access::Research);
        assert!(sql.starts_with(&listed), "{s}: {sql}");
        assert!(!sql.contains(&open), "{s} needs no open filter: {sql}");
    }
    // Anything else, negated or not, also needs open.
    for s in [
        "cellar",
        "-cellar",
        "title:x",
        "-title:x",
        "narrator:oda",
        "date:1991",
        "place:velmora",
        "kind:testimony , narrator:x",
    ] {
        let (sql, _) = sql_for(s, Access::Research);
        assert!(sql.starts_with(&listed), "{s}: {sql}");
        assert!(
            sql.contains(&open),
            "{s} must be limited to open items: {sql}"
        );
    }
    // Testimonies' origins are withheld below custodian.
    let (sql, _) = sql_for("origin:project", Access::Public);
    assert!(sql.contains("i.kind <> 'testimony'"), "{sql}");
    // Custodial fields are refused below custodian.
    let err = compile(&q("evidence:none").unwrap(), Access::Research, today()).unwrap_err();
    assert!(matches!(err, Error::Refused(_)));
    assert!(compile(&q("evidence:none").unwrap(), Access::Custodian, today()).is_ok());
    // Full text: the redacted index below custodian, both at custodian.
    let (sql, _) = sql_for("cellar", Access::Research);
    assert!(sql.contains("item_fts") && !sql.contains("item_fts_full"));
    let (sql, _) = sql_for("cellar", Access::Custodian);
    assert!(sql.contains("item_fts_full"));
    // Titles below custodian are matched on the redacted copy.
    let (sql, _) = sql_for("title:x", Access::Research);
    assert!(sql.contains("coalesce(rx.title, i.title)"), "{sql}");
}

#[test]
fn sorting_on_hidden_fields_masks_closed_items() {
    let opts = |sort| Options {
        access: Access::Research,
        today: today(),
        sort: Some(sort),
        limit: Some(5),
        offset: 0,
        extra: &[],
        dates: Default::default(),
    };
    let plan = select_plan(&q("").unwrap(), &opts("-date")).unwrap();
    assert!(plan.sql.contains("CASE WHEN"), "{}", plan.sql);
    let plan = select_plan(&q("date:1991").unwrap(), &opts("-date")).unwrap();
    assert!(!plan.sql.contains("THEN i.date_lower"), "{}", plan.sql);
    assert!(select_plan(&q("").unwrap(), &opts("origin")).is_err());
    let marks = plan.sql.matches('?').count();
    assert_eq!(marks, plan.params.len(), "{}", plan.sql);
}

#[test]
fn fts_strings_cannot_inject_syntax() {
    assert_eq!(super::fts_string("a\"b"), "\"a\"\"b\"");
    assert_eq!(super::fts_string("NEAR(a b)"), "\"NEAR(a b)\"");
    // Every shape of hostile word runs as a plain phrase search.
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE VIRTUAL TABLE f USING fts5(body); INSERT INTO f VALUES ('x');")
        .unwrap();
    for w in [
        "\"",
        "a\" OR \"x",
        "*",
        "body:x",
        "NEAR(x x)",
        "x AND",
        "^x",
        "!!!",
        "'",
    ] {
        let n: rusqlite::Result<i64> = conn.query_row(
            "SELECT count(*) FROM f WHERE f MATCH ?1",
            [super::fts_string(w)],
            |r| r.get(0),
        );
        let n = n.unwrap_or_else(|e| panic!("{w:?}: {e}"));
        assert!(n <= 1, "{w:?}");
    }
}

const FIELD_NAMES: &[&str] = &[
    "title",
    "creator",
    "language",
    "collection",
    "origin",
    "media_type",
    "ingested_by",
    "narrator",
    "place",
    "event",
    "subject",
    "agent",
    "description",
];

proptest! {
    /// Whatever a user types as a text value or a full-text word, the SQL is
    /// the same template: the text exists only among the parameters.
    #[test]
    fn user_text_never_reaches_sql(
        field in proptest::sample::select(FIELD_NAMES),
        value in "[^\"\\s\\x00]{1,40}",
        access in proptest::sample::select(&[Access::Public, Access::Research, Access::Custodian][..]),
    ) {
        let marker = format!("zq{value}");
        for term in [format!("{field}:{marker}"), format!("{field}:={marker}"), format!("-{field}:{marker}"), marker.clone()] {
            let parsed = parse(std::slice::from_ref(&term));
            let Ok(query) = parsed else { continue };
            let c = compile(&query, access, today()).unwrap();
            prop_assert!(!c.filter.sql.contains(&marker), "{term}: {}", c.filter.sql);
            prop_assert!(!c.filter.sql.contains("zq"), "{term}: {}", c.filter.sql);
            prop_assert_eq!(c.filter.sql.matches('?').count(), c.filter.params.len());
        }
    }

    /// Any input at all: an error, or SQL free of the input's words.
    #[test]
    fn arbitrary_input_is_an_error_or_parameters(input in "\\PC{0,60}") {
        let args = vec![format!("zq{input}")];
        if let Ok(query) = parse(&args) {
            if let Ok(c) = compile(&query, Access::Research, today()) {
                prop_assert!(!c.filter.sql.contains("zq"), "{input:?}: {}", c.filter.sql);
                prop_assert_eq!(c.filter.sql.matches('?').count(), c.filter.params.len());
            }
        }
    }
}

/// The date fast path (DateShape) must select exactly what the general
/// overlap form selects, whatever the ranges and intervals.
#[test]
fn date_ranges_agree_with_and_without_the_shape_fast_path() {
    use super::compile::{compile_with, DateShape};
    let dated: &[(Option<&str>, Option<&str>)] = &[
        (Some("1988-02-27"), Some("1988-02-27")),
        (Some("1988-01-01"), Some("1988-12-31")),
        (Some("1985-01-01"), Some("1990-12-31")),
        (Some("1990-06-01"), Some("1990-06-30")),
        (Some("1991-01-01"), Some("1991-12-31")),
        (Some("1900-01-01"), Some("1999-12-31")),
        (None, None),
    ];
    let open_ended: &[(Option<&str>, Option<&str>)] =
        &[(None, Some("1989-01-01")), (Some("1989-06-01"), None)];
    let ranges = [
        "date:1988..1990",
        "date:1989",
        "date:..1987",
        "date:1991..",
        "date:1850..1860",
        "-date:1988..1989",
    ];
    for with_open in [false, true] {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        crate::archive::migrate::migrate(&mut c).unwrap();
        let rows: Vec<_> = dated
            .iter()
            .chain(if with_open { open_ended } else { &[] })
            .collect();
        for (n, (lo, hi)) in rows.iter().enumerate() {
            let id = n as i64 + 1;
            c.execute(
                "INSERT INTO objects (id, sha256, size, media_type, stored_at) VALUES (?1, ?2, 1, 'text/plain', 'now')",
                rusqlite::params![id, format!("{id:064x}")],
            )
            .unwrap();
            c.execute(
                "INSERT INTO items (id, object_id, title, kind, date_lower, date_upper, created_at, updated_at, date_span)
                 VALUES (?1, ?1, 't', 'article', ?2, ?3, 'now', 'now', CAST(julianday(?3) - julianday(?2) AS INTEGER))",
                rusqlite::params![id, lo, hi],
            )
            .unwrap();
        }
        let shape = DateShape::load(&c).unwrap();
        assert_eq!(shape.closed_only, !with_open);
        assert_eq!(
            shape.max_span_days,
            Some(36523),
            "the 1900/1999 item is the widest"
        );
        for r in ranges {
            let ids = |dates: &DateShape| -> Vec<i64> {
                let comp = compile_with(&q(r).unwrap(), Access::Custodian, today(), dates).unwrap();
                let sql = format!(
                    "SELECT i.id FROM items i {} WHERE {} ORDER BY i.id",
                    crate::policy::sql::FACTS_JOIN,
                    comp.filter.sql
                );
                let mut stmt = c.prepare(&sql).unwrap();
                let got = stmt
                    .query_map(
                        rusqlite::params_from_iter(comp.filter.params.iter()),
                        |row| row.get(0),
                    )
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                got
            };
            assert_eq!(
                ids(&shape),
                ids(&DateShape::default()),
                "{r} (open-ended dates: {with_open})"
            );
        }
    }
}

/// A capped count is the full count up to the cap, and the cap past it.
#[test]
fn a_capped_count_stops_at_its_cap() {
    let mut c = rusqlite::Connection::open_in_memory().unwrap();
    crate::archive::migrate::migrate(&mut c).unwrap();
    for id in 1..=5i64 {
        c.execute(
            "INSERT INTO objects (id, sha256, size, media_type, stored_at) VALUES (?1, ?2, 1, 'text/plain', 'now')",
            rusqlite::params![id, format!("{id:064x}")],
        )
        .unwrap();
        let kind = if id == 5 { "letter" } else { "article" };
        c.execute(
            "INSERT INTO items (id, object_id, title, kind, created_at, updated_at) VALUES (?1, ?1, 't', ?2, 'now', 'now')",
            rusqlite::params![id, kind],
        )
        .unwrap();
    }
    let opts = Options {
        access: Access::Custodian,
        today: today(),
        sort: None,
        limit: None,
        offset: 0,
        extra: &[],
        dates: Default::default(),
    };
    let articles = q("kind:article").unwrap();
    assert_eq!(super::exec::count_conn(&c, &articles, &opts).unwrap(), 4);
    for (cap, want) in [(1, 1), (3, 3), (4, 4), (10_001, 4)] {
        assert_eq!(
            super::exec::count_capped_conn(&c, &articles, &opts, cap).unwrap(),
            want,
            "cap {cap}"
        );
    }
}

/// Registering the functions again must not expire the connection's
/// prepared statements: SQLite expires them all when a function is
/// replaced, and a pooled reader registers before every query.
#[test]
fn registering_the_functions_again_keeps_prepared_statements() {
    let c = rusqlite::Connection::open_in_memory().unwrap();
    super::register(&c).unwrap();
    let sql = "SELECT custos_fold(?1)";
    let step = |w: &str| -> String {
        c.prepare_cached(sql)
            .unwrap()
            .query_row([w], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(step("ÄB"), "äb");
    super::register(&c).unwrap();
    assert_eq!(step("Ç"), "ç");
    let reprepared = c
        .prepare_cached(sql)
        .unwrap()
        .get_status(rusqlite::StatementStatus::RePrepare);
    assert_eq!(reprepared, 0, "the statement was parsed again");
}
