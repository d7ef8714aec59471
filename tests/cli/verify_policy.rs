//! `custos verify` against catalogue tampering that changes who can see
//! what: consent rows, the custodian recipient, redaction state. Each is
//! edited directly in SQLite, as an attacker with the file would.

use serde_json::Value;

use crate::harness::{run, Env};
use crate::seed;

/// A key, a narrator, four testimonies: 1 granted public then restricted
/// to publication (with a reason), 2 granted for
/// research and then granted again, 3 redacted, 4 withdrawn and purged.
fn archive() -> Env {
    let env = Env::with_archive();
    seed::key_init(&env);
    let n = seed::narrator(
        &env,
        "CANARY-LEGAL-Name",
        &["--display", "D.", "--anonymity", "anonymous"],
    );
    for (i, text) in ["one", "two", "Quokkaterm three", "four"]
        .iter()
        .enumerate()
    {
        let id = seed::testimony(&env, &format!("t{i}.txt"), text, n, &[]);
        assert_eq!(id, i as i64 + 1);
    }
    seed::set_consent(&env, 1, "granted", Some("public"), None);
    let ok = |args: &[&str]| {
        let out = env.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    ok(&[
        "consent",
        "1",
        "restrict",
        "--date",
        "2026-01-03",
        "--scope",
        "publication",
        "--reason",
        "release signed",
    ]);
    ok(&[
        "consent",
        "2",
        "grant",
        "--date",
        "2026-01-02",
        "--scope",
        "research",
        "--note",
        "research only",
    ]);
    ok(&[
        "consent",
        "2",
        "grant",
        "--date",
        "2026-01-05",
        "--scope",
        "public",
        "--embargo-until",
        "2030-01-01",
    ]);
    seed::set_consent(&env, 3, "granted", Some("public"), None);
    let out = env
        .cmd()
        .args(["redact", "3"])
        .write_stdin("Quokkaterm\n")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    seed::set_consent(&env, 4, "granted", Some("public"), None);
    seed::set_consent(&env, 4, "withdrawn", None, Some("asked"));
    ok(&["purge", "4", "--yes"]);
    env
}

fn verify(env: &Env) -> (i32, Vec<Value>, String) {
    let mut c = env.cmd();
    c.args(["verify", "--format", "json"]);
    let (code, out, err) = run(c);
    let rows = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("verify stdout is not JSON ({e}): {out} / {err}"));
    (code, rows, err)
}

/// Tampers with `sql`, then expects exactly policy findings, each
/// detail containing every needle.
fn tampered_is_caught(sql: &str, needles: &[&str]) {
    let env = archive();
    let (code, rows, err) = verify(&env);
    assert_eq!(code, 0, "untampered: {rows:#?} {err}");
    let changed = env.db().execute_batch(sql);
    changed.unwrap_or_else(|e| panic!("{sql}: {e}"));
    let (code, rows, err) = verify(&env);
    assert_eq!(code, 1, "{sql}: not caught: {err}");
    let policy: Vec<&Value> = rows.iter().filter(|r| r["kind"] == "policy").collect();
    assert!(!policy.is_empty(), "{sql}: {rows:#?}");
    let all: String = policy
        .iter()
        .map(|r| r["detail"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    for n in needles {
        assert!(all.contains(n), "{sql}: {n:?} not in\n{all}");
    }
    assert!(err.contains("policy facts"), "{err}");
    // Nothing names a redacted term, reason or legal name.
    for secret in ["Quokkaterm", "release signed", "CANARY-LEGAL"] {
        assert!(!all.contains(secret), "{secret} leaked: {all}");
    }
}

#[test]
fn an_untampered_archive_with_consent_redaction_and_purge_verifies_clean() {
    let env = archive();
    let (code, rows, err) = verify(&env);
    assert_eq!(code, 0, "{rows:#?} {err}");
    // Twice: the events verify records do not disturb the checks.
    assert_eq!(verify(&env).0, 0);
}

#[test]
fn consent_current_edited_to_open_a_testimony_is_caught() {
    // Item 2 is embargoed until 2030: lifting the embargo opens it now.
    tampered_is_caught(
        "UPDATE consent_current SET embargo_until = NULL WHERE item_id = 2",
        &[
            "consent_current row of item 2",
            "embargo_until none vs 2030-01-01",
        ],
    );
    tampered_is_caught(
        "UPDATE consent_current SET status = 'granted', scope = 'public' WHERE item_id = 4",
        &[
            "consent_current row of item 4",
            "status granted vs withdrawn",
        ],
    );
    tampered_is_caught(
        "INSERT INTO consent_current (item_id, event_id, status, scope, date)
         SELECT 3, event_id, 'granted', 'public', '2026-01-02' FROM consent_current WHERE item_id = 1
         ON CONFLICT (item_id) DO UPDATE SET event_id = excluded.event_id",
        &["consent_current row of item 3", "event_id"],
    );
    tampered_is_caught(
        "DELETE FROM consent_current WHERE item_id = 1",
        &["item 1 has consent_events", "no consent_current row"],
    );
}

#[test]
fn consent_events_rows_that_disagree_with_the_history_are_caught() {
    // Current and history rewritten together: only the log tells.
    tampered_is_caught(
        "UPDATE consent_events SET scope = 'public' WHERE item_id = 2 AND scope = 'research';",
        &[
            "consent_events row",
            "of item 2",
            "scope public vs logged research",
        ],
    );
    tampered_is_caught(
        "UPDATE consent_events SET embargo_until = NULL WHERE item_id = 2 AND embargo_until IS NOT NULL;
         UPDATE consent_current SET embargo_until = NULL WHERE item_id = 2;",
        &["of item 2", "embargo_until none vs logged 2030-01-01"],
    );
    tampered_is_caught(
        "DELETE FROM consent_current WHERE item_id = 1;
         DELETE FROM consent_events WHERE item_id = 1;",
        &["item 1 has 0 consent_events row(s) but its history logs 2"],
    );
    tampered_is_caught(
        "UPDATE consent_events SET reason = 'changed' WHERE item_id = 1;
         UPDATE consent_current SET reason = 'changed' WHERE item_id = 1;",
        &["of item 1", "reason differs"],
    );
}

#[test]
fn a_swapped_custodian_recipient_is_caught() {
    let attacker = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
    tampered_is_caught(
        &format!("UPDATE settings SET value = '{attacker}' WHERE key = 'custodian_recipient'"),
        &["settings row custodian_recipient", attacker, "key init"],
    );
    tampered_is_caught(
        "DELETE FROM settings WHERE key = 'custodian_recipient'",
        &[
            "records custodian key",
            "settings has no custodian_recipient row",
        ],
    );
    // An archive without a key that gets one planted.
    let env = Env::with_archive();
    assert_eq!(verify(&env).0, 0);
    env.db()
        .execute(
            "INSERT INTO settings (key, value) VALUES ('custodian_recipient', ?1)",
            [attacker],
        )
        .unwrap();
    let (code, rows, _) = verify(&env);
    assert_eq!(code, 1);
    assert!(
        rows.iter().any(|r| r["kind"] == "policy"
            && r["detail"]
                .as_str()
                .unwrap()
                .contains("no `key init` event")),
        "{rows:#?}"
    );
}

#[test]
fn deleted_or_planted_redaction_rows_are_caught() {
    tampered_is_caught(
        "DELETE FROM redacted_text WHERE item_id = 3",
        &["item 3", "no redacted_text row"],
    );
    tampered_is_caught(
        "DELETE FROM redactions WHERE item_id = 3",
        &["item 3", "redacted_text row but no redactions row"],
    );
    tampered_is_caught(
        "INSERT INTO redactions (item_id, sealed_terms, created_at)
         SELECT item_id, sealed_terms, created_at FROM redactions WHERE item_id = 3",
        &[
            "item 3",
            "2 redactions row(s) but its history logs 1 redaction event(s)",
        ],
    );
}
