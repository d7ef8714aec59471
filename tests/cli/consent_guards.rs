//! Transitions that must never open a testimony (issue 11, findings 1, 8
//! and 9): an edit of `kind`, a restriction that widens, and any change to
//! a purged tombstone. Each is refused by the command (exit 2, a reason)
//! and, underneath, by the catalogue's own guards (migration 0007).

use serde_json::Value;

use crate::harness::Env;
use crate::seed;

const SECRET: &str = "CANARYKINDEDIT";

fn testimony(env: &Env) -> i64 {
    seed::key_init(env);
    let n = seed::narrator(env, "CANARYLEGAL Kindedit", &["--anonymity", "anonymous"]);
    seed::testimony(
        env,
        "kind.txt",
        &format!("A fictional interview about the {SECRET} cellar."),
        n,
        &[],
    )
}

fn public_view(env: &Env, id: i64) -> (i32, String) {
    let (code, out, _) = seed::run(
        env,
        &[
            "show",
            &id.to_string(),
            "--access",
            "public",
            "--format",
            "json",
        ],
    );
    (code, out)
}

fn query_public(env: &Env, word: &str) -> Value {
    env.json(&["query", word, "--access", "public", "--format", "json"])
}

#[test]
fn editing_the_kind_of_a_testimony_is_refused_in_every_state() {
    let env = Env::with_archive();
    let id = testimony(&env);
    let sid = id.to_string();
    // pending, research-only, withdrawn: each closed at public.
    let states: &[&[&str]] = &[
        &[],
        &[
            "consent",
            &sid,
            "grant",
            "--scope",
            "research",
            "--date",
            "2026-01-02",
        ],
        &[
            "consent",
            &sid,
            "withdraw",
            "--date",
            "2026-01-03",
            "--reason",
            "asked",
        ],
    ];
    for state in states {
        if !state.is_empty() {
            let (code, _, err) = seed::run(&env, state);
            assert_eq!(code, 0, "{err}");
        }
        for kind in ["article", "audio", "other"] {
            let (code, _, err) = seed::run(&env, &["edit", &sid, "--kind", kind]);
            assert_eq!(code, 2, "edit --kind {kind} after {state:?}: {err}");
            assert!(err.contains("stays one"), "{err}");
            let (_, shown) = public_view(&env, id);
            assert!(!shown.contains(SECRET), "{kind} after {state:?}: {shown}");
            let hits = query_public(&env, SECRET);
            assert_eq!(hits, serde_json::json!([]), "{kind} after {state:?}");
        }
    }
    let kind: String = env
        .db()
        .query_row("SELECT kind FROM items WHERE id = ?1", [id], |r| r.get(0))
        .unwrap();
    assert_eq!(kind, "testimony");
}

#[test]
fn the_catalogue_itself_refuses_what_a_command_might_miss() {
    let env = Env::with_archive();
    let id = testimony(&env);
    let db = env.db();
    let err = db
        .execute("UPDATE items SET kind = 'article' WHERE id = ?1", [id])
        .unwrap_err();
    assert!(err.to_string().contains("stays a testimony"), "{err}");
    // An article cannot be given a consent history or a testimony row.
    let article = env.write("a.txt", "A fictional article.");
    let aid = env.import(&[&article], &[])[0]["id"].as_i64().unwrap();
    let err = db
        .execute(
            "INSERT INTO consent_events (item_id, status, scope, date, recorded_at, recorded_by)
             VALUES (?1, 'granted', 'public', '2026-01-01', 'x', 'x')",
            [aid],
        )
        .unwrap_err();
    assert!(err.to_string().contains("testimonies only"), "{err}");
}

#[test]
fn restrict_only_narrows() {
    let env = Env::with_archive();
    let id = testimony(&env).to_string();
    // Pending is closed: restricting nothing would open it at research.
    let (code, _, err) = seed::run(
        &env,
        &[
            "consent", &id, "restrict", "--scope", "research", "--reason", "x",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nothing to restrict"), "{err}");
    let research = env.json(&["show", &id, "--access", "research", "--format", "json"]);
    assert_eq!(research["access"], "closed", "{research}");
    // After a withdrawal, a restriction cannot reopen.
    for args in [
        &[
            "consent",
            &id,
            "grant",
            "--scope",
            "archive",
            "--date",
            "2026-01-01",
        ][..],
        &[
            "consent",
            &id,
            "withdraw",
            "--date",
            "2026-01-01",
            "--reason",
            "x",
        ][..],
    ] {
        let (code, _, err) = seed::run(&env, args);
        assert_eq!(code, 0, "{err}");
    }
    let (code, _, err) = seed::run(
        &env,
        &[
            "consent",
            &id,
            "restrict",
            "--scope",
            "public",
            "--reason",
            "x",
            "--date",
            "2026-01-02",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot reopen"), "{err}");
    let (code, _, err) = seed::run(
        &env,
        &[
            "consent",
            &id,
            "grant",
            "--scope",
            "research",
            "--date",
            "2026-01-02",
            "--embargo-until",
            "2030-01-01",
        ],
    );
    assert_eq!(code, 0, "{err}");
    for scope in ["public", "publication"] {
        let (code, _, err) = seed::run(
            &env,
            &[
                "consent",
                &id,
                "restrict",
                "--scope",
                scope,
                "--reason",
                "x",
                "--embargo-until",
                "2030-01-01",
            ],
        );
        if scope == "public" {
            assert_eq!(code, 2, "{scope}: {err}");
            assert!(err.contains("only narrows"), "{err}");
        } else {
            // research and publication are seen by the same levels.
            assert_eq!(code, 0, "{scope}: {err}");
        }
    }
    // An embargo may not end sooner, nor be dropped.
    for extra in [&[][..], &["--embargo-until", "2029-12-31"][..]] {
        let args = [
            &[
                "consent",
                id.as_str(),
                "restrict",
                "--scope",
                "archive",
                "--reason",
                "x",
            ][..],
            extra,
        ]
        .concat();
        let (code, _, err) = seed::run(&env, &args);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(err.contains("embargoed until 2030-01-01"), "{err}");
    }
    let (code, _, err) = seed::run(
        &env,
        &[
            "consent",
            &id,
            "restrict",
            "--scope",
            "archive",
            "--reason",
            "x",
            "--embargo-until",
            "2031-01-01",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (_, shown) = public_view(&env, id.parse().unwrap());
    assert!(!shown.contains(SECRET));
    // And at public, after the original embargo, it is still not open.
    let out = env
        .cmd()
        .env("CUSTOS_NOW", "2030-06-01T00:00:00Z")
        .args(["show", &id, "--access", "research", "--format", "json"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains(SECRET));
}

#[test]
fn a_purged_tombstone_takes_no_consent_terms_or_edits() {
    let env = Env::with_archive();
    let id = testimony(&env);
    let sid = id.to_string();
    seed::set_consent(&env, id, "granted", Some("public"), None);
    seed::set_consent(&env, id, "withdrawn", None, Some("asked"));
    let (code, _, err) = seed::run(&env, &["purge", &sid, "--yes", "--reason", "asked"]);
    assert_eq!(code, 0, "{err}");
    let attempts: &[&[&str]] = &[
        &[
            "consent",
            &sid,
            "grant",
            "--scope",
            "public",
            "--date",
            "2026-02-01",
        ],
        &["consent", &sid, "withdraw", "--reason", "again"],
        &["tag", &sid, "--place", "Velmora"],
        &["edit", &sid, "--title", "Reopened"],
        &["edit", &sid, "--collection", "Box 1"],
    ];
    for args in attempts {
        let (code, _, err) = seed::run(&env, args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("purged"), "{args:?}: {err}");
    }
    // Public exports still work (they failed half-way after such a grant).
    let bag = env.path().join("bag-public");
    let (code, _, err) = seed::run(
        &env,
        &[
            "export",
            "--bag",
            bag.to_str().unwrap(),
            "--access",
            "public",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = seed::run(&env, &["verify"]);
    assert_eq!(code, 0, "{err}");
}
