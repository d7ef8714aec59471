//! `custos report` at every access level against the sample collection:
//! totals computed from the manifest, and nothing counted that the level
//! may not see.

use serde_json::Value;

use crate::sample::{open_at, sample};

fn listed_at(access: &str) -> Vec<i64> {
    let s = sample();
    let open = open_at(s, access);
    // Listed = open, plus testimonies shown closed (pending, or embargoed
    // within the reader's scopes).
    let scopes: &[&str] = match access {
        "public" => &["public"],
        "research" => &["research", "publication", "public"],
        _ => &["archive", "research", "publication", "public"],
    };
    let mut ids: Vec<i64> = s.where_(|r| {
        r["kind"] == "testimony"
            && (r["consent_status"] == "pending" || scopes.contains(&r["consent_scope"].as_str()))
    });
    ids.extend(open);
    if access == "custodian" {
        ids = s.ids.values().copied().collect();
    }
    ids.sort();
    ids.dedup();
    ids
}

fn sum(rows: &Value, key: &str) -> i64 {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| r[key].as_i64().unwrap_or(0))
        .sum()
}

#[test]
fn holdings_at_each_level() {
    let s = sample();
    for access in ["public", "research", "custodian"] {
        let by_kind = s.json(&[
            "report", "holdings", "--by", "kind", "--access", access, "--format", "json",
        ]);
        assert_eq!(
            sum(&by_kind, "count") as usize,
            listed_at(access).len(),
            "{access}"
        );
        let testimonies = by_kind
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == "testimony")
            .map(|r| r["count"].as_i64().unwrap())
            .unwrap_or(0);
        let want = listed_at(access)
            .iter()
            .filter(|id| s.where_(|r| r["kind"] == "testimony").contains(id))
            .count();
        assert_eq!(testimonies as usize, want, "{access}");
        // Grouped by place: only open items, each place counted.
        let by_place = s.json(&[
            "report", "holdings", "--by", "place", "--access", access, "--format", "json",
        ]);
        let open = open_at(s, access);
        let velmora = s
            .where_(|r| r["places"].split(';').any(|p| p == "Velmora"))
            .into_iter()
            .filter(|i| open.contains(i))
            .count();
        let row = by_place
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["place"] == "Velmora")
            .unwrap();
        assert_eq!(row["count"].as_i64().unwrap() as usize, velmora, "{access}");
        assert!(row["size"].as_i64().unwrap() > 0);
        for by in ["collection", "event", "decade", "language"] {
            s.cmd()
                .args(["report", "holdings", "--by", by, "--access", access])
                .assert()
                .success()
                .stdout(predicates::str::contains("Total"));
        }
    }
    // At research the anonymous archive-only testimony is not counted at all.
    let by_kind = s.json(&[
        "report", "holdings", "--access", "research", "--format", "json",
    ]);
    assert_eq!(sum(&by_kind, "count"), 16);
    let by_decade = s.json(&[
        "report", "holdings", "--by", "decade", "--access", "research", "--format", "json",
    ]);
    assert_eq!(
        sum(&by_decade, "count") as usize,
        open_at(s, "research").len()
    );
}

#[test]
fn consent_report_at_each_level() {
    let s = sample();
    let public = s.json(&[
        "report", "consent", "--access", "public", "--format", "json",
    ]);
    assert_eq!(sum(&public["by_state"], "count"), 1);
    assert!(public.get("without_evidence").is_none() && public.get("withdrawals").is_none());
    assert_eq!(public["embargoes_ending"], serde_json::json!([]));
    let research = s.json(&[
        "report", "consent", "--access", "research", "--within", "5y", "--format", "json",
    ]);
    assert_eq!(sum(&research["by_state"], "count"), 2);
    let emb = research["embargoes_ending"].as_array().unwrap();
    assert_eq!(emb.len(), 1);
    assert_eq!(emb[0]["embargo_until"], "2031-01-01");
    assert!(emb[0]["title"].is_null(), "closed entry: {}", emb[0]);
    let short = s.json(&[
        "report", "consent", "--access", "research", "--within", "90d", "--format", "json",
    ]);
    assert_eq!(short["embargoes_ending"], serde_json::json!([]));
    let cust = s.json(&[
        "report",
        "consent",
        "--access",
        "custodian",
        "--within",
        "5y",
        "--format",
        "json",
    ]);
    assert_eq!(sum(&cust["by_state"], "count"), 5);
    let missing: Vec<i64> = cust["without_evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        missing,
        s.where_(|r| r["kind"] == "testimony" && r["evidence"].is_empty())
    );
    assert_eq!(cust["withdrawals"], serde_json::json!([]));
    assert!(cust["embargoes_ending"][0]["title"].is_string());
    s.cmd()
        .args(["report", "consent", "--access", "custodian"])
        .assert()
        .success()
        .stdout(predicates::str::contains("Total"));
    s.cmd()
        .args(["report", "consent", "--within", "soon"])
        .assert()
        .code(2);
}

#[test]
fn narrators_show_display_forms_of_visible_testimonies_only() {
    let s = sample();
    let names = |access: &str| -> Vec<String> {
        let v = s.json(&[
            "report",
            "narrators",
            "--access",
            access,
            "--format",
            "json",
        ]);
        v["narrators"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["narrator"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names("public"), vec!["Nela Mirashi"]);
    assert_eq!(names("research"), vec!["Nela Mirashi", "Oda Brenkel"]);
    assert_eq!(names("custodian").len(), 5);
    let out = s
        .cmd()
        .args(["report", "narrators", "--access", "research"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for hidden in ["river quarter", "tram driver", "Dara", "Joost", "Liesl"] {
        assert!(!text.contains(hidden), "{hidden} leaked: {text}");
    }
}

#[test]
fn accessions_and_fixity() {
    let s = sample();
    for access in ["public", "research", "custodian"] {
        let rows = s.json(&[
            "report",
            "accessions",
            "--since",
            "2026-06-01",
            "--until",
            "2026-06-15",
            "--access",
            access,
            "--format",
            "json",
        ]);
        let rows = rows.as_array().unwrap();
        assert_eq!(rows.len(), open_at(s, access).len(), "{access}");
        for r in rows {
            assert_eq!(r["ingested_at"], "2026-06-15");
            assert_eq!(r["sha256"].as_str().unwrap().len(), 64);
            if r["kind"] == "testimony" && access != "custodian" {
                assert!(r["origin"].is_null(), "{r}");
            }
        }
        let none = s.json(&[
            "report",
            "accessions",
            "--until",
            "2026-06-14",
            "--access",
            access,
            "--format",
            "json",
        ]);
        assert_eq!(none, serde_json::json!([]));
        s.cmd()
            .args(["report", "fixity", "--access", access])
            .assert()
            .success()
            .stderr(predicates::str::contains("no fixity check has run"));
    }
    s.cmd()
        .args(["report", "accessions", "--since", "June"])
        .assert()
        .code(2);
}
