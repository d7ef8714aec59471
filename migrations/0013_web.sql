-- why: issue 15. The web portal serves researchers holding a token: a
-- random secret shown once, stored here only as its SHA-256, with a label
-- (who holds it), the level it grants, when it was made, the last day it
-- is valid and when it was revoked. Each item view and download served at
-- research level is logged for the custodian (who, what, when).
CREATE TABLE web_tokens (
    id          INTEGER PRIMARY KEY,
    hash        TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
    label       TEXT NOT NULL CHECK (length(trim(label)) > 0),
    level       TEXT NOT NULL CHECK (level IN ('public', 'research')),
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    expires     TEXT NOT NULL,
    revoked_at  TEXT
);

-- token_id is NULL for an anonymous reader of a server run at research
-- level. item_id is a number only (no reference): the log outlives a purge.
CREATE TABLE research_access_log (
    id        INTEGER PRIMARY KEY,
    token_id  INTEGER REFERENCES web_tokens(id),
    item_id   INTEGER NOT NULL,
    what      TEXT NOT NULL CHECK (what IN ('view', 'download')),
    at        TEXT NOT NULL
);
CREATE INDEX research_access_log_by_item ON research_access_log(item_id);
