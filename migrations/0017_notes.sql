-- why: issue 18 asks for notes as ArchivesSpace and AtoM keep them:
-- repeatable, each either public (shown wherever the item is open) or
-- custodial (the custodian's alone: a processing note, a warning about a
-- neighbour named on page 3). One row per note; adding or removing one is
-- a `metadata_modification` event. A purged or deaccessioned item takes no
-- new note; purge erases an item's notes with the rest of what it said.
CREATE TABLE item_notes (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES items(id),
    audience    TEXT NOT NULL CHECK (audience IN ('public', 'custodial')),
    text        TEXT NOT NULL CHECK (length(trim(text)) > 0),
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
) STRICT;
CREATE INDEX item_notes_item ON item_notes(item_id, id);

CREATE TRIGGER purged_no_notes BEFORE INSERT ON item_notes
WHEN EXISTS (SELECT 1 FROM items i JOIN objects o ON o.id = i.object_id
             WHERE i.id = NEW.item_id AND o.purged_at IS NOT NULL) BEGIN
    SELECT RAISE(ABORT, 'custos: a purged item takes no notes');
END;

CREATE TRIGGER deaccessioned_no_notes BEFORE INSERT ON item_notes
WHEN EXISTS (SELECT 1 FROM deaccessions d WHERE d.item_id = NEW.item_id) BEGIN
    SELECT RAISE(ABORT, 'custos: a deaccessioned item takes no notes');
END;
