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
