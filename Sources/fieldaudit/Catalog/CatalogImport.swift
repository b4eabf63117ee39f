import ArgumentParser
import FieldAudit

extension FieldAuditCommand.CatalogCommand {
    /// `fieldaudit catalog import`: import a catalog file (format: Fixtures/catalogs/FORMAT.md) so engagements can use it.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import a catalog file (format: Fixtures/catalogs/FORMAT.md) so engagements can use it.")
        @Argument(help: "The catalog JSON file.") var file: String
        @OptionGroup var store: StoreOptions

        func run() throws {
            let catalog = try store.openReplica().importCatalog(from: file)
            Terminal.print("Imported \(Terminal.shown(catalog.title)) (\(Terminal.shown(catalog.id))): \(catalog.requirements.count) requirements. Use it with `engagement create --standard \(Terminal.shown(catalog.id))`.")
        }
    }
}
