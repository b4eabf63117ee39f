import ArgumentParser
import FieldAuditService

extension ExitStatus {
    /// The status for an error of the central repository's service or of a sync with it: that of
    /// its category (`ServiceError.category`), which for the server's answers is the category it
    /// names, so a failure inside the central is not reported as "unreachable".
    static func of(_ error: ServiceError) -> ExitStatus {
        switch error {
        case .unauthenticated, .tooLarge, .badRequest, .noRoute, .methodNotAllowed, .replicaRefused, .busy: .software  // the server's own; never thrown at a laptop
        default: of(error.category)
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
