//! PDF text extraction through `custos import`: a PDF's words are found by
//! `custos query`, its /Title becomes the item's title, and damaged or
//! locked PDFs still import (metadata only) without a word on stderr.

use serde_json::Value;

use crate::harness::{fixtures, Env};

fn query_ids(env: &Env, words: &[&str]) -> Vec<i64> {
    let mut args = vec!["query"];
    args.extend_from_slice(words);
    args.extend_from_slice(&["--format", "json"]);
    env.json(&args)
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["id"].as_i64().expect("id"))
        .collect()
}

#[test]
fn a_pdf_is_found_by_the_words_on_its_pages() {
    let env = Env::with_archive();
    let pdfs = fixtures().join("pdf");
    let out = env.import(&[&pdfs.join("unicode-pages.pdf")], &[]);
    assert_eq!(out[0]["status"], "imported", "{out:?}");
    let id = out[0]["id"].as_i64().expect("id");

    // A word from the last of three pages, accented words with and without
    // their accents, and a phrase.
    for words in [
        &["quillmarsh"][..],
        &["Gdańsk"],
        &["gdansk"],
        &["susa"],
        &["\"crate from Gdańsk\""],
    ] {
        assert_eq!(query_ids(&env, words), vec![id], "{words:?}");
    }
    assert!(query_ids(&env, &["lanternlight"]).is_empty());

    let shown = env.json(&["show", &id.to_string(), "--format", "json"]);
    assert_eq!(shown["title"], "Ledger of the Velmora Ferry Office");
    assert_eq!(shown["media_type"], "application/pdf");
    let rows = env.json(&[
        "query",
        "quillmarsh",
        "--fields",
        "id,snippet",
        "--format",
        "json",
    ]);
    let snippet = rows[0]["snippet"].as_str().unwrap_or_default();
    assert!(snippet.contains("[quillmarsh]"), "{snippet}");
}

#[test]
fn damaged_and_locked_pdfs_import_with_metadata_only_and_quietly() {
    let env = Env::with_archive();
    let pdfs = fixtures().join("pdf");
    let good = std::fs::read(pdfs.join("unicode-pages.pdf")).expect("fixture");
    let truncated = env.write("intake/truncated.pdf", &good[..good.len() / 3]);
    let mut noise = b"%PDF-1.7\n".to_vec();
    noise.extend((0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let noise = env.write("intake/noise.pdf", noise);
    let mut c = env.cmd();
    c.arg("import")
        .arg(&truncated)
        .arg(&noise)
        .arg(pdfs.join("user-password.pdf"))
        .arg(pdfs.join("image-only.pdf"))
        .args(["--format", "json"]);
    let out = c.output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let outcomes: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(outcomes.len(), 4);
    for o in &outcomes {
        assert_eq!(o["status"], "imported", "{o}");
    }
    let title = |i: usize| {
        let id = outcomes[i]["id"].to_string();
        env.json(&["show", &id, "--format", "json"])["title"].clone()
    };
    assert_eq!(title(0), "truncated", "no title readable: the file name");
    assert_eq!(title(2), "user-password", "locked: the file name");
    assert_eq!(title(3), "Scanned release form (fictional)");
    // "saltglass" is only inside the password-locked PDF.
    assert!(query_ids(&env, &["saltglass"]).is_empty());
}
