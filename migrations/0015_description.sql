-- why: issue 18 asks for description an archivist expects next to ArchivesSpace
-- or AtoM: coverage (the period an item is about, EDTF, distinct from `date`,
-- when it was made), a rights statement (what dc:rights carries; it carried
-- the access state before), and the physical location of an original
-- (box, folder, carrier, shelf). coverage_lower/upper are the EDTF interval,
-- as date_lower/upper are for date, so `coverage:` ranges use an index.
ALTER TABLE items ADD COLUMN coverage TEXT;
ALTER TABLE items ADD COLUMN coverage_lower TEXT;
ALTER TABLE items ADD COLUMN coverage_upper TEXT;
ALTER TABLE items ADD COLUMN rights TEXT;
ALTER TABLE items ADD COLUMN location TEXT;
CREATE INDEX items_coverage ON items(coverage_lower, coverage_upper);

-- A purged item takes no edits of the new fields either (migration 0007
-- guards the others).
CREATE TRIGGER purged_no_edit_description
BEFORE UPDATE OF coverage, rights, location ON items
WHEN EXISTS (SELECT 1 FROM objects o WHERE o.id = OLD.object_id AND o.purged_at IS NOT NULL) BEGIN
    SELECT RAISE(ABORT, 'custos: a purged item takes no edits');
END;
