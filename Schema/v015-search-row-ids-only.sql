-- Quire archive schema, migration 15: the search index keeps only which texts hold each word,
-- and a second index of the same kind holds the titles. A shipped migration is never edited.
-- See docs/articles.md and docs/schema.md.
--
-- With detail=column (migration 14) the index kept, for each word and text, which of the two
-- columns had it: on 2,225 BBC articles x 20 syndicated copies that was 31 of the archive's 82 MB.
-- detail=none keeps the row ids alone (about 12 MB there). Ranking needs two facts per word and
-- text, whether the text has it and whether its title does: the first is the word's own list
-- (read once per query, as the word's document frequency already was), the second the same list
-- in `article_titles`, an index of the titles alone (presence_bm25, docs/articles.md). Matching is
-- unchanged: a text matches when each word is in its title or its body.

-- Neither index can be converted in place (contentless: the text is in the blobs): start again.
DROP TABLE article_search;
CREATE VIRTUAL TABLE article_search USING fts5(
    title, body, content='', detail=none, tokenize='unicode61 remove_diacritics 2'
);
-- The titles' index needs no lengths (the rank takes the row's length from article_search).
CREATE VIRTUAL TABLE article_titles USING fts5(
    title, content='', detail=none, columnsize=0, tokenize='unicode61 remove_diacritics 2'
);
DELETE FROM article_index;
DELETE FROM search_texts;
-- An archive that kept the index builds it again at its next search ('on' again afterwards),
-- with progress, as after migrations 11 and 14.
UPDATE archive SET value = 'rebuild' WHERE key = 'search_index' AND value = 'on';
