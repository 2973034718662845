-- Quire archive schema, migration 4: what Quire reads out of the articles it keeps.
-- A shipped migration is never edited. See docs/articles.md and docs/schema.md.

-- Derived from each blob's bytes (the same bytes give the same row in every copy): how they were
-- read, a fingerprint of their text, the canonical URL, and the metadata fields. One row per blob
-- keeps ingest's single writer fast; the view `article_fields` lists the fields one per row.
CREATE TABLE articles (
    blob        INTEGER PRIMARY KEY REFERENCES blobs(id),
    kind        TEXT NOT NULL,         -- 'html', 'json', 'text', or 'none' (too large, or no bytes)
    encoding    TEXT NOT NULL,         -- how the bytes were read: 'utf-8' or 'windows-1252'
    fingerprint TEXT,                  -- sha256 of the text, NFC, white space folded: equal text, different bytes
    url         TEXT,                  -- the canonical URL, normalized (the document key in URL mode)
    fields      TEXT NOT NULL DEFAULT '[]'  -- JSON: [[name, value, extractor], ...]
);
CREATE INDEX articles_fingerprint ON articles(fingerprint);

-- The metadata fields, one per row: title, author (one row each), publication, published,
-- modified, url, language; with the extractor (and its version) that found each.
CREATE VIEW article_fields AS
SELECT a.blob AS blob,
       json_extract(f.value, '$[0]') AS name,
       json_extract(f.value, '$[1]') AS value,
       json_extract(f.value, '$[2]') AS extractor
FROM articles a, json_each(a.fields) f;

-- Metadata the scraper supplied with `ingest --meta`, per sighting (derived from sightings events).
CREATE TABLE supplied_fields (
    sighting INTEGER NOT NULL REFERENCES sightings(id),
    name     TEXT NOT NULL,
    value    TEXT NOT NULL
);
CREATE INDEX supplied_fields_sighting ON supplied_fields(sighting);
