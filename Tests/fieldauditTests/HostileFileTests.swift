import Foundation
import TestSupport
import Testing

/// Hostile JSON files given to the commands that read them (identity cards, catalogs, version
/// vectors): deep nesting, invalid UTF-8, a huge file. Each ends in a clear error, never a crash,
/// and the state is unchanged.
struct HostileFileTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-hostile-files")
    var store: String { directory.file("replica") }

    /// The commands that read a JSON file, with the file's place in their arguments.
    static let readers: [[String]] = [["trust", "FILE"], ["catalog", "import", "FILE"], ["export", "--since", "FILE", "-o", "out.fabundle"]]

    static let hostileFiles: [(name: String, bytes: [UInt8])] = [
        ("nested arrays, 100,000 deep", Array(String(repeating: "[", count: 100_000).utf8) + Array(String(repeating: "]", count: 100_000).utf8)),
        ("nested objects, 50,000 deep", Array(String(repeating: "{\"a\":", count: 50_000).utf8) + Array("1".utf8) + Array(String(repeating: "}", count: 50_000).utf8)),
        ("invalid UTF-8", Array("{\"format\":\"fieldaudit-identity-card\",\"name\":\"".utf8) + [0xff, 0xfe, 0xc3, 0x28] + Array("\"}".utf8)),
        ("a 32 MiB string", Array("{\"name\":\"".utf8) + [UInt8](repeating: 0x61, count: 32 << 20) + Array("\"}".utf8)),
    ]

    func digest() throws -> String {
        let result = try cli.run(["verify", "--json"], store: store)
        let output = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require(output?["digest"] as? String)
    }

    @Test func hostileJSONFilesAreRefusedClearlyAndChangeNothing() throws {
        #expect(try cli.run(["init", "--name", "Ada Lead"], store: store).status == 0)
        #expect(try cli.run(["engagement", "create", "--client", "Helix Diagnostics Ltd"], store: store).status == 0)
        let before = try digest()
        for (index, file) in Self.hostileFiles.enumerated() {
            let path = directory.file("hostile-\(index).json")
            try Data(file.bytes).write(to: URL(fileURLWithPath: path))
            for reader in Self.readers {
                let arguments = reader.map { $0 == "FILE" ? path : $0 == "out.fabundle" ? directory.file("out.fabundle") : $0 }
                let result = try cli.run(arguments, store: store)
                // A crash would end with a signal's number (4, 6, 11) as its status.
                #expect([64, 65, 66].contains(result.status), "`\(reader.joined(separator: " "))` with \(file.name): \(result.status) \(result.stderr.prefix(300))")
                #expect(result.stderr.contains("error"), "`\(reader.joined(separator: " "))` with \(file.name) printed no error")
            }
        }
        #expect(try digest() == before)
    }
}
