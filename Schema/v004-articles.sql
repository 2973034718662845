-- Quire archive schema, migration 4: what Quire reads out of the articles it keeps.
-- A shipped migration is never edited. See docs/articles.md and docs/schema.md.

-- Derived from each blob's bytes (the same bytes give the same rows in every copy): how they
-- were read and a fingerprint of their text.
CREATE TABLE articles (
    blob        INTEGER PRIMARY KEY REFERENCES blobs(id),
    kind        TEXT NOT NULL,         -- 'html', 'json', 'text', or 'none' (too large, or no bytes)
    encoding    TEXT NOT NULL,         -- how the bytes were read: 'utf-8' or 'windows-1252'
    fingerprint TEXT                   -- sha256 of the text, NFC, white space folded: equal text, different bytes
);
CREATE INDEX articles_fingerprint ON articles(fingerprint);

-- Metadata fields extracted from a blob, each with the extractor (and its version) that found it.
CREATE TABLE article_fields (
    blob      INTEGER NOT NULL REFERENCES blobs(id),
    name      TEXT NOT NULL,           -- title, author, publication, published, modified, url, language
    value     TEXT NOT NULL,
    extractor TEXT NOT NULL            -- e.g. 'html-jsonld/1', 'html-meta/1', 'text/1', 'json/1'
);
CREATE INDEX article_fields_blob ON article_fields(blob, name);

-- Metadata the scraper supplied with `ingest --meta`, per sighting (derived from sightings events).
CREATE TABLE supplied_fields (
    sighting INTEGER NOT NULL REFERENCES sightings(id),
    name     TEXT NOT NULL,
    value    TEXT NOT NULL
);
CREATE INDEX supplied_fields_sighting ON supplied_fields(sighting);
