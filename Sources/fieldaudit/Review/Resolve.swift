import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit resolve`: settle a conflict.
    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resolve",
            abstract: "Resolve a conflict by keeping one of its values or writing a new one; every replica that imports it agrees.")
        @Argument(help: "The entity id (or prefix).") var entity: String
        @Argument(help: "The field in conflict.") var field: String
        @Option(help: "Keep value N as `fieldaudit conflicts` numbers them.") var take: Int?
        @Option(parsing: .unconditional, help: "Write this text instead.") var value: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if (take == nil) == (value == nil) { throw ValidationError("give exactly one of --take N or --value TEXT.") }
        }

        func run() throws {
            let change = try store.openReplica().resolve(
                entity: entity, field: field, take: take, value: value.map { .text($0) }, engagement: engagement.engagement)
            Terminal.print("Resolved \(Terminal.shown(field)) of \(change.entity.short) to: \(Terminal.shown(change.value.description)) (change \(change.id)).")
        }
    }
}
