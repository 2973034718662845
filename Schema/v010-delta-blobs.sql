-- Quire archive schema, migration 10: blobs stored as deltas.
-- A shipped migration is never edited. See docs/schema.md.

-- From this version a blob may be stored with encoding 'delta': its chunks hold one zlib stream
-- (RFC 1950) of a copy/insert delta in Fossil's delta format against the whole original bytes of
-- blob `base` (docs/schema.md, "Deltas"), so a re-capture or a syndicated copy costs about its
-- differences. `depth` is the base's depth plus one, at most 15, as for the older 'zlib' blobs
-- with a preset dictionary. The tables do not change; the version number does, so an older Quire,
-- which cannot read such blobs, refuses the archive instead of misreading it.
CREATE INDEX IF NOT EXISTS blobs_base ON blobs(base);
