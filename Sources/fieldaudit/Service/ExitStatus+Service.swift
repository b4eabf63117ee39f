import ArgumentParser
import FieldAuditService

extension ExitStatus {
    /// The status for an error of the central repository's service or of a sync with it.
    static func of(_ error: ServiceError) -> ExitStatus {
        switch error {
        case .unreachable: .temporaryFailure
        case .serverChanged: .permission
        case let .refused(_, status, _, _):
            switch status {
            case 401, 403: .permission
            case 500...: .temporaryFailure
            default: .dataError
            }
        case .invalidResponse, .remotesFile: .dataError
        case .unknownRemote, .whichRemote, .invalidURL, .invalidRemoteName, .notConfirmed, .invalidListenAddress: .usage
        case .remoteExists: .cannotCreate
        case .tls: .noInput
        case .unauthenticated, .tooLarge, .badRequest, .noRoute, .replicaRefused: .software
        }
    }

    /// Runs a command's body, printing a `ServiceError` as `main` prints a `FieldAuditError` and
    /// exiting with its status. The message may quote a server's answer, so it is made safe to show.
    static func reporting(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ServiceError {
            Terminal.error(String(error.description.prefix(4000)))
            throw ExitCode(of(error).rawValue)
        }
    }
}
