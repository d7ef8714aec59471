-- why: the UNIQUE constraint on events.hash kept an index of a random
-- 64-character key that nothing reads. The chain is walked in id order, a
-- recorded head is found during that walk, and an event's hash covers its
-- own id, so two events cannot share one. Every event appended (two or
-- more per imported file) went into that index at a random place, and in
-- an archive of a million items and two million events the index was far
-- larger than the page cache: importing 20,005 files into such an archive
-- took 8.1 s with it and 6.1 s without it (BENCHMARKS.md, 2026-11-30).
--
-- SQLite cannot drop a constraint, so the table is rebuilt without it:
-- every row is copied with its id, so every reference to an event (fixity
-- runs, access changes, transcripts, passages, deaccessions) still holds,
-- and the three other indexes are made again as they were. SQLite's
-- procedure for this needs foreign keys off while it runs (see
-- `migrate::REBUILDS_A_TABLE`); they are checked before it commits.

CREATE TABLE events_rebuilt (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    type        TEXT NOT NULL,
    item_id     INTEGER,
    agent       TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    detail      TEXT,
    detail_salt BLOB,
    detail_hash TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
) STRICT;

INSERT INTO events_rebuilt
    (id, at, type, item_id, agent, outcome, detail, detail_salt, detail_hash, prev_hash, hash)
SELECT id, at, type, item_id, agent, outcome, detail, detail_salt, detail_hash, prev_hash, hash
  FROM events ORDER BY id;

DROP TABLE events;
ALTER TABLE events_rebuilt RENAME TO events;

CREATE INDEX events_item ON events(item_id, id);
CREATE INDEX events_type ON events(type, id);
CREATE INDEX events_fixity ON events(item_id, id) WHERE type = 'fixity_check';
