-- why: bare search words match across scripts and diacritics (issue 13):
-- `Tskhinvali` finds a text that writes `Цхинвали` or `ცხინვალი`. Each
-- full-text index gets a folded twin holding the same rows transliterated
-- to ASCII (`custos::fold::fold_text`), under the same rowid, written
-- together with it by `catalogue::fts` only. Only rows with non-ASCII text
-- are twinned (ASCII text is found by a folded query as it stands), so a
-- collection in English pays nothing. The twins are contentless: a snippet
-- is cut from the original row, as written. Their names start with
-- `item_fts`, so raw SQL never reads them.
CREATE VIRTUAL TABLE item_fts_fold USING fts5(
    title, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE item_fts_full_fold USING fts5(
    title, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE item_fts_timed_fold USING fts5(
    text,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- A purge or redaction leaves no folded token behind in a segment.
INSERT INTO item_fts_fold (item_fts_fold, rank) VALUES ('secure-delete', 1);
INSERT INTO item_fts_full_fold (item_fts_full_fold, rank) VALUES ('secure-delete', 1);
INSERT INTO item_fts_timed_fold (item_fts_timed_fold, rank) VALUES ('secure-delete', 1);

-- As for item_fts (0005): one flush per import batch, not one per MB.
INSERT INTO item_fts_fold (item_fts_fold, rank) VALUES ('hashsize', 33554432);
INSERT INTO item_fts_full_fold (item_fts_full_fold, rank) VALUES ('hashsize', 33554432);
INSERT INTO item_fts_timed_fold (item_fts_timed_fold, rank) VALUES ('hashsize', 33554432);

-- The rows already indexed (`custos_fold_text`, `custos_needs_fold` are
-- registered by the migration runner).
INSERT INTO item_fts_fold (rowid, title, body)
    SELECT rowid, custos_fold_text(title), custos_fold_text(body) FROM item_fts
     WHERE custos_needs_fold(title, body);
INSERT INTO item_fts_full_fold (rowid, title, body)
    SELECT rowid, custos_fold_text(title), custos_fold_text(body) FROM item_fts_full
     WHERE custos_needs_fold(title, body);
INSERT INTO item_fts_timed_fold (rowid, text)
    SELECT rowid, custos_fold_text(text) FROM item_fts_timed
     WHERE custos_needs_fold(text, '');
