import ArgumentParser
import FieldAudit

extension FieldAuditCommand.SoACommand {
    /// `fieldaudit soa list`: list the Statement of Applicability.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the Statement of Applicability.")
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var deletion: DeletedOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            if deletion.deleted { return try DeletionOutput.list(.soa, json: output.json, engagement: engagement, store: store) }
            let record = try engagement.open(store).record
            let standards = record.standards
            let order = Dictionary(uniqueKeysWithValues: standards.catalogs.indices.flatMap(standards.storedRefs).enumerated().map { ($1, $0) })
            let entries = record.applicability.sorted { (order[$0.ref] ?? .max) < (order[$1.ref] ?? .max) }
            if output.json { return try Terminal.printJSON(entries) }
            if standards.isIntegrated {
                return Terminal.print(Terminal.columns(
                    ["standard", "control", "applies", "status", "justification"],
                    entries.map { entry in
                        let reference = standards.locate(entry.ref)
                        return [reference.map { standards.prefixes[$0.standard] } ?? "", reference?.requirement.ref ?? entry.ref,
                                entry.applicable ? "yes" : "no", entry.status?.rawValue ?? "", entry.justification ?? ""]
                    }))
            }
            Terminal.print(Terminal.columns(
                ["control", "applies", "status", "justification"],
                entries.map { [$0.ref, $0.applicable ? "yes" : "no", $0.status?.rawValue ?? "", $0.justification ?? ""] }))
        }
    }
}
