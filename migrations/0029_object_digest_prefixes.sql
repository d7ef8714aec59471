-- why: the largest level of object digests (0028) is searched once per new
-- file by the import's lookup and once by the trigger that refuses a
-- repeated digest. Its keys are random, so an import of 20,000 new files
-- into a million items lands on about 12,600 of its 20,000 leaf pages; with
-- the catalogue on disk those are 12,600 random reads. The first eight hex
-- digits of every digest in level 2 are kept here, a table under a fifth
-- of its size, and level 2 is searched only when the prefix is present
-- (for a new digest, about once in 4,300 at a million items). A prefix
-- stays when its digest leaves level 2: a stale prefix only costs a search.

CREATE TABLE object_digest_prefixes (
    prefix TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

INSERT OR IGNORE INTO object_digest_prefixes (prefix)
    SELECT substr(sha256, 1, 8) FROM object_digests_2 ORDER BY sha256;

-- Every way into level 2 adds the prefix, so no search can miss a digest.
CREATE TRIGGER objects_digest_prefix_add AFTER INSERT ON object_digests_2 BEGIN
    INSERT OR IGNORE INTO object_digest_prefixes (prefix) VALUES (substr(NEW.sha256, 1, 8));
END;
CREATE TRIGGER objects_digest_prefix_change AFTER UPDATE OF sha256 ON object_digests_2 BEGIN
    INSERT OR IGNORE INTO object_digest_prefixes (prefix) VALUES (substr(NEW.sha256, 1, 8));
END;

-- The refusals of 0028, with level 2 behind its prefixes (the CROSS JOIN
-- makes SQLite search the prefixes first).
DROP TRIGGER objects_digest_unique;
CREATE TRIGGER objects_digest_unique BEFORE INSERT ON objects
WHEN EXISTS (SELECT 1 FROM object_digests_0 WHERE sha256 = NEW.sha256)
  OR EXISTS (SELECT 1 FROM object_digests_1 WHERE sha256 = NEW.sha256)
  OR EXISTS (SELECT 1 FROM object_digest_prefixes p CROSS JOIN object_digests_2 d
              WHERE p.prefix = substr(NEW.sha256, 1, 8) AND d.sha256 = NEW.sha256) BEGIN
    SELECT RAISE(ABORT, 'UNIQUE constraint failed: objects.sha256');
END;

DROP TRIGGER objects_digest_change_unique;
CREATE TRIGGER objects_digest_change_unique BEFORE UPDATE OF sha256 ON objects
WHEN NEW.sha256 IS NOT OLD.sha256
 AND (EXISTS (SELECT 1 FROM object_digests_0 WHERE sha256 = NEW.sha256)
   OR EXISTS (SELECT 1 FROM object_digests_1 WHERE sha256 = NEW.sha256)
   OR EXISTS (SELECT 1 FROM object_digest_prefixes p CROSS JOIN object_digests_2 d
               WHERE p.prefix = substr(NEW.sha256, 1, 8) AND d.sha256 = NEW.sha256)) BEGIN
    SELECT RAISE(ABORT, 'UNIQUE constraint failed: objects.sha256');
END;
