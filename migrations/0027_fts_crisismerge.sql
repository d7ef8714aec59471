-- why: migration 0026 raised FTS5's `automerge` to 16 and left
-- `crisismerge` at its default, also 16. FTS5 merges a level
-- incrementally, a little at each write, once it holds `automerge`
-- segments, but merges it whole at once when a write finds
-- `crisismerge` of them; at equal values every merge was a crisis merge,
-- and a crisis cascades upward. So one import in many rewrote the largest
-- level whole: of four successive imports of 20,005 files into a million
-- items, the second took 14.9 s and 11.8 s in two rounds against 3.5-5.4 s
-- for the others (BENCHMARKS.md, issue 17, 2026-12-01). At 64 (four times
-- `automerge`, the ratio of FTS5's own defaults) the merges proceed a
-- little at each write: the same four imports took 5.1-7.4 s each, in
-- the same total time. A level may then hold more segments for a while;
-- queries over 313 segments measured no slower (see 0026). Erasure is
-- unchanged: purge runs 'optimize', which merges every segment.
INSERT INTO item_fts (item_fts, rank) VALUES ('crisismerge', 64);
INSERT INTO item_fts_full (item_fts_full, rank) VALUES ('crisismerge', 64);
INSERT INTO item_fts_timed (item_fts_timed, rank) VALUES ('crisismerge', 64);
INSERT INTO item_fts_fold (item_fts_fold, rank) VALUES ('crisismerge', 64);
INSERT INTO item_fts_full_fold (item_fts_full_fold, rank) VALUES ('crisismerge', 64);
INSERT INTO item_fts_timed_fold (item_fts_timed_fold, rank) VALUES ('crisismerge', 64);
