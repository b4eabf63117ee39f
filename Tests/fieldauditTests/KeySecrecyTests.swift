import Foundation
import TestSupport
import Testing

/// The private key stays in `identity.key`: no bundle, card, summary, change log or error message
/// carries it, in base64, hex or raw bytes.
struct KeySecrecyTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-keys")

    func file(_ name: String) -> String { directory.file(name) }

    @discardableResult
    func succeed(_ arguments: [String], as who: String) throws -> FieldAuditCLI.Result {
        let result = try cli.run(arguments, store: file(who))
        #expect(result.status == 0, "`fieldaudit \(arguments.joined(separator: " "))` as \(who) failed: \(result.stderr)")
        return result
    }

    /// The spellings of a replica's private key that must never leave its key file.
    func secretSpellings(of replica: String) throws -> (texts: [String], raw: [UInt8]) {
        let text = try String(contentsOfFile: file(replica) + "/identity.key", encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let base64 = try #require(lines.count == 3 ? lines[1] : nil)
        let raw = [UInt8](try #require(Data(base64Encoded: base64)))
        #expect(raw.count == 32)
        let hex = raw.map { String(format: "%02x", $0) }.joined()
        let unpadded = base64.replacingOccurrences(of: "=", with: "")
        let urlSafe = unpadded.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        return ([unpadded, urlSafe, hex, hex.uppercased()], raw)
    }

    func expectAbsent(_ secret: (texts: [String], raw: [UInt8]), in bytes: [UInt8], _ what: String) {
        let text = String(decoding: bytes, as: UTF8.self)
        for spelling in secret.texts {
            #expect(!text.contains(spelling), "\(what) contains the private key")
        }
        // Any 8 consecutive raw key bytes would already be a leak.
        for start in stride(from: 0, through: secret.raw.count - 8, by: 4) {
            let window = Array(secret.raw[start..<(start + 8)])
            #expect(bytes.firstRange(of: window) == nil, "\(what) contains raw private key bytes at key offset \(start)")
        }
    }

    @Test func thePrivateKeyNeverAppearsInBundlesCardsSummariesOrErrors() throws {
        try succeed(["init", "--name", "Ada Lead"], as: "lead")
        try succeed(["init", "--name", "Ben Auditor"], as: "ben")
        let lead = try secretSpellings(of: "lead")
        let ben = try secretSpellings(of: "ben")
        var outputs: [(String, [UInt8])] = []

        let whoami = try succeed(["whoami", "--json"], as: "lead")
        outputs.append(("whoami --json", Array(whoami.stdout.utf8)))
        outputs.append(("whoami", Array(try succeed(["whoami"], as: "lead").stdout.utf8)))
        try succeed(["whoami", "--card", "-o", file("ada.card.json")], as: "lead")
        try succeed(["whoami", "--card", "-o", file("ben.card.json")], as: "ben")
        outputs.append(("the lead's identity card", [UInt8](try Data(contentsOf: URL(fileURLWithPath: file("ada.card.json"))))))

        try succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd"], as: "lead")
        try succeed(["team", "add", file("ben.card.json")], as: "lead")
        try succeed(["note", "--ref", "6.1.2", "Risk register reviewed quarterly"], as: "lead")
        try Data("model card v3".utf8).write(to: URL(fileURLWithPath: file("model-card.txt")))
        try succeed(["evidence", "add", file("model-card.txt"), "--ref", "A.6.2.8"], as: "lead")
        try succeed(["export", "--for", file("ben.card.json"), "-o", file("plain.fabundle")], as: "lead")
        try succeed(["export", "--for", file("ben.card.json"), "--encrypt", "-o", file("sealed.fabundle")], as: "lead")
        for bundle in ["plain.fabundle", "sealed.fabundle"] {
            outputs.append((bundle, [UInt8](try Data(contentsOf: URL(fileURLWithPath: file(bundle))))))
        }
        outputs.append(("verify --json", Array(try succeed(["verify", "--json"], as: "lead").stdout.utf8)))
        outputs.append(("log", Array(try succeed(["log"], as: "lead").stdout.utf8)))

        // Errors: a damaged bundle, an unsigned signer, a missing file, a key file others can read.
        var damaged = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file("plain.fabundle"))))
        damaged[damaged.count / 2] ^= 0x40
        try Data(damaged).write(to: URL(fileURLWithPath: file("damaged.fabundle")))
        var failures: [FieldAuditCLI.Result] = []
        failures.append(try cli.run(["import", file("damaged.fabundle")], store: file("ben")))
        failures.append(try cli.run(["import", file("plain.fabundle")], store: file("ben")))  // lead not trusted yet
        failures.append(try cli.run(["import", file("missing.fabundle")], store: file("lead")))
        failures.append(try cli.run(["evidence", "add", file("missing.pdf")], store: file("lead")))
        chmod(file("lead") + "/identity.key", 0o644)
        failures.append(try cli.run(["whoami", "--json"], store: file("lead")))
        failures.append(try cli.run(["export", "--for", file("ben.card.json"), "-o", file("refused.fabundle")], store: file("lead")))
        chmod(file("lead") + "/identity.key", 0o600)
        for (index, failure) in failures.enumerated() {
            #expect(failure.status != 0, "failure \(index) unexpectedly succeeded")
            #expect(!failure.stderr.isEmpty, "failure \(index) printed no error")
            outputs.append(("error \(index): \(failure.stderr.prefix(60))", Array((failure.stdout + failure.stderr).utf8)))
        }

        for (what, bytes) in outputs {
            expectAbsent(lead, in: bytes, what)
            expectAbsent(ben, in: bytes, what)
        }
    }
}
