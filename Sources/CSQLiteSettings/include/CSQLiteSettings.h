#ifndef FIELDAUDIT_CSQLITESETTINGS_H
#define FIELDAUDIT_CSQLITESETTINGS_H

/// SQLite's answer when this process turned its memory statistics off
/// (`sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0)`), which this target asks once as the process
/// starts, before any thread or connection exists: `SQLITE_OK` (0), or `SQLITE_MISUSE` (21) if
/// SQLite was already in use, in which case nothing changed. `sqlite3_config` is variadic, so
/// Swift cannot call it; and SQLite accepts it only before its first use.
int fieldaudit_sqlite_memory_statistics_result(void);

#endif
