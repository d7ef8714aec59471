-- why: only testimonies could be closed (through consent), so a release
-- form naming a person, a recording or a photograph of faces imported from
-- a folder was open to every reader (issue 18). Every item now has an
-- access state of its own: open, closed below custodian, or restricted to
-- research, each optionally until a date. `access_events` is its history
-- (one row per change, each recorded by an `access_change` event in the
-- chained log); `items.access_level` and `items.access_until` are the
-- current state, derived from the history by a trigger in the same
-- transaction (as 0004 does for consent), so the policy's SQL reads only
-- `items i`. NULL access_level means open, so every item that existed
-- before this migration keeps today's behaviour. The tallies of 0006 gain
-- the two columns as part of their key (a closed item must not be counted
-- as open in a report), and the covering indexes of 0004 carry them so a
-- report stays one index scan. `custos verify` checks the current state
-- against the history and the history against the chained log.

CREATE TABLE access_events (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES items(id),
    level       TEXT NOT NULL CHECK (level IN ('open', 'closed', 'research')),
    -- The day the restriction ends (open on the day), YYYY-MM-DD.
    until       TEXT CHECK (until IS NULL OR (level <> 'open' AND until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')),
    reason      TEXT,
    -- The chained event that records this change.
    event_id    INTEGER NOT NULL REFERENCES events(id),
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
) STRICT;
CREATE INDEX access_item ON access_events(item_id, id);

-- NULL: open (no restriction of its own); 'closed' or 'research'.
ALTER TABLE items ADD COLUMN access_level TEXT;
ALTER TABLE items ADD COLUMN access_until TEXT;

CREATE TRIGGER access_events_current AFTER INSERT ON access_events BEGIN
    UPDATE items SET access_level = CASE NEW.level WHEN 'open' THEN NULL ELSE NEW.level END,
        access_until = NEW.until
    WHERE id = NEW.item_id;
END;

-- Only purge touches a row once written, and only to erase its reason.
CREATE TRIGGER access_events_append_only
BEFORE UPDATE OF id, item_id, level, until, event_id, recorded_at, recorded_by ON access_events BEGIN
    SELECT RAISE(ABORT, 'custos: access history is appended, never rewritten');
END;

CREATE TRIGGER purged_no_access BEFORE INSERT ON access_events
WHEN EXISTS (SELECT 1 FROM items i JOIN objects o ON o.id = i.object_id
             WHERE i.id = NEW.item_id AND o.purged_at IS NOT NULL) BEGIN
    SELECT RAISE(ABORT, 'custos: a purged item takes no access change');
END;

-- The tallies, rebuilt with the two columns in their key (their triggers
-- insert whole rows, so the columns go before the counts), and counted
-- again from the catalogue as 0006 first counted them.
DROP TRIGGER tally_item_insert;
DROP TRIGGER tally_item_delete;
DROP TRIGGER tally_item_update;
DROP TRIGGER tally_link_insert;
DROP TRIGGER tally_link_delete;
DROP TRIGGER tally_testimony_insert;
DROP TRIGGER tally_testimony_delete;
DROP TRIGGER tally_testimony_update;
DROP TABLE tally_items;
DROP TABLE tally_vocab;
DROP TABLE tally_terms;
DROP TABLE tally_narrators;

CREATE TABLE tally_items (
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
CREATE UNIQUE INDEX tally_items_key ON tally_items(kind, is_evidence,
    ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''),
    ifnull(access_level, ''), ifnull(access_until, ''));
CREATE INDEX tally_items_empty ON tally_items(items) WHERE items = 0;

CREATE TABLE tally_vocab (
    vocab           TEXT NOT NULL,
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
CREATE UNIQUE INDEX tally_vocab_key ON tally_vocab(vocab, kind, is_evidence,
    ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''),
    ifnull(access_level, ''), ifnull(access_until, ''));
CREATE INDEX tally_vocab_empty ON tally_vocab(items) WHERE items = 0;

CREATE TABLE tally_terms (
    term_id         INTEGER NOT NULL,
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
CREATE UNIQUE INDEX tally_terms_key ON tally_terms(term_id, kind, is_evidence,
    ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''),
    ifnull(access_level, ''), ifnull(access_until, ''));
CREATE INDEX tally_terms_empty ON tally_terms(items) WHERE items = 0;

CREATE TABLE tally_narrators (
    narrator_id     INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    is_evidence     INTEGER NOT NULL,
    consent_status  TEXT,
    consent_scope   TEXT,
    consent_embargo TEXT,
    access_level    TEXT,
    access_until    TEXT,
    testimonies     INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX tally_narrators_key ON tally_narrators(narrator_id, kind, is_evidence,
    ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''),
    ifnull(access_level, ''), ifnull(access_until, ''));
CREATE INDEX tally_narrators_empty ON tally_narrators(testimonies) WHERE testimonies = 0;
-- The narrators report reads every row in narrator order: from this index
-- alone, without the table.
CREATE INDEX tally_narrators_cover ON tally_narrators(narrator_id, kind, is_evidence,
    consent_status, consent_scope, consent_embargo, access_level, access_until, testimonies);

INSERT INTO tally_items
SELECT kind, is_evidence, consent_status, consent_scope, consent_embargo, access_level, access_until, count(*), sum(size)
  FROM items GROUP BY 1, 2, 3, 4, 5, 6, 7;
INSERT INTO tally_vocab
SELECT v.vocab, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, i.access_level, i.access_until,
       count(*), sum(i.size)
  FROM (SELECT DISTINCT it.item_id, t.vocab FROM item_terms it JOIN terms t ON t.id = it.term_id) v
  JOIN items i ON i.id = v.item_id
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
INSERT INTO tally_terms
SELECT it.term_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, i.access_level, i.access_until,
       count(*), sum(i.size)
  FROM item_terms it JOIN items i ON i.id = it.item_id
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
INSERT INTO tally_narrators
SELECT t.narrator_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, i.access_level, i.access_until,
       count(*)
  FROM testimonies t JOIN items i ON i.id = t.item_id
 WHERE t.narrator_id IS NOT NULL
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

-- The covering indexes of 0004, with what the policy now also reads.
DROP INDEX IF EXISTS items_kind_holdings;
DROP INDEX IF EXISTS items_collection_holdings;
DROP INDEX IF EXISTS items_language_holdings;
DROP INDEX IF EXISTS items_decade_holdings;
DROP INDEX IF EXISTS items_kind_date_policy;
CREATE INDEX items_kind_holdings
    ON items(kind, is_evidence, consent_status, consent_scope, consent_embargo, access_level, access_until, size);
CREATE INDEX items_collection_holdings
    ON items(collection, kind, is_evidence, consent_status, consent_scope, consent_embargo, access_level, access_until, size);
CREATE INDEX items_language_holdings
    ON items(language, kind, is_evidence, consent_status, consent_scope, consent_embargo, access_level, access_until, size);
CREATE INDEX items_decade_holdings
    ON items(substr(date_lower, 1, 3), kind, is_evidence, consent_status, consent_scope, consent_embargo, access_level, access_until, size);
CREATE INDEX items_kind_date_policy
    ON items(kind, date_lower, date_upper, is_evidence, consent_status, consent_scope, consent_embargo, access_level, access_until);

-- The triggers of 0006, keyed by the two new columns as well.
CREATE TRIGGER tally_item_insert AFTER INSERT ON items BEGIN
    INSERT INTO tally_items
    VALUES (NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope, NEW.consent_embargo, NEW.access_level, NEW.access_until, 1, NEW.size)
    ON CONFLICT (kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
END;

CREATE TRIGGER tally_item_delete AFTER DELETE ON items BEGIN
    INSERT INTO tally_items
    VALUES (OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope, OLD.consent_embargo, OLD.access_level, OLD.access_until, -1, -OLD.size)
    ON CONFLICT (kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_items WHERE items = 0;
END;

-- An item whose policy inputs or size change moves from its old state's
-- rows to its new state's, in every tally it is counted in.
CREATE TRIGGER tally_item_update
AFTER UPDATE OF kind, is_evidence, consent_status, consent_scope, consent_embargo,
    access_level, access_until, size ON items
WHEN OLD.kind IS NOT NEW.kind OR OLD.is_evidence IS NOT NEW.is_evidence
  OR OLD.consent_status IS NOT NEW.consent_status OR OLD.consent_scope IS NOT NEW.consent_scope
  OR OLD.consent_embargo IS NOT NEW.consent_embargo OR OLD.size IS NOT NEW.size
  OR OLD.access_level IS NOT NEW.access_level OR OLD.access_until IS NOT NEW.access_until
BEGIN
    INSERT INTO tally_items
    VALUES (OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope, OLD.consent_embargo, OLD.access_level, OLD.access_until, -1, -OLD.size)
    ON CONFLICT (kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_items WHERE items = 0;
    INSERT INTO tally_items
    VALUES (NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope, NEW.consent_embargo, NEW.access_level, NEW.access_until, 1, NEW.size)
    ON CONFLICT (kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;

    INSERT INTO tally_vocab
    SELECT DISTINCT t.vocab, OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           OLD.consent_embargo, OLD.access_level, OLD.access_until, -1, -OLD.size
      FROM item_terms it JOIN terms t ON t.id = it.term_id WHERE it.item_id = OLD.id
    ON CONFLICT (vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_vocab WHERE items = 0;
    INSERT INTO tally_vocab
    SELECT DISTINCT t.vocab, NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           NEW.consent_embargo, NEW.access_level, NEW.access_until, 1, NEW.size
      FROM item_terms it JOIN terms t ON t.id = it.term_id WHERE it.item_id = NEW.id
    ON CONFLICT (vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;

    INSERT INTO tally_terms
    SELECT it.term_id, OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           OLD.consent_embargo, OLD.access_level, OLD.access_until, -1, -OLD.size
      FROM item_terms it WHERE it.item_id = OLD.id
    ON CONFLICT (term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_terms WHERE items = 0;
    INSERT INTO tally_terms
    SELECT it.term_id, NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           NEW.consent_embargo, NEW.access_level, NEW.access_until, 1, NEW.size
      FROM item_terms it WHERE it.item_id = NEW.id
    ON CONFLICT (term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;

    INSERT INTO tally_narrators
    SELECT t.narrator_id, OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           OLD.consent_embargo, OLD.access_level, OLD.access_until, -1
      FROM testimonies t WHERE t.item_id = OLD.id AND t.narrator_id IS NOT NULL
    ON CONFLICT (narrator_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET testimonies = testimonies + excluded.testimonies;
    DELETE FROM tally_narrators WHERE testimonies = 0;
    INSERT INTO tally_narrators
    SELECT t.narrator_id, NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           NEW.consent_embargo, NEW.access_level, NEW.access_until, 1
      FROM testimonies t WHERE t.item_id = NEW.id AND t.narrator_id IS NOT NULL
    ON CONFLICT (narrator_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET testimonies = testimonies + excluded.testimonies;
END;

-- A link counts its item under the term, and under the vocabulary unless
-- the item already has another term there.
CREATE TRIGGER tally_link_insert AFTER INSERT ON item_terms BEGIN
    INSERT INTO tally_terms
    SELECT NEW.term_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, i.access_level, i.access_until, 1, i.size
      FROM items i WHERE i.id = NEW.item_id
    ON CONFLICT (term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    INSERT INTO tally_vocab
    SELECT t.vocab, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, i.access_level, i.access_until, 1, i.size
      FROM items i JOIN terms t ON t.id = NEW.term_id
     WHERE i.id = NEW.item_id
       AND NOT EXISTS (SELECT 1 FROM item_terms x JOIN terms y ON y.id = x.term_id
                        WHERE x.item_id = NEW.item_id AND x.term_id <> NEW.term_id AND y.vocab = t.vocab)
    ON CONFLICT (vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
END;

CREATE TRIGGER tally_link_delete AFTER DELETE ON item_terms BEGIN
    INSERT INTO tally_terms
    SELECT OLD.term_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, i.access_level, i.access_until, -1, -i.size
      FROM items i WHERE i.id = OLD.item_id
    ON CONFLICT (term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_terms WHERE items = 0;
    INSERT INTO tally_vocab
    SELECT t.vocab, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, i.access_level, i.access_until, -1, -i.size
      FROM items i JOIN terms t ON t.id = OLD.term_id
     WHERE i.id = OLD.item_id
       AND NOT EXISTS (SELECT 1 FROM item_terms x JOIN terms y ON y.id = x.term_id
                        WHERE x.item_id = OLD.item_id AND y.vocab = t.vocab)
    ON CONFLICT (vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_vocab WHERE items = 0;
END;

CREATE TRIGGER tally_testimony_insert AFTER INSERT ON testimonies
WHEN NEW.narrator_id IS NOT NULL BEGIN
    INSERT INTO tally_narrators
    SELECT NEW.narrator_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, i.access_level, i.access_until, 1
      FROM items i WHERE i.id = NEW.item_id
    ON CONFLICT (narrator_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET testimonies = testimonies + excluded.testimonies;
END;

CREATE TRIGGER tally_testimony_delete AFTER DELETE ON testimonies
WHEN OLD.narrator_id IS NOT NULL BEGIN
    INSERT INTO tally_narrators
    SELECT OLD.narrator_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, i.access_level, i.access_until, -1
      FROM items i WHERE i.id = OLD.item_id
    ON CONFLICT (narrator_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET testimonies = testimonies + excluded.testimonies;
    DELETE FROM tally_narrators WHERE testimonies = 0;
END;

CREATE TRIGGER tally_testimony_update AFTER UPDATE OF item_id, narrator_id ON testimonies
WHEN OLD.item_id IS NOT NEW.item_id OR OLD.narrator_id IS NOT NEW.narrator_id BEGIN
    INSERT INTO tally_narrators
    SELECT OLD.narrator_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, i.access_level, i.access_until, -1
      FROM items i WHERE i.id = OLD.item_id AND OLD.narrator_id IS NOT NULL
    ON CONFLICT (narrator_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET testimonies = testimonies + excluded.testimonies;
    DELETE FROM tally_narrators WHERE testimonies = 0;
    INSERT INTO tally_narrators
    SELECT NEW.narrator_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, i.access_level, i.access_until, 1
      FROM items i WHERE i.id = NEW.item_id AND NEW.narrator_id IS NOT NULL
    ON CONFLICT (narrator_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET testimonies = testimonies + excluded.testimonies;
END;
