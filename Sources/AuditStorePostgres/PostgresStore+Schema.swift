import AuditStore

extension PostgresStore {
    /// The schema's steps, in order: step n brings `schema_version` to n. Append new ones; never
    /// edit one that has shipped. The tables mirror SQLite's `Store` (see `Store+Schema.swift`);
    /// every value is a type tag and bytes, and text compares as bytes (`COLLATE "C"`), so rows
    /// come back in SQLite's order and digests and exports are the same bytes.
    static let migrations: [[String]] = [
        [
            "CREATE TABLE meta (key text COLLATE \"C\" PRIMARY KEY, value text)",
            // The clock's last stamp: one row per write transaction, read as the greatest, so
            // concurrent writers never wait for each other on one row.
            "CREATE TABLE clock_stamp (stamp bigint NOT NULL)",
            "CREATE INDEX clock_stamp_by_stamp ON clock_stamp (stamp)",
            """
            CREATE TABLE change (
                origin bytea NOT NULL, seq bigint NOT NULL, stamp bigint NOT NULL, txn bigint NOT NULL,
                engagement bytea NOT NULL, kind text COLLATE "C" NOT NULL, entity bytea NOT NULL,
                field text COLLATE "C" NOT NULL, type bigint NOT NULL, value bytea, supersedes bytea, hash bytea,
                PRIMARY KEY (origin, seq))
            """,
            "CREATE INDEX change_by_entity ON change (entity)",
            "CREATE INDEX change_by_engagement ON change (engagement, stamp)",
            "CREATE TABLE origin (replica bytea PRIMARY KEY, contiguous bigint NOT NULL, head bytea NOT NULL)",
            """
            CREATE TABLE entity (
                id bytea PRIMARY KEY, kind text COLLATE "C" NOT NULL, engagement bytea NOT NULL,
                deleted bigint NOT NULL DEFAULT 0)
            """,
            "CREATE INDEX entity_by_engagement ON entity (engagement, kind)",
            "CREATE INDEX entity_by_kind ON entity (kind)",
            """
            CREATE TABLE field_value (
                entity bytea NOT NULL, field text COLLATE "C" NOT NULL, origin bytea NOT NULL, seq bigint NOT NULL,
                stamp bigint NOT NULL, type bigint NOT NULL, value bytea,
                PRIMARY KEY (entity, field, origin, seq))
            """,
            """
            CREATE TABLE superseded (
                entity bytea NOT NULL, field text COLLATE "C" NOT NULL, origin bytea NOT NULL, seq bigint NOT NULL,
                PRIMARY KEY (entity, field, origin, seq))
            """,
            """
            CREATE TABLE clock_flag (
                origin bytea NOT NULL, seq bigint NOT NULL, ahead_by bigint NOT NULL, PRIMARY KEY (origin, seq))
            """,
            """
            CREATE TABLE redacted (
                origin bytea NOT NULL, seq bigint NOT NULL, content bytea NOT NULL, hash bytea NOT NULL,
                PRIMARY KEY (origin, seq))
            """,
            """
            CREATE TABLE checkpoint (
                origin bytea PRIMARY KEY, seq bigint NOT NULL, hash bytea NOT NULL, public_key bytea NOT NULL,
                signature bytea NOT NULL)
            """,
            "CREATE TABLE trusted (replica bytea PRIMARY KEY, name text NOT NULL, public_key bytea NOT NULL)",
            "CREATE TABLE engagement_root (engagement bytea PRIMARY KEY, founder bytea NOT NULL)",
            """
            CREATE TABLE peer_vector (
                peer bytea NOT NULL, origin bytea NOT NULL, seq bigint NOT NULL, PRIMARY KEY (peer, origin))
            """,
        ],
        // Fork quarantine (SQLite's "v4: fork quarantine"; `Sync/PROTOCOL.md` §21.1).
        [
            "CREATE TABLE fork (origin bytea PRIMARY KEY, seq bigint NOT NULL, found_at bigint NOT NULL)",
            """
            CREATE TABLE fork_version (
                origin bytea NOT NULL, seq bigint NOT NULL, content bytea NOT NULL, hash bytea, canonical bytea,
                relayed_by bytea, received_at bigint NOT NULL, PRIMARY KEY (origin, seq, content))
            """,
            """
            CREATE TABLE checkpoint_seen (
                origin bytea NOT NULL, seq bigint NOT NULL, hash bytea NOT NULL, public_key bytea NOT NULL,
                signature bytea NOT NULL, PRIMARY KEY (origin, seq, hash))
            """,
        ],
    ]

    /// Creates the schema, or brings it to the current step, in one transaction.
    ///
    /// - Throws: `StoreError.newerSchema` if the database is at a step this build does not know.
    func migrate() throws(StoreError) {
        try storeWrite(exclusive: true) { connection throws(StoreError) in
            if let schema { try execute(connection, "CREATE SCHEMA IF NOT EXISTS \(schema)") }
            try execute(connection, "CREATE TABLE IF NOT EXISTS schema_version (version bigint NOT NULL)")
            let rows = try query(connection, "SELECT coalesce(max(version), 0) FROM schema_version")
            let current = try rows.first?.int64(0) ?? 0
            guard current <= Self.migrations.count else {
                throw .newerSchema(path: path, unknownMigrations: (Self.migrations.count + 1...Int(current)).map { "step \($0)" })
            }
            for (index, steps) in Self.migrations.enumerated() where index + 1 > current {
                for statement in steps { try execute(connection, statement) }
                try execute(connection, "INSERT INTO schema_version (version) VALUES ($1)", Binds.with { $0.int(Int64(index + 1)) })
            }
        }
    }
}
