-- Quire archive schema, migration 13: a sighting names the folder it was read from, and says
-- separately whether its bytes were already stored. A shipped migration is never edited. See
-- docs/schema.md and docs/keys.md.

-- A sighting's path is relative to the input it was found under; with two folders in one batch
-- (day-1 and day-2) the same relative path was read from two places. The root is the absolute
-- folder the path is relative to: the folder given, or the one holding all files given by name.
-- Each root's text is kept once, as paths are.
CREATE TABLE roots (
    id   INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE             -- absolute folder; bytes that are not UTF-8 appear as %XX
);
-- NULL for sightings recorded before this migration (their root is not known).
ALTER TABLE sightings ADD COLUMN root INTEGER REFERENCES roots(id);

-- From now on `meaning` says what happened to the document (new, version, unchanged, failed) and
-- `held` whether the archive already had the bytes (1) or stored them now (0). Before, a new
-- document or version with bytes held elsewhere was `duplicate`; those rows keep that meaning and
-- get held = 1. A `new` sighting always had new bytes, an `unchanged` one held bytes; an older
-- `version` sighting did not record it (NULL).
ALTER TABLE sightings ADD COLUMN held INTEGER CHECK (held IN (0, 1));
UPDATE sightings SET held = 1 WHERE meaning IN ('duplicate', 'unchanged');
UPDATE sightings SET held = 0 WHERE meaning = 'new';

-- Every sighting with where it was read from spelled out: root, path, and the two joined.
CREATE VIEW sighting_reads AS
SELECT s.id,
       b.uuid AS batch,
       r.path AS root,
       p.path,
       CASE WHEN r.path IS NULL THEN p.path
            WHEN r.path = '/' THEN '/' || p.path
            ELSE r.path || '/' || p.path END AS full_path,
       s.meaning,
       s.held
FROM sightings s
JOIN paths p ON p.id = s.path
JOIN batches b ON b.id = s.batch
LEFT JOIN roots r ON r.id = s.root;
