import ArgumentParser
import FieldAudit

extension FieldAuditCommand.Field {
    /// `fieldaudit field show`: show every field of an entity, conflicts included.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show every field of an entity, conflicts included.")

        @Argument(help: "The entity id (a UUID).")
        var entity: String
        @Flag(help: "Print JSON.")
        var json = false
        @OptionGroup var options: StoreOptions

        struct ShownValue: Encodable {
            var value: String
            var type: String
            var change: String
            var stamp: UInt64
        }

        func run() throws {
            let id = try FieldAuditCommand.Field.entityID(entity, option: "entity")
            let fields = try options.openReplica().fields(of: id)
            let shown = fields.mapValues { state in
                state.values.map { ShownValue(value: $0.value.description, type: "\($0.value.tag)", change: $0.id.description, stamp: $0.stamp.rawValue) }
            }
            if json { return try Terminal.printJSON(shown) }
            if shown.isEmpty { return Terminal.print("nothing is recorded for \(id)") }
            for name in shown.keys.sorted() {
                let values = shown[name]!
                if values.count == 1 {
                    Terminal.print("\(Terminal.shown(name)): \(Terminal.shown(values[0].value))")
                } else {
                    Terminal.print("\(Terminal.shown(name)): CONFLICT, \(values.count) values (winner first)")
                    for value in values { Terminal.print("  [\(value.change)] \(Terminal.shown(value.value))") }
                }
            }
        }
    }
}
