import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit catalog`: the standards' requirements.
    struct CatalogCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "catalog", abstract: "List a standard's requirements, or import another standard's catalog.",
            subcommands: [List.self, Import.self])
    }
}
