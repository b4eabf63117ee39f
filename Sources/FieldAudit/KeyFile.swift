import Foundation
import Replication

/// The private key file: PEM-like text around the base64 of the 32-byte Ed25519 private key,
/// created with mode 0600 and refused when others can read it (as OpenSSH refuses).
enum KeyFile {
    static let header = "-----BEGIN FIELDAUDIT ED25519 PRIVATE KEY-----"
    static let footer = "-----END FIELDAUDIT ED25519 PRIVATE KEY-----"

    /// Writes a new key file; fails if one exists. The file is 0600 from the moment it exists.
    static func create(_ identity: ReplicaIdentity, at path: String) throws(FieldAuditError) {
        let text = "\(header)\n\(Data(identity.privateKeyBytes).base64EncodedString())\n\(footer)\n"
        let descriptor = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw .io(path: path, reason: reason)
        }
    }

    /// Reads a key file, refusing one that group or others may read or write.
    static func load(from path: String) throws(FieldAuditError) -> ReplicaIdentity {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw .keyFileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        let mode = UInt16(status.st_mode & 0o777)
        guard mode & 0o077 == 0 else { throw .keyFileExposed(path: path, mode: mode) }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .keyFileUnreadable(path: path, reason: "it cannot be read as text")
        }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.count == 3, lines[0] == header, lines[2] == footer, let raw = Data(base64Encoded: lines[1]) else {
            throw .keyFileUnreadable(path: path, reason: "it is not a FieldAudit private key")
        }
        do {
            return try ReplicaIdentity(privateKeyBytes: raw)
        } catch {
            throw .keyFileUnreadable(path: path, reason: error.description)
        }
    }
}
