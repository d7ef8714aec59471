-- why: imports spent about half of their single writer thread in FTS5.
-- With the default 1 MB `hashsize`, FTS5 flushed its in-memory terms
-- several times per import batch, each flush writing a small segment that
-- automerge then had to merge again. At 32 MB a batch of files is flushed
-- once, when its transaction commits (FTS5 always flushes at commit, so
-- this only bounds the memory of one large transaction). The setting is
-- stored in the index's own config table, so every writer uses it. It
-- changes no data and no query result.
INSERT INTO item_fts(item_fts, rank) VALUES('hashsize', 33554432);
