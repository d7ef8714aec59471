-- why: places and events of a conflict have several names, in several
-- languages and scripts, each used by someone and attested somewhere
-- (issue 13); and the sources disagree on facts (three death tolls for one
-- pogrom). `term_names` keeps every name of a term with its language
-- (BCP 47), script (ISO 15924), form, who uses it, its source (an item and
-- a locator, or a free citation) and an optional EDTF period; any name
-- finds the term. `terms.label` stays the display label and is always one
-- of the term's names (the backfill below makes every existing label its
-- term's first name). `claims` keeps what one source item says about one
-- subject (a term or an item): the value as written, its kind and the
-- interval it implies (`low`/`high`, NULL for an open end or for text),
-- never merged with the others. A claim is seen only where its source item
-- is (the policy decides); both tables name items, so purge erases them.

CREATE TABLE term_names (
    id          INTEGER PRIMARY KEY,
    term_id     INTEGER NOT NULL REFERENCES terms(id) ON DELETE CASCADE,
    text        TEXT NOT NULL CHECK (length(text) > 0),
    -- The comparison key (catalogue::terms::key), as terms.key.
    key         TEXT NOT NULL,
    lang        TEXT,
    script      TEXT CHECK (script IS NULL OR (length(script) = 4 AND script GLOB '[A-Z][a-z][a-z][a-z]')),
    form        TEXT CHECK (form IS NULL OR form IN ('official', 'endonym', 'exonym', 'historical', 'transliteration', 'other')),
    used_by     TEXT,
    source_item INTEGER REFERENCES items(id),
    locator     TEXT,
    citation    TEXT,
    period      TEXT,
    UNIQUE (term_id, key)
) STRICT;
CREATE INDEX term_names_key ON term_names(key, term_id);
CREATE INDEX term_names_source ON term_names(source_item) WHERE source_item IS NOT NULL;

INSERT INTO term_names (term_id, text, key) SELECT id, label, key FROM terms;

CREATE TABLE claims (
    id           INTEGER PRIMARY KEY,
    -- Exactly one subject: a term or an item.
    subject_term INTEGER REFERENCES terms(id) ON DELETE CASCADE,
    subject_item INTEGER REFERENCES items(id),
    property     TEXT NOT NULL CHECK (length(property) > 0),
    -- The value as the user wrote it, its kind, and its interval.
    value        TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('exact', 'range', 'lower_bound', 'upper_bound', 'approximate', 'vague', 'date', 'text')),
    low          REAL,
    high         REAL,
    -- For a date: the interval's days (YYYY-MM-DD), as EDTF bounds.
    low_day      TEXT,
    high_day     TEXT,
    source_item  INTEGER NOT NULL REFERENCES items(id),
    locator      TEXT,
    quote        TEXT,
    note         TEXT,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    CHECK ((subject_term IS NULL) <> (subject_item IS NULL)),
    CHECK (low IS NULL OR high IS NULL OR low <= high)
) STRICT;
CREATE INDEX claims_subject_term ON claims(subject_term, property) WHERE subject_term IS NOT NULL;
CREATE INDEX claims_subject_item ON claims(subject_item, property) WHERE subject_item IS NOT NULL;
CREATE INDEX claims_source ON claims(source_item);
