import ArgumentParser
import FieldAudit
import Replication

extension FieldAuditCommand {
    /// `fieldaudit field`: plumbing to write and read single fields, for scripts and diagnosis.
    struct Field: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "field",
            abstract: "Low-level: write or show single fields of any entity.",
            discussion: "The audit commands are built on the same change log; use these for scripts and diagnosis.",
            subcommands: [Set.self, Show.self])
    }
}

/// The value types the `field set` command can write.
enum ValueType: String, ExpressibleByArgument, CaseIterable {
    case text, integer, real, json, null
}

extension FieldAuditCommand.Field {
    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Write one field; the write supersedes every value of it you can see.")

        @Argument(help: "The entity id (a UUID), or 'new' for a new entity.")
        var entity: String
        @Argument(help: "The field name.")
        var field: String
        @Argument(help: "The value.")
        var value: String = ""

        @Option(help: "The entity's kind.")
        var kind: String
        @Option(help: "The engagement id; 'self' when the entity is the engagement.")
        var engagement: String
        @Option(help: "The value's type.")
        var type: ValueType = .text

        @OptionGroup var options: StoreOptions

        func run() throws {
            let replica = try options.openReplica()
            let id = entity == "new" ? replica.makeEntityID() : try parseEntity(entity, option: "entity")
            let engagementID = engagement == "self" ? id : try parseEntity(engagement, option: "--engagement")
            let change = try replica.set(try typedValue(), field: field, of: id, kind: kind, engagement: engagementID)
            Terminal.print("\(id) \(field) written as change \(change.id)")
        }

        private func typedValue() throws -> Value {
            switch type {
            case .text: return .text(value)
            case .json: return .json(value)
            case .null: return .null
            case .integer:
                guard let integer = Int64(value) else { throw ValidationError("'\(value)' is not an integer.") }
                return .integer(integer)
            case .real:
                guard let real = Double(value), real.isFinite else { throw ValidationError("'\(value)' is not a finite number.") }
                return .real(real)
            }
        }
    }

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
            let id = try parseEntity(entity, option: "entity")
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

/// Parses a UUID argument, turning a typo into a usage error.
func parseEntity(_ text: String, option: String) throws -> EntityID {
    do { return try EntityID(text) } catch { throw ValidationError("\(option): '\(text)' is not an entity id (a UUID).") }
}
