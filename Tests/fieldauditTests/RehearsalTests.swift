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

    /// Runs `scripts/rehearsal` in `work/` with `binary`; its status and its output (both streams).
    func rehearse(binary: String) throws -> (status: Int32, text: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["\(packageRoot)/scripts/rehearsal"]
        var environment = ProcessInfo.processInfo.environment
        environment["FIELDAUDIT_BIN"] = binary
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
        return (process.terminationStatus, text)
    }

    /// The central's server is gone: a laptop's `sync` finds it unreachable (exit 75).
    func expectCentralStopped(_ replica: String) throws {
        let sync = try cli.run(["sync"], store: directory.file("work/\(replica)"))
        #expect(sync.status == 75, "\(sync.stdout) \(sync.stderr)")
        #expect(sync.stderr.contains("central unreachable"), "\(sync.stderr)")
    }

    @Test func theRehearsalRunsAWholeStage2AuditAndEveryReplicaAgrees() throws {
        let (exitStatus, text) = try rehearse(binary: cli.executable)
        #expect(exitStatus == 0, "the rehearsal failed:\n\(text.suffix(2_000))")

        // It prints the commands it runs.
        #expect(text.contains("[ada]$ fieldaudit engagement create"))
        #expect(text.contains("[cara]$ fieldaudit capture"))
        // The concurrent edit showed as a conflict with both values, then was resolved.
        #expect(text.contains("finding") && text.contains("statement:") && text.contains("  [1] ") && text.contains("  [2] "))
        #expect(text.contains("1 new conflicts"))
        #expect(text.contains("all three replicas hold the same state"))
        #expect(text.contains("the central replica agrees with the team"))

        // The central runs as a service on 127.0.0.1; Ada and Ben sync with it over HTTP, Cara
        // still hands Ada a USB bundle.
        #expect(text.contains("[central]$ fieldaudit init --name Central"))
        #expect(text.contains("[ada]$ fieldaudit engagement file --central central.card.json"))
        #expect(text.contains("[central]$ fieldaudit trust ada.card.json"))
        #expect(text.contains("[central]$ fieldaudit serve --listen 127.0.0.1:0 --store "))
        let url = try #require(text.firstMatch(of: /Serving Central \([^)]*\) on (http:\/\/127\.0\.0\.1:[1-9][0-9]*);/)?.1)
        for replica in ["ada", "ben"] {
            #expect(text.contains("[\(replica)]$ fieldaudit remote add central \(url) --yes"), "\(replica)")
        }
        let synced = text.matches(of: /Synced with central \(([^)]*)\): pulled ([0-9]+) new changes ([^\n]*)/)
        #expect(synced.count == 7, "four syncs by Ada, three by Ben: \(synced.map { String($0.0) })")
        #expect(synced.allSatisfy { $0.1 == url })
        // Ben's first sync pushes his day's work; Ada's next one pulls it and meets Cara's edit.
        #expect(text.firstMatch(of: /\[ben\]\$ fieldaudit sync\nSynced with central[^\n]*pushed [1-9][0-9]* changes \([1-9][0-9]* new to the central/) != nil)
        #expect(text.firstMatch(of: /\[ada\]\$ fieldaudit sync\nSynced with central[^\n]*pulled [1-9][0-9]* new changes[^\n]*1 new conflicts/) != nil)
        #expect(text.contains("[cara]$ fieldaudit export --for ada.card.json -o cara-day1.fabundle"))
        #expect(text.contains("[ada]$ fieldaudit import cara-day1.fabundle"))
        #expect(text.contains("[cara]$ fieldaudit import consolidated-cara.fabundle"))
        #expect(!text.contains("[cara]$ fieldaudit sync") && !text.contains("[cara]$ fieldaudit remote"))

        // One digest printed for all three replicas and the central, the one each store verifies to.
        var printed: [String: String] = [:]
        for match in text.matches(of: /^(ada|ben|cara|central) +([0-9a-f]{16,})$/.anchorsMatchLineEndings()) { printed[String(match.1)] = String(match.2) }
        #expect(printed.keys.sorted() == ["ada", "ben", "cara", "central"], "\(printed)")
        #expect(Set(printed.values).count == 1, "\(printed)")

        // The server was stopped with SIGTERM and exited 0, after logging the syncs' requests.
        #expect(text.contains("the central's server stopped cleanly (exit status 0)"))
        let log = try String(contentsOfFile: directory.file("work/central-serve.log"), encoding: .utf8)
        #expect(log.contains("route=POST /v1/push") && log.contains("route=POST /v1/pull") && log.contains("status=200"), "\(log)")
        #expect(!log.contains("status=401") && !log.contains("status=500"), "\(log)")
        #expect(log.contains("Stopped; every import in progress finished or rolled back."), "\(log)")
        try expectCentralStopped("ada")

        // Every replica holds the same digest; no conflict is left anywhere.
        var digests = Set<String>()
        for replica in ["ada", "ben", "cara", "central"] {
            let verify = try #require(try json(["verify"], in: replica) as? [String: Any])
            #expect(verify["ok"] as? Bool == true, "\(replica)")
            digests.insert(try #require(verify["digest"] as? String))
            #expect(try fieldaudit(["conflicts", "--all"], in: replica).contains("No conflicts."))
        }
        #expect(digests.count == 1)
        #expect(digests == Set(printed.values))

        // The central holds the whole engagement but is not on its team.
        let team = try #require(try json(["team", "list"], in: "central") as? [[String: Any]])
        #expect(Set(team.compactMap { $0["name"] as? String }) == ["Ada Lead", "Ben Auditor", "Cara Auditor"])

        // The counts at the central replica.
        let status = try #require(try json(["status"], in: "central") as? [String: Any])
        let counts = try #require(status["counts"] as? [String: Any])
        #expect(counts["interviews"] as? Int == 2)
        #expect(counts["notes"] as? Int == 3)
        #expect(counts["tests"] as? Int == 2)
        #expect(counts["evidence"] as? Int == 4, "three from the site visit, one of the corrective action's implementation")
        #expect(counts["findings"] as? Int == 2)
        let findings = try #require(try json(["finding", "list"], in: "central") as? [[String: Any]])
        let minor = try #require(findings.first { $0["grade"] as? String == "minor" })
        #expect(minor["signedOffBy"] != nil && minor["discussed"] as? Bool == true)

        // After the site visit, the lead recorded NC-01's plan and verified it, her sync carried it
        // to the central, and every replica holds it closed.
        #expect(text.contains("[ada]$ fieldaudit finding verify NC-01 --accept"))
        #expect(text.contains("the follow-up reached every replica"))
        for replica in ["ada", "ben", "cara", "central"] {
            let status = try #require(try json(["status"], in: replica) as? [String: Any])
            let nonconformities = try #require(status["nonconformities"] as? [[String: Any]], "\(replica)")
            #expect(nonconformities.count == 1 && nonconformities.first?["label"] as? String == "NC-01", "\(replica)")
            #expect(nonconformities.first?["state"] as? String == "closed" && nonconformities.first?["doneActions"] as? Int == 1, "\(replica)")
        }

        // Every evidence file reached the central replica and matches its hash.
        let evidence = try #require(try json(["evidence", "list"], in: "central") as? [[String: Any]])
        for item in evidence {
            let id = try #require(item["id"] as? String)
            let shown = try #require(try json(["evidence", "show", id], in: "central") as? [String: Any])
            #expect(shown["intact"] as? Bool == true)
        }

        // The reports were written, and the OSCAL file's references and hashes hold.
        let reports = directory.file("work/reports")
        for file in ["helix-stage2.md", "helix-stage2.html", "helix-stage2.oscal.json", "csv/findings.csv", "csv/coverage.csv", "csv/nonconformities.csv"] {
            #expect(FileManager.default.fileExists(atPath: "\(reports)/\(file)"), "\(file) missing")
        }
        let markdown = try String(contentsOfFile: "\(reports)/helix-stage2.md", encoding: .utf8)
        #expect(markdown.contains("Helix Diagnostics Ltd") && markdown.contains("A.6.2.8"))
        #expect(markdown.contains("### NC-01: follow-up") && markdown.contains("accepted by Ada Lead on"))
        let oscal = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(reports)/helix-stage2.oscal.json")))
        let references = OSCALReferences(oscal)
        #expect(references.unresolved.isEmpty && references.duplicates.isEmpty && references.malformedHashes.isEmpty)
        #expect(!references.hashes.isEmpty)
    }

    @Test func aRehearsalThatFailsMidwayStillStopsTheCentralsServer() throws {
        // A `fieldaudit` that fails the lead's `resolve`, after the server started and both syncs ran.
        let wrapper = directory.file("failing-fieldaudit")
        try "#!/bin/bash\n[ \"$1\" = resolve ] && { echo 'injected failure' >&2; exit 70; }\nexec '\(cli.executable)' \"$@\"\n"
            .write(toFile: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
        let (status, text) = try rehearse(binary: wrapper)
        #expect(status == 70, "\(text.suffix(2_000))")
        #expect(text.contains("injected failure") && text.contains("[ada]$ fieldaudit sync"))
        #expect(text.contains("rehearsal failed (status 70): stopped the central's server (exit status 0)"), "\(text.suffix(2_000))")
        let log = try String(contentsOfFile: directory.file("work/central-serve.log"), encoding: .utf8)
        #expect(log.contains("Stopped; every import in progress finished or rolled back."), "\(log)")
        try expectCentralStopped("ada")
    }
}
