-- why: a tally row is keyed by the policy's inputs, and two of them are
-- days: the consent embargo's end and the item's own access end. Each
-- embargoed testimony usually has a day of its own, so the rows carrying a
-- day grew with the items: at five million generated items the tally of
-- terms had 326,480 rows against 79,079 at a million, and the reports that
-- read it (holdings by event and by place, the consent counts) took 2.1 to
-- 2.7 times their million-item time (BENCHMARKS.md, 2026-11-30).
--
-- Each of the four tallies the reports scan is now kept twice:
--
-- * tally_X keys a date by its year: a day in standard form
--   (YYYY-MM-DD...) is stored as the last day of its year. For any day of
--   another year, the policy's comparison (embargo <= today, access end <=
--   today) gives the same answer for the year's last day as for the day
--   itself, so rows whose dates all lie outside the current year are
--   decided exactly. Their number is bounded by the years, not the items.
-- * tally_X_day keeps the rows of dated items only, with their days, as
--   the tallies did before.
--
-- A reader (policy::sql::tally_sum) sums tally_X whole, as before, then
-- takes out again its rows of the current year and adds the same items'
-- rows from tally_X_day: both found through an index by year, so the
-- correction reads one year's rows.
--
-- The reader picks the current year from its own `today` (CUSTOS_NOW
-- moves it either way), so nothing is folded as time passes and no row is
-- ever rewritten by a date. An undated item is counted once, as before;
-- a dated one twice. The narrators' tally keeps its days: its report lists
-- every narrator, so its rows follow the narrators, not the days.
--
-- Counts, sizes, ids and policy inputs only: no title, text or name.

-- The triggers that keep the four tallies are made again below.
DROP TRIGGER tally_item_insert;
DROP TRIGGER tally_item_delete;
DROP TRIGGER tally_item_update;
DROP TRIGGER tally_link_insert;
DROP TRIGGER tally_link_delete;
DROP TRIGGER tally_holdings_insert;
DROP TRIGGER tally_holdings_delete;
DROP TRIGGER tally_holdings_update;

-- tally_items: its dated rows, as they are, make the day tally (in year
-- order, so that one year's rows lie together); all its rows, summed by
-- year, make the year tally. Both are written whole into new tables, which
-- keeps their pages full.
CREATE TABLE tally_items_day (
    kind            TEXT NOT NULL,
    is_evidence     INTEGER NOT NULL,
    consent_status  TEXT,
    consent_scope   TEXT,
    consent_embargo TEXT,
    access_level    TEXT,
    access_until    TEXT,
    items           INTEGER NOT NULL,
    size            INTEGER NOT NULL
) STRICT;
INSERT INTO tally_items_day SELECT * FROM tally_items
 WHERE consent_embargo IS NOT NULL OR access_until IS NOT NULL
 ORDER BY substr(consent_embargo, 1, 4), substr(access_until, 1, 4);
CREATE TABLE tally_items_years (
    kind            TEXT NOT NULL,
    is_evidence     INTEGER NOT NULL,
    consent_status  TEXT,
    consent_scope   TEXT,
    consent_embargo TEXT,
    access_level    TEXT,
    access_until    TEXT,
    items           INTEGER NOT NULL,
    size            INTEGER NOT NULL
) STRICT;
INSERT INTO tally_items_years
SELECT kind, is_evidence, consent_status, consent_scope,
       CASE WHEN consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(consent_embargo, 1, 4) || '-12-31' ELSE consent_embargo END,
       access_level, CASE WHEN access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(access_until, 1, 4) || '-12-31' ELSE access_until END,
       sum(items), sum(size)
  FROM tally_items
 GROUP BY kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(CASE WHEN consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(consent_embargo, 1, 4) || '-12-31' ELSE consent_embargo END, ''), ifnull(access_level, ''), ifnull(CASE WHEN access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(access_until, 1, 4) || '-12-31' ELSE access_until END, '');
DROP TABLE tally_items;
ALTER TABLE tally_items_years RENAME TO tally_items;
CREATE UNIQUE INDEX tally_items_key ON tally_items(kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''));
CREATE INDEX tally_items_empty ON tally_items(items) WHERE items = 0;
CREATE INDEX tally_items_embargo ON tally_items(substr(consent_embargo, 1, 4));
CREATE INDEX tally_items_until ON tally_items(substr(access_until, 1, 4));
CREATE UNIQUE INDEX tally_items_day_key ON tally_items_day(kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''));
CREATE INDEX tally_items_day_empty ON tally_items_day(items) WHERE items = 0;
CREATE INDEX tally_items_day_embargo ON tally_items_day(substr(consent_embargo, 1, 4));
CREATE INDEX tally_items_day_until ON tally_items_day(substr(access_until, 1, 4));

-- tally_vocab: its dated rows, as they are, make the day tally (in year
-- order, so that one year's rows lie together); all its rows, summed by
-- year, make the year tally. Both are written whole into new tables, which
-- keeps their pages full.
CREATE TABLE tally_vocab_day (
    vocab           TEXT NOT NULL,
    kind            TEXT NOT NULL,
    is_evidence     INTEGER NOT NULL,
    consent_status  TEXT,
    consent_scope   TEXT,
    consent_embargo TEXT,
    access_level    TEXT,
    access_until    TEXT,
    items           INTEGER NOT NULL,
    size            INTEGER NOT NULL
) STRICT;
INSERT INTO tally_vocab_day SELECT * FROM tally_vocab
 WHERE consent_embargo IS NOT NULL OR access_until IS NOT NULL
 ORDER BY substr(consent_embargo, 1, 4), substr(access_until, 1, 4);
CREATE TABLE tally_vocab_years (
    vocab           TEXT NOT NULL,
    kind            TEXT NOT NULL,
    is_evidence     INTEGER NOT NULL,
    consent_status  TEXT,
    consent_scope   TEXT,
    consent_embargo TEXT,
    access_level    TEXT,
    access_until    TEXT,
    items           INTEGER NOT NULL,
    size            INTEGER NOT NULL
) STRICT;
INSERT INTO tally_vocab_years
SELECT vocab, kind, is_evidence, consent_status, consent_scope,
       CASE WHEN consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(consent_embargo, 1, 4) || '-12-31' ELSE consent_embargo END,
       access_level, CASE WHEN access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(access_until, 1, 4) || '-12-31' ELSE access_until END,
       sum(items), sum(size)
  FROM tally_vocab
 GROUP BY vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(CASE WHEN consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(consent_embargo, 1, 4) || '-12-31' ELSE consent_embargo END, ''), ifnull(access_level, ''), ifnull(CASE WHEN access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(access_until, 1, 4) || '-12-31' ELSE access_until END, '');
DROP TABLE tally_vocab;
ALTER TABLE tally_vocab_years RENAME TO tally_vocab;
CREATE UNIQUE INDEX tally_vocab_key ON tally_vocab(vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''));
CREATE INDEX tally_vocab_empty ON tally_vocab(items) WHERE items = 0;
CREATE INDEX tally_vocab_embargo ON tally_vocab(substr(consent_embargo, 1, 4));
CREATE INDEX tally_vocab_until ON tally_vocab(substr(access_until, 1, 4));
CREATE UNIQUE INDEX tally_vocab_day_key ON tally_vocab_day(vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''));
CREATE INDEX tally_vocab_day_empty ON tally_vocab_day(items) WHERE items = 0;
CREATE INDEX tally_vocab_day_embargo ON tally_vocab_day(substr(consent_embargo, 1, 4));
CREATE INDEX tally_vocab_day_until ON tally_vocab_day(substr(access_until, 1, 4));

-- tally_terms: its dated rows, as they are, make the day tally (in year
-- order, so that one year's rows lie together); all its rows, summed by
-- year, make the year tally. Both are written whole into new tables, which
-- keeps their pages full.
CREATE TABLE tally_terms_day (
    term_id         INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    is_evidence     INTEGER NOT NULL,
    consent_status  TEXT,
    consent_scope   TEXT,
    consent_embargo TEXT,
    access_level    TEXT,
    access_until    TEXT,
    items           INTEGER NOT NULL,
    size            INTEGER NOT NULL
) STRICT;
INSERT INTO tally_terms_day SELECT * FROM tally_terms
 WHERE consent_embargo IS NOT NULL OR access_until IS NOT NULL
 ORDER BY substr(consent_embargo, 1, 4), substr(access_until, 1, 4);
CREATE TABLE tally_terms_years (
    term_id         INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    is_evidence     INTEGER NOT NULL,
    consent_status  TEXT,
    consent_scope   TEXT,
    consent_embargo TEXT,
    access_level    TEXT,
    access_until    TEXT,
    items           INTEGER NOT NULL,
    size            INTEGER NOT NULL
) STRICT;
INSERT INTO tally_terms_years
SELECT term_id, kind, is_evidence, consent_status, consent_scope,
       CASE WHEN consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(consent_embargo, 1, 4) || '-12-31' ELSE consent_embargo END,
       access_level, CASE WHEN access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(access_until, 1, 4) || '-12-31' ELSE access_until END,
       sum(items), sum(size)
  FROM tally_terms
 GROUP BY term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(CASE WHEN consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(consent_embargo, 1, 4) || '-12-31' ELSE consent_embargo END, ''), ifnull(access_level, ''), ifnull(CASE WHEN access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(access_until, 1, 4) || '-12-31' ELSE access_until END, '');
DROP TABLE tally_terms;
ALTER TABLE tally_terms_years RENAME TO tally_terms;
CREATE UNIQUE INDEX tally_terms_key ON tally_terms(term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''));
CREATE INDEX tally_terms_empty ON tally_terms(items) WHERE items = 0;
CREATE INDEX tally_terms_embargo ON tally_terms(substr(consent_embargo, 1, 4));
CREATE INDEX tally_terms_until ON tally_terms(substr(access_until, 1, 4));
CREATE UNIQUE INDEX tally_terms_day_key ON tally_terms_day(term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''));
CREATE INDEX tally_terms_day_empty ON tally_terms_day(items) WHERE items = 0;
CREATE INDEX tally_terms_day_embargo ON tally_terms_day(substr(consent_embargo, 1, 4));
CREATE INDEX tally_terms_day_until ON tally_terms_day(substr(access_until, 1, 4));

-- tally_holdings: its dated rows, as they are, make the day tally (in year
-- order, so that one year's rows lie together); all its rows, summed by
-- year, make the year tally. Both are written whole into new tables, which
-- keeps their pages full.
CREATE TABLE tally_holdings_day (
    collection      TEXT,
    language        TEXT,
    decade          TEXT,
    kind            TEXT NOT NULL,
    is_evidence     INTEGER NOT NULL,
    consent_status  TEXT,
    consent_scope   TEXT,
    consent_embargo TEXT,
    access_level    TEXT,
    access_until    TEXT,
    items           INTEGER NOT NULL,
    size            INTEGER NOT NULL
) STRICT;
INSERT INTO tally_holdings_day SELECT * FROM tally_holdings
 WHERE consent_embargo IS NOT NULL OR access_until IS NOT NULL
 ORDER BY substr(consent_embargo, 1, 4), substr(access_until, 1, 4);
CREATE TABLE tally_holdings_years (
    collection      TEXT,
    language        TEXT,
    decade          TEXT,
    kind            TEXT NOT NULL,
    is_evidence     INTEGER NOT NULL,
    consent_status  TEXT,
    consent_scope   TEXT,
    consent_embargo TEXT,
    access_level    TEXT,
    access_until    TEXT,
    items           INTEGER NOT NULL,
    size            INTEGER NOT NULL
) STRICT;
INSERT INTO tally_holdings_years
SELECT collection, language, decade, kind, is_evidence, consent_status, consent_scope,
       CASE WHEN consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(consent_embargo, 1, 4) || '-12-31' ELSE consent_embargo END,
       access_level, CASE WHEN access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(access_until, 1, 4) || '-12-31' ELSE access_until END,
       sum(items), sum(size)
  FROM tally_holdings
 GROUP BY ifnull(collection, x''), ifnull(language, x''), ifnull(decade, x''), kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(CASE WHEN consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(consent_embargo, 1, 4) || '-12-31' ELSE consent_embargo END, ''), ifnull(access_level, ''), ifnull(CASE WHEN access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(access_until, 1, 4) || '-12-31' ELSE access_until END, '');
DROP TABLE tally_holdings;
ALTER TABLE tally_holdings_years RENAME TO tally_holdings;
CREATE UNIQUE INDEX tally_holdings_key ON tally_holdings(ifnull(collection, x''), ifnull(language, x''), ifnull(decade, x''), kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''));
CREATE INDEX tally_holdings_empty ON tally_holdings(items) WHERE items = 0;
CREATE INDEX tally_holdings_embargo ON tally_holdings(substr(consent_embargo, 1, 4));
CREATE INDEX tally_holdings_until ON tally_holdings(substr(access_until, 1, 4));
CREATE UNIQUE INDEX tally_holdings_day_key ON tally_holdings_day(ifnull(collection, x''), ifnull(language, x''), ifnull(decade, x''), kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''));
CREATE INDEX tally_holdings_day_empty ON tally_holdings_day(items) WHERE items = 0;
CREATE INDEX tally_holdings_day_embargo ON tally_holdings_day(substr(consent_embargo, 1, 4));
CREATE INDEX tally_holdings_day_until ON tally_holdings_day(substr(access_until, 1, 4));

CREATE TRIGGER tally_item_insert AFTER INSERT ON items BEGIN
    INSERT INTO tally_items
    SELECT NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           CASE WHEN NEW.consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(NEW.consent_embargo, 1, 4) || '-12-31' ELSE NEW.consent_embargo END,
           NEW.access_level, CASE WHEN NEW.access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(NEW.access_until, 1, 4) || '-12-31' ELSE NEW.access_until END, 1, NEW.size
     WHERE true
    ON CONFLICT (kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    INSERT INTO tally_items_day
    SELECT NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           NEW.consent_embargo,
           NEW.access_level, NEW.access_until, 1, NEW.size
     WHERE (NEW.consent_embargo IS NOT NULL OR NEW.access_until IS NOT NULL)
    ON CONFLICT (kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
END;

CREATE TRIGGER tally_item_delete AFTER DELETE ON items BEGIN
    INSERT INTO tally_items
    SELECT OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           CASE WHEN OLD.consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(OLD.consent_embargo, 1, 4) || '-12-31' ELSE OLD.consent_embargo END,
           OLD.access_level, CASE WHEN OLD.access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(OLD.access_until, 1, 4) || '-12-31' ELSE OLD.access_until END, -1, -OLD.size
     WHERE true
    ON CONFLICT (kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_items WHERE items = 0;
    INSERT INTO tally_items_day
    SELECT OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           OLD.consent_embargo,
           OLD.access_level, OLD.access_until, -1, -OLD.size
     WHERE (OLD.consent_embargo IS NOT NULL OR OLD.access_until IS NOT NULL)
    ON CONFLICT (kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_items_day WHERE items = 0;
END;

-- An item whose policy inputs or size change moves from its old state's
-- rows to its new state's, in every tally it is counted in.
CREATE TRIGGER tally_item_update
AFTER UPDATE OF kind, is_evidence, consent_status, consent_scope, consent_embargo,
    access_level, access_until, size ON items
WHEN OLD.kind IS NOT NEW.kind OR OLD.is_evidence IS NOT NEW.is_evidence
  OR OLD.consent_status IS NOT NEW.consent_status OR OLD.consent_scope IS NOT NEW.consent_scope
  OR OLD.consent_embargo IS NOT NEW.consent_embargo OR OLD.size IS NOT NEW.size
  OR OLD.access_level IS NOT NEW.access_level OR OLD.access_until IS NOT NEW.access_until
BEGIN
    INSERT INTO tally_items
    SELECT OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           CASE WHEN OLD.consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(OLD.consent_embargo, 1, 4) || '-12-31' ELSE OLD.consent_embargo END,
           OLD.access_level, CASE WHEN OLD.access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(OLD.access_until, 1, 4) || '-12-31' ELSE OLD.access_until END, -1, -OLD.size
     WHERE true
    ON CONFLICT (kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_items WHERE items = 0;
    INSERT INTO tally_items_day
    SELECT OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           OLD.consent_embargo,
           OLD.access_level, OLD.access_until, -1, -OLD.size
     WHERE (OLD.consent_embargo IS NOT NULL OR OLD.access_until IS NOT NULL)
    ON CONFLICT (kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_items_day WHERE items = 0;

    INSERT INTO tally_items
    SELECT NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           CASE WHEN NEW.consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(NEW.consent_embargo, 1, 4) || '-12-31' ELSE NEW.consent_embargo END,
           NEW.access_level, CASE WHEN NEW.access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(NEW.access_until, 1, 4) || '-12-31' ELSE NEW.access_until END, 1, NEW.size
     WHERE true
    ON CONFLICT (kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    INSERT INTO tally_items_day
    SELECT NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           NEW.consent_embargo,
           NEW.access_level, NEW.access_until, 1, NEW.size
     WHERE (NEW.consent_embargo IS NOT NULL OR NEW.access_until IS NOT NULL)
    ON CONFLICT (kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;

    INSERT INTO tally_vocab
    SELECT DISTINCT t.vocab, OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           CASE WHEN OLD.consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(OLD.consent_embargo, 1, 4) || '-12-31' ELSE OLD.consent_embargo END,
           OLD.access_level, CASE WHEN OLD.access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(OLD.access_until, 1, 4) || '-12-31' ELSE OLD.access_until END, -1, -OLD.size
      FROM item_terms it JOIN terms t ON t.id = it.term_id
     WHERE it.item_id = OLD.id
    ON CONFLICT (vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_vocab WHERE items = 0;
    INSERT INTO tally_vocab_day
    SELECT DISTINCT t.vocab, OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           OLD.consent_embargo,
           OLD.access_level, OLD.access_until, -1, -OLD.size
      FROM item_terms it JOIN terms t ON t.id = it.term_id
     WHERE it.item_id = OLD.id
       AND (OLD.consent_embargo IS NOT NULL OR OLD.access_until IS NOT NULL)
    ON CONFLICT (vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_vocab_day WHERE items = 0;

    INSERT INTO tally_vocab
    SELECT DISTINCT t.vocab, NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           CASE WHEN NEW.consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(NEW.consent_embargo, 1, 4) || '-12-31' ELSE NEW.consent_embargo END,
           NEW.access_level, CASE WHEN NEW.access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(NEW.access_until, 1, 4) || '-12-31' ELSE NEW.access_until END, 1, NEW.size
      FROM item_terms it JOIN terms t ON t.id = it.term_id
     WHERE it.item_id = NEW.id
    ON CONFLICT (vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    INSERT INTO tally_vocab_day
    SELECT DISTINCT t.vocab, NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           NEW.consent_embargo,
           NEW.access_level, NEW.access_until, 1, NEW.size
      FROM item_terms it JOIN terms t ON t.id = it.term_id
     WHERE it.item_id = NEW.id
       AND (NEW.consent_embargo IS NOT NULL OR NEW.access_until IS NOT NULL)
    ON CONFLICT (vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;

    INSERT INTO tally_terms
    SELECT it.term_id, OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           CASE WHEN OLD.consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(OLD.consent_embargo, 1, 4) || '-12-31' ELSE OLD.consent_embargo END,
           OLD.access_level, CASE WHEN OLD.access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(OLD.access_until, 1, 4) || '-12-31' ELSE OLD.access_until END, -1, -OLD.size
      FROM item_terms it
     WHERE it.item_id = OLD.id
    ON CONFLICT (term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_terms WHERE items = 0;
    INSERT INTO tally_terms_day
    SELECT it.term_id, OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           OLD.consent_embargo,
           OLD.access_level, OLD.access_until, -1, -OLD.size
      FROM item_terms it
     WHERE it.item_id = OLD.id
       AND (OLD.consent_embargo IS NOT NULL OR OLD.access_until IS NOT NULL)
    ON CONFLICT (term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_terms_day WHERE items = 0;

    INSERT INTO tally_terms
    SELECT it.term_id, NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           CASE WHEN NEW.consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(NEW.consent_embargo, 1, 4) || '-12-31' ELSE NEW.consent_embargo END,
           NEW.access_level, CASE WHEN NEW.access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(NEW.access_until, 1, 4) || '-12-31' ELSE NEW.access_until END, 1, NEW.size
      FROM item_terms it
     WHERE it.item_id = NEW.id
    ON CONFLICT (term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    INSERT INTO tally_terms_day
    SELECT it.term_id, NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           NEW.consent_embargo,
           NEW.access_level, NEW.access_until, 1, NEW.size
      FROM item_terms it
     WHERE it.item_id = NEW.id
       AND (NEW.consent_embargo IS NOT NULL OR NEW.access_until IS NOT NULL)
    ON CONFLICT (term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;

    INSERT INTO tally_narrators
    SELECT t.narrator_id, OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           OLD.consent_embargo, OLD.access_level, OLD.access_until, -1
      FROM testimonies t WHERE t.item_id = OLD.id AND t.narrator_id IS NOT NULL
    ON CONFLICT (narrator_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET testimonies = testimonies + excluded.testimonies;
    DELETE FROM tally_narrators WHERE testimonies = 0;
    INSERT INTO tally_narrators
    SELECT t.narrator_id, NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           NEW.consent_embargo, NEW.access_level, NEW.access_until, 1
      FROM testimonies t WHERE t.item_id = NEW.id AND t.narrator_id IS NOT NULL
    ON CONFLICT (narrator_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET testimonies = testimonies + excluded.testimonies;
END;

-- A link counts its item under the term, and under the vocabulary unless
-- the item already has another term there.
CREATE TRIGGER tally_link_insert AFTER INSERT ON item_terms BEGIN
    INSERT INTO tally_terms
    SELECT NEW.term_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope,
           CASE WHEN i.consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(i.consent_embargo, 1, 4) || '-12-31' ELSE i.consent_embargo END,
           i.access_level, CASE WHEN i.access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(i.access_until, 1, 4) || '-12-31' ELSE i.access_until END, 1, i.size
      FROM items i
     WHERE i.id = NEW.item_id
    ON CONFLICT (term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    INSERT INTO tally_terms_day
    SELECT NEW.term_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope,
           i.consent_embargo,
           i.access_level, i.access_until, 1, i.size
      FROM items i
     WHERE i.id = NEW.item_id
       AND (i.consent_embargo IS NOT NULL OR i.access_until IS NOT NULL)
    ON CONFLICT (term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    INSERT INTO tally_vocab
    SELECT t.vocab, i.kind, i.is_evidence, i.consent_status, i.consent_scope,
           CASE WHEN i.consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(i.consent_embargo, 1, 4) || '-12-31' ELSE i.consent_embargo END,
           i.access_level, CASE WHEN i.access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(i.access_until, 1, 4) || '-12-31' ELSE i.access_until END, 1, i.size
      FROM items i JOIN terms t ON t.id = NEW.term_id
     WHERE i.id = NEW.item_id AND NOT EXISTS (SELECT 1 FROM item_terms x JOIN terms y ON y.id = x.term_id
                        WHERE x.item_id = NEW.item_id AND x.term_id <> NEW.term_id AND y.vocab = t.vocab)
    ON CONFLICT (vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    INSERT INTO tally_vocab_day
    SELECT t.vocab, i.kind, i.is_evidence, i.consent_status, i.consent_scope,
           i.consent_embargo,
           i.access_level, i.access_until, 1, i.size
      FROM items i JOIN terms t ON t.id = NEW.term_id
     WHERE i.id = NEW.item_id AND NOT EXISTS (SELECT 1 FROM item_terms x JOIN terms y ON y.id = x.term_id
                        WHERE x.item_id = NEW.item_id AND x.term_id <> NEW.term_id AND y.vocab = t.vocab)
       AND (i.consent_embargo IS NOT NULL OR i.access_until IS NOT NULL)
    ON CONFLICT (vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
END;

CREATE TRIGGER tally_link_delete AFTER DELETE ON item_terms BEGIN
    INSERT INTO tally_terms
    SELECT OLD.term_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope,
           CASE WHEN i.consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(i.consent_embargo, 1, 4) || '-12-31' ELSE i.consent_embargo END,
           i.access_level, CASE WHEN i.access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(i.access_until, 1, 4) || '-12-31' ELSE i.access_until END, -1, -i.size
      FROM items i
     WHERE i.id = OLD.item_id
    ON CONFLICT (term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_terms WHERE items = 0;
    INSERT INTO tally_terms_day
    SELECT OLD.term_id, i.kind, i.is_evidence, i.consent_status, i.consent_scope,
           i.consent_embargo,
           i.access_level, i.access_until, -1, -i.size
      FROM items i
     WHERE i.id = OLD.item_id
       AND (i.consent_embargo IS NOT NULL OR i.access_until IS NOT NULL)
    ON CONFLICT (term_id, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_terms_day WHERE items = 0;
    INSERT INTO tally_vocab
    SELECT t.vocab, i.kind, i.is_evidence, i.consent_status, i.consent_scope,
           CASE WHEN i.consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(i.consent_embargo, 1, 4) || '-12-31' ELSE i.consent_embargo END,
           i.access_level, CASE WHEN i.access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(i.access_until, 1, 4) || '-12-31' ELSE i.access_until END, -1, -i.size
      FROM items i JOIN terms t ON t.id = OLD.term_id
     WHERE i.id = OLD.item_id AND NOT EXISTS (SELECT 1 FROM item_terms x JOIN terms y ON y.id = x.term_id
                        WHERE x.item_id = OLD.item_id AND y.vocab = t.vocab)
    ON CONFLICT (vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_vocab WHERE items = 0;
    INSERT INTO tally_vocab_day
    SELECT t.vocab, i.kind, i.is_evidence, i.consent_status, i.consent_scope,
           i.consent_embargo,
           i.access_level, i.access_until, -1, -i.size
      FROM items i JOIN terms t ON t.id = OLD.term_id
     WHERE i.id = OLD.item_id AND NOT EXISTS (SELECT 1 FROM item_terms x JOIN terms y ON y.id = x.term_id
                        WHERE x.item_id = OLD.item_id AND y.vocab = t.vocab)
       AND (i.consent_embargo IS NOT NULL OR i.access_until IS NOT NULL)
    ON CONFLICT (vocab, kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_vocab_day WHERE items = 0;
END;

CREATE TRIGGER tally_holdings_insert AFTER INSERT ON items BEGIN
    INSERT INTO tally_holdings
    SELECT NEW.collection, NEW.language, substr(NEW.date_lower, 1, 3), NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           CASE WHEN NEW.consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(NEW.consent_embargo, 1, 4) || '-12-31' ELSE NEW.consent_embargo END,
           NEW.access_level, CASE WHEN NEW.access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(NEW.access_until, 1, 4) || '-12-31' ELSE NEW.access_until END, 1, NEW.size
     WHERE true
    ON CONFLICT (ifnull(collection, x''), ifnull(language, x''), ifnull(decade, x''), kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    INSERT INTO tally_holdings_day
    SELECT NEW.collection, NEW.language, substr(NEW.date_lower, 1, 3), NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           NEW.consent_embargo,
           NEW.access_level, NEW.access_until, 1, NEW.size
     WHERE (NEW.consent_embargo IS NOT NULL OR NEW.access_until IS NOT NULL)
    ON CONFLICT (ifnull(collection, x''), ifnull(language, x''), ifnull(decade, x''), kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
END;

CREATE TRIGGER tally_holdings_delete AFTER DELETE ON items BEGIN
    INSERT INTO tally_holdings
    SELECT OLD.collection, OLD.language, substr(OLD.date_lower, 1, 3), OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           CASE WHEN OLD.consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(OLD.consent_embargo, 1, 4) || '-12-31' ELSE OLD.consent_embargo END,
           OLD.access_level, CASE WHEN OLD.access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(OLD.access_until, 1, 4) || '-12-31' ELSE OLD.access_until END, -1, -OLD.size
     WHERE true
    ON CONFLICT (ifnull(collection, x''), ifnull(language, x''), ifnull(decade, x''), kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_holdings WHERE items = 0;
    INSERT INTO tally_holdings_day
    SELECT OLD.collection, OLD.language, substr(OLD.date_lower, 1, 3), OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           OLD.consent_embargo,
           OLD.access_level, OLD.access_until, -1, -OLD.size
     WHERE (OLD.consent_embargo IS NOT NULL OR OLD.access_until IS NOT NULL)
    ON CONFLICT (ifnull(collection, x''), ifnull(language, x''), ifnull(decade, x''), kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_holdings_day WHERE items = 0;
END;

-- An item whose group, policy inputs or size change moves from its old
-- row to its new one.
CREATE TRIGGER tally_holdings_update
AFTER UPDATE OF collection, language, date_lower, kind, is_evidence, consent_status,
    consent_scope, consent_embargo, access_level, access_until, size ON items
WHEN OLD.collection IS NOT NEW.collection OR OLD.language IS NOT NEW.language
  OR substr(OLD.date_lower, 1, 3) IS NOT substr(NEW.date_lower, 1, 3)
  OR OLD.kind IS NOT NEW.kind OR OLD.is_evidence IS NOT NEW.is_evidence
  OR OLD.consent_status IS NOT NEW.consent_status OR OLD.consent_scope IS NOT NEW.consent_scope
  OR OLD.consent_embargo IS NOT NEW.consent_embargo OR OLD.size IS NOT NEW.size
  OR OLD.access_level IS NOT NEW.access_level OR OLD.access_until IS NOT NEW.access_until
BEGIN
    INSERT INTO tally_holdings
    SELECT OLD.collection, OLD.language, substr(OLD.date_lower, 1, 3), OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           CASE WHEN OLD.consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(OLD.consent_embargo, 1, 4) || '-12-31' ELSE OLD.consent_embargo END,
           OLD.access_level, CASE WHEN OLD.access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(OLD.access_until, 1, 4) || '-12-31' ELSE OLD.access_until END, -1, -OLD.size
     WHERE true
    ON CONFLICT (ifnull(collection, x''), ifnull(language, x''), ifnull(decade, x''), kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_holdings WHERE items = 0;
    INSERT INTO tally_holdings_day
    SELECT OLD.collection, OLD.language, substr(OLD.date_lower, 1, 3), OLD.kind, OLD.is_evidence, OLD.consent_status, OLD.consent_scope,
           OLD.consent_embargo,
           OLD.access_level, OLD.access_until, -1, -OLD.size
     WHERE (OLD.consent_embargo IS NOT NULL OR OLD.access_until IS NOT NULL)
    ON CONFLICT (ifnull(collection, x''), ifnull(language, x''), ifnull(decade, x''), kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    DELETE FROM tally_holdings_day WHERE items = 0;
    INSERT INTO tally_holdings
    SELECT NEW.collection, NEW.language, substr(NEW.date_lower, 1, 3), NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           CASE WHEN NEW.consent_embargo GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(NEW.consent_embargo, 1, 4) || '-12-31' ELSE NEW.consent_embargo END,
           NEW.access_level, CASE WHEN NEW.access_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN substr(NEW.access_until, 1, 4) || '-12-31' ELSE NEW.access_until END, 1, NEW.size
     WHERE true
    ON CONFLICT (ifnull(collection, x''), ifnull(language, x''), ifnull(decade, x''), kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
    INSERT INTO tally_holdings_day
    SELECT NEW.collection, NEW.language, substr(NEW.date_lower, 1, 3), NEW.kind, NEW.is_evidence, NEW.consent_status, NEW.consent_scope,
           NEW.consent_embargo,
           NEW.access_level, NEW.access_until, 1, NEW.size
     WHERE (NEW.consent_embargo IS NOT NULL OR NEW.access_until IS NOT NULL)
    ON CONFLICT (ifnull(collection, x''), ifnull(language, x''), ifnull(decade, x''), kind, is_evidence, ifnull(consent_status, ''), ifnull(consent_scope, ''), ifnull(consent_embargo, ''), ifnull(access_level, ''), ifnull(access_until, ''))
    DO UPDATE SET items = items + excluded.items, size = size + excluded.size;
END;
