import Foundation
import TestSupport
import Testing

/// The README's first command, `scripts/rehearsal`, run against the built binary: every step of
/// the whole Stage 2 audit is checked.
struct RehearsalTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-rehearsal-test")

    func fieldaudit(_ arguments: [String], in replica: String) throws -> String {
        let result = try cli.run(arguments, store: directory.file("work/\(replica)"))
        #expect(result.status == 0, "\(arguments) in \(replica): \(result.stderr)")
        return result.stdout
    }

    func json(_ arguments: [String], in replica: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(try fieldaudit(arguments + ["--json"], in: replica).utf8))
    }

    @Test func theRehearsalRunsAWholeStage2AuditAndEveryReplicaAgrees() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["\(packageRoot)/scripts/rehearsal"]
        var environment = ProcessInfo.processInfo.environment
        environment["FIELDAUDIT_BIN"] = cli.executable
        environment["REHEARSAL_DIR"] = directory.file("work")
        environment["NO_COLOR"] = "1"
        environment["TZ"] = "UTC"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "the rehearsal failed:\n\(text.suffix(2_000))")

        // It prints the commands it runs.
        #expect(text.contains("[ada]$ fieldaudit engagement create"))
        #expect(text.contains("[cara]$ fieldaudit capture"))
        // The concurrent edit showed as a conflict with both values, then was resolved.
        #expect(text.contains("finding") && text.contains("statement:") && text.contains("  [1] ") && text.contains("  [2] "))
        #expect(text.contains("1 new conflicts"))
        #expect(text.contains("all three replicas hold the same state"))
        #expect(text.contains("the central replica agrees with the team"))

        // Every replica holds the same digest; no conflict is left anywhere.
        var digests = Set<String>()
        for replica in ["ada", "ben", "cara", "central"] {
            let verify = try #require(try json(["verify"], in: replica) as? [String: Any])
            #expect(verify["ok"] as? Bool == true, "\(replica)")
            digests.insert(try #require(verify["digest"] as? String))
            #expect(try fieldaudit(["conflicts", "--all"], in: replica).contains("No conflicts."))
        }
        #expect(digests.count == 1)

        // The counts at the central replica.
        let status = try #require(try json(["status"], in: "central") as? [String: Any])
        let counts = try #require(status["counts"] as? [String: Any])
        #expect(counts["interviews"] as? Int == 2)
        #expect(counts["notes"] as? Int == 3)
        #expect(counts["tests"] as? Int == 2)
        #expect(counts["evidence"] as? Int == 3)
        #expect(counts["findings"] as? Int == 2)
        let findings = try #require(try json(["finding", "list"], in: "central") as? [[String: Any]])
        let minor = try #require(findings.first { $0["grade"] as? String == "minor" })
        #expect(minor["signedOffBy"] != nil && minor["discussed"] as? Bool == true)

        // Every evidence file reached the central replica and matches its hash.
        let evidence = try #require(try json(["evidence", "list"], in: "central") as? [[String: Any]])
        for item in evidence {
            let id = try #require(item["id"] as? String)
            let shown = try #require(try json(["evidence", "show", id], in: "central") as? [String: Any])
            #expect(shown["intact"] as? Bool == true)
        }

        // The reports were written, and the OSCAL file's references and hashes hold.
        let reports = directory.file("work/reports")
        for file in ["helix-stage2.md", "helix-stage2.html", "helix-stage2.oscal.json", "csv/findings.csv", "csv/coverage.csv"] {
            #expect(FileManager.default.fileExists(atPath: "\(reports)/\(file)"), "\(file) missing")
        }
        let markdown = try String(contentsOfFile: "\(reports)/helix-stage2.md", encoding: .utf8)
        #expect(markdown.contains("Helix Diagnostics Ltd") && markdown.contains("A.6.2.8"))
        let oscal = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(reports)/helix-stage2.oscal.json")))
        let references = OSCALReferences(oscal)
        #expect(references.unresolved.isEmpty && references.duplicates.isEmpty && references.malformedHashes.isEmpty)
        #expect(!references.hashes.isEmpty)
    }
}
