import Foundation
import GRDB
import TestSupport
import Testing

/// One cause, one exit status, whichever command meets it; a damaged store is named as damaged
/// and can still be rescued; a read-only store still serves every read command.
struct ExitStatusTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-exit-status")
    var store: String { directory.file("replica") }
    func file(_ name: String) -> String { directory.file(name) }

    func run(_ arguments: [String], input: String? = nil) throws -> FieldAuditCLI.Result {
        try cli.run(arguments, store: store, input: input)
    }

    @discardableResult
    func succeed(_ arguments: [String], in replica: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try cli.succeed(arguments, store: replica ?? store, sourceLocation: sourceLocation)
    }

    /// A replica with an engagement, an interview and a note, and its card written out.
    func start() throws {
        try succeed(["init", "--name", "Ada Lead"])
        try succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd"])
        try succeed(["interview", "start", "--with", "Dr Priya Rao"])
        try succeed(["note", "Retention is set by operations"])
        try succeed(["whoami", "--card", "-o", file("ada.card.json")])
    }

    func digest() throws -> String {
        let output = try JSONSerialization.jsonObject(with: Data(try succeed(["verify", "--json"]).utf8)) as? [String: Any]
        return try #require(output?["digest"] as? String)
    }

    @Test func aMissingInputFileIsExit66ForEveryCommandThatReadsOne() throws {
        try start()
        let missing = file("no-such-file")
        let commands: [[String]] = [
            ["team", "add", missing], ["import", missing], ["evidence", "add", missing], ["trust", missing],
            ["catalog", "import", missing], ["soa", "import", missing], ["system", "import", missing],
            ["bundle", "inspect", missing], ["export", "--since", missing, "-o", file("out.fabundle")],
        ]
        for arguments in commands {
            let result = try run(arguments)
            #expect(result.status == 66, "`\(arguments.prefix(2).joined(separator: " "))` exited \(result.status): \(result.stderr)")
            #expect(result.stderr.contains(missing) && result.stderr.lowercased().contains("no such file"), "`\(arguments.prefix(2).joined(separator: " "))`: \(result.stderr)")
        }
    }

    @Test func textThatIsNotUTF8IsBadDataExit65() throws {
        try start()
        let before = try digest()
        let note = try cli.run(["note", "-", "--store", store], inputData: Data([0x52, 0xff, 0xfe, 0x28]))
        #expect(note.status == 65, "\(note.stderr)")
        #expect(note.stderr.contains("not UTF-8"))
        // An argument with a byte that is not UTF-8 (which only a shell can pass): refused, not stored with U+FFFD.
        var shell = cli
        shell.launcher = ["/bin/sh", "-c", #"exec "$0" "$@" "$(printf 'bad \377 byte')""#]
        let argument = try shell.run(["note", "--store", store, "--"])
        #expect(argument.status == 65 && argument.stderr.contains("argument 5") && argument.stderr.contains("not UTF-8"), "\(argument.status) \(argument.stderr)")
        let csv = file("soa.csv")
        try Data([0x72, 0x65, 0x66, 0x0a, 0x41, 0x2e, 0x35, 0xc3, 0x28]).write(to: URL(fileURLWithPath: csv))
        let soa = try run(["soa", "import", csv])
        #expect(soa.status == 65 && soa.stderr.contains("not UTF-8"), "\(soa.status) \(soa.stderr)")
        #expect(try digest() == before)
    }

    /// Overwrites every page of the index of entities by engagement with garbage, as a failing
    /// disk or a stray write would: every command that reads an engagement's record then meets
    /// it, while the change log, which `export --all` reads, stays whole.
    func damageTheMaterialisedState() throws {
        let database = store + "/replica.sqlite"
        let (pages, pageSize): ([Int], Int) = try {
            let queue = try DatabaseQueue(path: database)
            return try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                let pages = try Int.fetchAll(db, sql: """
                    SELECT pageno FROM dbstat WHERE name = 'entity_by_engagement'
                    """)
                return (pages, try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096)
            }
        }()
        try #require(!pages.isEmpty)
        let handle = try #require(FileHandle(forUpdatingAtPath: database))
        defer { try? handle.close() }
        for page in pages {
            try handle.seek(toOffset: UInt64((page - 1) * pageSize))
            handle.write(Data(repeating: 0xA5, count: pageSize))
        }
    }

    @Test func aDamagedStoreIsNamedAsDamagedAndExportAllStillRescuesItsWork() throws {
        try start()
        try damageTheMaterialisedState()

        let status = try run(["status"])
        #expect(status.status == 74, "\(status.status) \(status.stderr)")
        #expect(status.stderr.contains("is damaged") && status.stderr.contains("export --all --no-encrypt -o rescue.fabundle"), "\(status.stderr)")
        #expect(!status.stderr.contains("SELECT") && !status.stderr.contains("permissions"), "\(status.stderr)")
        #expect(try run(["note", "one more"]).status == 74)

        // The rescue the message suggests works, and the work arrives in another replica.
        try succeed(["export", "--all", "--no-encrypt", "-o", file("rescue.fabundle")])
        let rescuer = file("rescuer")
        try succeed(["init", "--name", "Ben Auditor"], in: rescuer)
        try succeed(["trust", file("ada.card.json")], in: rescuer)
        try succeed(["import", file("rescue.fabundle")], in: rescuer)
        #expect(try succeed(["search", "retention", "--all"], in: rescuer).contains("[Retention] is set by operations"))
    }

    @Test(arguments: [0, 100, 8192])
    func aTruncatedStoreIsNamedAsDamagedAndLeftAsItIs(size: Int) throws {
        try start()
        let database = store + "/replica.sqlite"
        let queue = try DatabaseQueue(path: database)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
        #expect(truncate(database, off_t(size)) == 0)

        let status = try run(["status"])
        #expect(status.status == 74, "\(size) bytes: \(status.status) \(status.stderr)")
        #expect(status.stderr.contains("is damaged") && !status.stderr.contains("permissions"), "\(size) bytes: \(status.stderr)")
        #expect(try run(["note", "one more"]).status == 74)
        let attributes = try FileManager.default.attributesOfItem(atPath: database)
        #expect(attributes[.size] as? Int == size)
    }

    /// Runs `fieldaudit` as a user who cannot write the store: as `nobody` when the tests run
    /// as root (whom permissions do not stop), as the user itself otherwise.
    func readOnlyCLI() throws -> FieldAuditCLI {
        var readOnly = cli
        if getuid() == 0 {
            try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "setpriv (util-linux) runs the binary as nobody")
            let chown = Process()
            chown.executableURL = URL(fileURLWithPath: "/bin/chown")
            chown.arguments = ["-R", "65534:65534", store]
            try chown.run()
            chown.waitUntilExit()
            readOnly.launcher = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        }
        let chmod = Process()
        chmod.executableURL = URL(fileURLWithPath: "/bin/chmod")
        chmod.arguments = ["-R", "a-w", store]
        try chmod.run()
        chmod.waitUntilExit()
        return readOnly
    }

    @Test func aReadOnlyStoreServesEveryReadCommandAndRefusesWritesClearly() throws {
        try start()
        let before = try digest()
        let files = try FileManager.default.contentsOfDirectory(atPath: store).sorted()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: store + "/replica.sqlite"))
        let reader = try readOnlyCLI()
        defer {
            let chmod = Process()
            chmod.executableURL = URL(fileURLWithPath: "/bin/chmod")
            chmod.arguments = ["-R", "u+w", store]
            try? chmod.run()
            chmod.waitUntilExit()
        }
        let reads: [[String]] = [
            ["status"], ["search", "retention"], ["log"], ["verify"], ["interview", "list"], ["interview", "show"],
            ["finding", "list"], ["engagement", "show"], ["conflicts"], ["report", "--format", "markdown"],
        ]
        for arguments in reads {
            let result = try reader.run(arguments + ["--store", store])
            #expect(result.status == 0, "`\(arguments.joined(separator: " "))` on a read-only store: \(result.status) \(result.stderr)")
        }
        #expect(try reader.run(["search", "retention", "--store", store]).stdout.contains("[Retention]"))
        #expect(try reader.run(["verify", "--json", "--store", store]).stdout.contains(before))

        let write = try reader.run(["note", "one more", "--store", store])
        #expect(write.status == 77, "\(write.status) \(write.stderr)")
        #expect(write.stderr.contains("read-only") && write.stderr.contains("status, search"), "\(write.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: store).sorted() == files)
        #expect(try Data(contentsOf: URL(fileURLWithPath: store + "/replica.sqlite")) == bytes)
    }
}
