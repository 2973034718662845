-- Quire archive schema, migration 11: a placeholder on the issue-20 branch only.
-- Another branch adds the real migration 11; when the branches merge, its file replaces this one
-- (this file never ships). It changes nothing.
SELECT 1;
