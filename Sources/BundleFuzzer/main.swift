import BundleFormat
import Foundation
import Replication

// The libFuzzer target of the bundle decoder: `scripts/fuzz` builds and runs it.
//
// Declared in Package.swift only when FIELDAUDIT_FUZZ is set, and built only with
// `-Xswiftc -sanitize=fuzzer,address` (in its own scratch folder, `.build-fuzz`). On Linux SwiftPM
// links an executable's `main` to its top-level code, so a file holding only the
// `LLVMFuzzerTestOneInput` entry point either fails to link (`-parse-as-library`) or gets an empty
// `main` that shadows libFuzzer's; this top-level code therefore hands over to libFuzzer's driver.

/// The auditor's test key of `Sync/vectors/v1/bundles/sealed.json` (`openWithPrivateKey`), so that
/// inputs derived from the sealed vector get past the recipient check and exercise the sealed path.
let vectorAgreementKey = AgreementKey.derive(
    from: try! ReplicaIdentity(privateKeyBytes: Hex.decode("2cbc03f34fc12513d08f84a496dab8ddb24c4b4979c3a9e69517be6cd5b4b927")!))

/// Reads every record of `bytes`, once without a key and once with the vector's agreement key;
/// every outcome other than a `BundleError` (a trap, a hang, a huge allocation) is a finding.
func readToEnd(_ bytes: [UInt8], agreementKey: AgreementKey?) {
    do {
        let reader = try BundleReader(source: MemorySource(bytes), agreementKey: agreementKey)
        while try reader.next() != nil {}
    } catch {
        // Every BundleError is an expected outcome for arbitrary input.
    }
}

/// libFuzzer's entry point: one input, read to the end twice.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    readToEnd(bytes, agreementKey: nil)
    readToEnd(bytes, agreementKey: vectorAgreementKey)
    return 0
}

/// libFuzzer's driver (`LLVMFuzzerRunDriver` in compiler-rt's `FuzzerInterface.h`): parses the
/// command line and fuzzes `callback`.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

var argumentCount = CommandLine.argc
var arguments = CommandLine.unsafeArgv
exit(runFuzzerDriver(&argumentCount, &arguments) { data, size in fuzz(data, size) })
