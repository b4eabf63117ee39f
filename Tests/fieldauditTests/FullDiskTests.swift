import Foundation
import TestSupport
import Testing

/// A replica on a full disk: `import` and `evidence add` fail with "disk is full" (exit 74), the
/// state is unchanged, and no half-written evidence file is left in the blobs folder.
///
/// The test mounts a 2 MiB `tmpfs`, which needs root; it is skipped otherwise.
@Suite(.enabled(if: getuid() == 0, "mounting a size-limited tmpfs needs root; run the suite as root to test a full disk"))
struct FullDiskTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])
    let directory = TemporaryDirectory("fieldaudit-full")

    func file(_ name: String) -> String { directory.file(name) }

    func digest(_ store: String) throws -> String {
        let result = try cli.run(["verify", "--json"], store: store)
        #expect(result.status == 0, "verify failed: \(result.stdout) \(result.stderr)")
        let output = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require(output?["digest"] as? String)
    }

    /// Every regular file under the blobs folder (stored blobs and anything half-written).
    func blobFiles(_ store: String) -> [String] {
        let blobs = store + "/blobs"
        guard let walker = FileManager.default.enumerator(atPath: blobs) else { return [] }
        return walker.compactMap { $0 as? String }.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: "\(blobs)/\(path)", isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }

    /// The SHA-256 of a file in hex, by `sha256sum`.
    func sha256(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix(64))
    }

    /// Runs `body` with a `size`-limited tmpfs mounted at a fresh folder, unmounting it whatever happens.
    func withSmallDisk(size: String, _ body: (String) throws -> Void) throws {
        let mountPoint = file("disk")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", mountPoint]
        try mount.run()
        mount.waitUntilExit()
        try #require(mount.terminationStatus == 0, "mount -t tmpfs failed (a container without CAP_SYS_ADMIN?)")
        defer {
            let unmount = Process()
            unmount.executableURL = URL(fileURLWithPath: "/bin/umount")
            unmount.arguments = [mountPoint]
            try? unmount.run()
            unmount.waitUntilExit()
        }
        try body(mountPoint)
    }

    /// Fills the disk at `path` with one file until `write` fails for lack of space, then gives
    /// `room` bytes back.
    func fill(_ path: String, leaving room: Int = 0) {
        let descriptor = open(path + "/filler", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(descriptor) }
        let block = [UInt8](repeating: 0x5a, count: 4096)
        var size = 0
        while case let written = block.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }), written > 0 { size += written }
        ftruncate(descriptor, off_t(max(0, size - room)))
    }

    /// With no room at all, and with room left for part or all of the 256 KiB evidence file.
    @Test(arguments: [0, 128 << 10, 300 << 10])
    func importAndEvidenceOnAFullDiskFailClearlyAndChangeNothing(room: Int) throws {
        // Given Ben's bundle with notes and a 256 KiB evidence file for the lead,
        let ben = file("ben")
        try cli.succeed(["init", "--name", "Ben Auditor"], store: ben)
        try cli.succeed(["whoami", "--card", "-o", file("ben.card.json")], store: ben)
        try cli.succeed(["engagement", "create", "--client", "Helix Diagnostics Ltd"], store: ben)
        try cli.succeed(["capture"], store: ben, input: "/ref A.6.2.8\n" + (0..<100).map { "note \($0) on logging" }.joined(separator: "\n") + "\n")
        var generator = SeededGenerator(seed: 3)
        let evidence = file("logs.bin")
        try Data(generator.bytes(256 << 10)).write(to: URL(fileURLWithPath: evidence))
        try cli.succeed(["evidence", "add", evidence, "--ref", "A.6.2.8"], store: ben)

        try withSmallDisk(size: "2m") { disk in
            // and the lead's replica on a small disk that is then filled,
            let lead = disk + "/lead"
            try cli.succeed(["init", "--name", "Ada Lead"], store: lead)
            try cli.succeed(["engagement", "create", "--client", "Orbit Labs"], store: lead)
            try cli.succeed(["whoami", "--card", "-o", file("ada.card.json")], store: lead)
            try cli.succeed(["trust", file("ben.card.json")], store: lead)
            try cli.succeed(["team", "add", file("ada.card.json")], store: ben)
            try cli.succeed(["export", "--for", file("ada.card.json"), "-o", file("day.fabundle")], store: ben)
            let before = try digest(lead)
            fill(disk, leaving: room)

            // when the lead imports the bundle or adds evidence,
            let imported = try cli.run(["import", file("day.fabundle")], store: lead)
            let added = try cli.run(["evidence", "add", evidence, "--ref", "A.6.2.8"], store: lead)

            // then each fails with a clear error, the state is as before and no blob is half-written.
            for (command, result) in [("import", imported), ("evidence add", added)] {
                #expect(result.status == 74, "\(command): \(result.status) \(result.stderr)")
                #expect(result.stderr.contains("disk") && result.stderr.contains("full"), "\(command): \(result.stderr)")
            }
            // Nothing is left in the blobs folder: no partial or temporary file, and not even the
            // whole file a failed `evidence add` stored before its record could not be written.
            #expect(blobFiles(lead).isEmpty, "left in the blobs folder: \(blobFiles(lead))")
            try FileManager.default.removeItem(atPath: disk + "/filler")
            #expect(try digest(lead) == before)

            // With room again, both succeed.
            try cli.succeed(["import", file("day.fabundle")], store: lead)
            try cli.succeed(["evidence", "add", evidence, "--ref", "A.6.2.8"], store: lead)
            #expect(blobFiles(lead).count == 1)
            for blob in blobFiles(lead) {
                #expect(try sha256(lead + "/blobs/" + blob) == blob.replacingOccurrences(of: "/", with: ""), "\(blob) is not whole")
            }
        }
    }
}
