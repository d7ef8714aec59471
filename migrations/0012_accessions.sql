-- why: issue 18. An archive receives material in accessions: a donation or
-- transfer with a number, a donor, a day received and an agreement. Items
-- link to the accession they came in; the donor agreement (an item) names
-- people, so it is the custodian's alone like consent evidence: the
-- trigger below marks it, which the access policy already reads.
CREATE TABLE accessions (
    id                INTEGER PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE CHECK (length(trim(number)) > 0),
    donor             TEXT NOT NULL,
    received          TEXT NOT NULL,
    agreement_item_id INTEGER REFERENCES items(id),
    agreement_note    TEXT,
    extent            TEXT,
    note              TEXT,
    recorded_at       TEXT NOT NULL,
    recorded_by       TEXT NOT NULL
);

CREATE TABLE accession_items (
    item_id      INTEGER PRIMARY KEY REFERENCES items(id),
    accession_id INTEGER NOT NULL REFERENCES accessions(id)
);
CREATE INDEX accession_items_by_accession ON accession_items(accession_id);

CREATE TRIGGER accession_agreement_flag AFTER INSERT ON accessions
WHEN NEW.agreement_item_id IS NOT NULL BEGIN
    UPDATE items SET is_evidence = 1 WHERE id = NEW.agreement_item_id;
END;
