import FieldAudit

/// The exit statuses of `fieldaudit`, after BSD's `sysexits.h` so scripts can tell failures apart.
enum ExitStatus: Int32 {
    /// Everything worked.
    case success = 0
    /// A check ran and found problems (`verify`).
    case checkFailed = 1
    /// The command line was incomplete: a missing current engagement or interview (`EX_USAGE`).
    case usage = 64
    /// The input was wrong: a malformed card, text that is not UTF-8, a refused change (`EX_DATAERR`).
    case dataError = 65
    /// An input file or the replica does not exist or cannot be read (`EX_NOINPUT`).
    case noInput = 66
    /// Something FieldAudit did not expect (`EX_SOFTWARE`).
    case software = 70
    /// The output cannot be created, for example a replica already exists (`EX_CANTCREAT`).
    case cannotCreate = 73
    /// Reading or writing failed, the disk is full, or the store is damaged (`EX_IOERR`).
    case ioError = 74
    /// Try again later: another process held the store (`EX_TEMPFAIL`).
    case temporaryFailure = 75
    /// Not permitted: a file's permissions are unsafe, the store is read-only, a role rule (`EX_NOPERM`).
    case permission = 77
    /// The user interrupted the command with Ctrl-C (128 + `SIGINT`, as a shell reports it).
    case interrupted = 130

    /// The status for an error: the one mapping from failure categories to statuses (README,
    /// "Exit statuses"); `FieldAuditError.category` says which category each cause is.
    static func of(_ error: FieldAuditError) -> ExitStatus {
        of(error.category)
    }

    /// The status for a failure category (one a central repository's error answer names, too).
    static func of(_ category: FieldAuditError.Category) -> ExitStatus {
        switch category {
        case .usage: .usage
        case .invalidInput: .dataError
        case .missingInput: .noInput
        case .cannotCreate: .cannotCreate
        case .inputOutput: .ioError
        case .temporaryFailure: .temporaryFailure
        case .notPermitted: .permission
        case .interrupted: .interrupted
        case .internalFailure: .software
        }
    }
}
