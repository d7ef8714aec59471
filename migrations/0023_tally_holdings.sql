-- why: the holdings report by collection, language or decade, and by
-- kind, and the consent report's counts, scanned a covering index of every
-- item: 120-180 ms at a million items, 390-630 ms at five million. This
-- tally keeps item counts and total sizes by collection, language and
-- decade together with the policy's inputs (as the tallies of 0006/0008
-- do), so a report runs the policy's own predicate over its rows, whose
-- number is bounded by the distinct combinations, not by the items. By
-- kind and the consent counts read tally_items, which is keyed by kind.
-- One row per combination of the three groups rather than a tally per
-- group: an item insert is one upsert, not three.
--
-- The four covering indexes the reports scanned (0008) are dropped: every
-- item insert updated them, and no other reader needs them (a search on a
-- kind or a collection reads items_kind, items_collection or
-- items_kind_date_policy). So are the three of 0003 that let the holdings
-- read each item's object for its size, before items carried the size
-- (0004): a search on a kind or a collection has the indexes above, and
-- one on a language gets an index of the language alone, which keeps its
-- items in id order as items_kind does (0019). Seven index updates fewer
-- on every item insert, one more tally upsert.
--
-- The group columns may be NULL (no collection, language or date); the key
-- reads NULL as an empty blob, which no text equals, so a NULL group and
-- an empty one stay apart. The policy columns read NULL as '' as before.
-- Counts, sizes and group values only: no title, text or name.

CREATE TABLE tally_holdings (
    collection      TEXT,
    language        TEXT,
    decade          TEXT,
    kind            TEXT NOT NULL,
    is_evidence     INTEGER NOT NULL,
    consent_status  TEXT,
    consent_scope   TEXT,
    consent_embargo TEXT,
    access_level    TEXT,
    access_until    TEXT,
    items           INTEGER NOT NULL,
    size            INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX tally_holdings_key ON tally_holdings(
    ifnull(collection, x''), ifnull(language, x''), ifnull(decade, x''), kind, is_evidence,
    ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''),
    ifnull(access_level, ''), ifnull(access_until, ''));
CREATE INDEX tally_holdings_empty ON tally_holdings(items) WHERE items = 0;

INSERT INTO tally_holdings
SELECT collection, language, substr(date_lower, 1, 3), kind, is_evidence, consent_status,
       consent_scope, consent_embargo, access_level, access_until, count(*), sum(size)
  FROM items GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;

DROP INDEX IF EXISTS items_kind_holdings;
DROP INDEX IF EXISTS items_collection_holdings;
DROP INDEX IF EXISTS items_language_holdings;
DROP INDEX IF EXISTS items_decade_holdings;
DROP INDEX IF EXISTS items_kind_object;
DROP INDEX IF EXISTS items_collection_object;
DROP INDEX IF EXISTS items_language_object;
CREATE INDEX items_language ON items(language);

CREATE TRIGGER tally_holdings_insert AFTER INSERT ON items BEGIN
    INSERT INTO tally_holdings
    VALUES (NEW.collection, NEW.language, substr(NEW.date_lower, 1, 3), NEW.kind, NEW.is_evidence,
            NEW.consent_status, NEW.consent_scope, NEW.consent_embargo, NEW.access_level,
            NEW.access_until, 1, NEW.size)
    ON CONFLICT (ifnull(collection, x''), ifnull(language, x''), ifnull(decade, x''), kind, is_evidence,
        ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''),
        ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
END;

CREATE TRIGGER tally_holdings_delete AFTER DELETE ON items BEGIN
    INSERT INTO tally_holdings
    VALUES (OLD.collection, OLD.language, substr(OLD.date_lower, 1, 3), OLD.kind, OLD.is_evidence,
            OLD.consent_status, OLD.consent_scope, OLD.consent_embargo, OLD.access_level,
            OLD.access_until, -1, -OLD.size)
    ON CONFLICT (ifnull(collection, x''), ifnull(language, x''), ifnull(decade, x''), kind, is_evidence,
        ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''),
        ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_holdings WHERE items = 0;
END;

-- An item whose group, policy inputs or size change moves from its old
-- row to its new one.
CREATE TRIGGER tally_holdings_update
AFTER UPDATE OF collection, language, date_lower, kind, is_evidence, consent_status,
    consent_scope, consent_embargo, access_level, access_until, size ON items
WHEN OLD.collection IS NOT NEW.collection OR OLD.language IS NOT NEW.language
  OR substr(OLD.date_lower, 1, 3) IS NOT substr(NEW.date_lower, 1, 3)
  OR OLD.kind IS NOT NEW.kind OR OLD.is_evidence IS NOT NEW.is_evidence
  OR OLD.consent_status IS NOT NEW.consent_status OR OLD.consent_scope IS NOT NEW.consent_scope
  OR OLD.consent_embargo IS NOT NEW.consent_embargo OR OLD.size IS NOT NEW.size
  OR OLD.access_level IS NOT NEW.access_level OR OLD.access_until IS NOT NEW.access_until
BEGIN
    INSERT INTO tally_holdings
    VALUES (OLD.collection, OLD.language, substr(OLD.date_lower, 1, 3), OLD.kind, OLD.is_evidence,
            OLD.consent_status, OLD.consent_scope, OLD.consent_embargo, OLD.access_level,
            OLD.access_until, -1, -OLD.size)
    ON CONFLICT (ifnull(collection, x''), ifnull(language, x''), ifnull(decade, x''), kind, is_evidence,
        ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''),
        ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_holdings WHERE items = 0;
    INSERT INTO tally_holdings
    VALUES (NEW.collection, NEW.language, substr(NEW.date_lower, 1, 3), NEW.kind, NEW.is_evidence,
            NEW.consent_status, NEW.consent_scope, NEW.consent_embargo, NEW.access_level,
            NEW.access_until, 1, NEW.size)
    ON CONFLICT (ifnull(collection, x''), ifnull(language, x''), ifnull(decade, x''), kind, is_evidence,
        ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''),
        ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
END;
