import Foundation
import TestSupport
import Testing

/// `Sync/PROTOCOL.md` is meant to be enough to write a compatible implementation in another
/// language. `Sync/conformance/` is one, in Python, written from the specification and the vectors
/// alone; these tests run its checks (`conformance.py`) against the frozen vectors and the built
/// binary, and assert what it found: every vector decoded and reproduced, bundles it writes
/// imported by the binary with the same state digest, tampered ones refused with the README's exit
/// status, the binary's exports read back to the digest `verify` prints, a key file it wrote
/// restoring the same replica, a forked origin quarantined, and part three's signed requests
/// admitted by `fieldaudit serve`.
///
/// Needs `python3` with the `cryptography` package (`.ci/run` installs `python3-cryptography`).
/// Without them the tests are skipped, except in CI (`CI=true`), where they fail.
struct SecondImplementationTests {
    /// `python3`, when it is installed and imports `cryptography`.
    static let python: String? = {
        let candidates = ["/usr/bin/python3", "/usr/local/bin/python3", "/opt/homebrew/bin/python3"]
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) {
            if let probe = try? FieldAuditCLI.execute(path, ["-c", "import cryptography.hazmat.primitives.ciphers.aead"]),
               probe.status == 0 {
                return path
            }
        }
        return nil
    }()
    static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let available = python != nil || inCI

    /// What one `conformance.py` run reported: its JSON summary, and its whole output for messages.
    struct Report {
        let passed: Int
        let failed: Int
        let counts: [String: Int]
        let failures: [String]
        let output: String
    }

    func conformance(_ part: String) throws -> Report {
        let python = try #require(Self.python, "CI=true, but python3 with the cryptography package is missing: .ci/run installs it (apt-get install python3-cryptography)")
        let work = TemporaryDirectory("second-implementation")
        let result = try FieldAuditCLI.execute(
            python, ["\(packageRoot)/Sync/conformance/conformance.py", part, "--bin", FieldAuditCLI().executable, "--work", work.path],
            environment: ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { _, new in new })
        let last = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let json = try #require(
            try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any],
            "conformance.py \(part) printed no summary (exit \(result.status)): \(result.stdout.suffix(2000)) \(result.stderr.suffix(2000))")
        let report = Report(
            passed: json["passed"] as? Int ?? 0, failed: json["failed"] as? Int ?? -1,
            counts: json["counts"] as? [String: Int] ?? [:], failures: json["failures"] as? [String] ?? [],
            output: result.stdout + result.stderr)
        #expect(result.status == (report.failed == 0 ? 0 : 1), "exit \(result.status) disagrees with the summary")
        return report
    }

    @Test(.enabled(if: SecondImplementationTests.available, "needs python3 with cryptography (apt-get install python3-cryptography)"))
    func everyFrozenVectorDecodesAndReproducesItsHashesAndDigests() throws {
        let report = try conformance("vectors")
        #expect(report.failed == 0, "\(report.failures.joined(separator: "\n"))")
        let merges = try FileManager.default.contentsOfDirectory(atPath: "\(packageRoot)/Sync/vectors/v1").filter { $0.hasSuffix(".json") }
        let bundles = try FileManager.default.contentsOfDirectory(atPath: "\(packageRoot)/Sync/vectors/v1/bundles").filter { $0.hasSuffix(".json") }
        #expect(report.counts["mergeVectors"] == merges.count)
        #expect(report.counts["bundleVectors"] == bundles.count)
        #expect(report.counts["bundleRecords", default: 0] >= 40)
        #expect(report.passed >= 200, "only \(report.passed) checks ran")
    }

    @Test(.enabled(if: SecondImplementationTests.available, "needs python3 with cryptography (apt-get install python3-cryptography)"))
    func theBinaryImportsItsBundlesRefusesTamperedOnesAndItReadsTheBinarysExports() throws {
        let report = try conformance("binary")
        #expect(report.failed == 0, "\(report.failures.joined(separator: "\n"))")
        // a plain bundle (with redacted frames and an evidence file), a sealed one and one sealed
        // over several chunks, accepted
        #expect(report.counts["ownBundlesAccepted"] == 3)
        // one key's two histories, each under its own checkpoint: quarantined from the fork, the
        // same digest in either order
        #expect(report.counts["forksQuarantined"] == 1)
        // ten tampered bundles: a changed change, a flipped body byte, trailer signature,
        // checkpoint signature, a dropped link, a reordering, a short checkpoint, bad evidence,
        // an unknown exporter, a change by a key on no team; each refused (65, or 77 for the exporter
        // and the roster) with the store unchanged
        #expect(report.counts["tamperedRefused"] == 10)
        #expect(report.counts["tamperedAccepted"] == nil)
        // `export --all --no-encrypt` and a sealed `export --for CARD`, read back
        #expect(report.counts["binaryExportsRead"] == 2)
        // bundles every reader must refuse, refused by both implementations with exit 65: an unknown
        // required capability, format version 2, an entity written with another kind, 17
        // checkpoints of one origin, redacted frames beyond one per 16 bytes, evidence chunks out
        // of order, a non-canonical supersedes origin code
        #expect(report.counts["edgesRefused"] == 7)
        #expect(report.counts["edgesAccepted"] == nil)
    }

    @Test(.enabled(if: SecondImplementationTests.available, "needs python3 with cryptography (apt-get install python3-cryptography)"))
    func requestsSignedBySecondImplementationAreAdmittedByTheCentral() throws {
        let report = try conformance("http")
        #expect(report.failed == 0, "\(report.failures.joined(separator: "\n"))")
        #expect(report.counts["ownBundlesAccepted"] == 1, "the push was not imported")
        #expect(report.passed >= 21, "only \(report.passed) checks ran:\n\(report.output.suffix(3000))")
    }
}
