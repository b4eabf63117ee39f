import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit bundle`: look inside bundles.
    struct BundleCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bundle", abstract: "Inspect bundle files without importing them.", subcommands: [Inspect.self])
    }
}
