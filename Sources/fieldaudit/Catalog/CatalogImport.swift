import ArgumentParser
import FieldAudit

extension FieldAuditCommand.CatalogCommand {
    /// `fieldaudit catalog import`: import a catalog file (FieldAudit JSON, an OSCAL catalog or a
    /// CISO Assistant framework library) so engagements can use it.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import a catalog so engagements can use it: FieldAudit JSON (Fixtures/catalogs/FORMAT.md), an OSCAL catalog (JSON) or a CISO Assistant framework library (YAML); or a CISO Assistant requirement mapping set between two catalogs held.")
        @Argument(help: "The catalog file.") var file: String
        @Option(help: "The language of a CISO Assistant library's text, where it has translations.") var locale = "en"
        @Option(help: "The id to give an OSCAL catalog or CISO Assistant library (default: made from its urn or title).") var id: String?
        @OptionGroup var store: StoreOptions

        func run() throws {
            let imported: Replica.CatalogImport
            switch try store.openReplica().importLibrary(from: file, locale: locale, id: id) {
            case let .catalog(catalog): imported = catalog
            case let .mappingSet(mapping):
                let set = mapping.mappingSet
                return Terminal.print((mapping.alreadyImported ? "Already imported, nothing changed: " : "Imported ")
                    + "the mapping set \(Terminal.shown(set.name)) (\(Terminal.shown(set.id)), version \(Terminal.shown(set.edition))): \(set.mappings.count) mappings from "
                    + "\(Terminal.shown(mapping.source.displayName)) to \(Terminal.shown(mapping.target.displayName)). An engagement auditing both records it "
                    + "(`engagement create --standard …`, or `engagement set --add-mapping \(Terminal.shown(set.id))`).")
            }
            let catalog = imported.catalog
            if let missing = imported.missingLocale {
                Terminal.print("The file has no '\(Terminal.shown(missing))' translation; its own text (\(Terminal.shown(catalog.source?.locale ?? "")) is used.")
            }
            let version = catalog.edition.map { ", version \(Terminal.shown($0))" } ?? ""
            Terminal.print((imported.alreadyImported ? "Already imported, nothing changed: " : "Imported ")
                + "\(Terminal.shown(catalog.title)) (\(Terminal.shown(catalog.id))\(version)): \(catalog.requirements.count) requirements. Use it with `engagement create --standard \(Terminal.shown(catalog.id))`.")
        }
    }
}
