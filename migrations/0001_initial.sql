-- why: the initial catalogue. It holds the whole domain model from the start
-- (items and their bytes, provenance, narrators, testimonies, consent,
-- vocabularies and the chained event log) so that later features add
-- behaviour, not reshuffled tables. Never edit this file once released; add
-- a new numbered migration instead.

-- Archive-wide settings: archive_id, default_access, custodian_recipient.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- The bytes. One row per distinct SHA-256; the file lives at
-- objects/<sha[0..2]>/<sha[2..4]>/<sha>.
CREATE TABLE objects (
    id         INTEGER PRIMARY KEY,
    sha256     TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64 AND sha256 = lower(sha256)),
    size       INTEGER NOT NULL CHECK (size >= 0),
    media_type TEXT NOT NULL,
    stored_at  TEXT NOT NULL,
    -- Set when a purge erased the bytes; the row stays so the log can name it.
    purged_at  TEXT
) STRICT;

-- The unit of description. date_lower/date_upper are the EDTF interval as
-- YYYY-MM-DD strings, so date ranges are index range scans.
CREATE TABLE items (
    id          INTEGER PRIMARY KEY,
    object_id   INTEGER NOT NULL UNIQUE REFERENCES objects(id),
    title       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('article','testimony','report','letter','photo','audio','video','other')),
    description TEXT,
    creator     TEXT,
    date        TEXT,
    date_lower  TEXT,
    date_upper  TEXT,
    language    TEXT,
    collection  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX items_kind_date ON items(kind, date_lower);
CREATE INDEX items_date ON items(date_lower, date_upper);
CREATE INDEX items_collection ON items(collection);

-- Text extracted for full-text search, kept apart from items so listings
-- never drag it through the page cache.
CREATE TABLE item_text (
    item_id INTEGER PRIMARY KEY REFERENCES items(id),
    text    TEXT NOT NULL
) STRICT;

-- Every arrival of the bytes: the first one and every duplicate after it.
-- Names and paths are BLOBs: file names need not be UTF-8 and are kept
-- byte-exact.
CREATE TABLE provenance (
    id            INTEGER PRIMARY KEY,
    item_id       INTEGER NOT NULL REFERENCES items(id),
    origin        TEXT NOT NULL,
    original_name BLOB NOT NULL,
    original_path BLOB NOT NULL,
    method        TEXT NOT NULL CHECK (method IN ('file','manifest','bag')),
    ingested_at   TEXT NOT NULL,
    ingested_by   TEXT NOT NULL,
    -- JSON object of extra provenance (bag-info fields, manifest row).
    detail        TEXT
) STRICT;
CREATE INDEX provenance_item ON provenance(item_id, id);
CREATE INDEX provenance_ingested ON provenance(ingested_at);

-- Narrators. The legal identity exists only as age ciphertext to the
-- custodian key; display is what may be printed.
CREATE TABLE narrators (
    id                 INTEGER PRIMARY KEY,
    display            TEXT,
    anonymity          TEXT NOT NULL CHECK (anonymity IN ('named','pseudonymous','anonymous')),
    birth_year         INTEGER,
    place_of_origin    TEXT,
    place_of_residence TEXT,
    notes              TEXT,
    sealed_identity    BLOB,
    created_at         TEXT NOT NULL
) STRICT;

CREATE TABLE testimonies (
    item_id         INTEGER PRIMARY KEY REFERENCES items(id),
    narrator_id     INTEGER REFERENCES narrators(id),
    interview_date  TEXT,
    interview_place TEXT,
    interviewer     TEXT
) STRICT;
CREATE INDEX testimonies_narrator ON testimonies(narrator_id);

-- Consent is a history; the current state is the latest row per item.
CREATE TABLE consent_events (
    id               INTEGER PRIMARY KEY,
    item_id          INTEGER NOT NULL REFERENCES items(id),
    status           TEXT NOT NULL CHECK (status IN ('pending','granted','restricted','withdrawn')),
    scope            TEXT CHECK (scope IN ('archive','research','publication','public')),
    date             TEXT NOT NULL,
    evidence_item_id INTEGER REFERENCES items(id),
    embargo_until    TEXT,
    reason           TEXT,
    recorded_at      TEXT NOT NULL,
    recorded_by      TEXT NOT NULL
) STRICT;
CREATE INDEX consent_item ON consent_events(item_id, id);
CREATE INDEX consent_evidence ON consent_events(evidence_item_id);

-- The current consent per testimony, derived from consent_events in the same
-- transaction that appends one, so listing a million items never replays
-- histories. A testimony without a row is pending.
CREATE TABLE consent_current (
    item_id          INTEGER PRIMARY KEY REFERENCES items(id),
    event_id         INTEGER NOT NULL REFERENCES consent_events(id),
    status           TEXT NOT NULL,
    scope            TEXT,
    date             TEXT NOT NULL,
    evidence_item_id INTEGER REFERENCES items(id),
    embargo_until    TEXT,
    reason           TEXT
) STRICT;
CREATE INDEX consent_current_state ON consent_current(status, scope, embargo_until);

-- Terms to redact from a testimony below custodian level, sealed like
-- identities.
CREATE TABLE redactions (
    id           INTEGER PRIMARY KEY,
    item_id      INTEGER NOT NULL REFERENCES items(id),
    sealed_terms BLOB NOT NULL,
    created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX redactions_item ON redactions(item_id);

-- What readers below custodian see of a redacted item: computed when the
-- custodian redacts (the only moment the sealed terms are in clear).
CREATE TABLE redacted_text (
    item_id     INTEGER PRIMARY KEY REFERENCES items(id),
    title       TEXT NOT NULL,
    description TEXT,
    text        TEXT
) STRICT;

-- Controlled vocabularies. `key` is the NFC, case-folded form that makes two
-- spellings one term; `label` is how it was first written.
CREATE TABLE terms (
    id    INTEGER PRIMARY KEY,
    vocab TEXT NOT NULL CHECK (vocab IN ('event','place','subject','agent')),
    label TEXT NOT NULL,
    key   TEXT NOT NULL,
    UNIQUE (vocab, key)
) STRICT;

CREATE TABLE item_terms (
    item_id INTEGER NOT NULL REFERENCES items(id),
    term_id INTEGER NOT NULL REFERENCES terms(id),
    PRIMARY KEY (item_id, term_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX item_terms_term ON item_terms(term_id, item_id);

-- The PREMIS-style event log, chained: hash = SHA-256 of the canonical form
-- including prev_hash. detail (JSON) and its salt are erasable by purge; the
-- chain covers detail_hash = SHA-256(salt || detail), so erasing a detail
-- keeps the chain verifiable without keeping what it said.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    type        TEXT NOT NULL,
    item_id     INTEGER,
    agent       TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    detail      TEXT,
    detail_salt BLOB,
    detail_hash TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE
) STRICT;
CREATE INDEX events_item ON events(item_id, id);
CREATE INDEX events_type ON events(type, id);

-- Full-text index over title and extracted text; rowid = items.id. For a
-- testimony with redactions it holds the redacted text only, so a search
-- below custodian level cannot find a redacted term.
CREATE VIRTUAL TABLE item_fts USING fts5(
    title, body,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- The unredacted text of redacted items only, searched at custodian level.
CREATE VIRTUAL TABLE item_fts_full USING fts5(
    title, body,
    tokenize = 'unicode61 remove_diacritics 2'
);
