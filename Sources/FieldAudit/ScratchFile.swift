import Foundation

/// A file FieldAudit makes for its own passing use (standard input spooled for an import, a
/// bundle on its way to or from the central repository): created new, readable by its owner only.
public enum ScratchFile {
    /// Creates `path` for writing with mode 0600, and only if nothing is there (`open(2)` with
    /// `O_CREAT | O_EXCL`): a file already at the path — a user's, or another process's — is never
    /// truncated or followed through a symbolic link. `nil` if it cannot be created.
    public static func create(at path: String) -> FileHandle? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        return descriptor >= 0 ? FileHandle(fileDescriptor: descriptor, closeOnDealloc: true) : nil
    }
}
