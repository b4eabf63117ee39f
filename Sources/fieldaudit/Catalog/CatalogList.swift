import ArgumentParser
import FieldAudit
import Foundation

extension FieldAuditCommand.CatalogCommand {
    /// `fieldaudit catalog list`: list clauses and controls, with their EU AI Act cross-references.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List clauses and controls, with their EU AI Act cross-references.")
        @Flag(help: "Only the Annex A controls.") var annexA = false
        @Option(help: "Only one clause or Annex A area (for example 6 or A.6).") var clause: String?
        @Option(help: "The catalog: an id, ID@VERSION, or the prefix of a standard of the current engagement (default: its primary standard's, else ISO/IEC 42001:2023).") var catalog: String?
        @Flag(help: "List the catalogs instead.") var catalogs = false
        @Flag(help: "List the requirement mapping sets instead.") var mappings = false
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        func run() throws {
            let known = (try? store.openReplica().catalogs()) ?? Catalog.builtIn
            if mappings {
                let sets = (try? store.openReplica().mappingSets()) ?? []
                let rows = sets.map { [$0.id, $0.edition, $0.sourceFramework, $0.targetFramework, String($0.mappings.count)] }
                if output.json {
                    return try Terminal.printJSON(sets.map {
                        ["id": $0.id, "version": $0.edition, "name": $0.name, "source": $0.sourceFramework, "target": $0.targetFramework, "mappings": String($0.mappings.count)]
                    })
                }
                return Terminal.print(Terminal.columns(["id", "version", "source", "target", "mappings"], rows))
            }
            if catalogs {
                if output.json {
                    return try Terminal.printJSON(known.map { ["id": $0.id, "version": $0.edition ?? "", "title": $0.title, "source": $0.source?.identifier ?? "", "prefix": $0.shortPrefix] })
                }
                return Terminal.print(Terminal.columns(["id", "version", "title", "source", "prefix"], known.map { [$0.id, $0.edition ?? "", $0.title, $0.source?.identifier ?? "", $0.shortPrefix] }))
            }
            let chosen = try choose(known)
            var requirements = chosen.requirements
            if annexA { requirements = requirements.filter { $0.kind == .control } }
            if let clause {
                requirements = requirements.filter { $0.group == clause || $0.ref == clause || $0.ref.hasPrefix(clause + ".") }
            }
            if output.json { return try Terminal.printJSON(requirements) }
            var lastGroup = ""
            for requirement in requirements {
                if requirement.group != lastGroup, let group = chosen.group(requirement.group) {
                    Terminal.print("\(Terminal.shown(group.ref)) \(Terminal.shown(group.title))")
                    lastGroup = requirement.group
                }
                let acts = chosen.crossReferences(of: requirement.ref).map(\.article)
                Terminal.print("  \(Terminal.shown(requirement.ref).padding(toLength: 8, withPad: " ", startingAt: 0)) \(Terminal.shown(requirement.title))"
                    + (acts.isEmpty ? "" : "  [EU AI Act \(Terminal.shown(acts.joined(separator: ", ")))]"))
            }
        }

        private func choose(_ known: [Catalog]) throws -> Catalog {
            let current = (try? store.openReplica()).flatMap { replica in (try? replica.engagementID(nil)).flatMap { try? replica.record(of: $0) } }
            if let catalog, let standards = current?.standards, let index = standards.standard(named: catalog) {
                return standards.catalogs[index]
            }
            if let catalog {
                guard let found = Catalog.pick(catalog, among: known) else {
                    throw ValidationError("unknown catalog '\(catalog)'; known: \(known.map(\.id).joined(separator: ", ")).")
                }
                return found
            }
            if let record = current { return record.catalog }
            return .iso42001
        }
    }
}
