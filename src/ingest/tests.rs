//! The import pipeline with small chunks and small merged transactions, so
//! that a few files cross every boundary a large import crosses: runs of
//! all-duplicate chunks longer than one transaction, and a chunk with new
//! files between two such runs. Every file here is fictional.

use std::path::{Path, PathBuf};

use super::*;
use crate::archive::InitOptions;
use crate::model::{Access, Intake, Method};

fn archive(dir: &Path) -> Archive {
    Archive::init(
        &dir.join("archive"),
        &InitOptions {
            default_access: Access::Public,
            intake: Intake::Open,
        },
    )
    .unwrap()
}

/// `n` distinct small files in `dir`, named so they sort in order.
fn files(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let name = dir.join(format!("f{i:03}.txt"));
        let text = format!(
            "Fictional note {i} of {} from the Veashar survey.",
            dir.display()
        );
        std::fs::write(name, text).unwrap();
    }
}

fn jobs(inputs: &[PathBuf]) -> Vec<Job> {
    walk(inputs)
        .into_iter()
        .map(|e| Job {
            path: e.path,
            found: e.found,
            meta: ItemMeta::default(),
            origin: None,
            provenance_detail: None,
            describer: None,
        })
        .collect()
}

/// Three files a chunk; at most seven duplicates, or seven new files, a
/// transaction.
const SMALL: Limits = Limits {
    chunk_files: 3,
    chunk_bytes: u64::MAX,
    merged_duplicates: 7,
    merged_new: 7,
    merged_text: usize::MAX,
    merged_wait: std::time::Duration::from_secs(60),
};

fn try_import_with(archive: &mut Archive, inputs: &[PathBuf], limits: Limits) -> Result<Report> {
    let opts = ImportOptions {
        agent: "test".into(),
        method: Method::File,
        dry_run: false,
        intake: Intake::Open,
    };
    let bar = indicatif::ProgressBar::hidden();
    run(archive, jobs(inputs), &opts, &bar, limits, None)
}

fn import_with(archive: &mut Archive, inputs: &[PathBuf], limits: Limits) -> Report {
    try_import_with(archive, inputs, limits).unwrap()
}

fn count(archive: &Archive, sql: &str) -> i64 {
    archive.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn runs_of_duplicates_longer_than_one_transaction_record_every_file_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let (da, db, dc) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    files(&da, 20);
    files(&dc, 10);
    let first = import_with(&mut a, &[da.clone(), dc.clone()], SMALL);
    assert_eq!(first.count(Status::Imported), 30);
    // New files between the two runs of duplicates: a's 20 files fill six
    // chunks and part of a seventh, which holds b's first new file; the run
    // of duplicates resumes after b.
    files(&db, 2);
    let again = import_with(&mut a, &[da, db, dc], SMALL);
    let statuses: Vec<Status> = again.outcomes.iter().map(|o| o.status).collect();
    let mut want = vec![Status::Duplicate; 20];
    want.extend([Status::Imported; 2]);
    want.extend([Status::Duplicate; 10]);
    assert_eq!(statuses, want);
    let old_ids: Vec<_> = first.outcomes.iter().map(|o| o.id).collect();
    let dup_ids: Vec<_> = again
        .outcomes
        .iter()
        .filter(|o| o.status == Status::Duplicate)
        .map(|o| o.id)
        .collect();
    assert_eq!(
        dup_ids, old_ids,
        "each duplicate names its item, in input order"
    );
    assert_eq!(count(&a, "SELECT count(*) FROM provenance"), 30 * 2 + 2);
    assert_eq!(
        count(
            &a,
            "SELECT count(*) FROM events WHERE type = 'ingestion' AND outcome = 'duplicate'"
        ),
        30
    );
    // Every item of a and c has its two provenance records.
    assert_eq!(
        count(
            &a,
            "SELECT count(*) FROM (SELECT item_id FROM provenance GROUP BY item_id HAVING count(*) = 2)"
        ),
        30
    );
}

#[test]
fn a_third_import_after_a_full_run_of_duplicates_still_records_them_all() {
    // Exactly one full transaction of duplicates (7 = merged_duplicates,
    // reached inside the third chunk), then more: the run that ends full
    // must hand on the chunks after it, not end the import.
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let d = tmp.path().join("a");
    files(&d, 16);
    import_with(&mut a, std::slice::from_ref(&d), SMALL);
    for round in 2..=3 {
        let r = import_with(&mut a, std::slice::from_ref(&d), SMALL);
        assert_eq!(r.count(Status::Duplicate), 16, "round {round}");
        assert_eq!(
            count(&a, "SELECT count(*) FROM provenance"),
            16 * round,
            "round {round}"
        );
    }
}

#[test]
fn a_run_of_duplicates_out_of_time_commits_and_the_next_chunks_still_come() {
    // No time to wait at all: a run takes only the chunks already hashed
    // when it asks, and the rest are waited for outside its transaction.
    let impatient = Limits {
        merged_wait: std::time::Duration::ZERO,
        ..SMALL
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let d = tmp.path().join("a");
    files(&d, 25);
    let first = import_with(&mut a, std::slice::from_ref(&d), impatient);
    let again = import_with(&mut a, std::slice::from_ref(&d), impatient);
    assert_eq!(again.count(Status::Duplicate), 25);
    let ids = |r: &Report| -> Vec<_> { r.outcomes.iter().map(|o| o.id).collect() };
    assert_eq!(ids(&again), ids(&first), "in input order");
    assert_eq!(count(&a, "SELECT count(*) FROM provenance"), 50);
}

#[test]
fn chunks_of_new_files_share_a_transaction_and_a_failed_one_leaves_none_of_its_objects() {
    // Ten new files in chunks of three: the first transaction takes three
    // chunks (nine files, past the seven it may hold), the second the last
    // file. The ninth file's item is refused by a trigger of this test's
    // own, so the first transaction fails: none of its nine items and none
    // of its nine objects may remain, although its first two chunks were
    // written and synced before the third was refused.
    let tmp = tempfile::tempdir().unwrap();
    let mut a = archive(tmp.path());
    let d = tmp.path().join("a");
    files(&d, 10);
    a.conn()
        .execute_batch(
            "CREATE TRIGGER test_refuses_f008 BEFORE INSERT ON items
               WHEN NEW.title LIKE '%f008%' OR NEW.title LIKE '%note 8 of%'
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
        )
        .unwrap();
    let err = try_import_with(&mut a, std::slice::from_ref(&d), SMALL)
        .expect_err("the trigger refuses the ninth file");
    assert!(err.to_string().contains("refused by the test"), "{err}");
    assert_eq!(count(&a, "SELECT count(*) FROM items"), 0);
    assert_eq!(count(&a, "SELECT count(*) FROM objects"), 0);
    assert_eq!(count(&a, "SELECT count(*) FROM events"), 0);
    let stored = walk(&[a.objects_dir()])
        .into_iter()
        .filter(|e| matches!(e.found, Found::File { .. }))
        .count();
    assert_eq!(
        stored, 0,
        "every object of the failed transaction is removed"
    );

    // Without the trigger the same files come in two transactions; every
    // file has its item, its object and its full-text entry.
    a.conn()
        .execute_batch("DROP TRIGGER test_refuses_f008")
        .unwrap();
    let r = import_with(&mut a, std::slice::from_ref(&d), SMALL);
    assert_eq!(r.count(Status::Imported), 10);
    assert_eq!(count(&a, "SELECT count(*) FROM items"), 10);
    assert_eq!(
        count(
            &a,
            "SELECT count(*) FROM item_fts WHERE item_fts MATCH 'Veashar'"
        ),
        10
    );
}
