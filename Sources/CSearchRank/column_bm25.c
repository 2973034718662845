/* column_bm25: FTS5's bm25 ranking for a contentless index with detail=column.
 *
 * FTS5's own bm25() counts each word's occurrences in a row. With detail=column the index keeps
 * only which columns a word is in, and FTS5 recovers the occurrences by tokenizing the row's
 * text again; a contentless table has no text, so bm25() scores every row 0. This function
 * ranks from what the index does hold: for each query word, the columns of the row that have
 * it (each counting its weight, 1 by default, as one occurrence), the row's length in tokens
 * (the docsize table) and the word's document frequency (one xQueryPhrase per word per
 * query, kept as auxiliary data), in bm25's formula with bm25()'s k1 = 1.2 and b = 0.75.
 * Like bm25() it returns minus the score: lower is better, so `ORDER BY` it ascending.
 */
#include "column_bm25.h"

#include <math.h>

/* What one query needs for every row: the average row length and each word's IDF. */
typedef struct {
    int phrases;
    double averageLength;
    double *idf;
} QueryData;

static int countRow(const Fts5ExtensionApi *api, Fts5Context *fts, void *context) {
    (void)api;
    (void)fts;
    (*(sqlite3_int64 *)context)++;
    return SQLITE_OK;
}

/* The query's data, computed at its first row and kept by FTS5 until the query ends. */
static int queryData(const Fts5ExtensionApi *api, Fts5Context *fts, QueryData **out) {
    QueryData *data = api->xGetAuxdata(fts, 0);
    if (data) {
        *out = data;
        return SQLITE_OK;
    }
    sqlite3_int64 rows = 0, tokens = 0;
    int rc = api->xRowCount(fts, &rows);
    if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
    if (rc != SQLITE_OK) return rc;
    int phrases = api->xPhraseCount(fts);
    data = sqlite3_malloc64(sizeof(QueryData) + sizeof(double) * (sqlite3_uint64)(phrases > 0 ? phrases : 1));
    if (!data) return SQLITE_NOMEM;
    data->phrases = phrases;
    data->idf = (double *)&data[1];
    data->averageLength = rows > 0 && tokens > 0 ? (double)tokens / (double)rows : 1.0;
    for (int i = 0; i < phrases && rc == SQLITE_OK; i++) {
        sqlite3_int64 hits = 0;
        rc = api->xQueryPhrase(fts, i, &hits, countRow);
        /* As bm25(): a word in more than half the rows still counts a little, never negatively. */
        double idf = log(((double)rows - (double)hits + 0.5) / ((double)hits + 0.5));
        data->idf[i] = idf <= 0 ? 1e-6 : idf;
    }
    if (rc != SQLITE_OK) {
        sqlite3_free(data);
        return rc;
    }
    rc = api->xSetAuxdata(fts, data, sqlite3_free); /* frees data itself when it fails */
    if (rc == SQLITE_OK) *out = data;
    return rc;
}

static void columnBM25(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *context, int count, sqlite3_value **weights) {
    const double k1 = 1.2, b = 0.75;
    QueryData *data = 0;
    int rc = queryData(api, fts, &data);
    double length = 0;
    int columns = api->xColumnCount(fts);
    for (int c = 0; c < columns && rc == SQLITE_OK; c++) {
        int size = 0;
        rc = api->xColumnSize(fts, c, &size);
        length += size;
    }
    double score = 0;
    for (int i = 0; rc == SQLITE_OK && i < data->phrases; i++) {
        Fts5PhraseIter iterator;
        int column = -1;
        double frequency = 0;
        rc = api->xPhraseFirstColumn(fts, i, &iterator, &column);
        while (rc == SQLITE_OK && column >= 0) {
            frequency += column < count ? sqlite3_value_double(weights[column]) : 1.0;
            api->xPhraseNextColumn(fts, &iterator, &column);
        }
        if (frequency > 0) {
            score += data->idf[i] * frequency * (k1 + 1) / (frequency + k1 * (1 - b + b * length / data->averageLength));
        }
    }
    if (rc == SQLITE_OK) {
        sqlite3_result_double(context, -score);
    } else {
        sqlite3_result_error_code(context, rc);
    }
}

/* The connection's FTS5 API, through the documented `SELECT fts5(?1)` pointer handshake. */
static fts5_api *fts5API(sqlite3 *db) {
    fts5_api *api = 0;
    sqlite3_stmt *statement = 0;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &statement, 0) != SQLITE_OK) return 0;
    sqlite3_bind_pointer(statement, 1, (void *)&api, "fts5_api_ptr", 0);
    sqlite3_step(statement);
    sqlite3_finalize(statement);
    return api;
}

int quire_register_column_bm25(sqlite3 *db) {
    fts5_api *api = fts5API(db);
    if (!api || api->iVersion < 2) return SQLITE_ERROR;
    return api->xCreateFunction(api, "column_bm25", 0, columnBM25, 0);
}
