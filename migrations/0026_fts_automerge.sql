-- why: FTS5 merges its segments as it writes: each commit of an import
-- flushes one new segment, and with the default `automerge` of 4 the
-- segments of a level are merged into the next as soon as four exist, so
-- every token is rewritten once per level it climbs. At 16 a level holds
-- up to 15 segments before they are merged, in about half as many levels:
-- an import's writer spent 8 % less CPU (BENCHMARKS.md, issue 17), and a
-- query reads a few more segments, which measured no slower (20,005 items
-- in 313 segments: the same times at 4 and at 16). Erasure is unchanged:
-- purge runs 'optimize', which merges every segment whatever this says.
-- The setting is stored in each index's own config table, so every
-- writer uses it; it changes no row and no query result.
INSERT INTO item_fts (item_fts, rank) VALUES ('automerge', 16);
INSERT INTO item_fts_full (item_fts_full, rank) VALUES ('automerge', 16);
INSERT INTO item_fts_timed (item_fts_timed, rank) VALUES ('automerge', 16);
INSERT INTO item_fts_fold (item_fts_fold, rank) VALUES ('automerge', 16);
INSERT INTO item_fts_full_fold (item_fts_full_fold, rank) VALUES ('automerge', 16);
INSERT INTO item_fts_timed_fold (item_fts_timed_fold, rank) VALUES ('automerge', 16);
