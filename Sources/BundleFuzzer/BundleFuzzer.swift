import BundleFormat
import Replication

// libFuzzer entry point for the bundle decoder; libFuzzer supplies `main`.
//
// Built only with `FIELDAUDIT_FUZZ=1 swift build -Xswiftc -sanitize=fuzzer,address` (see
// `scripts/fuzz`): without the sanitizer there is no `main` to link against.

/// The auditor's test key of `Sync/vectors/v1/bundles/sealed.json` (`openWithPrivateKey`), so that
/// inputs derived from the sealed vector get past the recipient check and exercise the sealed path.
private let vectorAgreementKey: AgreementKey = {
    let hex = "2cbc03f34fc12513d08f84a496dab8ddb24c4b4979c3a9e69517be6cd5b4b927"
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        bytes.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return AgreementKey.derive(from: try! ReplicaIdentity(privateKeyBytes: bytes))
}()

/// Reads every record of `bytes`, once without a key and once with the vector's agreement key;
/// every outcome other than a `BundleError` (a trap, a hang, a huge allocation) is a finding.
private func readToEnd(_ bytes: [UInt8], agreementKey: AgreementKey?) {
    do {
        let reader = try BundleReader(source: MemorySource(bytes), agreementKey: agreementKey)
        while try reader.next() != nil {}
    } catch {
        // Every BundleError is an expected outcome for arbitrary input.
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    readToEnd(bytes, agreementKey: nil)
    readToEnd(bytes, agreementKey: vectorAgreementKey)
    return 0
}
