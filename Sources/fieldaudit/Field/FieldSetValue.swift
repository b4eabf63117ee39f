import ArgumentParser
import FieldAudit

extension FieldAuditCommand.Field {
    /// `fieldaudit field set`: write one field; the write supersedes every value of it you can see.
    struct SetValue: ParsableCommand {
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
            let id = entity == "new" ? replica.makeEntityID() : try FieldAuditCommand.Field.entityID(entity, option: "entity")
            let engagementID = engagement == "self" ? id : try FieldAuditCommand.Field.entityID(engagement, option: "--engagement")
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
}
