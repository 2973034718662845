#ifndef QUIRE_COLUMN_BM25_H
#define QUIRE_COLUMN_BM25_H

#include <sqlite3.h>

/* Registers the FTS5 auxiliary function column_bm25(TABLE, weight, ...) on a connection: bm25
   over the columns each query word occurs in, for an index with detail=column and no content
   (see column_bm25.c). Returns SQLITE_OK or an SQLite error code. */
int quire_register_column_bm25(sqlite3 *db);

#endif
