-- why: an interview is usually a recording, and custos kept it as opaque
-- bytes (issue 12). The technical metadata of a recording (duration,
-- container, codec, sample rate, channels, bit depth, picture size) is a
-- fact about its bytes, so it is keyed by the object and written once at
-- import, in the same transaction as the object's row. `problem` says why
-- something could not be read (a truncated or damaged file still imports
-- with what could be read); `reader` says which tool answered.

CREATE TABLE recordings (
    object_id   INTEGER PRIMARY KEY REFERENCES objects(id),
    duration_ms INTEGER CHECK (duration_ms IS NULL OR duration_ms >= 0),
    container   TEXT,
    codec       TEXT,
    sample_rate INTEGER,
    channels    INTEGER,
    bit_depth   INTEGER,
    width       INTEGER,
    height      INTEGER,
    reader      TEXT NOT NULL,
    problem     TEXT
) STRICT;
-- `duration:10m..1h` is a range over this column.
CREATE INDEX recordings_duration ON recordings(duration_ms);

-- A recording's transcript: its cues (start, end, speaker, text; no times
-- for a plain-text transcript). Setting a new one keeps the old one as
-- history (`current` = 0), each recorded by a `transcript_change` event.
CREATE TABLE transcripts (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES items(id),
    format      TEXT NOT NULL CHECK (format IN ('vtt', 'srt', 'ohms', 'text')),
    current     INTEGER NOT NULL CHECK (current IN (0, 1)),
    event_id    INTEGER NOT NULL REFERENCES events(id),
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX transcripts_current ON transcripts(item_id) WHERE current = 1;

CREATE TABLE cues (
    id            INTEGER PRIMARY KEY,
    transcript_id INTEGER NOT NULL REFERENCES transcripts(id),
    -- The transcript's item again, so raw SQL can shadow a withdrawn
    -- testimony's cues as it does its other rows.
    item_id       INTEGER NOT NULL REFERENCES items(id),
    seq           INTEGER NOT NULL,
    start_ms      INTEGER,
    end_ms        INTEGER,
    speaker       TEXT,
    text          TEXT NOT NULL,
    CHECK ((start_ms IS NULL) = (end_ms IS NULL) AND (start_ms IS NULL OR (start_ms >= 0 AND end_ms > start_ms))),
    UNIQUE (transcript_id, seq)
) STRICT;

-- Time-coded segments (an OHMS index): a time range with a title,
-- synopsis, keywords, a partial transcript, and links to terms.
CREATE TABLE segments (
    id                 INTEGER PRIMARY KEY,
    item_id            INTEGER NOT NULL REFERENCES items(id),
    start_ms           INTEGER NOT NULL CHECK (start_ms >= 0),
    end_ms             INTEGER NOT NULL,
    title              TEXT NOT NULL,
    synopsis           TEXT,
    partial_transcript TEXT,
    -- JSON array of strings, in the order given.
    keywords           TEXT NOT NULL DEFAULT '[]',
    CHECK (end_ms > start_ms)
) STRICT;
CREATE INDEX segments_item ON segments(item_id, start_ms);

CREATE TABLE segment_terms (
    segment_id INTEGER NOT NULL REFERENCES segments(id),
    item_id    INTEGER NOT NULL REFERENCES items(id),
    term_id    INTEGER NOT NULL REFERENCES terms(id),
    PRIMARY KEY (segment_id, term_id)
) STRICT;

-- Passage restrictions: a time range closed below a level, optionally
-- until a day. A row is never deleted: lifting sets `lifted_event`.
CREATE TABLE passages (
    id           INTEGER PRIMARY KEY,
    item_id      INTEGER NOT NULL REFERENCES items(id),
    start_ms     INTEGER NOT NULL CHECK (start_ms >= 0),
    end_ms       INTEGER NOT NULL,
    -- Closed below this level: 'custodian' (only the custodian hears it)
    -- or 'research' (research and custodian do).
    level        TEXT NOT NULL CHECK (level IN ('custodian', 'research')),
    until        TEXT CHECK (until IS NULL OR until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    reason       TEXT NOT NULL,
    event_id     INTEGER NOT NULL REFERENCES events(id),
    lifted_event INTEGER REFERENCES events(id),
    recorded_at  TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    CHECK (end_ms > start_ms)
) STRICT;
CREATE INDEX passages_item ON passages(item_id);

-- Full-text index of what is said (cues) and indexed (segments), one row
-- per cue or segment with its time range, so a hit can be placed in the
-- recording and a hit inside a passage closed to the reader left out at
-- query time (`policy::passage::visible_hits`). Its name starts with
-- `item_fts`, so raw SQL never reads it.
CREATE VIRTUAL TABLE item_fts_timed USING fts5(
    text,
    item_id UNINDEXED,
    start_ms UNINDEXED,
    end_ms UNINDEXED,
    source UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
