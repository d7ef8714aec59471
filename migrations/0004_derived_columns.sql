-- why: reports and date-sorted queries over a million items must not join
-- objects or consent tables for every row, nor walk dates from the first
-- year. items gains derived columns (size, is_evidence, date_span, and the
-- current consent's status, scope and embargo that the access policy
-- filters on) kept right by triggers, so every writer keeps them whatever
-- its code path; and covering indexes for the report groupings.
ALTER TABLE items ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN is_evidence INTEGER NOT NULL DEFAULT 0;
-- Days between the EDTF bounds; NULL unless both are known.
ALTER TABLE items ADD COLUMN date_span INTEGER;
-- Copies of consent_current (itself derived from consent_events).
ALTER TABLE items ADD COLUMN consent_status TEXT;
ALTER TABLE items ADD COLUMN consent_scope TEXT;
ALTER TABLE items ADD COLUMN consent_embargo TEXT;

UPDATE items SET size = coalesce((SELECT size FROM objects o WHERE o.id = items.object_id), 0);
UPDATE items SET is_evidence = 1
 WHERE id IN (SELECT evidence_item_id FROM consent_events WHERE evidence_item_id IS NOT NULL);
UPDATE items SET date_span = CAST(julianday(date_upper) - julianday(date_lower) AS INTEGER)
 WHERE date_lower IS NOT NULL AND date_upper IS NOT NULL;
UPDATE items SET
    consent_status = (SELECT status FROM consent_current cc WHERE cc.item_id = items.id),
    consent_scope = (SELECT scope FROM consent_current cc WHERE cc.item_id = items.id),
    consent_embargo = (SELECT embargo_until FROM consent_current cc WHERE cc.item_id = items.id)
 WHERE id IN (SELECT item_id FROM consent_current);

-- A new item's size and date_span are set by the INSERT itself (one write
-- per row; see catalogue/items.rs), and a new item cannot yet be anyone's
-- evidence: consent_events can only name existing items.

CREATE TRIGGER items_derive_dates AFTER UPDATE OF date_lower, date_upper ON items BEGIN
    UPDATE items SET date_span = CAST(julianday(NEW.date_upper) - julianday(NEW.date_lower) AS INTEGER)
    WHERE id = NEW.id;
END;

CREATE TRIGGER objects_derive_size AFTER UPDATE OF size ON objects BEGIN
    UPDATE items SET size = NEW.size WHERE object_id = NEW.id;
END;

CREATE TRIGGER consent_evidence_flag AFTER INSERT ON consent_events
WHEN NEW.evidence_item_id IS NOT NULL BEGIN
    UPDATE items SET is_evidence = 1 WHERE id = NEW.evidence_item_id;
END;

CREATE TRIGGER consent_current_insert AFTER INSERT ON consent_current BEGIN
    UPDATE items SET consent_status = NEW.status, consent_scope = NEW.scope,
        consent_embargo = NEW.embargo_until
    WHERE id = NEW.item_id;
END;

CREATE TRIGGER consent_current_update AFTER UPDATE ON consent_current BEGIN
    UPDATE items SET consent_status = NEW.status, consent_scope = NEW.scope,
        consent_embargo = NEW.embargo_until
    WHERE id = NEW.item_id;
END;

CREATE TRIGGER consent_current_delete AFTER DELETE ON consent_current BEGIN
    UPDATE items SET consent_status = NULL, consent_scope = NULL, consent_embargo = NULL
    WHERE id = OLD.item_id;
END;

-- The widest closed date interval, and whether any date is open-ended:
-- together they let a date range become one index range (see query/).
CREATE INDEX items_date_span ON items(date_span);
CREATE INDEX items_open_dates ON items(id) WHERE (date_lower IS NULL) <> (date_upper IS NULL);

CREATE INDEX items_consent_embargo ON items(consent_embargo) WHERE consent_embargo IS NOT NULL;

-- Each holds what the policy filter reads, so a report is one index scan.
CREATE INDEX items_kind_holdings
    ON items(kind, is_evidence, consent_status, consent_scope, consent_embargo, size);
CREATE INDEX items_collection_holdings
    ON items(collection, kind, is_evidence, consent_status, consent_scope, consent_embargo, size);
CREATE INDEX items_language_holdings
    ON items(language, kind, is_evidence, consent_status, consent_scope, consent_embargo, size);
CREATE INDEX items_decade_holdings
    ON items(substr(date_lower, 1, 3), kind, is_evidence, consent_status, consent_scope, consent_embargo, size);

-- Date walks filtered by kind (`kind:testimony date:1988..1990 --sort date`)
-- check the access policy from the index alone, without reading each row;
-- it replaces the two narrower indexes with the same prefix.
DROP INDEX IF EXISTS items_kind_date;
DROP INDEX IF EXISTS items_kind_dates;
CREATE INDEX items_kind_date_policy
    ON items(kind, date_lower, date_upper, is_evidence, consent_status, consent_scope, consent_embargo);
