-- why: the holdings report by event or place, and the narrators report,
-- count only what the reader may see. Checking the access policy for each
-- of a million term links (or 250,000 testimonies) by reading its item took
-- one to four seconds at a million items. These tallies keep item counts
-- and total sizes by the policy's inputs (kind, whether consent evidence,
-- current consent status, scope and embargo): for the whole catalogue, per
-- vocabulary (items with at least one term in it), per term, and per
-- narrator; a report then runs the policy's own predicate over a few
-- thousand tally rows. Triggers keep them, so every writer keeps them
-- whatever its code path, and `custos verify` recounts them. They hold
-- counts, sizes and ids only: no title, text or name. The unique keys read
-- NULL as '' so that one state is one row (SQLite's UNIQUE lets NULLs
-- repeat); no status, scope or embargo is ever ''. A row whose count falls
-- to zero is deleted (found through a partial index of such rows).

CREATE TABLE tally_items (
    kind            TEXT NOT NULL,
    is_evidence     INTEGER NOT NULL,
    consent_status  TEXT,
    consent_scope   TEXT,
    consent_embargo TEXT,
    items           INTEGER NOT NULL,
    size            INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX tally_items_key ON tally_items(kind, is_evidence,
    ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''));
CREATE INDEX tally_items_empty ON tally_items(items) WHERE items = 0;

CREATE TABLE tally_vocab (
    vocab           TEXT NOT NULL,
    kind            TEXT NOT NULL,
    is_evidence     INTEGER NOT NULL,
    consent_status  TEXT,
    consent_scope   TEXT,
    consent_embargo TEXT,
    items           INTEGER NOT NULL,
    size            INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX tally_vocab_key ON tally_vocab(vocab, kind, is_evidence,
    ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''));
CREATE INDEX tally_vocab_empty ON tally_vocab(items) WHERE items = 0;

CREATE TABLE tally_terms (
    term_id         INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    is_evidence     INTEGER NOT NULL,
    consent_status  TEXT,
    consent_scope   TEXT,
    consent_embargo TEXT,
    items           INTEGER NOT NULL,
    size            INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX tally_terms_key ON tally_terms(term_id, kind, is_evidence,
    ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''));
CREATE INDEX tally_terms_empty ON tally_terms(items) WHERE items = 0;

CREATE TABLE tally_narrators (
    narrator_id     INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    is_evidence     INTEGER NOT NULL,
    consent_status  TEXT,
    consent_scope   TEXT,
    consent_embargo TEXT,
    testimonies     INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX tally_narrators_key ON tally_narrators(narrator_id, kind, is_evidence,
    ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''));
CREATE INDEX tally_narrators_empty ON tally_narrators(testimonies) WHERE testimonies = 0;
-- The narrators report reads every row in narrator order: from this index
-- alone, without the table.
CREATE INDEX tally_narrators_cover ON tally_narrators(narrator_id, kind, is_evidence,
    consent_status, consent_scope, consent_embargo, testimonies);

INSERT INTO tally_items
SELECT kind, is_evidence, consent_status, consent_scope, consent_embargo, count(*), sum(size)
  FROM items GROUP BY 1, 2, 3, 4, 5;
INSERT INTO tally_vocab
SELECT v.vocab, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo,
       count(*), sum(i.size)
  FROM (SELECT DISTINCT it.item_id, t.vocab FROM item_terms it JOIN terms t ON t.id = it.term_id) v
  JOIN items i ON i.id = v.item_id
 GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO tally_terms
SELECT it.term_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo,
       count(*), sum(i.size)
  FROM item_terms it JOIN items i ON i.id = it.item_id
 GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO tally_narrators
SELECT t.narrator_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo,
       count(*)
  FROM testimonies t JOIN items i ON i.id = t.item_id
 WHERE t.narrator_id IS NOT NULL
 GROUP BY 1, 2, 3, 4, 5, 6;

-- The tallies assume a link is inserted or deleted, never rewritten, and
-- that a term stays in its vocabulary; no custos code path does otherwise.
CREATE TRIGGER item_terms_never_updated BEFORE UPDATE ON item_terms BEGIN
    SELECT RAISE(ABORT, 'item_terms rows are deleted and inserted, never updated');
END;
CREATE TRIGGER terms_vocab_fixed BEFORE UPDATE OF vocab ON terms
WHEN OLD.vocab IS NOT NEW.vocab BEGIN
    SELECT RAISE(ABORT, 'a term cannot move to another vocabulary');
END;

CREATE TRIGGER tally_item_insert AFTER INSERT ON items BEGIN
    INSERT INTO tally_items
    VALUES (NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope, NEW.consent_embargo, 1, NEW.size)
    ON CONFLICT (kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
END;

CREATE TRIGGER tally_item_delete AFTER DELETE ON items BEGIN
    INSERT INTO tally_items
    VALUES (OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope, OLD.consent_embargo, -1, -OLD.size)
    ON CONFLICT (kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_items WHERE items = 0;
END;

-- An item whose policy inputs or size change moves from its old state's
-- rows to its new state's, in every tally it is counted in.
CREATE TRIGGER tally_item_update
AFTER UPDATE OF kind, is_evidence, consent_status, consent_scope, consent_embargo, size ON items
WHEN OLD.kind IS NOT NEW.kind OR OLD.is_evidence IS NOT NEW.is_evidence
  OR OLD.consent_status IS NOT NEW.consent_status OR OLD.consent_scope IS NOT NEW.consent_scope
  OR OLD.consent_embargo IS NOT NEW.consent_embargo OR OLD.size IS NOT NEW.size
BEGIN
    INSERT INTO tally_items
    VALUES (OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope, OLD.consent_embargo, -1, -OLD.size)
    ON CONFLICT (kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_items WHERE items = 0;
    INSERT INTO tally_items
    VALUES (NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope, NEW.consent_embargo, 1, NEW.size)
    ON CONFLICT (kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;

    INSERT INTO tally_vocab
    SELECT DISTINCT t.vocab, OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           OLD.consent_embargo, -1, -OLD.size
      FROM item_terms it JOIN terms t ON t.id = it.term_id WHERE it.item_id = OLD.id
    ON CONFLICT (vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_vocab WHERE items = 0;
    INSERT INTO tally_vocab
    SELECT DISTINCT t.vocab, NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           NEW.consent_embargo, 1, NEW.size
      FROM item_terms it JOIN terms t ON t.id = it.term_id WHERE it.item_id = NEW.id
    ON CONFLICT (vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;

    INSERT INTO tally_terms
    SELECT it.term_id, OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           OLD.consent_embargo, -1, -OLD.size
      FROM item_terms it WHERE it.item_id = OLD.id
    ON CONFLICT (term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_terms WHERE items = 0;
    INSERT INTO tally_terms
    SELECT it.term_id, NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           NEW.consent_embargo, 1, NEW.size
      FROM item_terms it WHERE it.item_id = NEW.id
    ON CONFLICT (term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;

    INSERT INTO tally_narrators
    SELECT t.narrator_id, OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           OLD.consent_embargo, -1
      FROM testimonies t WHERE t.item_id = OLD.id AND t.narrator_id IS NOT NULL
    ON CONFLICT (narrator_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''))
    DO UPDATE SET testimonies = testimonies + excluded.testimonies;
    DELETE FROM tally_narrators WHERE testimonies = 0;
    INSERT INTO tally_narrators
    SELECT t.narrator_id, NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           NEW.consent_embargo, 1
      FROM testimonies t WHERE t.item_id = NEW.id AND t.narrator_id IS NOT NULL
    ON CONFLICT (narrator_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''))
    DO UPDATE SET testimonies = testimonies + excluded.testimonies;
END;

-- A link counts its item under the term, and under the vocabulary unless
-- the item already has another term there.
CREATE TRIGGER tally_link_insert AFTER INSERT ON item_terms BEGIN
    INSERT INTO tally_terms
    SELECT NEW.term_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, 1, i.size
      FROM items i WHERE i.id = NEW.item_id
    ON CONFLICT (term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    INSERT INTO tally_vocab
    SELECT t.vocab, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, 1, i.size
      FROM items i JOIN terms t ON t.id = NEW.term_id
     WHERE i.id = NEW.item_id
       AND NOT EXISTS (SELECT 1 FROM item_terms x JOIN terms y ON y.id = x.term_id
                        WHERE x.item_id = NEW.item_id AND x.term_id <> NEW.term_id AND y.vocab = t.vocab)
    ON CONFLICT (vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
END;

CREATE TRIGGER tally_link_delete AFTER DELETE ON item_terms BEGIN
    INSERT INTO tally_terms
    SELECT OLD.term_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, -1, -i.size
      FROM items i WHERE i.id = OLD.item_id
    ON CONFLICT (term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_terms WHERE items = 0;
    INSERT INTO tally_vocab
    SELECT t.vocab, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, -1, -i.size
      FROM items i JOIN terms t ON t.id = OLD.term_id
     WHERE i.id = OLD.item_id
       AND NOT EXISTS (SELECT 1 FROM item_terms x JOIN terms y ON y.id = x.term_id
                        WHERE x.item_id = OLD.item_id AND y.vocab = t.vocab)
    ON CONFLICT (vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_vocab WHERE items = 0;
END;

CREATE TRIGGER tally_testimony_insert AFTER INSERT ON testimonies
WHEN NEW.narrator_id IS NOT NULL BEGIN
    INSERT INTO tally_narrators
    SELECT NEW.narrator_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, 1
      FROM items i WHERE i.id = NEW.item_id
    ON CONFLICT (narrator_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''))
    DO UPDATE SET testimonies = testimonies + excluded.testimonies;
END;

CREATE TRIGGER tally_testimony_delete AFTER DELETE ON testimonies
WHEN OLD.narrator_id IS NOT NULL BEGIN
    INSERT INTO tally_narrators
    SELECT OLD.narrator_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, -1
      FROM items i WHERE i.id = OLD.item_id
    ON CONFLICT (narrator_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''))
    DO UPDATE SET testimonies = testimonies + excluded.testimonies;
    DELETE FROM tally_narrators WHERE testimonies = 0;
END;

CREATE TRIGGER tally_testimony_update AFTER UPDATE OF item_id, narrator_id ON testimonies
WHEN OLD.item_id IS NOT NEW.item_id OR OLD.narrator_id IS NOT NEW.narrator_id BEGIN
    INSERT INTO tally_narrators
    SELECT OLD.narrator_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, -1
      FROM items i WHERE i.id = OLD.item_id AND OLD.narrator_id IS NOT NULL
    ON CONFLICT (narrator_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''))
    DO UPDATE SET testimonies = testimonies + excluded.testimonies;
    DELETE FROM tally_narrators WHERE testimonies = 0;
    INSERT INTO tally_narrators
    SELECT NEW.narrator_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope, i.consent_embargo, 1
      FROM items i WHERE i.id = NEW.item_id AND NEW.narrator_id IS NOT NULL
    ON CONFLICT (narrator_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''))
    DO UPDATE SET testimonies = testimonies + excluded.testimonies;
END;
