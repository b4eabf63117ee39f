import BundleFormat
import CZlib
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

/// The headers (magic, version, length and fields) of the plain vectors `changes-and-checkpoints`
/// and `evidence`, for inputs that are a body.
let vectorHeaders: [[UInt8]] = [
    Hex.decode("464142554e444c450001000000930000005582942999af4ee664ad92f1c273d5efa30fff30b5fc889e218ac4538318a18883267905f50a2162d7494d2770fa8d1d0000019ab99d8ac800000001019ab697e80079c38c259116739c25720000000283267905f50a2162d7494d2770fa8d1d00000000000000000000000000000006bca92e5abc664c1419d9dd90480ae43100000000000000000000000000000006")!,
    Hex.decode("464142554e444c45000100000073000100541fd08a66deda7eeaadc4228f17722185b5f264f1f9bb5200b901df04b22dfabca92e5abc664c1419d9dd90480ae4310000019ab999e14800000001019ab697e80079c38c259116739c257200000001bca92e5abc664c1419d9dd90480ae43100000000000000000000000000000002")!,
]

/// An input whose first byte is `0xB0` or `0xB1` is a decompressed body: it gets that vector's header,
/// is compressed, and gets a zero trailer, so the frame decoder sees the fuzzer's bytes unchanged
/// (through compression, mutations would rarely make it past inflating). Seeds:
/// `scripts/fuzz` writes the vectors' bodies so marked into the corpus.
func bundle(aroundBody input: [UInt8]) -> [UInt8]? {
    guard let marker = input.first, marker & 0xFE == 0xB0 else { return nil }
    let body = Array(input.dropFirst())
    var compressedLength = compressBound(uLong(body.count))
    var compressed = [UInt8](repeating: 0, count: Int(compressedLength))
    guard compress2(&compressed, &compressedLength, body, uLong(body.count), 6) == Z_OK else { return nil }
    return vectorHeaders[Int(marker & 1)] + compressed.prefix(Int(compressedLength)) + [UInt8](repeating: 0, count: 96)
}

/// libFuzzer's entry point: one input, read to the end twice (or, for a marked body, once).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if let wrapped = bundle(aroundBody: bytes) {
        readToEnd(wrapped, agreementKey: nil)
        return 0
    }
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
