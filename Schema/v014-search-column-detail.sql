-- Quire archive schema, migration 14: the search index keeps which columns a word is in, not
-- where in them. A shipped migration is never edited. See docs/articles.md and docs/schema.md.
--
-- With every word's positions (FTS5 detail=full) the index was more than half of an archive of
-- syndicated copies (65.5 MB of 116.9 on 2,225 BBC articles x 20). detail=column keeps, for each
-- word and text, the columns it occurs in and how often (bm25 ranks as before) at about half
-- the size. FTS5 cannot then answer a phrase itself: search asks it for texts with all of the
-- phrase's words and confirms the phrase in each candidate's own text (Search.swift).

-- The index cannot be converted in place (contentless: the text is in the blobs): start again.
DROP TABLE article_search;
CREATE VIRTUAL TABLE article_search USING fts5(
    title, body, content='', detail=column, tokenize='unicode61 remove_diacritics 2'
);
DELETE FROM article_index;
DELETE FROM search_texts;
-- An archive that kept the index builds it again at its next search ('on' again afterwards),
-- with progress, as after migration 11.
UPDATE archive SET value = 'rebuild' WHERE key = 'search_index' AND value = 'on';
