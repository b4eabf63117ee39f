import GRDB

extension Store {
    /// The log's entity index, as migration v2 creates it and a large import creates it again
    /// (`BulkEntityIndex`): one definition, so the index an import leaves is the migration's.
    /// Never changed: migration v2 has shipped with it.
    static let createChangeByEntity = "CREATE INDEX change_by_entity ON change (entity)"

    /// The store's migrations, in order. Append new ones; never edit one that has shipped.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1: change log and materialised state") { db in
            // Facts about this replica (its id, name, clock) as key/value pairs.
            try db.execute(sql: """
                CREATE TABLE meta (
                    key TEXT PRIMARY KEY NOT NULL,
                    value
                ) WITHOUT ROWID;
                """)
            // The append-only log: one row per change, every field of the record.
            // `hash` is derived: set once the origin's chain reaches the change.
            try db.execute(sql: """
                CREATE TABLE change (
                    origin BLOB NOT NULL,
                    seq INTEGER NOT NULL,
                    stamp INTEGER NOT NULL,
                    txn INTEGER NOT NULL,
                    engagement BLOB NOT NULL,
                    kind TEXT NOT NULL,
                    entity BLOB NOT NULL,
                    field TEXT NOT NULL,
                    type INTEGER NOT NULL,
                    value,
                    supersedes BLOB,
                    hash BLOB,
                    PRIMARY KEY (origin, seq)
                ) WITHOUT ROWID;
                """)
            // Per origin: the gap-free prefix held, and the hash of its last change.
            try db.execute(sql: """
                CREATE TABLE origin (
                    replica BLOB PRIMARY KEY NOT NULL,
                    contiguous INTEGER NOT NULL,
                    head BLOB NOT NULL
                ) WITHOUT ROWID;
                """)
            // Materialised: one row per entity; `deleted` mirrors the winner of its `deleted` field.
            try db.execute(sql: """
                CREATE TABLE entity (
                    id BLOB PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,
                    engagement BLOB NOT NULL,
                    deleted INTEGER NOT NULL DEFAULT 0
                ) WITHOUT ROWID;
                """)
            // Materialised: the visible values of every field (several = a conflict).
            try db.execute(sql: """
                CREATE TABLE field_value (
                    entity BLOB NOT NULL,
                    field TEXT NOT NULL,
                    origin BLOB NOT NULL,
                    seq INTEGER NOT NULL,
                    stamp INTEGER NOT NULL,
                    type INTEGER NOT NULL,
                    value,
                    PRIMARY KEY (entity, field, origin, seq)
                ) WITHOUT ROWID;
                """)
            // Materialised: every change id that a held change supersedes, scoped to its field.
            try db.execute(sql: """
                CREATE TABLE superseded (
                    entity BLOB NOT NULL,
                    field TEXT NOT NULL,
                    origin BLOB NOT NULL,
                    seq INTEGER NOT NULL,
                    PRIMARY KEY (entity, field, origin, seq)
                ) WITHOUT ROWID;
                """)
            // Local observations, not replicated state: remote stamps too far ahead of our clock.
            try db.execute(sql: """
                CREATE TABLE clock_flag (
                    origin BLOB NOT NULL,
                    seq INTEGER NOT NULL,
                    ahead_by INTEGER NOT NULL,
                    PRIMARY KEY (origin, seq)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2: history by entity and full-text search") { db in
            // `log --entity` reads an entity's history without scanning the whole log.
            try db.execute(sql: Store.createChangeByEntity)
            // Every text value of a searchable field, as written; queries keep only visible values
            // by joining `field_value`, so superseded text never needs deleting. A local cache,
            // rebuilt from the log with the state; not part of the digest.
            try db.execute(sql: """
                CREATE VIRTUAL TABLE search USING fts5(
                    text, entity UNINDEXED, field UNINDEXED, origin UNINDEXED, seq UNINDEXED,
                    tokenize = 'unicode61 remove_diacritics 2'
                )
                """)
        }
        migrator.registerMigration("v3: sync bookkeeping") { db in
            // Changes withheld from this replica (engagements it is not on the team of): id,
            // content digest and chain hash only, so the origin's chain stays whole. Not state.
            try db.execute(sql: """
                CREATE TABLE redacted (
                    origin BLOB NOT NULL,
                    seq INTEGER NOT NULL,
                    content BLOB NOT NULL,
                    hash BLOB NOT NULL,
                    PRIMARY KEY (origin, seq)
                ) WITHOUT ROWID;
                """)
            // Per origin, the latest checkpoint it signed that this replica holds, to relay.
            try db.execute(sql: """
                CREATE TABLE checkpoint (
                    origin BLOB PRIMARY KEY NOT NULL,
                    seq INTEGER NOT NULL,
                    hash BLOB NOT NULL,
                    public_key BLOB NOT NULL,
                    signature BLOB NOT NULL
                ) WITHOUT ROWID;
                """)
            // Keys the user trusts explicitly (`fieldaudit trust CARD`).
            try db.execute(sql: """
                CREATE TABLE trusted (
                    replica BLOB PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    public_key BLOB NOT NULL
                ) WITHOUT ROWID;
                """)
            // Each engagement's founding lead, fixed when the engagement is first accepted here.
            try db.execute(sql: """
                CREATE TABLE engagement_root (
                    engagement BLOB PRIMARY KEY NOT NULL,
                    founder BLOB NOT NULL
                ) WITHOUT ROWID;
                """)
            // Engagement and kind lookups of entities (snapshots, rosters, listings).
            try db.execute(sql: "CREATE INDEX entity_by_engagement ON entity (engagement, kind)")
            try db.execute(sql: "CREATE INDEX entity_by_kind ON entity (kind)")
            // What each peer is known to hold: the lower bound its bundles proved.
            try db.execute(sql: """
                CREATE TABLE peer_vector (
                    peer BLOB NOT NULL,
                    origin BLOB NOT NULL,
                    seq INTEGER NOT NULL,
                    PRIMARY KEY (peer, origin)
                ) WITHOUT ROWID;
                """)
        }
        registerQuarantine(&migrator)
        return migrator
    }
}
