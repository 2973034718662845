-- Quire archive schema, migration 3: the audit trail (redactions, quarantine, verify runs).
-- A shipped migration is never edited. See docs/schema.md and docs/provenance.md.

-- Derived from `redact`, `reinstate` and `purge` events (of any copy). A redaction names a blob
-- by hash; its bytes are deleted in the copy that made it and quarantined in every other copy.
CREATE TABLE redactions (
    id      INTEGER PRIMARY KEY,
    event   INTEGER NOT NULL UNIQUE REFERENCES events(id),
    action  TEXT NOT NULL CHECK (action IN ('redact', 'reinstate', 'purge')),
    blob    TEXT NOT NULL,                 -- the blob's hash
    archive TEXT NOT NULL,                 -- the copy whose operator decided (the event's origin)
    at      TEXT NOT NULL,
    agent   TEXT NOT NULL,
    host    TEXT NOT NULL,
    reason  TEXT
);
CREATE INDEX redactions_blob ON redactions(blob);

-- Blobs whose bytes this copy still holds but does not serve, because a redaction made in another
-- copy arrived. Derived from events: a redaction from elsewhere puts a held blob here; this copy's
-- own `reinstate` (serve it again) or `purge` (delete the bytes) takes it out.
CREATE TABLE quarantine (
    blob  INTEGER PRIMARY KEY REFERENCES blobs(id),
    event INTEGER NOT NULL REFERENCES events(id)   -- the redaction that put it here
);

-- Derived from `verify` events (of any copy): every verification run and its result, so each copy
-- can show when every copy was last checked.
CREATE TABLE verifications (
    id       INTEGER PRIMARY KEY,
    event    INTEGER NOT NULL UNIQUE REFERENCES events(id),
    archive  TEXT NOT NULL,                -- the copy that was checked (the event's origin)
    at       TEXT NOT NULL,
    agent    TEXT NOT NULL,
    host     TEXT NOT NULL,
    tool     TEXT NOT NULL,
    mode     TEXT NOT NULL CHECK (mode IN ('full', 'quick')),
    result   TEXT NOT NULL CHECK (result IN ('clean', 'problems')),
    problems INTEGER NOT NULL,
    blobs    INTEGER NOT NULL,             -- blobs whose bytes were checked (0 for quick)
    bytes    INTEGER NOT NULL,             -- original bytes checked
    events   INTEGER NOT NULL              -- events whose chain links were checked
);

-- Redaction re-encodes the blobs compressed against the one it deletes.
CREATE INDEX blobs_base ON blobs(base);

-- Provenance by path: what a path held in each batch.
CREATE INDEX sightings_path ON sightings(path);
