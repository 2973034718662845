-- Quire archive schema, migration 1: the initial tables.
-- A shipped migration is never edited: change the schema with a new file (v002-..., listed in
-- Migrations.swift). See docs/schema.md for what every column means.

-- Facts about this archive: 'archive_id' (a UUID made at init), 'created_at', 'created_by'.
CREATE TABLE archive (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every archive copy whose events this file holds, this one included.
CREATE TABLE origins (
    id      INTEGER PRIMARY KEY,
    archive TEXT NOT NULL UNIQUE          -- the archive id (UUID) of the copy that wrote the events
);

-- The change log. Every change is an event, numbered (origin, seq), never altered. Each origin's
-- events form a hash chain: hash = sha256(previous hash, origin, seq, kind, at, payload), see
-- docs/schema.md. Everything below this table is derived from events and blobs.
CREATE TABLE events (
    id      INTEGER PRIMARY KEY,          -- local arrival order (a valid order to replay them in)
    origin  INTEGER NOT NULL REFERENCES origins(id),
    seq     INTEGER NOT NULL,             -- 1, 2, 3, ... within the origin
    kind    TEXT NOT NULL,                -- 'batch.open', 'batch.close', 'sighting', ...
    at      TEXT NOT NULL,                -- when the origin recorded it (UTC, ISO 8601)
    payload TEXT NOT NULL,                -- canonical JSON (keys sorted, no spaces)
    hash    TEXT NOT NULL,                -- this event's chain hash, 64 hex digits
    UNIQUE (origin, seq)
);

-- The exact bytes of every captured file, stored once, addressed by SHA-256.
CREATE TABLE blobs (
    id          INTEGER PRIMARY KEY,
    hash        TEXT NOT NULL UNIQUE,     -- sha256 of the original bytes, 64 lowercase hex digits
    size        INTEGER NOT NULL,         -- original size in bytes
    encoding    TEXT NOT NULL,            -- 'raw' (chunks hold the bytes) or 'zlib' (chunks hold a zlib stream)
    base        INTEGER REFERENCES blobs(id), -- preset dictionary: the first 32 KiB of this blob's bytes
    depth       INTEGER NOT NULL DEFAULT 0,   -- how many bases must be read before this one (at most 15)
    stored_size INTEGER NOT NULL          -- bytes in the chunks
);

-- A blob's stored bytes, in order; concatenated they are the raw bytes or the zlib stream.
CREATE TABLE blob_chunks (
    blob INTEGER NOT NULL REFERENCES blobs(id),
    n    INTEGER NOT NULL,                -- 0, 1, 2, ...
    data BLOB NOT NULL,
    PRIMARY KEY (blob, n)
);

-- One ingest run.
CREATE TABLE batches (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    origin      INTEGER NOT NULL REFERENCES origins(id),
    label       TEXT NOT NULL,
    source      TEXT,
    agent       TEXT NOT NULL,            -- who ran it (default user@host)
    host        TEXT NOT NULL,
    tool        TEXT NOT NULL,            -- e.g. 'quire 0.1.0'
    note        TEXT,
    inputs      TEXT NOT NULL,            -- JSON array of the paths given
    started_at  TEXT NOT NULL,
    finished_at TEXT,                     -- NULL while running, or if it was interrupted
    event       INTEGER NOT NULL REFERENCES events(id)
);

-- One article: its key is its path relative to the ingest root (or, later, its canonical URL).
CREATE TABLE documents (
    id   INTEGER PRIMARY KEY,
    key  TEXT NOT NULL UNIQUE,
    head INTEGER REFERENCES versions(id)  -- the current head, by the rule in docs/schema.md
);

-- One state of a document. hash = sha256 of the canonical JSON {"blob","key","parents"}, so the
-- same change made in two copies is the same version.
CREATE TABLE versions (
    id         INTEGER PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,
    document   INTEGER NOT NULL REFERENCES documents(id),
    blob       INTEGER NOT NULL REFERENCES blobs(id),
    created_at TEXT NOT NULL,             -- earliest time any copy recorded it
    event      INTEGER NOT NULL REFERENCES events(id)
);
CREATE INDEX versions_document ON versions(document, blob);
CREATE INDEX versions_blob ON versions(blob);

CREATE TABLE version_parents (
    version INTEGER NOT NULL REFERENCES versions(id),
    parent  INTEGER NOT NULL REFERENCES versions(id),
    PRIMARY KEY (version, parent)
) WITHOUT ROWID;
CREATE INDEX version_parents_parent ON version_parents(parent);

-- One observation of one file in one batch.
CREATE TABLE sightings (
    id       INTEGER PRIMARY KEY,
    batch    INTEGER NOT NULL REFERENCES batches(id),
    path     TEXT NOT NULL,               -- relative path; bytes that are not UTF-8 appear as %XX
    path_raw BLOB,                        -- the exact name bytes, only when they are not UTF-8
    size     INTEGER,
    mtime    TEXT,
    blob     INTEGER REFERENCES blobs(id),
    document INTEGER REFERENCES documents(id),
    version  INTEGER REFERENCES versions(id),
    meaning  TEXT NOT NULL CHECK (meaning IN ('new', 'version', 'duplicate', 'unchanged', 'failed')),
    error    TEXT,                        -- why a 'failed' sighting failed
    event    INTEGER NOT NULL REFERENCES events(id)
);
CREATE INDEX sightings_batch ON sightings(batch);
CREATE INDEX sightings_blob ON sightings(blob);
CREATE INDEX sightings_version ON sightings(version);

-- Views for people with only the sqlite3 shell.

-- Every sighting with its batch, hash, document and version spelled out.
CREATE VIEW sighting_list AS
SELECT s.id,
       b.uuid  AS batch,
       b.label AS batch_label,
       s.path,
       s.size,
       s.mtime,
       bl.hash AS blob,
       d.key   AS document,
       v.hash  AS version,
       s.meaning,
       s.error,
       e.at    AS seen_at,
       b.agent,
       b.host
FROM sightings s
JOIN batches b ON b.id = s.batch
JOIN events e ON e.id = s.event
LEFT JOIN blobs bl ON bl.id = s.blob
LEFT JOIN documents d ON d.id = s.document
LEFT JOIN versions v ON v.id = s.version;

-- Every batch with its counts of sightings by meaning.
CREATE VIEW batch_list AS
SELECT b.uuid,
       b.label,
       b.source,
       b.agent,
       b.host,
       b.tool,
       b.started_at,
       b.finished_at,
       count(s.id)                                 AS files,
       coalesce(sum(s.meaning = 'new'), 0)         AS new,
       coalesce(sum(s.meaning = 'version'), 0)     AS version,
       coalesce(sum(s.meaning = 'duplicate'), 0)   AS duplicate,
       coalesce(sum(s.meaning = 'unchanged'), 0)   AS unchanged,
       coalesce(sum(s.meaning = 'failed'), 0)      AS failed,
       coalesce(sum(s.size), 0)                    AS bytes
FROM batches b
LEFT JOIN sightings s ON s.batch = b.id
GROUP BY b.id;

-- Every document with its current head.
CREATE VIEW document_list AS
SELECT d.key,
       v.hash  AS head,
       bl.hash AS head_blob,
       (SELECT count(*) FROM versions x WHERE x.document = d.id) AS versions,
       (SELECT max(e.at) FROM versions x JOIN sightings s ON s.version = x.id JOIN events e ON e.id = s.event
        WHERE x.document = d.id) AS last_seen
FROM documents d
LEFT JOIN versions v ON v.id = d.head
LEFT JOIN blobs bl ON bl.id = v.blob;
