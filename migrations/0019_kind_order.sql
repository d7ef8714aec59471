-- why: a search on a kind (`kind:letter`, a facet link on every page of
-- the web portal) lists its first page in id order. The only index on
-- kind was (kind, object_id), so SQLite read every item of the kind and
-- sorted them before returning twenty: 0.8 s for 140,000 letters of a
-- million items, 2.5 s for testimonies. An index on kind alone keeps each
-- kind's rows in id (rowid) order, so the first page is read straight off
-- it and the scan stops at the page's end (0.02 s on the same catalogue).
CREATE INDEX items_kind ON items(kind);
