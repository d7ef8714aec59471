-- why: FTS5's secure-delete option was on for the contentless indexes
-- (0018, 0021) so that a removed row would leave no token in the index's
-- pages. It cannot do that for a contentless_delete table: there a DELETE
-- records a tombstone for the row id and the tokens stay in their segment
-- until the segment is merged (FTS5 refuses the 'delete' command, the one
-- path that would remove them, on such tables). Erasure is done by merging
-- instead: purge and `deaccession --purge-bytes` run 'optimize' on every
-- full-text index, then truncate the WAL and vacuum. The option only made
-- every insert slower (each flush takes the slow path and looks up earlier
-- segments for long position lists): 6 % of an import into an empty
-- archive, 20 % into a million items. The timed index keeps its content
-- table and its secure-delete, which does work there.
INSERT INTO item_fts (item_fts, rank) VALUES ('secure-delete', 0);
INSERT INTO item_fts_full (item_fts_full, rank) VALUES ('secure-delete', 0);
INSERT INTO item_fts_fold (item_fts_fold, rank) VALUES ('secure-delete', 0);
INSERT INTO item_fts_full_fold (item_fts_full_fold, rank) VALUES ('secure-delete', 0);
INSERT INTO item_fts_timed_fold (item_fts_timed_fold, rank) VALUES ('secure-delete', 0);
