import ArgumentParser
import AuditStore
import BundleFormat
import FieldAudit
import Foundation
import Replication

extension FieldAuditCommand {
    /// `fieldaudit bundle`: look inside bundles.
    struct BundleCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bundle", abstract: "Inspect bundle files without importing them.", subcommands: [Inspect.self])
    }
}
