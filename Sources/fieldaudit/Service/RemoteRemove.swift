import ArgumentParser
import FieldAudit
import FieldAuditService

extension FieldAuditCommand.RemoteCommand {
    /// `fieldaudit remote remove NAME`.
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Forget a remote (its key stays trusted for the bundles it signed).")
        @Argument(help: "The remote's name.") var name: String
        @OptionGroup var store: StoreOptions

        func run() throws {
            try ExitStatus.reporting {
                var list = try RemoteList.load(for: store.location)
                let removed = try list.remove(named: name)
                try list.save(for: store.location)
                Terminal.print("Removed remote \(removed.name) (\(removed.url)). Its key stays trusted, so the bundles it signed stay valid.")
            }
        }
    }
}
