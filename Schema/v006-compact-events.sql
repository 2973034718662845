-- Quire archive schema, migration 6: long event payloads are stored compressed.
-- A shipped migration is never edited. See docs/schema.md.

-- When payload_size is NULL, events.payload is the canonical JSON as TEXT (as before). When it is
-- set, payload is a BLOB: that JSON compressed with zlib (RFC 1950, the format of the sqlite3
-- shell's sqlar_compress), and payload_size is the JSON's length in bytes. In the shell:
--   SELECT CAST(sqlar_uncompress(payload, payload_size) AS TEXT) FROM events;
-- The chain hash is over the JSON text, however it is stored. Events written before this
-- migration stay as they were.
ALTER TABLE events ADD COLUMN payload_size INTEGER;
