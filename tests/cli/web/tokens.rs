//! Tokens (issue 15): created once, stored as a hash, listed without the
//! secret, revoked; a valid bearer or sign-in cookie reads at research, a
//! forged, revoked or expired bearer is refused (401), an invalid cookie
//! reads at public; research views are logged for the custodian.

use serde_json::Value;

use super::server::Server;
use crate::harness::Env;
use crate::seed::{self, run};

/// An archive with one testimony open at research and closed at public.
fn archive() -> (Env, i64) {
    let env = Env::with_archive();
    seed::key_init(&env);
    let n = seed::narrator(
        &env,
        "Invented Person Tokentest",
        &["--anonymity", "named", "--display", "Ilse Varrow"],
    );
    let item = seed::testimony(
        &env,
        "research.txt",
        "Fictional words of TOKENRESEARCHWORD.",
        n,
        &[],
    );
    seed::set_consent(&env, item, "granted", Some("research"), None);
    (env, item)
}

fn create(env: &Env, label: &str, expires: &str) -> String {
    let (code, out, err) = run(
        env,
        &[
            "token",
            "create",
            "--access",
            "research",
            "--label",
            label,
            "--expires",
            expires,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("shown only now"), "{err}");
    let secret = out.trim().to_string();
    assert!(secret.starts_with("custos_") && secret.len() > 40, "{out}");
    secret
}

#[test]
fn tokens_raise_a_reader_to_research_and_dead_ones_do_not() {
    let (env, item) = archive();
    let good = create(&env, "Dr. Invented Reader", "2099-12-31");
    let revoked = create(&env, "Former Reader", "2099-12-31");
    let expired = create(&env, "Past Reader", "2099-12-31");
    // The secret is stored nowhere: not in the catalogue, not in a listing.
    let db = std::fs::read(env.archive().join("custos.db")).unwrap();
    let wal = std::fs::read(env.archive().join("custos.db-wal")).unwrap_or_default();
    for s in [&good, &revoked, &expired] {
        assert!(!seed::contains(&db, s.as_bytes()) && !seed::contains(&wal, s.as_bytes()));
    }
    let list = env.json(&["token", "list", "--format", "json"]);
    assert_eq!(list.as_array().unwrap().len(), 3, "{list}");
    assert!(!list.to_string().contains("custos_"), "{list}");
    let ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    let (code, _, err) = run(&env, &["token", "revoke", &ids[1].to_string()]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&env, &["token", "revoke", &ids[1].to_string()]);
    assert_eq!(code, 2, "revoking twice is refused: {err}");
    env.db()
        .execute(
            "UPDATE web_tokens SET expires = '2001-01-01' WHERE id = ?1",
            [ids[2]],
        )
        .unwrap();
    let (code, _, err) = run(
        &env,
        &[
            "token",
            "create",
            "--access",
            "custodian",
            "--label",
            "x",
            "--expires",
            "2099-01-01",
        ],
    );
    assert_eq!(code, 2, "{err}");
    let log = env.json(&["log", "--access", "custodian", "--format", "json"]);
    let kinds: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "token_creation").count(),
        3,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "token_revocation").count(),
        1,
        "{kinds:?}"
    );

    let s = Server::start(&env, &[]);
    let page = format!("/items/{item}");
    let api = format!("/api/items/{item}");
    // Consent for research only: at public the testimony is not there.
    let anon = s.get(&page);
    assert_eq!(anon.status, 404);
    assert!(!anon.text().contains("TOKENRESEARCHWORD"));

    let bearer = format!("Bearer {good}");
    let r = s.get_with(&page, &[("authorization", &bearer)]);
    assert_eq!(r.status, 200);
    assert!(
        r.text().contains("TOKENRESEARCHWORD") && r.text().contains("<strong>research</strong>"),
        "{}",
        r.text()
    );
    let v: Value =
        serde_json::from_slice(&s.get_with(&api, &[("authorization", &bearer)]).body).unwrap();
    assert_eq!(
        v,
        env.json(&[
            "show",
            &item.to_string(),
            "--access",
            "research",
            "--format",
            "json"
        ])
    );

    for (what, secret) in [
        ("revoked", revoked.clone()),
        ("expired", expired.clone()),
        ("forged", format!("{good}x")),
        ("forged", "custos_AAAA".into()),
    ] {
        let b = format!("Bearer {secret}");
        for path in [&page, &api, &"/".to_string()] {
            let r = s.get_with(path, &[("authorization", &b)]);
            assert_eq!(r.status, 401, "{what} bearer on {path}");
            assert!(r
                .header("www-authenticate")
                .is_some_and(|h| h.contains("invalid_token")));
            assert!(!r.text().contains("TOKENRESEARCHWORD"));
        }
        // A dead cookie is ignored: public again.
        let c = format!("custos_token={secret}");
        let r = s.get_with(&page, &[("cookie", &c)]);
        assert_eq!(r.status, 404, "{what} cookie");
        assert!(!r.text().contains("TOKENRESEARCHWORD"), "{what} cookie");
    }

    // The sign-in form sets the cookie; a dead token does not get one.
    let login = s.post_form("/login", &[("token", &good)]);
    assert_eq!(login.status, 303);
    let set = login.header("set-cookie").unwrap().to_string();
    for attr in ["HttpOnly", "Secure", "SameSite=Strict"] {
        assert!(set.contains(attr), "{set}");
    }
    let cookie = set.split(';').next().unwrap().to_string();
    let r = s.get_with(&page, &[("cookie", &cookie)]);
    assert!(
        r.text().contains("TOKENRESEARCHWORD"),
        "signed in by cookie"
    );
    let refused = s.post_form("/login", &[("token", &revoked)]);
    assert_eq!(refused.status, 401);
    assert!(refused.header("set-cookie").is_none());

    // Every research view is in the custodian's log: three by the valid
    // token (page, API, page by cookie), none by the dead ones.
    drop(s);
    let log = env.json(&["token", "log", "--format", "json"]);
    let rows = log.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{log}");
    for r in rows {
        assert_eq!(r["token"], ids[0], "{log}");
        assert_eq!(r["item"], item, "{log}");
        assert_eq!(r["what"], "view");
        assert_eq!(r["label"], "Dr. Invented Reader");
    }
}
