-- why: issue 14. Originals get verified copies at other sites (an S3
-- bucket, a folder on a USB disk) under the same content-addressed keys.
-- A `copies` row exists only once the bytes at the site were read back and
-- their SHA-256 matched, so the catalogue never claims a copy that is not
-- there. Credentials are never stored here: a site names where its
-- credentials come from (a file path, a profile), not what they are.
CREATE TABLE sites (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    url              TEXT NOT NULL,
    endpoint         TEXT,
    region           TEXT,
    credentials_file TEXT,
    profile          TEXT,
    added_at         TEXT NOT NULL
) STRICT;

-- One row per object per site, replaced by each check of that copy.
CREATE TABLE copies (
    site_id     INTEGER NOT NULL REFERENCES sites(id),
    object_id   INTEGER NOT NULL REFERENCES objects(id),
    size        INTEGER NOT NULL CHECK (size >= 0),
    copied_at   TEXT NOT NULL,
    verified_at TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('ok','changed','missing','io_error')),
    PRIMARY KEY (site_id, object_id)
) STRICT;
CREATE INDEX copies_object ON copies(object_id);

-- A purge whose deletion at a site is not yet confirmed (the site could not
-- be reached). The key names the bytes until the deletion is done; the row
-- goes with the confirmation.
CREATE TABLE site_purges (
    site_id INTEGER NOT NULL REFERENCES sites(id),
    key     TEXT NOT NULL,
    -- The purged item (its tombstone row stays), for the log entry of the deletion.
    for_item INTEGER,
    since   TEXT NOT NULL,
    PRIMARY KEY (site_id, key)
) STRICT;

-- A multipart upload in flight, recorded before its first part, so a run
-- killed mid-upload leaves a record the next run aborts.
CREATE TABLE site_uploads (
    site_id   INTEGER NOT NULL REFERENCES sites(id),
    key       TEXT NOT NULL,
    upload_id TEXT NOT NULL,
    started   TEXT NOT NULL,
    PRIMARY KEY (site_id, key, upload_id)
) STRICT;
