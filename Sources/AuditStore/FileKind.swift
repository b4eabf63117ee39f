import Foundation

/// What a path names, as `stat(2)` tells it (`S_IFMT` of `st_mode`): a regular file, a directory,
/// a FIFO, a device, a socket.
///
/// Commands that read a user's file (`evidence add`) or write one (`export`, `report`,
/// `evidence extract`) ask this before they open anything: a FIFO or a device can block a read
/// forever or never end, and a directory or a device must never be replaced by a file.
public enum FileKind: Sendable, Equatable, CustomStringConvertible {
    /// A regular file (`S_IFREG`).
    case regular
    /// A directory (`S_IFDIR`).
    case directory
    /// A FIFO, also called a named pipe (`S_IFIFO`).
    case fifo
    /// A character device such as `/dev/zero` or a terminal (`S_IFCHR`).
    case characterDevice
    /// A block device such as a disk (`S_IFBLK`).
    case blockDevice
    /// A Unix-domain socket (`S_IFSOCK`).
    case socket
    /// A symbolic link (`S_IFLNK`), seen only by `lstat(2)`.
    case symbolicLink
    /// Anything else.
    case other

    /// The kind of a `st_mode`.
    public init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFIFO: self = .fifo
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFSOCK: self = .socket
        case S_IFLNK: self = .symbolicLink
        default: self = .other
        }
    }

    /// The kind of what `path` names, following symbolic links (`stat(2)`); `nil` when nothing
    /// is there (a dangling link included) or it cannot be examined.
    public static func of(_ path: String) -> FileKind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileKind(mode: info.st_mode)
    }

    /// Whether anything is at `path`, a dangling symbolic link included (`lstat(2)`).
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The kind with its article, for messages: "a FIFO (named pipe)".
    public var description: String {
        switch self {
        case .regular: "a regular file"
        case .directory: "a directory"
        case .fifo: "a FIFO (named pipe)"
        case .characterDevice: "a character device"
        case .blockDevice: "a block device"
        case .socket: "a socket"
        case .symbolicLink: "a symbolic link"
        case .other: "a special file"
        }
    }
}
