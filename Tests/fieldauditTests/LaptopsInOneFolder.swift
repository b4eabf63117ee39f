import Foundation
import TestSupport
import Testing

/// Several people's laptops as stores in one temporary folder (a store is named after its owner:
/// `ada`, `ben`), each running the built `fieldaudit`: the set-up of the end-to-end suites that
/// play a team.
protocol LaptopsInOneFolder {
    /// The built binary, run with a fixed environment.
    var cli: FieldAuditCLI { get }
    /// Where the stores and the files the team exchanges live.
    var directory: TemporaryDirectory { get }
}

extension LaptopsInOneFolder {
    /// A path in the folder.
    func file(_ name: String) -> String { directory.file(name) }

    /// Runs `fieldaudit ARGUMENTS` on `who`'s laptop, expecting exit 0; returns standard output.
    @discardableResult
    func succeed(_ arguments: [String], as who: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try cli.succeed(arguments, store: file(who), sourceLocation: sourceLocation)
    }

    /// Runs `fieldaudit ARGUMENTS` on `who`'s laptop, whatever its exit status.
    func run(_ arguments: [String], as who: String) throws -> FieldAuditCLI.Result {
        try cli.run(arguments, store: file(who))
    }

    /// Sends everything `from` holds for `to` as a bundle, and imports it.
    func send(_ from: String, to: String, _ name: String) throws {
        try succeed(["export", "--for", file("\(to).card.json"), "-o", file(name)], as: from)
        try succeed(["import", file(name)], as: to)
    }

    /// A command's `--json` output as an object.
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Ada, the lead, and Ben, an auditor, on one engagement (2026-12-01 to 03) that both replicas
    /// use; returns the engagement's short id.
    @discardableResult
    func adaAndBen() throws -> String {
        for name in ["ada", "ben"] {
            try succeed(["init", "--name", name.capitalized], as: name)
            try succeed(["whoami", "--card", "-o", file("\(name).card.json")], as: name)
        }
        try succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd", "--start", "2026-12-01", "--end", "2026-12-03"], as: "ada")
        try succeed(["team", "add", file("ben.card.json")], as: "ada")
        try succeed(["trust", file("ada.card.json")], as: "ben")
        try send("ada", to: "ben", "kickoff.fabundle")
        let engagement = try #require(try succeed(["engagement", "list"], as: "ben").firstMatch(of: /([0-9a-f]{8})  Helix/)).1
        try succeed(["engagement", "use", String(engagement)], as: "ben")
        return String(engagement)
    }
}
