import AuditStore
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

    /// The status for an error: the one mapping from causes to statuses (README, "Exit statuses").
    static func of(_ error: FieldAuditError) -> ExitStatus {
        switch error {
        case .noReplica, .unreadableInput: .noInput
        case .invalidInput: .dataError
        case .replicaExists: .cannotCreate
        case .keyFileExposed: .permission
        case .keyFileUnreadable, .keyMismatch, .invalidCard, .invalidVectorFile, .unsupportedVersion: .dataError
        case .io: .ioError
        case .model, .notFound, .ambiguous, .nothingToResolve, .unresolvedConflict: .dataError
        case .alreadyClosed, .notClosed: .dataError
        case .noCurrentEngagement, .noCurrentInterview, .interviewInProgress: .usage
        case .notPermitted, .refused, .noLeadLeft, .untrustedSigner, .unauthorized, .untrustedFounder: .permission
        case .bundle, .bundleGap, .brokenChain, .evidenceMismatch: .dataError
        case .outputExists, .outputUnusable: .cannotCreate
        case .terminalOutput: .usage
        case .notARegularFile: .noInput
        case let .store(error):
            switch error {
            case .diskFull, .damaged: .ioError
            case .readOnly: .permission
            case .busy: .temporaryFailure
            case .rejected, .corruptRow, .newerSchema, .blobCorrupt: .dataError
            case .cannotOpen, .blobUnreadable, .blobMissing: .noInput
            case .blobUnwritable: .ioError
            case .sqlite, .closed, .unexpected: .software
            }
        }
    }
}
