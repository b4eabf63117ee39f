/*
 * apply_reference.c: the raw-SQLite baseline for `fieldaudit-bench apply`.
 *
 * Applies N generated changes to an empty FieldAudit store (made by
 * `fieldaudit-bench create-empty`, so the schema is exactly ours) in ONE transaction, running per
 * change the statements `ChangeApplier` (Sources/AuditStore/ChangeApplier.swift) runs on its
 * in-order path, with the same SQL text:
 *
 *   1. INSERT INTO change (... , hash) ... ON CONFLICT (origin, seq) DO NOTHING
 *   2. INSERT INTO entity, on an entity's first sight only (see "Entities" below)
 *   3. per superseded id: INSERT OR IGNORE INTO superseded, then DELETE FROM field_value
 *   4. SELECT 1 FROM superseded ...          (is this change itself superseded?)
 *   5. INSERT INTO field_value               (when it is not)
 *
 * then, once, the `origin` upserts and the clock row in `meta` (as `ChangeApplier.finish` and
 * `Store.saveClock` do), and COMMIT. What it leaves out, deliberately: the Swift side's per-change
 * validation, SHA-256 of the canonical encoding (here the hash column is a random 32-byte blob
 * made before the timer starts), dictionary bookkeeping, and the handful of one-off reads at the
 * start of the transaction (clock row, each origin's row and "beyond" probe).
 *
 * Entities: ChangeApplier looks an entity up (SELECT) and inserts it only on first sight, then
 * remembers it in a dictionary, so it touches the entity table about once per entity. This
 * program knows its entities by index, so it keeps a flag per entity and inserts each once: the
 * least work possible, which makes it the ceiling to compare against.
 *
 * Workload "apply" (the default; mirrors Sources/fieldaudit-bench/ApplyWorkload.swift in shape,
 * not byte for byte): 4 origins (random 16-byte ids), change i belongs to origin i % 4 with
 * consecutive seqs, txn = seq, stamps increasing, N/10 entities (16-byte UUIDv7-like ids) of kind
 * "note" in one engagement, 5 field names, each value 60 random printable ASCII characters stored
 * as text (type tag 3), and each change superseding the previous change of the same (entity, field).
 *
 * Workload "import" (mirrors `fieldaudit-bench populate`, what Benchmarks/run-sync imports through
 * `fieldaudit import`): one origin, N/10 entities, populate's 5 field names, values that are
 * sentences of about 60 bytes from populate's word list, and, as `ChangeApplier` does for the
 * fields FieldAudit searches (4 of the 5 here), every such value also inserted into the FTS5
 * `search` table.
 *
 * Workload "minimal" (the physical limit): the "apply" workload's changes held in the least SQL
 * that can hold the same merged state, in a schema of its own (PATH names a new, empty file):
 *
 *   log   (origin, seq, stamp, entity, field, value, hash)  WITHOUT ROWID, key (origin, seq):
 *         the append-only log, one INSERT per change;
 *   state (entity, field, origin, seq, stamp, value)        WITHOUT ROWID, key (entity, field):
 *         one upsert-if-newer per change (`ON CONFLICT … DO UPDATE … WHERE excluded.stamp >
 *         state.stamp`), the last-writer-wins register of each field.
 *
 * Two statements a change, no entity table, no superseded set (a register keeps one value, so it
 * cannot show concurrent values as conflicts, which FieldAudit must), no origin rows and no
 * full-text index: what any design must at least write to keep the log and the merged fields.
 * Same PRAGMAs, same single transaction, same durability.
 *
 * Build: cc -std=c11 -O2 -o apply_reference apply_reference.c -lsqlite3
 * Usage: apply_reference N PATH [apply|import|minimal]
 *   (PATH: a copy of an empty store; for "minimal", a new file)
 * Prints: c_apply changes=N seconds=S rate=R wall=W wall_rate=WR
 *   S and R time the transaction alone (as `fieldaudit-bench apply` times `Store.apply`); W and WR
 *   time opening the store, the transaction and closing it (the part of a whole `fieldaudit
 *   import` process that is not reading and checking the bundle).
 */
#define _POSIX_C_SOURCE 199309L

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
    MAX_ORIGINS = 4,
    FIELDS = 5,
    ID_BYTES = 16,
    HASH_BYTES = 32,
    VALUE_BYTES = 60,
    SUPERSEDES_BYTES = 24, /* one id: origin (16 bytes), seq (8 bytes big-endian) */
    TEXT_TAG = 3,          /* Value.Tag.text */
};

static const char *const apply_fields[FIELDS] = {"title", "statement", "grade", "owner", "status"};
/* `fieldaudit-bench populate`'s fields; the first four are in AuditModel's `Searchable.fields`. */
static const char *const import_fields[FIELDS] = {"text", "statement", "conclusion", "sample", "ref"};
static const int import_searchable[FIELDS] = {1, 1, 1, 1, 0};
static const int apply_searchable[FIELDS] = {0, 0, 0, 0, 0};
/* `fieldaudit-bench populate`'s words (Sources/fieldaudit-bench/SyncCommands.swift). */
static const char *const words[] = {
    "risk", "register", "reviewed", "quarterly", "owner", "model", "drift", "logging", "retention",
    "evidence", "sample", "policy", "board", "approved", "training", "record", "supplier",
    "contract", "impact", "assessment", "fairness", "monitoring", "dashboard", "incident",
    "response", "human", "oversight", "triage", "accuracy", "validation", "release", "checklist",
    "data", "quality", "lineage", "consent", "documentation", "interview", "observed"};

/* The workload's shape, set from the command line. */
static int origin_count = MAX_ORIGINS;
static const char *const *field_names = apply_fields;
static const int *searchable = apply_searchable;
static int sentences = 0; /* values: word sentences (import) or random printable characters */
static const char kind[] = "note";
static const uint64_t base_milliseconds = 1764000000000ULL; /* as ApplyWorkload */

/* One generated change; every buffer bound with SQLITE_STATIC lives here until exit. */
typedef struct {
    uint64_t seq;
    int64_t stamp;
    uint32_t entity;         /* index into `entities` */
    uint8_t origin;          /* index into `origins` */
    uint8_t field;           /* index into `field_names` */
    uint8_t has_supersedes;
    uint8_t superseded_origin;
    uint64_t superseded_seq;
    uint8_t supersedes[SUPERSEDES_BYTES]; /* the `supersedes` column, as ChangeColumns.encode */
    uint8_t hash[HASH_BYTES];
    char value[VALUE_BYTES + 16]; /* NUL-terminated; sentences run a little past VALUE_BYTES */
} Row;

static uint8_t origins[MAX_ORIGINS][ID_BYTES];
static uint8_t engagement[ID_BYTES];
static uint8_t (*entities)[ID_BYTES];
static uint64_t entity_total;  /* how many entities `entities` holds */
static Row *rows;

/* ---- Randomness: SplitMix64, as SeededGenerator on the Swift side. ---- */

static uint64_t prng_state = 0xFA2025;

static uint64_t next_random(void) {
    uint64_t z = (prng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform enough below n (the modulo bias is under 2^-40 for the n used here). */
static uint64_t random_below(uint64_t n) { return next_random() % n; }

static void random_bytes(uint8_t *out, size_t count) {
    for (size_t i = 0; i < count; i++) out[i] = (uint8_t)next_random();
}

/* A UUIDv7-like id: 48 bits of milliseconds, then random bits with version and variant set. */
static void make_entity_id(uint8_t out[ID_BYTES], uint64_t milliseconds) {
    for (int i = 0; i < 6; i++) out[i] = (uint8_t)(milliseconds >> (8 * (5 - i)));
    random_bytes(out + 6, ID_BYTES - 6);
    out[6] = 0x70 | (out[6] & 0x0f);
    out[8] = 0x80 | (out[8] & 0x3f);
}

static void put_big_endian(uint8_t out[8], uint64_t value) {
    for (int i = 0; i < 8; i++) out[i] = (uint8_t)(value >> (8 * (7 - i)));
}

/* A sentence of populate's words, at least 56 bytes long (as `SyncCommands.sentence`). */
static void make_sentence(char *out) {
    size_t length = 0;
    out[0] = '\0';
    while (length < 56) {
        const char *word = words[random_below(sizeof words / sizeof *words)];
        length += (size_t)sprintf(out + length, length == 0 ? "%s" : " %s", word);
    }
}

/* ---- The workload, built before the timer starts. ---- */

static void generate(uint64_t count) {
    uint64_t entity_count = count / 10 > 0 ? count / 10 : 1;
    entities = malloc(entity_count * sizeof *entities);
    entity_total = entity_count;
    rows = malloc(count * sizeof *rows);
    /* The last change of each (entity, field), as its row index + 1 (0: none yet). */
    uint64_t *last_writer = calloc(entity_count * FIELDS, sizeof *last_writer);
    if (!entities || !rows || !last_writer) {
        fprintf(stderr, "apply_reference: out of memory\n");
        exit(1);
    }
    for (int o = 0; o < origin_count; o++) random_bytes(origins[o], ID_BYTES);
    make_entity_id(engagement, base_milliseconds);
    for (uint64_t e = 0; e < entity_count; e++) make_entity_id(entities[e], base_milliseconds + e);

    int64_t first_stamp = (int64_t)(base_milliseconds << 16);
    for (uint64_t i = 0; i < count; i++) {
        Row *row = &rows[i];
        row->origin = (uint8_t)(i % (uint64_t)origin_count);
        row->seq = i / (uint64_t)origin_count + 1;
        row->stamp = first_stamp + (int64_t)i;
        row->entity = (uint32_t)random_below(entity_count);
        row->field = (uint8_t)random_below(FIELDS);
        if (sentences) {
            make_sentence(row->value);
        } else {
            for (int c = 0; c < VALUE_BYTES; c++) row->value[c] = (char)(0x20 + random_below(0x7F - 0x20));
            row->value[VALUE_BYTES] = '\0';
        }
        random_bytes(row->hash, HASH_BYTES);

        uint64_t *last = &last_writer[(uint64_t)row->entity * FIELDS + row->field];
        row->has_supersedes = *last != 0;
        if (row->has_supersedes) {
            const Row *previous = &rows[*last - 1];
            row->superseded_origin = previous->origin;
            row->superseded_seq = previous->seq;
            memcpy(row->supersedes, origins[previous->origin], ID_BYTES);
            put_big_endian(row->supersedes + ID_BYTES, previous->seq);
        }
        *last = i + 1;
    }
    free(last_writer);
}

/* ---- SQLite helpers: fail loudly, naming the statement. ---- */

static sqlite3 *db;

static void check(int code, const char *what) {
    if (code != SQLITE_OK) {
        fprintf(stderr, "apply_reference: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *statement = NULL;
    check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL), sql);
    return statement;
}

/* Steps once; returns 1 if a row is ready, 0 when done. Does not reset. */
static int step(sqlite3_stmt *statement) {
    int code = sqlite3_step(statement);
    if (code == SQLITE_ROW) return 1;
    if (code == SQLITE_DONE) return 0;
    fprintf(stderr, "apply_reference: %s: %s\n", sqlite3_sql(statement), sqlite3_errmsg(db));
    exit(1);
}

/* Runs a write to completion and resets it; the bindings stay. */
static void run(sqlite3_stmt *statement) {
    step(statement);
    sqlite3_reset(statement);
}

static void execute(const char *sql) { check(sqlite3_exec(db, sql, NULL, NULL, NULL), sql); }

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Binds (entity, field, origin, seq), the key shared by the superseded and field_value tables. */
static void bind_key(sqlite3_stmt *statement, const Row *row, const uint8_t *origin, uint64_t seq) {
    sqlite3_bind_blob(statement, 1, entities[row->entity], ID_BYTES, SQLITE_STATIC);
    sqlite3_bind_text(statement, 2, field_names[row->field], -1, SQLITE_STATIC);
    sqlite3_bind_blob(statement, 3, origin, ID_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(statement, 4, (sqlite3_int64)seq);
}

/* ---- The timed part: one transaction, the statements of ChangeApplier's in-order path. ---- */

static void apply(uint64_t count) {
    execute("BEGIN IMMEDIATE TRANSACTION"); /* what GRDB's DatabaseQueue.write begins */

    sqlite3_stmt *insert_change = prepare(
        "INSERT INTO change (origin, seq, stamp, txn, engagement, kind, entity, field, type, value, "
        "supersedes, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (origin, seq) DO NOTHING");
    sqlite3_stmt *insert_entity = prepare(
        "INSERT OR IGNORE INTO entity (id, kind, engagement) VALUES (?, ?, ?)");
    sqlite3_stmt *insert_superseded = prepare(
        "INSERT OR IGNORE INTO superseded (entity, field, origin, seq) VALUES (?, ?, ?, ?)");
    sqlite3_stmt *delete_visible = prepare(
        "DELETE FROM field_value WHERE entity = ? AND field = ? AND origin = ? AND seq = ?");
    sqlite3_stmt *probe_superseded = prepare(
        "SELECT 1 FROM superseded WHERE entity = ? AND field = ? AND origin = ? AND seq = ?");
    sqlite3_stmt *insert_visible = prepare(
        "INSERT INTO field_value (entity, field, origin, seq, stamp, type, value) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    sqlite3_stmt *upsert_origin = prepare(
        "INSERT INTO origin (replica, contiguous, head) VALUES (?, ?, ?) "
        "ON CONFLICT (replica) DO UPDATE SET contiguous = excluded.contiguous, head = excluded.head");
    sqlite3_stmt *save_clock = prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('clock', ?)");
    sqlite3_stmt *insert_search = prepare(
        "INSERT INTO search (text, entity, field, origin, seq) VALUES (?, ?, ?, ?, ?)");

    /* Bound once: the same for every change. */
    sqlite3_bind_blob(insert_change, 5, engagement, ID_BYTES, SQLITE_STATIC);
    sqlite3_bind_text(insert_change, 6, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(insert_change, 9, TEXT_TAG);
    sqlite3_bind_text(insert_entity, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_blob(insert_entity, 3, engagement, ID_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(insert_visible, 6, TEXT_TAG);

    const Row *last_of_origin[MAX_ORIGINS] = {NULL};
    uint8_t *entity_seen = calloc(entity_total, 1);
    for (uint64_t i = 0; i < count; i++) {
        const Row *row = &rows[i];
        const uint8_t *origin = origins[row->origin];
        const uint8_t *entity = entities[row->entity];

        /* 1. The log. */
        sqlite3_bind_blob(insert_change, 1, origin, ID_BYTES, SQLITE_STATIC);
        sqlite3_bind_int64(insert_change, 2, (sqlite3_int64)row->seq);
        sqlite3_bind_int64(insert_change, 3, row->stamp);
        sqlite3_bind_int64(insert_change, 4, (sqlite3_int64)row->seq); /* txn = seq */
        sqlite3_bind_blob(insert_change, 7, entity, ID_BYTES, SQLITE_STATIC);
        sqlite3_bind_text(insert_change, 8, field_names[row->field], -1, SQLITE_STATIC);
        sqlite3_bind_text(insert_change, 10, row->value, -1, SQLITE_STATIC);
        if (row->has_supersedes) {
            sqlite3_bind_blob(insert_change, 11, row->supersedes, SUPERSEDES_BYTES, SQLITE_STATIC);
        } else {
            sqlite3_bind_null(insert_change, 11);
        }
        sqlite3_bind_blob(insert_change, 12, row->hash, HASH_BYTES, SQLITE_STATIC);
        run(insert_change);
        if (sqlite3_changes(db) != 1) {
            fprintf(stderr, "apply_reference: change %llu was already held\n", (unsigned long long)i);
            exit(1);
        }

        /* 2. The entity, inserted on first sight. */
        if (!entity_seen[row->entity]) {
            entity_seen[row->entity] = 1;
            sqlite3_bind_blob(insert_entity, 1, entity, ID_BYTES, SQLITE_STATIC);
            run(insert_entity);
        }

        /* 3. The superseded id: remember it, and hide its value. */
        if (row->has_supersedes) {
            bind_key(insert_superseded, row, origins[row->superseded_origin], row->superseded_seq);
            run(insert_superseded);
            bind_key(delete_visible, row, origins[row->superseded_origin], row->superseded_seq);
            run(delete_visible);
        }

        /* 4. Is this change itself superseded (by one that arrived earlier)? */
        bind_key(probe_superseded, row, origin, row->seq);
        int is_superseded = step(probe_superseded);
        sqlite3_reset(probe_superseded);

        /* 5. If not, its value is visible. */
        if (!is_superseded) {
            bind_key(insert_visible, row, origin, row->seq);
            sqlite3_bind_int64(insert_visible, 5, row->stamp);
            sqlite3_bind_text(insert_visible, 7, row->value, -1, SQLITE_STATIC);
            run(insert_visible);
        }

        /* 6. Every text value of a searchable field, into the full-text index. */
        if (searchable[row->field]) {
            sqlite3_bind_text(insert_search, 1, row->value, -1, SQLITE_STATIC);
            sqlite3_bind_blob(insert_search, 2, entity, ID_BYTES, SQLITE_STATIC);
            sqlite3_bind_text(insert_search, 3, field_names[row->field], -1, SQLITE_STATIC);
            sqlite3_bind_blob(insert_search, 4, origin, ID_BYTES, SQLITE_STATIC);
            sqlite3_bind_int64(insert_search, 5, (sqlite3_int64)row->seq);
            run(insert_search);
        }
        last_of_origin[row->origin] = row;
    }

    /* Once per transaction: each origin's chain, then the clock (the greatest stamp seen). */
    for (int o = 0; o < origin_count; o++) {
        if (!last_of_origin[o]) continue;
        sqlite3_bind_blob(upsert_origin, 1, origins[o], ID_BYTES, SQLITE_STATIC);
        sqlite3_bind_int64(upsert_origin, 2, (sqlite3_int64)last_of_origin[o]->seq);
        sqlite3_bind_blob(upsert_origin, 3, last_of_origin[o]->hash, HASH_BYTES, SQLITE_STATIC);
        run(upsert_origin);
    }
    sqlite3_bind_int64(save_clock, 1, rows[count - 1].stamp);
    run(save_clock);

    sqlite3_stmt *statements[] = {insert_change, insert_entity, insert_superseded, delete_visible,
                                  probe_superseded, insert_visible, upsert_origin, save_clock, insert_search};
    for (size_t s = 0; s < sizeof statements / sizeof *statements; s++) sqlite3_finalize(statements[s]);
    execute("COMMIT");
}

/* ---- The least SQL: the log and one last-writer-wins register per field (workload "minimal"). ---- */

static void create_minimal_schema(void) {
    execute("CREATE TABLE IF NOT EXISTS log (origin BLOB NOT NULL, seq INTEGER NOT NULL, stamp INTEGER NOT NULL, "
            "entity BLOB NOT NULL, field TEXT NOT NULL, value, hash BLOB NOT NULL, PRIMARY KEY (origin, seq)) "
            "WITHOUT ROWID");
    execute("CREATE TABLE IF NOT EXISTS state (entity BLOB NOT NULL, field TEXT NOT NULL, origin BLOB NOT NULL, "
            "seq INTEGER NOT NULL, stamp INTEGER NOT NULL, value, PRIMARY KEY (entity, field)) WITHOUT ROWID");
}

static void apply_minimal(uint64_t count) {
    execute("BEGIN IMMEDIATE TRANSACTION");
    sqlite3_stmt *insert_log = prepare(
        "INSERT INTO log (origin, seq, stamp, entity, field, value, hash) VALUES (?,?,?,?,?,?,?)");
    sqlite3_stmt *upsert_state = prepare(
        "INSERT INTO state (entity, field, origin, seq, stamp, value) VALUES (?,?,?,?,?,?) "
        "ON CONFLICT (entity, field) DO UPDATE SET origin = excluded.origin, seq = excluded.seq, "
        "stamp = excluded.stamp, value = excluded.value WHERE excluded.stamp > state.stamp");
    for (uint64_t i = 0; i < count; i++) {
        const Row *row = &rows[i];
        const uint8_t *origin = origins[row->origin];
        const uint8_t *entity = entities[row->entity];
        sqlite3_bind_blob(insert_log, 1, origin, ID_BYTES, SQLITE_STATIC);
        sqlite3_bind_int64(insert_log, 2, (sqlite3_int64)row->seq);
        sqlite3_bind_int64(insert_log, 3, row->stamp);
        sqlite3_bind_blob(insert_log, 4, entity, ID_BYTES, SQLITE_STATIC);
        sqlite3_bind_text(insert_log, 5, field_names[row->field], -1, SQLITE_STATIC);
        sqlite3_bind_text(insert_log, 6, row->value, -1, SQLITE_STATIC);
        sqlite3_bind_blob(insert_log, 7, row->hash, HASH_BYTES, SQLITE_STATIC);
        run(insert_log);

        sqlite3_bind_blob(upsert_state, 1, entity, ID_BYTES, SQLITE_STATIC);
        sqlite3_bind_text(upsert_state, 2, field_names[row->field], -1, SQLITE_STATIC);
        sqlite3_bind_blob(upsert_state, 3, origin, ID_BYTES, SQLITE_STATIC);
        sqlite3_bind_int64(upsert_state, 4, (sqlite3_int64)row->seq);
        sqlite3_bind_int64(upsert_state, 5, row->stamp);
        sqlite3_bind_text(upsert_state, 6, row->value, -1, SQLITE_STATIC);
        run(upsert_state);
    }
    sqlite3_finalize(insert_log);
    sqlite3_finalize(upsert_state);
    execute("COMMIT");
}

int main(int argc, char **argv) {
    char *end = NULL;
    unsigned long long count = argc == 3 || argc == 4 ? strtoull(argv[1], &end, 10) : 0;
    const char *shape = argc == 4 ? argv[3] : "apply";
    int minimal = strcmp(shape, "minimal") == 0;
    int known_shape = strcmp(shape, "apply") == 0 || strcmp(shape, "import") == 0 || minimal;
    if (count == 0 || *end != '\0' || count > UINT32_MAX || !known_shape) {
        fprintf(stderr, "usage: apply_reference N PATH [apply|import|minimal]   "
                        "(PATH: a copy of an empty store; for minimal, a new file)\n");
        return 2;
    }
    if (strcmp(shape, "import") == 0) {
        origin_count = 1;
        field_names = import_fields;
        searchable = import_searchable;
        sentences = 1;
    }
    const char *path = argv[2];
    if (minimal && access(path, F_OK) == 0) {
        fprintf(stderr, "apply_reference: %s exists; the minimal workload writes a new file\n", path);
        return 1;
    }

    generate(count);

    /* Open as Store.open does: SQLite's memory statistics off for the process
     * (Store.sqliteMemoryStatisticsOff), then the PRAGMAs its connection ends up with: GRDB's
     * set-up (foreign keys), Store's `prepareDatabase` (a 4 MiB page cache), GRDB's WAL set-up,
     * then Store's `synchronous = FULL`, re-asserted after GRDB's WAL set-up lowered it to NORMAL. */
    double opened = now_seconds();
    if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK) {
        fprintf(stderr, "apply_reference: SQLite refused SQLITE_CONFIG_MEMSTATUS\n");
        return 1;
    }
    check(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | (minimal ? SQLITE_OPEN_CREATE : 0), NULL), path);
    sqlite3_busy_timeout(db, 60 * 1000);
    execute("PRAGMA foreign_keys = ON");
    execute("PRAGMA cache_size = -4096"); /* Store.pageCacheKiB */
    execute("PRAGMA journal_mode = WAL");
    execute("PRAGMA synchronous = FULL");
    if (minimal) create_minimal_schema();

    sqlite3_stmt *count_changes = prepare(minimal ? "SELECT count(*) FROM log" : "SELECT count(*) FROM change");
    if (!step(count_changes) || sqlite3_column_int64(count_changes, 0) != 0) {
        fprintf(stderr, "apply_reference: %s already holds changes; pass an empty store\n", path);
        return 1;
    }
    sqlite3_reset(count_changes);

    double start = now_seconds();
    if (minimal) apply_minimal(count); else apply(count);
    double seconds = now_seconds() - start;

    if (!step(count_changes) || (unsigned long long)sqlite3_column_int64(count_changes, 0) != count) {
        fprintf(stderr, "apply_reference: the store does not hold %llu changes\n", count);
        return 1;
    }
    sqlite3_finalize(count_changes);
    check(sqlite3_close(db), "close");
    double wall = now_seconds() - opened;
    printf(minimal ? "c_minimal changes=%llu seconds=%.3f rate=%.0f wall=%.3f wall_rate=%.0f\n"
                   : "c_apply changes=%llu seconds=%.3f rate=%.0f wall=%.3f wall_rate=%.0f\n",
           count, seconds, (double)count / seconds, wall, (double)count / wall);
    free(rows);
    free(entities);
    return 0;
}
