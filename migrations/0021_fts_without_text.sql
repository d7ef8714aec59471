-- why: the full-text indexes kept their own copy of every text they index
-- (FTS5's content table), beside `item_text` and `redacted_text`, which
-- hold the same text: a third of the catalogue's size, written twice by
-- every import (the WAL, then the checkpoint) and read by every verify.
-- They become contentless, like their folded twins (0018): the index keeps
-- tokens and positions only. What a reader's snippet is cut from is read
-- from the text tables instead (`catalogue::fts::indexed_text`: the
-- redacted copy below custodian), never from the index. Deleting a row
-- needs no copy of what was indexed (`contentless_delete`), and with
-- secure-delete on, a removed word leaves no trace in the index's pages.
-- The rows are copied from the old indexes as they are, so what each
-- level can find does not change.
CREATE VIRTUAL TABLE item_fts_v21 USING fts5(
    title, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE item_fts_full_v21 USING fts5(
    title, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO item_fts_v21 (item_fts_v21, rank) VALUES ('secure-delete', 1);
INSERT INTO item_fts_full_v21 (item_fts_full_v21, rank) VALUES ('secure-delete', 1);
-- As before (0005): one flush per import batch, not one per MB.
INSERT INTO item_fts_v21 (item_fts_v21, rank) VALUES ('hashsize', 33554432);
INSERT INTO item_fts_full_v21 (item_fts_full_v21, rank) VALUES ('hashsize', 33554432);

INSERT INTO item_fts_v21 (rowid, title, body) SELECT rowid, title, body FROM item_fts;
INSERT INTO item_fts_full_v21 (rowid, title, body) SELECT rowid, title, body FROM item_fts_full;
DROP TABLE item_fts;
DROP TABLE item_fts_full;
ALTER TABLE item_fts_v21 RENAME TO item_fts;
ALTER TABLE item_fts_full_v21 RENAME TO item_fts_full;
