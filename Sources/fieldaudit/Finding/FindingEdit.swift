import ArgumentParser
import FieldAudit

extension FieldAuditCommand.FindingCommand {
    /// `fieldaudit finding edit`: edit a finding. Writing a field that is in conflict resolves the conflict.
    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "edit",
            abstract: "Edit a finding. Writing a field that is in conflict resolves the conflict.")
        @Argument(help: "The finding id (or prefix).") var id: String
        @Option(help: "A new grade.") var grade: FindingGrade?
        @Option(name: .customLong("ref"), help: "New requirement references (replace the old ones).") var refs: [String] = []
        @Option(parsing: .unconditional, help: "A new statement ('-' reads it from standard input).") var statement: String?
        @Option(parsing: .unconditional, help: "New objective evidence in words.") var objectiveEvidence: String?
        @Option(help: "A new status.") var status: FindingStatus?
        @Option(parsing: .unconditional, help: "A new justification of the grade.") var gradeJustification: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if grade == nil && refs.isEmpty && statement == nil && objectiveEvidence == nil && status == nil && gradeJustification == nil {
                throw ValidationError("say what to change: --grade, --ref, --statement, --objective-evidence, --grade-justification or --status.")
            }
        }

        func run() throws {
            let edit = Replica.FindingEdit(
                grade: grade, refs: refs.isEmpty ? nil : refs, statement: try statement.map { try TextInput.read($0, purpose: "statement") },
                objectiveEvidence: objectiveEvidence, status: status, gradeJustification: gradeJustification)
            let edited = try store.openReplica().editFinding(id, edit, engagement: engagement.engagement)
            Terminal.print("Edited finding \(edited.short).")
        }
    }
}
