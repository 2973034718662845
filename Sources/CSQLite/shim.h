#include <sqlite3.h>

/* sqlite3_config is variadic, which Swift cannot call: one fixed-argument wrapper per setting. */

/* Turns off SQLite's memory statistics, whose global mutex every connection of the process takes
   on each allocation (threads with their own connections then contend for it). Must run before
   the library is initialized; returns SQLITE_OK, or SQLITE_MISUSE when it is too late. */
static inline int quire_sqlite3_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
