-- Quire archive schema, migration 5: full-text search over article text and metadata.
-- A shipped migration is never edited. See docs/articles.md and docs/schema.md.

-- SQLite FTS5 over each article blob's title and text (HTML reduced to text), row id = blobs.id.
-- Contentless: the text is not stored twice (it is in the blobs); only the index is, with
-- positions, so results are ranked by bm25.
CREATE VIRTUAL TABLE article_search USING fts5(
    title, body, content='', tokenize='unicode61 remove_diacritics 2'
);

-- The blobs in `article_search`. The index is built the first time `quire search` runs; from
-- then on ingest and import keep it current (archive key 'search_index' = 'on').
CREATE TABLE article_index (
    blob INTEGER PRIMARY KEY REFERENCES blobs(id)
);
