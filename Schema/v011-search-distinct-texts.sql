-- Quire archive schema, migration 11: the search index holds each distinct article text once.
-- A shipped migration is never edited. See docs/articles.md and docs/schema.md.
--
-- Re-captures of a page (cache-busters, an ad slot, a timestamp) and syndicated copies mostly
-- carry the same title and text; indexed once per blob, the FTS5 index grew to half the archive.
-- From this migration an `article_search` row is one distinct (title, text): its row id is the
-- id of the first blob that had it, and `article_index.row` says which row each blob's text is.

-- The distinct texts in `article_search`: SHA-256 of the indexed title, a NUL and the body.
CREATE TABLE search_texts (
    hash BLOB PRIMARY KEY,
    row INTEGER NOT NULL
) WITHOUT ROWID;

ALTER TABLE article_index ADD COLUMN row INTEGER;
CREATE INDEX article_index_row ON article_index(row);

-- Row ids used to be blob ids, one row per blob: start again. The next search (or the next
-- ingest into an archive that keeps the index) adds every article back, with progress.
DELETE FROM article_index;
INSERT INTO article_search (article_search) VALUES ('delete-all');
-- An archive that kept the index builds it again at its next search ('on' again afterwards).
UPDATE archive SET value = 'rebuild' WHERE key = 'search_index' AND value = 'on';
