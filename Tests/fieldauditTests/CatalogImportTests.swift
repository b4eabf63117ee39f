import Foundation
import TestSupport
import Testing

/// `catalog import` of the published formats, as a user types it: a CISO Assistant library (in
/// English and in French) and an OSCAL catalog, listed, audited against, and a newer version
/// imported beside an engagement that keeps the older one.
struct CatalogImportTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-catalog-import")
    let fixtures = "\(packageRoot)/Fixtures/catalogs"
    var store: String { directory.file("replica") }

    func run(_ arguments: [String]) throws -> FieldAuditCLI.Result {
        try cli.run(arguments, store: store)
    }

    @discardableResult
    func succeed(_ arguments: [String]) throws -> String {
        let result = try run(arguments)
        #expect(result.status == 0, "`fieldaudit \(arguments.joined(separator: " "))` failed: \(result.stderr)")
        return result.stdout
    }

    func json(_ arguments: [String]) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(try succeed(arguments + ["--json"]).utf8))
    }

    /// The example library at another version, with A.8.15 renamed A.8.16.
    func nextVersion() throws -> String {
        let text = try String(contentsOfFile: "\(fixtures)/example-isms-2025.yaml", encoding: .utf8)
            .replacingOccurrences(of: "\nversion: 2\n", with: "\nversion: 3\n")
            .replacingOccurrences(of: "A.8.15", with: "A.8.16").replacingOccurrences(of: "a.8.15", with: "a.8.16")
        let path = directory.file("example-isms-2025-v3.yaml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aCISOAssistantLibraryIsImportedListedAndAuditedAgainst() throws {
        try succeed(["init", "--name", "Ada Lead"])
        let imported = try succeed(["catalog", "import", "\(fixtures)/example-isms-2025.yaml"])
        #expect(imported.contains("Imported Example information security management standard 2025 (example-isms-2025, version 2): 7 requirements."))
        #expect(try succeed(["catalog", "import", "\(fixtures)/example-isms-2025.yaml"]).hasPrefix("Already imported, nothing changed: "))
        let french = try succeed(["catalog", "import", "\(fixtures)/example-isms-2025.yaml", "--locale", "fr"])
        #expect(french.contains("(example-isms-2025-fr, version 2)"))

        let catalogs = try #require(try json(["catalog", "list", "--catalogs"]) as? [[String: String]])
        #expect(catalogs.map { $0["id"] ?? "" } == ["iso-iec-42001-2023", "example-isms-2025", "example-isms-2025-fr"])
        #expect(catalogs[1]["version"] == "2" && catalogs[1]["source"] == "urn:fieldaudit:risk:framework:example-isms-2025")
        #expect(try succeed(["catalog", "list", "--catalog", "example-isms-2025-fr"]).contains("A.8.15   Journalisation"))

        try succeed(["engagement", "create", "--client", "Northwind", "--standard", "example-isms-2025"])
        #expect(try succeed(["catalog", "list"]).contains("A.8.15   Logging"))
        try succeed(["test", "record", "a.8.15", "--method", "inspection", "--result", "conforming"])
        let tests = try #require(try json(["test", "list"]) as? [[String: Any]])
        #expect(tests.first?["ref"] as? String == "A.8.15")
        let unknown = try run(["test", "record", "A.8.16", "--method", "inspection", "--result", "conforming"])
        #expect(unknown.status == 65 && unknown.stderr.contains("A.8.16 is not in EXAMPLE-ISMS:2025; did you mean A.8.15?"))
    }

    @Test func aNewerVersionIsKeptBesideTheOlderAndChangesNoEngagement() throws {
        try succeed(["init", "--name", "Ada Lead"])
        try succeed(["catalog", "import", "\(fixtures)/example-isms-2025.yaml"])
        try succeed(["engagement", "create", "--client", "Northwind", "--standard", "example-isms-2025"])
        let older = try #require(try succeed(["engagement", "list", "--json"]).firstMatch(of: /"id" : "([0-9a-f-]{36})"/)).1

        #expect(try succeed(["catalog", "import", try nextVersion()]).contains("(example-isms-2025, version 3): 7 requirements"))
        let listed = try succeed(["catalog", "list", "--catalogs"])
        #expect(listed.contains("example-isms-2025   2 ") && listed.contains("example-isms-2025   3 "), "\(listed)")

        // The engagement made against version 2 still audits version 2.
        #expect(try succeed(["catalog", "list"]).contains("A.8.15   Logging"))
        try succeed(["test", "record", "A.8.15", "--method", "inspection", "--result", "conforming"])
        #expect(try run(["test", "record", "A.8.16", "--method", "inspection", "--result", "conforming"]).status == 65)

        // A new engagement gets the newest version, or the one named with @.
        try succeed(["engagement", "create", "--client", "Contoso", "--standard", "example-isms-2025"])
        try succeed(["test", "record", "A.8.16", "--method", "inspection", "--result", "conforming"])
        try succeed(["engagement", "create", "--client", "Fabrikam", "--standard", "example-isms-2025@2"])
        try succeed(["test", "record", "A.8.15", "--method", "inspection", "--result", "conforming"])
        try succeed(["engagement", "use", String(older)])
        #expect(try succeed(["catalog", "list"]).contains("A.8.15   Logging"))

        // The same version with other text is refused: a published version never changes.
        let changed = try String(contentsOfFile: try nextVersion(), encoding: .utf8).replacingOccurrences(of: "name: Logging", with: "name: Log keeping")
        let path = directory.file("tampered.yaml")
        try changed.write(toFile: path, atomically: true, encoding: .utf8)
        let refused = try run(["catalog", "import", path])
        #expect(refused.status == 65 && refused.stderr.contains("example-isms-2025 version 3 is already imported with other text"))

        // An id is one framework's: another framework, or a built-in catalog's id, needs --id.
        let taken = try run(["catalog", "import", "\(fixtures)/example-oscal-catalog.json", "--id", "example-isms-2025"])
        #expect(taken.status == 65 && taken.stderr.contains("the id example-isms-2025 is already taken by urn:fieldaudit:risk:framework:example-isms-2025"))
        let builtIn = try run(["catalog", "import", "\(fixtures)/example-isms-2025.yaml", "--id", "iso-iec-42001-2023"])
        #expect(builtIn.status == 65 && builtIn.stderr.contains("iso-iec-42001-2023 is the id of a built-in catalog"))
        #expect(try succeed(["catalog", "list", "--catalogs"]).split(separator: "\n").filter { $0.hasPrefix("example-isms-2025 ") }.count == 2)
    }

    @Test func anOSCALCatalogIsImportedAndItsControlsAudited() throws {
        try succeed(["init", "--name", "Ada Lead"])
        let imported = try succeed(["catalog", "import", "\(fixtures)/example-oscal-catalog.json", "--id", "example-800-53"])
        #expect(imported.contains("Imported Example Security Controls Catalog (example-800-53, version 1.1.0): 4 requirements."))
        try succeed(["engagement", "create", "--client", "Northwind", "--standard", "example-800-53"])
        let listed = try succeed(["catalog", "list"])
        #expect(listed.contains("ac Access Control") && listed.contains("  ac-2.1   Automated System Account Management"))
        try succeed(["test", "record", "AC-2.1", "--method", "inspection", "--result", "conforming"])
        let withdrawn = try run(["test", "record", "ac-2.10", "--method", "inspection", "--result", "conforming"])
        #expect(withdrawn.status == 65 && withdrawn.stderr.contains("ac-2.10 is not in Example Security Controls Catalog"))
        let status = try #require(try json(["status"]) as? [String: Any])
        #expect((status["coverage"] as? [String: Int])?["controlsCovered"] == 1)
    }

    @Test func profilesMappingSetsAndHostileCatalogFilesAreRefusedAndChangeNothing() throws {
        try succeed(["init", "--name", "Ada Lead"])
        try succeed(["catalog", "import", "\(fixtures)/example-isms-2025.yaml"])
        try succeed(["engagement", "create", "--client", "Northwind", "--standard", "example-isms-2025"])
        let digest = try #require(try json(["verify"]) as? [String: Any])["digest"] as? String
        let catalogs = try succeed(["catalog", "list", "--catalogs"])
        let stored = try FileManager.default.contentsOfDirectory(atPath: "\(store)/catalogs").sorted()

        func write(_ name: String, _ bytes: [UInt8]) throws -> String {
            let path = directory.file(name)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        let library = try String(contentsOfFile: "\(fixtures)/example-isms-2025.yaml", encoding: .utf8)
        var laughs = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...12 { laughs += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let cycle = library.replacingOccurrences(
            of: "ref_id: core\n", with: "ref_id: core\n      parent_urn: urn:fieldaudit:risk:req_node:example-isms-2025:4.1\n")
        let hostile: [(name: String, path: String, status: Int32, says: String)] = [
            ("an OSCAL profile", "\(fixtures)/example-oscal-profile.json", 65, "resolve it into a catalog first"),
            ("a mapping set naming an unknown requirement", try write("mapping.yaml", Array(try String(contentsOfFile: "\(fixtures)/example-isms-to-iso42001-mapping.yaml", encoding: .utf8)
                .replacingOccurrences(of: "example-isms-2025:6.1.2", with: "example-isms-2025:6.1.9").utf8)), 65,
             "source_requirement_urn urn:fieldaudit:risk:req_node:example-isms-2025:6.1.9 is no requirement of EXAMPLE-ISMS:2025"),
            ("a mapping set whose framework is not held", try write("mapping-other.yaml", Array(try String(contentsOfFile: "\(fixtures)/example-isms-to-iso42001-mapping.yaml", encoding: .utf8)
                .replacingOccurrences(of: "source_framework_urn: urn:fieldaudit:risk:framework:example-isms-2025", with: "source_framework_urn: urn:example:framework:other").utf8)), 65,
             "the mapping set's source framework urn:example:framework:other is no catalog this replica holds; import its library first"),
            ("invalid YAML", try write("invalid.yaml", Array("urn: x\nobjects: [\n  framework: {\n".utf8)), 65, "it is not valid YAML"),
            ("a parent_urn cycle", try write("cycle.yaml", Array(cycle.utf8)), 65, "a cycle"),
            ("a duplicate ref_id", try write("duplicate.yaml", Array(library.replacingOccurrences(of: "ref_id: A.5.2", with: "ref_id: A.5.1").utf8)), 65,
             "the ref_id A.5.1 appears twice"),
            ("billion laughs", try write("laughs.yaml", Array(laughs.utf8)), 65, "anchors or aliases"),
            ("deep nesting", try write("deep.yaml", Array(("objects: " + String(repeating: "[", count: 100_000)).utf8)), 65, "not valid YAML"),
            ("a wrong type", try write("type.yaml", Array(library.replacingOccurrences(of: "assessable: true", with: "assessable: [yes]").utf8)), 65,
             "objects.framework.requirement_nodes[2].assessable must be true or false"),
            ("not UTF-8", try write("latin1.yaml", Array(library.utf8.prefix(200)) + [0xE9, 0xFF, 0x0A]), 65, "not UTF-8"),
            ("a 50 MB file", try write("huge.yaml", Array(library.utf8) + Array(repeating: UInt8(ascii: "#"), count: 50_000_000)), 65,
             "and a catalog file is at most 32.0 MiB"),
            ("a missing file", directory.file("missing.yaml"), 66, "no such file"),
        ]
        for file in hostile {
            let result = try run(["catalog", "import", file.path])
            #expect(result.status == file.status, "\(file.name): \(result.status) \(result.stderr.prefix(300))")
            #expect(result.stderr.contains(file.says), "\(file.name): \(result.stderr.prefix(300))")
        }
        #expect(try #require(try json(["verify"]) as? [String: Any])["digest"] as? String == digest)
        #expect(try succeed(["catalog", "list", "--catalogs"]) == catalogs)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(store)/catalogs").sorted() == stored)
        #expect(!FileManager.default.fileExists(atPath: "\(store)/mappings"), "no mapping set stored")
    }
}
