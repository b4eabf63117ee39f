#ifndef FIELDAUDIT_CSQLITESETTINGS_H
#define FIELDAUDIT_CSQLITESETTINGS_H

/// Turns off SQLite's memory statistics for this process (`SQLITE_CONFIG_MEMSTATUS`, 0), which
/// `sqlite3_config` accepts only before SQLite is first used; it is variadic, so Swift cannot call
/// it. Returns SQLite's result code: `SQLITE_OK` (0), or `SQLITE_MISUSE` (21) if SQLite was
/// already in use, in which case nothing changed.
int fieldaudit_sqlite_disable_memory_statistics(void);

#endif
