-- Quire archive schema, migration 12: revisits whose payload is elsewhere, the payload digests
-- WARC records declared, and captures that are not whole successful responses.
-- A shipped migration is never edited. See docs/schema.md and docs/warc.md.

-- The names under which a WARC revisit may refer to a payload, each with the blob of that
-- payload: `digest:ALG:HEX` (the WARC-Payload-Digest a record declared, its algorithm in lower
-- case without dashes and its bytes in lower-case hex, whatever spelling and encoding the record
-- used), `record:ID` (its WARC-Record-ID without angle brackets), `capture:URI DATE` (its target
-- URI and the 14 digits of its WARC-Date). Derived from the sightings events (the supplied fields
-- `warc_payload_digest`, `warc_record_id`, `url`, `warc_date` of a sighting with a blob), so every
-- copy holding the same events has the same rows. A blob's own SHA-256 is its hash and is not
-- repeated here.
CREATE TABLE payload_references (
    reference TEXT NOT NULL,
    blob      INTEGER NOT NULL REFERENCES blobs(id),
    PRIMARY KEY (reference, blob)
) WITHOUT ROWID;
CREATE INDEX payload_references_blob ON payload_references(blob);

-- What each pending sighting (meaning 'pending': a WARC revisit whose payload was neither in its
-- batch nor in the archive when it was recorded) refers to, in the forms above. The payload it
-- links up with, once this copy holds one, follows from these rows (see `pending_revisits`).
CREATE TABLE pending_references (
    sighting  INTEGER NOT NULL REFERENCES sightings(id),
    reference TEXT NOT NULL,
    PRIMARY KEY (sighting, reference)
) WITHOUT ROWID;
CREATE INDEX pending_references_reference ON pending_references(reference);

-- Why a version is not a whole successful capture (an HTTP status that is not 2xx, a truncated
-- record), NULL when it is: such a version never replaces a whole one as its document's head
-- (the rule is in docs/schema.md). Versions recorded before this migration are whole.
ALTER TABLE versions ADD COLUMN partial TEXT;

-- Set while the payload references of sightings recorded before this migration wait to be
-- indexed (Quire does it when it next opens the archive for writing, and removes the mark).
INSERT INTO archive (key, value) VALUES ('payload_references', 'to index');

-- `sightings` is rebuilt (SQLite's way to change a CHECK constraint): meaning 'pending' is
-- allowed, and `partial` says why the capture was not whole. The views that show sightings are
-- made again below; with legacy_alter_table the rename leaves document_list alone.
PRAGMA legacy_alter_table = ON;
DROP VIEW sighting_list;
DROP VIEW batch_list;

CREATE TABLE sightings_v11 (
    id       INTEGER PRIMARY KEY,
    batch    INTEGER NOT NULL REFERENCES batches(id),
    path     INTEGER NOT NULL REFERENCES paths(id),
    path_raw BLOB,                        -- the exact name bytes, only when they are not UTF-8
    size     INTEGER,
    mtime    TEXT,
    blob     INTEGER REFERENCES blobs(id),
    document INTEGER REFERENCES documents(id),
    version  INTEGER REFERENCES versions(id),
    meaning  TEXT NOT NULL CHECK (meaning IN ('new', 'version', 'duplicate', 'unchanged', 'failed', 'pending')),
    error    TEXT,                        -- why a 'failed' sighting failed
    event    INTEGER NOT NULL REFERENCES events(id),
    partial  TEXT                         -- why the capture is not whole (HTTP 404, truncated), when it is not
);
INSERT INTO sightings_v11 (id, batch, path, path_raw, size, mtime, blob, document, version, meaning, error, event)
SELECT id, batch, path, path_raw, size, mtime, blob, document, version, meaning, error, event
FROM sightings ORDER BY id;
DROP TABLE sightings;
ALTER TABLE sightings_v11 RENAME TO sightings;
PRAGMA legacy_alter_table = OFF;

CREATE INDEX sightings_batch ON sightings(batch);
CREATE INDEX sightings_blob ON sightings(blob);
CREATE INDEX sightings_version ON sightings(version);
CREATE INDEX sightings_event ON sightings(event);
CREATE INDEX sightings_path ON sightings(path);

-- Every pending sighting with the payload it links up with once this copy holds one (NULL until
-- then): the blob a reference names, or whose SHA-256 a `digest:sha256:` reference is; the
-- smallest such hash when several are.
CREATE VIEW pending_revisits AS
SELECT s.id AS sighting,
       (SELECT min(h) FROM (
            SELECT b.hash AS h FROM pending_references r JOIN payload_references p ON p.reference = r.reference
            JOIN blobs b ON b.id = p.blob WHERE r.sighting = s.id
            UNION ALL
            SELECT b.hash FROM pending_references r JOIN blobs b ON b.hash = substr(r.reference, 15)
            WHERE r.sighting = s.id AND r.reference LIKE 'digest:sha256:%'))
       AS blob
FROM sightings s WHERE s.meaning = 'pending';

-- Every sighting with its batch, path, hash, document and version spelled out. `blob` is the
-- blob the sighting names or, for a pending one, the payload it links up with once it arrived.
CREATE VIEW sighting_list AS
SELECT s.id,
       b.uuid  AS batch,
       b.label AS batch_label,
       p.path,
       s.size,
       s.mtime,
       coalesce(bl.hash, pr.blob) AS blob,
       d.key   AS document,
       v.hash  AS version,
       s.meaning,
       s.error,
       e.at    AS seen_at,
       b.agent,
       b.host,
       s.partial
FROM sightings s
JOIN paths p ON p.id = s.path
JOIN batches b ON b.id = s.batch
JOIN events e ON e.id = s.event
LEFT JOIN blobs bl ON bl.id = s.blob
LEFT JOIN documents d ON d.id = s.document
LEFT JOIN versions v ON v.id = s.version
LEFT JOIN pending_revisits pr ON pr.sighting = s.id;

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
       coalesce(sum(s.size), 0)                    AS bytes,
       coalesce(sum(s.meaning = 'pending'), 0)     AS pending
FROM batches b
LEFT JOIN sightings s ON s.batch = b.id
GROUP BY b.id;
