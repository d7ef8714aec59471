-- why: a wrongly imported item, a file returned to its donor or an item out
-- of the collection's scope had no way out of the catalogue but purge, which
-- is for withdrawn testimonies only (issue 18). Deaccession removes an item
-- of any kind from every reader's view for good: `deaccessions` is its
-- record (reason, who, when, the chained `deaccession` event), and a
-- trigger sets `items.access_level` to 'deaccessioned' in the same
-- transaction, so the policy's SQL (which reads only `items i`), the
-- tallies (keyed by access_level) and the covering indexes need no new
-- column. A deaccession is never undone: its row cannot be deleted or
-- rewritten, the item takes no further access change, consent, terms,
-- testimony, redaction or edit, and `custos verify` checks the item's
-- access against this table. `bytes_erased_at` is set once, when the
-- object's bytes were erased (`--purge-bytes`).
CREATE TABLE deaccessions (
    item_id         INTEGER PRIMARY KEY REFERENCES items(id),
    reason          TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    -- The accession the item was deaccessioned with (`--accession`), if any.
    accession_id    INTEGER REFERENCES accessions(id),
    event_id        INTEGER NOT NULL REFERENCES events(id),
    recorded_at     TEXT NOT NULL,
    recorded_by     TEXT NOT NULL,
    bytes_erased_at TEXT
) STRICT;

CREATE TRIGGER deaccessions_current AFTER INSERT ON deaccessions BEGIN
    UPDATE items SET access_level = 'deaccessioned', access_until = NULL
    WHERE id = NEW.item_id;
END;

CREATE TRIGGER deaccessions_for_good BEFORE DELETE ON deaccessions BEGIN
    SELECT RAISE(ABORT, 'custos: a deaccession is never undone');
END;

CREATE TRIGGER deaccessions_append_only
BEFORE UPDATE OF item_id, reason, accession_id, event_id, recorded_at, recorded_by ON deaccessions BEGIN
    SELECT RAISE(ABORT, 'custos: a deaccession is never undone');
END;

CREATE TRIGGER deaccessions_erased_once
BEFORE UPDATE OF bytes_erased_at ON deaccessions WHEN OLD.bytes_erased_at IS NOT NULL BEGIN
    SELECT RAISE(ABORT, 'custos: a deaccession is never undone');
END;

CREATE TRIGGER deaccessioned_stays BEFORE UPDATE OF access_level, access_until ON items
WHEN OLD.access_level = 'deaccessioned' BEGIN
    SELECT RAISE(ABORT, 'custos: a deaccessioned item is never reopened');
END;

CREATE TRIGGER deaccessioned_no_access BEFORE INSERT ON access_events
WHEN EXISTS (SELECT 1 FROM deaccessions d WHERE d.item_id = NEW.item_id) BEGIN
    SELECT RAISE(ABORT, 'custos: a deaccessioned item takes no access change');
END;

CREATE TRIGGER deaccessioned_no_consent BEFORE INSERT ON consent_events
WHEN EXISTS (SELECT 1 FROM deaccessions d WHERE d.item_id = NEW.item_id) BEGIN
    SELECT RAISE(ABORT, 'custos: a deaccessioned item takes no further consent');
END;

CREATE TRIGGER deaccessioned_no_terms BEFORE INSERT ON item_terms
WHEN EXISTS (SELECT 1 FROM deaccessions d WHERE d.item_id = NEW.item_id) BEGIN
    SELECT RAISE(ABORT, 'custos: a deaccessioned item takes no terms');
END;

CREATE TRIGGER deaccessioned_no_testimony BEFORE INSERT ON testimonies
WHEN EXISTS (SELECT 1 FROM deaccessions d WHERE d.item_id = NEW.item_id) BEGIN
    SELECT RAISE(ABORT, 'custos: a deaccessioned item takes no testimony');
END;

CREATE TRIGGER deaccessioned_no_redaction BEFORE INSERT ON redactions
WHEN EXISTS (SELECT 1 FROM deaccessions d WHERE d.item_id = NEW.item_id) BEGIN
    SELECT RAISE(ABORT, 'custos: a deaccessioned item takes no redaction');
END;

CREATE TRIGGER deaccessioned_no_edit
BEFORE UPDATE OF title, kind, description, creator, date, language, collection,
    coverage, rights, location ON items
WHEN OLD.access_level = 'deaccessioned' BEGIN
    SELECT RAISE(ABORT, 'custos: a deaccessioned item takes no edits');
END;
