-- why: objects.sha256 was UNIQUE, so SQLite kept one index of a random
-- 64-character key. Every object an import adds went into it at a random
-- place: at a million items the index is 80 MB, 20,000 leaf pages, and an
-- import of 20,005 files rewrote about 19,000 of them (two thirds of the
-- extra pages such an import writes; BENCHMARKS.md, issue 17).
--
-- The digests now live in three tables ("levels"), as a log-structured
-- merge tree keeps its runs: level 0 takes the digests of new objects (kept
-- so by the triggers below, a small table whatever the catalogue's size);
-- after an import, level 0 is merged into level 1 and, when level 1 has
-- grown past an eighth of the catalogue, level 1 into level 2
-- (`catalogue::digests::settle`). A merge inserts in key order, so each
-- page of the larger level is written once, in sequence, instead of once
-- per transaction that happens to touch it. Each level is a WITHOUT ROWID
-- table keyed by the digest; the view object_digests reads all three, and
-- SQLite answers `WHERE sha256 = ?` on it with one key search per level.
--
-- Uniqueness across the levels, which the UNIQUE constraint gave, is kept
-- by the triggers: an insert or a change of digest that would repeat one
-- already in any level is refused with the message SQLite gave before.
-- SQLite cannot drop a constraint, so objects is rebuilt without it, as
-- events was in 0024: every row is copied with its id, so every reference
-- to an object still holds (see `migrate::REBUILDS_A_TABLE`).

CREATE TABLE objects_rebuilt (
    id         INTEGER PRIMARY KEY,
    sha256     TEXT NOT NULL CHECK (length(sha256) = 64 AND sha256 = lower(sha256)),
    size       INTEGER NOT NULL CHECK (size >= 0),
    media_type TEXT NOT NULL,
    stored_at  TEXT NOT NULL,
    -- Set when a purge erased the bytes; the row stays so the log can name it.
    purged_at  TEXT
) STRICT;

INSERT INTO objects_rebuilt (id, sha256, size, media_type, stored_at, purged_at)
SELECT id, sha256, size, media_type, stored_at, purged_at FROM objects ORDER BY id;

-- Triggers on other tables read objects (the purge guards of 0007): with
-- the old table dropped, a rename in SQLite's current mode would re-parse
-- them and fail. The legacy mode renames the table alone, and the triggers
-- name objects again once it is renamed.
DROP TABLE objects;
PRAGMA legacy_alter_table = ON;
ALTER TABLE objects_rebuilt RENAME TO objects;
PRAGMA legacy_alter_table = OFF;

-- As in 0004; it went with the old table.
CREATE TRIGGER objects_derive_size AFTER UPDATE OF size ON objects BEGIN
    UPDATE items SET size = NEW.size WHERE object_id = NEW.id;
END;

CREATE TABLE object_digests_0 (
    sha256    TEXT PRIMARY KEY,
    object_id INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE object_digests_1 (
    sha256    TEXT PRIMARY KEY,
    object_id INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE object_digests_2 (
    sha256    TEXT PRIMARY KEY,
    object_id INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The catalogue as it stands is settled: every digest in level 2, written
-- in key order.
INSERT INTO object_digests_2 (sha256, object_id) SELECT sha256, id FROM objects ORDER BY sha256;

CREATE VIEW object_digests (sha256, object_id) AS
    SELECT sha256, object_id FROM object_digests_0
    UNION ALL SELECT sha256, object_id FROM object_digests_1
    UNION ALL SELECT sha256, object_id FROM object_digests_2;

CREATE TRIGGER objects_digest_unique BEFORE INSERT ON objects
WHEN EXISTS (SELECT 1 FROM object_digests WHERE sha256 = NEW.sha256) BEGIN
    SELECT RAISE(ABORT, 'UNIQUE constraint failed: objects.sha256');
END;

CREATE TRIGGER objects_digest_add AFTER INSERT ON objects BEGIN
    INSERT INTO object_digests_0 (sha256, object_id) VALUES (NEW.sha256, NEW.id);
END;

-- A purge replaces the digest of erased bytes; nothing else changes one.
CREATE TRIGGER objects_digest_change_unique BEFORE UPDATE OF sha256 ON objects
WHEN NEW.sha256 IS NOT OLD.sha256
 AND EXISTS (SELECT 1 FROM object_digests WHERE sha256 = NEW.sha256) BEGIN
    SELECT RAISE(ABORT, 'UNIQUE constraint failed: objects.sha256');
END;

CREATE TRIGGER objects_digest_change AFTER UPDATE OF sha256, id ON objects
WHEN NEW.sha256 IS NOT OLD.sha256 OR NEW.id IS NOT OLD.id BEGIN
    DELETE FROM object_digests_0 WHERE sha256 = OLD.sha256;
    DELETE FROM object_digests_1 WHERE sha256 = OLD.sha256;
    DELETE FROM object_digests_2 WHERE sha256 = OLD.sha256;
    INSERT INTO object_digests_0 (sha256, object_id) VALUES (NEW.sha256, NEW.id);
END;

CREATE TRIGGER objects_digest_remove AFTER DELETE ON objects BEGIN
    DELETE FROM object_digests_0 WHERE sha256 = OLD.sha256;
    DELETE FROM object_digests_1 WHERE sha256 = OLD.sha256;
    DELETE FROM object_digests_2 WHERE sha256 = OLD.sha256;
END;
