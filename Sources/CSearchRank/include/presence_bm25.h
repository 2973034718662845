#ifndef QUIRE_PRESENCE_BM25_H
#define QUIRE_PRESENCE_BM25_H

#include <sqlite3.h>

/* Registers the FTS5 auxiliary function presence_bm25(TABLE, PHRASES) on a connection: bm25
   from which rows hold each query word and whose titles do, for an index that keeps only row ids
   (detail=none, no content), with the titles in a second such index, article_titles (see
   presence_bm25.c). Returns SQLITE_OK or an SQLite error code. */
int quire_register_presence_bm25(sqlite3 *db);

#endif
