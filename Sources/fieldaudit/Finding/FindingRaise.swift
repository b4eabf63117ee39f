import ArgumentParser
import FieldAudit

extension FieldAuditCommand.FindingCommand {
    /// `fieldaudit finding raise`: raise a finding. A major or minor nonconformity needs objective evidence.
    struct Raise: ReplicaCommand {
        static let configuration = CommandConfiguration(
            commandName: "raise",
            abstract: "Raise a finding. A major or minor nonconformity needs objective evidence.")
        @Option(help: "The grade.") var grade: FindingGrade
        @Option(name: .customLong("ref"), help: "A requirement concerned (repeat, or comma-separate, for several).") var refs: [String]
        @Option(parsing: .unconditional, help: "The finding's statement ('-' reads it from standard input).") var statement: String
        @Option(help: "Evidence supporting it, by id or prefix (repeat for several).") var evidence: [String] = []
        @Option(parsing: .unconditional, help: "Objective evidence in words.") var objectiveEvidence: String?
        @Option(parsing: .unconditional, help: "Why the grade is what it is (a major or minor needs one by sign-off).") var gradeJustification: String?
        @Option(name: .customLong("system"), parsing: .unconditionalSingleValue, help: "An AI system concerned, by name or id (repeat for several).") var systems: [String] = []
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run(on replica: Replica) throws {
            let id = try replica.raiseFinding(
                grade: grade, refs: refs, statement: try TextInput.read(statement, purpose: "statement"), evidence: evidence,
                objectiveEvidence: objectiveEvidence, systems: systems, gradeJustification: gradeJustification,
                engagement: engagement.engagement)
            Terminal.print("Raised \(grade.title.lowercased()) \(id.short) against \(refs.joined(separator: ", ")).")
        }
    }
}
