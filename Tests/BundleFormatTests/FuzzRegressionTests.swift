import BundleFormat
import Foundation
import Replication
import TestSupport
import Testing

/// Inputs the libFuzzer target (`scripts/fuzz`) once crashed, hung or over-allocated on, kept in
/// `Tests/BundleFormatTests/Corpus/`: each must now end in a `BundleError`, quickly, with or without
/// the sealed vector's agreement key (as the fuzzer reads them).
struct FuzzRegressionTests {
    static let directory = "\(packageRoot)/Tests/BundleFormatTests/Corpus"

    static let inputs: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".fabundle") }.sorted()
    }()

    /// The auditor's test key of `Sync/vectors/v1/bundles/sealed.json`, the one the fuzzer uses.
    static let vectorKey = AgreementKey.derive(
        from: try! ReplicaIdentity(privateKeyBytes: Hex.decode("2cbc03f34fc12513d08f84a496dab8ddb24c4b4979c3a9e69517be6cd5b4b927")!))

    @Test(arguments: inputs)
    func aFormerlyCrashingInputIsRefusedWithABundleError(name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(Self.directory)/\(name)")))
        let start = Date()
        for key in [nil, Self.vectorKey] {
            let error = readingError(bytes, agreementKey: key)
            #expect(error != nil, "\(name) read cleanly")
            if case let .io(reason)? = error { Issue.record("\(name): not a BundleError: \(reason)") }
        }
        #expect(Date().timeIntervalSince(start) < 5, "\(name) took too long to refuse")
    }

    /// The same fault as the fuzzer's first crash, found by reading (a `try!` around a read that
    /// runs out of bytes), in the header: a declared header length that ends inside the exporter id.
    @Test func aHeaderEndingInsideTheExporterIdIsRefused() throws {
        let vector = "\(packageRoot)/Sync/vectors/v1/bundles/changes-and-checkpoints.fabundle"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: vector)))
        // Flags (2), capability count (1, none here), exporter key (32), then 8 of the id's 16 bytes.
        bytes.replaceSubrange(10..<14, with: [0, 0, 0, 43])
        guard case .malformedHeader? = readingError(bytes) else {
            Issue.record("expected malformedHeader, got \(String(describing: readingError(bytes)))")
            return
        }
    }
}
