-- why: `custos verify` records the latest fixity check of every object, so
-- `show` can say at once that an item failed its last check without
-- scanning the event log (which keeps the full history of checks). One row
-- per object, replaced by each check; the events stay the record of truth.
CREATE TABLE fixity (
    object_id     INTEGER PRIMARY KEY REFERENCES objects(id),
    checked_at    TEXT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('ok','changed','missing','io_error')),
    -- The digest found when it differed from the catalogue's; NULL otherwise.
    actual_sha256 TEXT CHECK (actual_sha256 IS NULL OR length(actual_sha256) = 64)
) STRICT;
CREATE INDEX fixity_outcome ON fixity(outcome) WHERE outcome <> 'ok';
