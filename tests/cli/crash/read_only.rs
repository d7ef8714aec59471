//! Read-only and older catalogues: a read-only archive reads but refuses
//! writes, and an older schema is reported on without being upgraded.

use super::*;

fn read_only(env: &Env, args: &[&str]) -> Option<(i32, String, String)> {
    let mut c = env.spawnable();
    c.env_remove("CUSTOS_ARCHIVE");
    let script = r#"a="$1"; shift; mount --bind "$a" "$a" && mount -o remount,ro,bind "$a" || exit 99; CUSTOS_ARCHIVE="$a" exec "$@""#;
    let mut cmd = std::process::Command::new("unshare");
    cmd.args(["-m", "sh", "-c", script, "sh"])
        .arg(env.archive())
        .arg(c.get_program())
        .args(args)
        .env_clear()
        .envs(c.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .current_dir(env.path());
    let out = cmd.output().ok()?;
    if out.status.code() == Some(99)
        || out.status.code() == Some(1)
            && out.stdout.is_empty()
            && String::from_utf8_lossy(&out.stderr).contains("unshare")
    {
        return None;
    }
    Some((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

#[test]
fn a_read_only_archive_reads_but_refuses_writes() {
    let env = Env::with_archive();
    let ids = env.import_fixtures();
    let id = ids[0].to_string();
    let docs = crate::harness::fixtures().join("docs");
    let docs = docs.to_str().unwrap();
    let dest = env.path().join("copy");
    // Once with the -wal/-shm a reader leaves, once after a writer removed them.
    for last in [&["list"][..], &["edit", "1", "--language", "en"][..]] {
        env.cmd().args(last).assert().success();
        let before = Env::snapshot(&env.archive());
        let Some((code, out, err)) = read_only(&env, &["list", "--format", "json"]) else {
            eprintln!("skipped: cannot bind-mount read-only here (needs unshare -m and mount)");
            return;
        };
        assert_eq!(code, 0, "list: {err}");
        let listed: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(listed.as_array().unwrap().len(), ids.len());
        for args in [vec!["show", &id], vec!["log"], vec!["log", "--head"]] {
            let (code, _, err) = read_only(&env, &args).unwrap();
            assert_eq!(code, 0, "{args:?}: {err}");
        }
        let (code, _, err) = read_only(&env, &["verify"]).unwrap();
        assert_eq!(code, 0, "verify: {err}");
        assert!(err.contains("read-only"), "{err}");
        for args in [
            vec!["edit", &id, "--title", "changed"],
            vec!["import", docs],
        ] {
            let (code, _, err) = read_only(&env, &args).unwrap();
            assert_eq!(code, 1, "{args:?}: {err}");
            assert!(err.contains("read-only"), "{args:?}: {err}");
        }
        let _ = std::fs::remove_dir_all(&dest);
        let (code, _, err) = read_only(&env, &["backup", dest.to_str().unwrap()]).unwrap();
        assert_eq!(code, 0, "backup of a read-only archive: {err}");
        assert_eq!(Env::snapshot(&env.archive()), before, "nothing written");
    }
}

/// The catalogue as an older custos left it: schema version 5, before the
/// policy tallies.
fn downgrade_to_v5(env: &Env) {
    let db = env.db();
    // What 0023 (the language index in id order) and 0019 (the kind
    // index) added; 0023's tally goes with the other tallies below.
    db.execute_batch("DROP INDEX items_language; DROP INDEX items_kind;")
        .unwrap();
    // What 0029 added: the prefixes of level 2 (its triggers go with level
    // 2 below). What 0028 added: the levels of object digests (objects
    // keeps no UNIQUE constraint; that older custos would not notice).
    db.execute_batch(
        "DROP TABLE object_digest_prefixes; DROP VIEW object_digests; DROP TABLE object_digests_0; DROP TABLE object_digests_1;
         DROP TABLE object_digests_2; DROP TRIGGER objects_digest_unique; DROP TRIGGER objects_digest_add;
         DROP TRIGGER objects_digest_change_unique; DROP TRIGGER objects_digest_change;
         DROP TRIGGER objects_digest_remove;",
    )
    .unwrap();
    db.execute_batch(
        "DROP TABLE item_fts_fold; DROP TABLE item_fts_full_fold; DROP TABLE item_fts_timed_fold;",
    )
    .unwrap();
    // First what 0017 (notes) and 0016 (deaccession) added: their
    // triggers read access_level and deaccessions.
    db.execute_batch(
        "DROP TABLE item_notes; DROP TABLE deaccessions; DROP TRIGGER deaccessioned_stays;
         DROP TRIGGER deaccessioned_no_access; DROP TRIGGER deaccessioned_no_consent;
         DROP TRIGGER deaccessioned_no_terms; DROP TRIGGER deaccessioned_no_testimony;
         DROP TRIGGER deaccessioned_no_redaction; DROP TRIGGER deaccessioned_no_edit;",
    )
    .unwrap();
    let drops: Vec<String> = db
        .prepare(
            "SELECT 'DROP ' || type || ' ' || name FROM sqlite_master
             WHERE (type = 'table' AND name LIKE 'tally%')
                OR (type = 'trigger' AND (name LIKE 'tally%'
                    OR name IN ('item_terms_never_updated', 'terms_vocab_fixed')))",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(drops.len(), 22, "{drops:?}");
    for sql in drops {
        db.execute_batch(&sql).unwrap();
    }
    // And what 0008 (items' own access) added.
    db.execute_batch(
        "DROP TABLE access_events;
         DROP INDEX items_kind_date_policy;
         ALTER TABLE items DROP COLUMN access_level;
         ALTER TABLE items DROP COLUMN access_until;",
    )
    .unwrap();
    // And what 0009 (names of terms, claims) added.
    db.execute_batch("DROP TABLE claims; DROP TABLE term_names;")
        .unwrap();
    // And what 0012 (accessions) added.
    db.execute_batch(
        "DROP TRIGGER accession_agreement_flag; DROP TABLE accession_items; DROP TABLE accessions;",
    )
    .unwrap();
    // And what 0011 (sites and copies) added.
    db.execute_batch(
        "DROP TABLE site_uploads; DROP TABLE site_purges; DROP TABLE copies; DROP TABLE sites;",
    )
    .unwrap();
    // And what the description migration (coverage, rights, location) added.
    db.execute_batch(
        "DROP TRIGGER purged_no_edit_description; DROP INDEX items_coverage;
         ALTER TABLE items DROP COLUMN coverage; ALTER TABLE items DROP COLUMN coverage_lower;
         ALTER TABLE items DROP COLUMN coverage_upper; ALTER TABLE items DROP COLUMN rights;
         ALTER TABLE items DROP COLUMN location;",
    )
    .unwrap();
    // And what 0014 (perf: each fixity row names its run) added.
    db.execute_batch("ALTER TABLE fixity DROP COLUMN run_event_id;")
        .unwrap();
    // And what 0010 (recordings) added.
    db.execute_batch(
        "DROP TABLE item_fts_timed; DROP TABLE passages; DROP TABLE segment_terms;
         DROP TABLE segments; DROP TABLE cues; DROP TABLE transcripts; DROP TABLE recordings;",
    )
    .unwrap();
    // And what 0013 (web tokens, the research access log) added.
    db.execute_batch("DROP TABLE research_access_log; DROP TABLE web_tokens;")
        .unwrap();
    db.pragma_update(None, "user_version", 5).unwrap();
}

/// The reports an older catalogue is read for: each reads a policy tally
/// that a catalogue of some older version lacks.
fn reports() -> Vec<Vec<&'static str>> {
    let mut all: Vec<Vec<&str>> = ["place", "event", "collection", "language", "decade"]
        .into_iter()
        .map(|by| vec!["report", "holdings", "--by", by, "--format", "json"])
        .collect();
    all.push(vec!["report", "consent", "--format", "json"]);
    all.push(vec!["report", "narrators", "--format", "json"]);
    all
}

#[test]
fn a_read_only_catalogue_without_the_holdings_tally_counts_it_apart() {
    let env = Env::with_archive();
    env.import_fixtures();
    env.cmd()
        .args(["edit", "1", "--collection", "Letters", "--language", "hy"])
        .assert()
        .success();
    // Embargoes ended and still running this year, and in other years: a
    // year tally alone would count this year's wrongly.
    crate::seed::key_init(&env);
    let n = crate::seed::narrator(
        &env,
        "Fictional Narrator",
        &["--display", "Ilse V.", "--anonymity", "named"],
    );
    let year = chrono::Utc::now().format("%Y").to_string();
    let year: i32 = year.parse().unwrap();
    for (k, until) in [
        format!("{year}-01-01"),
        format!("{year}-12-31"),
        format!("{}-06-01", year + 1),
        format!("{}-06-01", year - 1),
    ]
    .iter()
    .enumerate()
    {
        let t = crate::seed::testimony(
            &env,
            &format!("t{k}.txt"),
            "A fictional account.",
            n,
            &["--place", "Oster", "--collection", "Tapes"],
        );
        env.cmd()
            .args(["consent", &t.to_string(), "grant", "--scope", "research"])
            .args(["--date", "2020-01-02", "--embargo-until", until])
            .assert()
            .success();
    }
    let want: Vec<String> = reports()
        .iter()
        .map(|args| env.cmd().args(args).output().unwrap().stdout)
        .map(|o| String::from_utf8(o).unwrap())
        .collect();
    assert!(want[2].contains("Letters"), "{}", want[2]);
    // As custos before migration 0023 left it, without the day tallies of
    // 0025 (its other tallies keep the years, which decide as the days did
    // outside this year).
    env.db()
        .execute_batch(
            "DROP TRIGGER tally_holdings_insert; DROP TRIGGER tally_holdings_delete;
             DROP TRIGGER tally_holdings_update; DROP TABLE tally_holdings;
             DROP TABLE tally_items_day; DROP TABLE tally_vocab_day;
             DROP TABLE tally_terms_day; DROP TABLE tally_holdings_day;
             PRAGMA user_version = 22;",
        )
        .unwrap();
    let before = Env::snapshot(&env.archive());
    for (args, want) in reports().iter().zip(&want) {
        let Some((code, out, err)) = read_only(&env, args) else {
            eprintln!("skipped: cannot bind-mount read-only here (needs unshare -m and mount)");
            return;
        };
        assert_eq!(code, 0, "{args:?}: {err}");
        assert_eq!(&out, want, "{args:?} read at version 22");
    }
    assert_eq!(Env::snapshot(&env.archive()), before, "nothing written");
}

#[test]
fn an_older_read_only_catalogue_is_reported_on_without_upgrading() {
    let env = Env::with_archive();
    let docs = crate::harness::fixtures().join("docs");
    env.import(&[&docs.join("plain.txt")], &["--place", "Velmora"]);
    env.import(&[&docs], &[]);
    crate::seed::key_init(&env);
    let n = crate::seed::narrator(
        &env,
        "Fictional Legal",
        &["--display", "Ansa K.", "--anonymity", "named"],
    );
    let t = crate::seed::testimony(
        &env,
        "t.txt",
        "A fictional account.",
        n,
        &["--place", "Oster"],
    );
    crate::seed::set_consent(&env, t, "granted", Some("research"), None);
    env.cmd()
        .args(["edit", "1", "--collection", "Letters", "--language", "hy"])
        .assert()
        .success();
    let reports = reports();
    let want: Vec<String> = reports
        .iter()
        .map(|args| env.cmd().args(args).output().unwrap().stdout)
        .map(|o| String::from_utf8(o).unwrap())
        .collect();
    assert!(
        want[0].contains("Velmora") && want[0].contains("Oster"),
        "{}",
        want[0]
    );
    assert!(want[6].contains("Ansa K."), "{}", want[6]);
    downgrade_to_v5(&env);
    let before = Env::snapshot(&env.archive());
    for (args, want) in reports.iter().zip(&want) {
        let Some((code, out, err)) = read_only(&env, args) else {
            eprintln!("skipped: cannot bind-mount read-only here (needs unshare -m and mount)");
            return;
        };
        assert_eq!(code, 0, "{args:?}: {err}");
        assert_eq!(&out, want, "{args:?} read at version 5");
    }
    let (code, _, err) = read_only(&env, &["verify"]).unwrap();
    assert_eq!(code, 0, "verify at version 5: {err}");
    assert_eq!(Env::snapshot(&env.archive()), before, "nothing written");
    // An untracked file is looked up by its digest: at version 5 through
    // the stand-in for the levels of digests (0028), not an error.
    let bytes = b"a fictional stray, in no catalogue row\n";
    let sha = crate::harness::sha256_hex(bytes);
    let stray = env
        .archive()
        .join("objects")
        .join(&sha[0..2])
        .join(&sha[2..4]);
    std::fs::create_dir_all(&stray).unwrap();
    std::fs::write(stray.join(&sha), bytes).unwrap();
    let (code, out, err) = read_only(&env, &["verify"]).unwrap();
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("untracked") && !err.contains("no such"),
        "{out}{err}"
    );
    std::fs::remove_file(stray.join(&sha)).unwrap();
    // Writable again, the first command upgrades it, and verify recounts.
    env.cmd().args(["verify"]).assert().success();
    let version: i64 = env
        .db()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, custos::archive::migrate::MIGRATIONS.len() as i64);
    // Older than version 4 is refused, saying what to do.
    env.db().pragma_update(None, "user_version", 3).unwrap();
    let (code, _, err) = read_only(&env, &["list"]).unwrap();
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("schema version 3") && err.contains("writable storage"),
        "{err}"
    );
}
