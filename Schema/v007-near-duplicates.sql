-- Quire archive schema, migration 7: finding an archived near-duplicate of a new article.
-- A shipped migration is never edited. See docs/articles.md and docs/schema.md.

-- Derived from each article blob's text: the two smallest hashes of its 8-word shingles, as
-- signed 64-bit integers. Two texts share their smallest shingle hash with probability equal to
-- their resemblance, so ingest looks a new document's keys up here to find an archived
-- near-duplicate (a syndicated copy, a light rewrite) and compresses the new bytes with that
-- one's as the preset dictionary. Blobs stored before this migration have no rows.
CREATE TABLE article_near_keys (
    key  INTEGER NOT NULL,
    blob INTEGER NOT NULL REFERENCES blobs(id),
    PRIMARY KEY (key, blob)
) WITHOUT ROWID;
