//! The process-wide SQLite settings `custos` makes before its first
//! connection (`archive::configure_sqlite`). A test binary of its own: the
//! settings apply only before SQLite initialises, which the other test
//! binaries' parallel tests do at an order nobody controls.

#[test]
fn sqlite_keeps_no_memory_statistics_once_configured() {
    custos::archive::configure_sqlite();
    let c = rusqlite::Connection::open_in_memory().unwrap();
    c.execute_batch(
        "CREATE TABLE t (x);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
         INSERT INTO t SELECT randomblob(1000) FROM n;",
    )
    .unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
        .unwrap();
    assert!(n > 0);
    // With statistics on, SQLite counts every byte it holds (a page cache,
    // the schema): the counters take a process-wide mutex on every
    // allocation, which the portal's readers queued on.
    let used = unsafe { rusqlite::ffi::sqlite3_memory_used() };
    assert_eq!(used, 0, "SQLite still counts its memory: {used} bytes");
}
