-- why: consent must govern an item by construction, whatever code path
-- writes to the catalogue. An outside tester turned withdrawn and pending
-- testimonies open with `edit --kind article`, and granted consent to a
-- purged tombstone. These guards make both impossible at the catalogue
-- itself: once an item is a testimony (it has, or may get, a consent
-- history) it stays one; a purged item takes no new consent, testimony,
-- redaction, term or description. The commands refuse first, with a reason
-- and exit 2; the guards are the floor under them. `custos verify` checks
-- the invariants they keep (see fixity/catalogue checks).

CREATE TRIGGER IF NOT EXISTS items_testimony_stays BEFORE UPDATE OF kind ON items
WHEN OLD.kind = 'testimony' AND NEW.kind <> 'testimony' BEGIN
    SELECT RAISE(ABORT, 'custos: a testimony stays a testimony: its consent governs it');
END;

-- Consent is recorded for testimonies only (a non-testimony with a consent
-- history would be read as open by the policy).
CREATE TRIGGER IF NOT EXISTS consent_needs_testimony BEFORE INSERT ON consent_events
WHEN (SELECT kind FROM items WHERE id = NEW.item_id) IS NOT 'testimony' BEGIN
    SELECT RAISE(ABORT, 'custos: consent is recorded for testimonies only');
END;

CREATE TRIGGER IF NOT EXISTS testimony_row_needs_kind BEFORE INSERT ON testimonies
WHEN (SELECT kind FROM items WHERE id = NEW.item_id) IS NOT 'testimony' BEGIN
    SELECT RAISE(ABORT, 'custos: a testimony row needs an item of kind testimony');
END;

-- A purged item: its object row carries purged_at. Purge itself rewrites
-- the item's description before it marks the object, so these never stop
-- a purge.
CREATE TRIGGER IF NOT EXISTS purged_no_consent BEFORE INSERT ON consent_events
WHEN EXISTS (SELECT 1 FROM items i JOIN objects o ON o.id = i.object_id
             WHERE i.id = NEW.item_id AND o.purged_at IS NOT NULL) BEGIN
    SELECT RAISE(ABORT, 'custos: a purged item takes no further consent');
END;

CREATE TRIGGER IF NOT EXISTS purged_no_terms BEFORE INSERT ON item_terms
WHEN EXISTS (SELECT 1 FROM items i JOIN objects o ON o.id = i.object_id
             WHERE i.id = NEW.item_id AND o.purged_at IS NOT NULL) BEGIN
    SELECT RAISE(ABORT, 'custos: a purged item takes no terms');
END;

CREATE TRIGGER IF NOT EXISTS purged_no_testimony BEFORE INSERT ON testimonies
WHEN EXISTS (SELECT 1 FROM items i JOIN objects o ON o.id = i.object_id
             WHERE i.id = NEW.item_id AND o.purged_at IS NOT NULL) BEGIN
    SELECT RAISE(ABORT, 'custos: a purged item takes no testimony');
END;

CREATE TRIGGER IF NOT EXISTS purged_no_redaction BEFORE INSERT ON redactions
WHEN EXISTS (SELECT 1 FROM items i JOIN objects o ON o.id = i.object_id
             WHERE i.id = NEW.item_id AND o.purged_at IS NOT NULL) BEGIN
    SELECT RAISE(ABORT, 'custos: a purged item takes no redaction');
END;

CREATE TRIGGER IF NOT EXISTS purged_no_edit
BEFORE UPDATE OF title, kind, description, creator, date, language, collection ON items
WHEN EXISTS (SELECT 1 FROM objects o WHERE o.id = OLD.object_id AND o.purged_at IS NOT NULL) BEGIN
    SELECT RAISE(ABORT, 'custos: a purged item takes no edits');
END;
