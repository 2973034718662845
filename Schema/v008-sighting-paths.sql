-- Quire archive schema, migration 8: a sighting names its path by id; each path's text is kept once.
-- A shipped migration is never edited. See docs/schema.md.

-- Re-ingesting a folder sights every file again, so the same paths recur batch after batch. Kept
-- in every sightings row and in the path index, their text was most of what an unchanged
-- re-ingest added to the archive. Now `sightings.path` is the id of a row here, like its
-- `batch`, `blob`, `document` and `version` columns; `sighting_list` still shows the text.
CREATE TABLE paths (
    id   INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE             -- relative path; bytes that are not UTF-8 appear as %XX
);
INSERT INTO paths (path) SELECT path FROM sightings GROUP BY path ORDER BY min(id);

-- The table is rebuilt (SQLite's way to change a column's type). With legacy_alter_table the
-- rename leaves the views alone: batch_list and document_list name `sightings` and so read the
-- new table; sighting_list is made again below to show the path text.
PRAGMA legacy_alter_table = ON;
DROP VIEW sighting_list;

CREATE TABLE sightings_v8 (
    id       INTEGER PRIMARY KEY,
    batch    INTEGER NOT NULL REFERENCES batches(id),
    path     INTEGER NOT NULL REFERENCES paths(id),
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
INSERT INTO sightings_v8 (id, batch, path, path_raw, size, mtime, blob, document, version, meaning, error, event)
SELECT s.id, s.batch, p.id, s.path_raw, s.size, s.mtime, s.blob, s.document, s.version, s.meaning, s.error, s.event
FROM sightings s JOIN paths p ON p.path = s.path
ORDER BY s.id;
DROP TABLE sightings;
ALTER TABLE sightings_v8 RENAME TO sightings;
PRAGMA legacy_alter_table = OFF;

CREATE INDEX sightings_batch ON sightings(batch);
CREATE INDEX sightings_blob ON sightings(blob);
CREATE INDEX sightings_version ON sightings(version);
-- Bundles select the blobs an event's sightings refer to.
CREATE INDEX sightings_event ON sightings(event);
-- Provenance by path: what a path held in each batch.
CREATE INDEX sightings_path ON sightings(path);

-- Every sighting with its batch, path, hash, document and version spelled out.
CREATE VIEW sighting_list AS
SELECT s.id,
       b.uuid  AS batch,
       b.label AS batch_label,
       p.path,
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
JOIN paths p ON p.id = s.path
JOIN batches b ON b.id = s.batch
JOIN events e ON e.id = s.event
LEFT JOIN blobs bl ON bl.id = s.blob
LEFT JOIN documents d ON d.id = s.document
LEFT JOIN versions v ON v.id = s.version;
