/* presence_bm25: bm25 ranking for a contentless FTS5 index that keeps only row ids (detail=none).
 *
 * Such an index knows, for each word, the rows it is in, and nothing of where: FTS5's own bm25()
 * re-tokenizes a row's text to count occurrences, and a contentless table has none, so it scores
 * every row 0. This function ranks from what the index and its neighbour hold:
 *   - for each query word (an FTS5 phrase), the rows that have it, from one xQueryPhrase per word
 *     per query (which also gives the word's document frequency), kept as a bitmap of row ids;
 *   - the rows whose title has it, from a query on article_titles, the same kind of index over
 *     the titles alone, with the word as the query gives it (the function's argument after the
 *     table: each phrase's FTS5 string followed by the unit separator 0x1F, in the query's
 *     order; one argument, as SQLite allows a function only 127);
 *   - the row's length in tokens (the docsize table, xColumnSize).
 * A word counts once when the row has it and once more when its title does (so a title word weighs
 * twice), in bm25's formula with bm25()'s k1 = 1.2 and b = 0.75. Like bm25() it returns minus the
 * score: lower is better, so `ORDER BY` it ascending.
 */
#include "presence_bm25.h"

#include <math.h>
#include <string.h>

/* A set of row ids: bits for rows first .. first + 64 * words - 1, grown in both directions. */
typedef struct {
    sqlite3_int64 first;
    sqlite3_int64 words;
    sqlite3_uint64 *bits;
    sqlite3_int64 count;
} RowSet;

static int rowSetAdd(RowSet *set, sqlite3_int64 row) {
    if (!set->bits) {
        set->bits = sqlite3_malloc64(8 * 64);
        if (!set->bits) return SQLITE_NOMEM;
        memset(set->bits, 0, 8 * 64);
        set->first = row - (row % 64 + 64) % 64;
        set->words = 64;
    }
    if (row < set->first || row >= set->first + 64 * set->words) {
        sqlite3_int64 low = row < set->first ? row - (row % 64 + 64) % 64 : set->first;
        sqlite3_int64 end = set->first + 64 * set->words;
        if (row >= end) end = row - (row % 64 + 64) % 64 + 64;
        sqlite3_int64 words = (end - low) / 64;
        if (words < 2 * set->words) { /* grow by at least twice, on the side the row is */
            sqlite3_int64 extra = 2 * set->words - words;
            if (row < set->first) low -= 64 * extra; else end += 64 * extra;
            words = 2 * set->words;
        }
        sqlite3_uint64 *bits = sqlite3_malloc64((sqlite3_uint64)words * 8);
        if (!bits) return SQLITE_NOMEM;
        memset(bits, 0, (size_t)words * 8);
        memcpy(bits + (set->first - low) / 64, set->bits, (size_t)set->words * 8);
        sqlite3_free(set->bits);
        set->bits = bits;
        set->first = low;
        set->words = words;
    }
    sqlite3_int64 offset = row - set->first;
    sqlite3_uint64 bit = (sqlite3_uint64)1 << (offset % 64);
    if (!(set->bits[offset / 64] & bit)) {
        set->bits[offset / 64] |= bit;
        set->count++;
    }
    return SQLITE_OK;
}

static int rowSetHas(const RowSet *set, sqlite3_int64 row) {
    if (!set->bits || row < set->first || row >= set->first + 64 * set->words) return 0;
    sqlite3_int64 offset = row - set->first;
    return (set->bits[offset / 64] >> (offset % 64)) & 1;
}

/* What one query needs for every row: the average row length, and per word its IDF, the rows
   that have it and the rows whose title has it. */
typedef struct {
    int phrases;
    double averageLength;
    double *idf;
    RowSet *inRow;
    RowSet *inTitle;
} QueryData;

static void freeQueryData(void *pointer) {
    QueryData *data = pointer;
    for (int i = 0; i < data->phrases; i++) {
        sqlite3_free(data->inRow[i].bits);
        sqlite3_free(data->inTitle[i].bits);
    }
    sqlite3_free(data);
}

static int addRow(const Fts5ExtensionApi *api, Fts5Context *fts, void *context) {
    return rowSetAdd(context, api->xRowid(fts));
}

/* The rows of article_titles that match `phrase` (an FTS5 string of `length` bytes, as the main
   query has it). */
static int titleRows(sqlite3 *db, const char *phrase, int length, RowSet *set) {
    sqlite3_stmt *statement = 0;
    int rc = sqlite3_prepare_v2(db, "SELECT rowid FROM article_titles WHERE article_titles MATCH ?1", -1, &statement, 0);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(statement, 1, phrase, length, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
        rc = rowSetAdd(set, sqlite3_column_int64(statement, 0));
        if (rc != SQLITE_OK) break;
    }
    sqlite3_finalize(statement);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The query's data, computed at its first row and kept by FTS5 until the query ends. */
static int queryData(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *context, int count, sqlite3_value **phrases,
                     QueryData **out) {
    QueryData *data = api->xGetAuxdata(fts, 0);
    if (data) {
        *out = data;
        return SQLITE_OK;
    }
    sqlite3_int64 rows = 0, tokens = 0;
    int rc = api->xRowCount(fts, &rows);
    if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
    if (rc != SQLITE_OK) return rc;
    int n = api->xPhraseCount(fts);
    if (n < 0) n = 0;
    size_t size = sizeof(QueryData) + (sizeof(double) + 2 * sizeof(RowSet)) * (size_t)(n > 0 ? n : 1);
    data = sqlite3_malloc64(size);
    if (!data) return SQLITE_NOMEM;
    memset(data, 0, size);
    data->phrases = n;
    data->inRow = (RowSet *)&data[1];
    data->inTitle = data->inRow + n;
    data->idf = (double *)(data->inTitle + n);
    data->averageLength = rows > 0 && tokens > 0 ? (double)tokens / (double)rows : 1.0;
    sqlite3 *db = sqlite3_context_db_handle(context);
    /* The phrases, one argument: each FTS5 string followed by the unit separator (0x1F). */
    const char *next = count > 0 ? (const char *)sqlite3_value_text(phrases[0]) : 0;
    const char *end = next ? next + sqlite3_value_bytes(phrases[0]) : 0;
    for (int i = 0; i < n && rc == SQLITE_OK; i++) {
        rc = api->xQueryPhrase(fts, i, &data->inRow[i], addRow);
        sqlite3_int64 hits = data->inRow[i].count;
        /* As bm25(): a word in more than half the rows still counts a little, never negatively. */
        double idf = log(((double)rows - (double)hits + 0.5) / ((double)hits + 0.5));
        data->idf[i] = idf <= 0 ? 1e-6 : idf;
        if (rc == SQLITE_OK && next && next < end) {
            const char *stop = memchr(next, 0x1F, (size_t)(end - next));
            if (!stop) stop = end;
            if (stop > next) rc = titleRows(db, next, (int)(stop - next), &data->inTitle[i]); /* none: no title lookup */
            next = stop < end ? stop + 1 : end;
        }
    }
    if (rc != SQLITE_OK) {
        freeQueryData(data);
        return rc;
    }
    rc = api->xSetAuxdata(fts, data, freeQueryData); /* frees data itself when it fails */
    if (rc == SQLITE_OK) *out = data;
    return rc;
}

static void presenceBM25(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *context, int count, sqlite3_value **phrases) {
    const double k1 = 1.2, b = 0.75;
    QueryData *data = 0;
    int rc = queryData(api, fts, context, count, phrases, &data);
    int length = 0;
    if (rc == SQLITE_OK) rc = api->xColumnSize(fts, -1, &length);
    double score = 0;
    sqlite3_int64 row = api->xRowid(fts);
    for (int i = 0; rc == SQLITE_OK && i < data->phrases; i++) {
        double frequency = rowSetHas(&data->inRow[i], row) + rowSetHas(&data->inTitle[i], row);
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

int quire_register_presence_bm25(sqlite3 *db) {
    fts5_api *api = fts5API(db);
    if (!api || api->iVersion < 2) return SQLITE_ERROR;
    return api->xCreateFunction(api, "presence_bm25", 0, presenceBM25, 0);
}
