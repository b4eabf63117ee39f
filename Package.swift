// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "FieldAudit",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fieldaudit", targets: ["fieldaudit"]),
        .library(name: "FieldAudit", targets: ["FieldAudit"]),
        .library(name: "FieldAuditService", targets: ["FieldAuditService"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // The central repository's HTTP service and the laptops' client (`serve`, `sync`).
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.14.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // The auditee's CSV tables (Statement of Applicability, AI systems), read in one place: `CSVTable`.
        .package(url: "https://github.com/yaslab/CSV.swift", exact: "2.5.2"),
        // The reviewers' window: server-rendered pages of the central repository (templates compiled in).
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        // The central repository's store on a PostgreSQL server (`serve --database postgres://…`).
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
    ],
    targets: [
        // The CRDT core: pure values and the merge laws.
        .target(
            name: "Replication",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // The system zlib for bundle bodies; its header wraps the `deflateInit2`/`inflateInit2` macros.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Bundle files: bytes ⇄ values, framed, compressed, signed, optionally sealed; streaming.
        .target(
            name: "BundleFormat",
            dependencies: ["Replication", "CZlib", .product(name: "Crypto", package: "swift-crypto")]),
        // The process-wide SQLite settings that only C can make (`sqlite3_config` is variadic), made
        // as the process starts.
        .target(
            name: "CSQLiteSettings",
            linkerSettings: [.linkedLibrary("sqlite3")]),
        // The only Swift module that touches SQLite.
        .target(
            name: "AuditStore",
            dependencies: [
                "Replication", "CSQLiteSettings",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]),
        // The central repository's store on PostgreSQL: the same laws (AuditStore's ChangeApplier) over
        // PostgreSQL rows, through postgres-nio's EventLoopFuture API, waited on off the event loop.
        .target(
            name: "AuditStorePostgres",
            dependencies: [
                "AuditStore", "Replication",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The audit domain: engagements, catalogs, interviews, tests, evidence, findings.
        .target(
            name: "AuditModel",
            dependencies: ["Replication"]),
        // Published catalog formats (CISO Assistant YAML libraries, OSCAL catalogs) read into catalogs.
        .target(
            name: "CatalogFormats",
            dependencies: ["AuditModel", .product(name: "Yams", package: "Yams")]),
        // Reports: pure projections of the domain into Markdown, HTML, CSV and OSCAL JSON.
        .target(
            name: "AuditReports",
            dependencies: ["AuditModel", "Replication", .product(name: "Crypto", package: "swift-crypto")]),
        // The front door: a `Replica` that captures, queries and verifies.
        .target(
            name: "FieldAudit",
            dependencies: [
                "Replication", "AuditStore", "AuditStorePostgres", "AuditModel", "AuditReports", "BundleFormat", "CatalogFormats",
                .product(name: "CSV", package: "CSV.swift"),
            ]),
        // The central repository as an HTTP service (Hummingbird 2), and the laptops' client of it.
        .target(
            name: "FieldAuditService",
            dependencies: [
                "FieldAudit", "Replication",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]),
        // The command-line tool.
        // Linked by the toolchain's lld with packed relative relocations (glibc 2.36+): the service's
        // dependencies doubled the binary and its relocations, and the dynamic loader's work on
        // them cost every `note` about 1 ms at start-up (Benchmarks/run-baseline: 1.10 × the build
        // before the service with the default linker, 0.91 × with this).
        .executableTarget(
            name: "fieldaudit",
            dependencies: [
                "FieldAudit", "FieldAuditService", "AuditReports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            linkerSettings: [.unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"], .when(platforms: [.linux]))]),
        // Benchmarks, built in release by `Benchmarks/run`; never part of the test command.
        .executableTarget(
            name: "fieldaudit-bench",
            dependencies: ["FieldAudit", "AuditStore", "AuditModel", "Replication"]),

        // Shared test helpers: seeded randomness, a fixed clock, builders.
        .target(
            name: "TestSupport",
            dependencies: ["Replication"],
            path: "Tests/TestSupport"),
        .testTarget(
            name: "ReplicationTests",
            dependencies: ["Replication", "TestSupport"]),
        .testTarget(
            name: "BundleFormatTests",
            dependencies: [
                "BundleFormat", "CZlib", "Replication", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Corpus"]),
        .testTarget(
            name: "AuditStoreTests",
            dependencies: [
                "AuditStore", "AuditStorePostgres", "Replication", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "AuditReportsTests",
            dependencies: ["AuditReports", "AuditModel", "Replication", "TestSupport"],
            exclude: ["Snapshots"]),
        .testTarget(
            name: "AuditModelTests",
            dependencies: ["AuditModel", "Replication", "TestSupport"]),
        .testTarget(
            name: "CatalogFormatsTests",
            dependencies: ["CatalogFormats", "AuditModel", "TestSupport"],
            exclude: ["Snapshots"]),
        .testTarget(
            name: "FieldAuditTests",
            dependencies: ["FieldAudit", "AuditStore", "AuditModel", "Replication", "TestSupport"]),
        .testTarget(
            name: "FieldAuditServiceTests",
            dependencies: [
                "FieldAuditService", "FieldAudit", "AuditModel", "AuditStore", "Replication", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "fieldauditTests",
            dependencies: [
                "fieldaudit", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["Snapshots"]),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer target of the bundle decoder. Its `main` hands over to libFuzzer's driver, so it links
// only with `-sanitize=fuzzer`; it is declared only when FIELDAUDIT_FUZZ is set, as `scripts/fuzz` does.
if Context.environment["FIELDAUDIT_FUZZ"] != nil {
    package.targets.append(
        .executableTarget(name: "BundleFuzzer", dependencies: ["BundleFormat", "CZlib", "Replication"]))
}
