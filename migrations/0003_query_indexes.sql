-- why: queries and reports over a million items must be index scans, not
-- table scans. Covering indexes let the holdings GROUP BYs (kind,
-- collection, language) read only the index plus the object's size, keep
-- kind + date-range queries (with the EDTF overlap test on both bounds)
-- inside one index, and serve `ingested_at` ranges and accession registers.
-- Run ANALYZE after bulk imports so the planner knows the data's shape.

CREATE INDEX items_kind_dates ON items(kind, date_lower, date_upper);
CREATE INDEX items_kind_object ON items(kind, object_id);
CREATE INDEX items_collection_object ON items(collection, object_id);
CREATE INDEX items_language_object ON items(language, object_id);
CREATE INDEX items_created ON items(created_at);
CREATE INDEX consent_current_embargo ON consent_current(embargo_until) WHERE embargo_until IS NOT NULL;
CREATE INDEX events_fixity ON events(item_id, id) WHERE type = 'fixity_check';
