#include <sqlite3.h>
#include "CSQLiteSettings.h"

static int memory_statistics_result = -1;

/* Runs as the process starts, before `main` and before any thread: SQLite takes the setting only
 * before its first use, and `sqlite3_config` must not race another thread's use of SQLite. */
__attribute__((constructor)) static void fieldaudit_sqlite_configure(void) {
    memory_statistics_result = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int fieldaudit_sqlite_memory_statistics_result(void) {
    return memory_statistics_result;
}
