import ArgumentParser
import AuditModel
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit finding`: findings from raise to sign-off.
    struct FindingCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "finding", abstract: "Raise, list, show, edit, discuss and sign off findings.",
            subcommands: [Raise.self, List.self, Show.self, Edit.self, Discuss.self, SignOff.self])
    }
}

extension FieldAuditCommand.FindingCommand {
    struct Raise: ReplicaCommand {
        static let configuration = CommandConfiguration(
            commandName: "raise",
            abstract: "Raise a finding. A major or minor nonconformity needs objective evidence.")
        @Option(help: "The grade.") var grade: FindingGrade
        @Option(name: .customLong("ref"), help: "A requirement concerned (repeat, or comma-separate, for several).") var refs: [String]
        @Option(parsing: .unconditional, help: "The finding's statement ('-' reads it from standard input).") var statement: String
        @Option(help: "Evidence supporting it, by id or prefix (repeat for several).") var evidence: [String] = []
        @Option(parsing: .unconditional, help: "Objective evidence in words.") var objectiveEvidence: String?
        @Option(name: .customLong("system"), help: "An AI system concerned, by name or id (repeat for several).") var systems: [String] = []
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run(on replica: Replica) throws {
            let id = try replica.raiseFinding(
                grade: grade, refs: refs, statement: try TextInput.read(statement, purpose: "statement"), evidence: evidence,
                objectiveEvidence: objectiveEvidence, systems: systems, engagement: engagement.engagement)
            Terminal.print("Raised \(grade.title.lowercased()) \(id.short) against \(refs.joined(separator: ", ")).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List findings, flagging any in conflict.")
        @Option(help: "Only findings of this grade.") var grade: FindingGrade?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        func run() throws {
            let record = try engagement.open(store).record
            let findings = record.findings.filter { grade == nil || $0.grade == grade }
            if output.json { return try Terminal.printJSON(findings) }
            Terminal.print(Terminal.columns(
                ["id", "grade", "refs", "signed off", "statement"],
                findings.map { finding in
                    [
                        finding.id.short, finding.grade?.rawValue ?? "?", finding.refs.joined(separator: ","),
                        finding.isSignedOff ? "yes" : "no",
                        (finding.conflicts.isEmpty ? "" : "CONFLICT(\(finding.conflicts.joined(separator: ","))) ") + finding.statement,
                    ]
                }))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a finding with its evidence; every value of a field in conflict.")
        @Argument(help: "The finding id (or prefix).") var id: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        struct View: Encodable {
            var finding: Finding
            var evidence: [Evidence]
        }

        func run() throws {
            let (replica, record) = try engagement.open(store)
            let chosen = try replica.resolve(id, among: record.findings.map(\.id), kind: "finding")
            let finding = record.findings.first { $0.id == chosen }!
            let evidence = record.evidence(linkedTo: finding.id.description)
            if output.json { return try Terminal.printJSON(View(finding: finding, evidence: evidence)) }
            var rows: [(String, String)] = [
                ("finding", finding.id.description), ("grade", finding.grade?.title ?? "—"),
                ("requirements", finding.refs.joined(separator: ", ")),
            ]
            if finding.statementVersions.count > 1 {
                for (index, version) in finding.statementVersions.enumerated() {
                    rows.append((index == 0 ? "statement" : "", "CONFLICT [\(index + 1)] \(version)"))
                }
            } else {
                rows.append(("statement", finding.statement))
            }
            rows += [
                ("objective evidence", finding.objectiveEvidence ?? "—"),
                ("evidence", evidence.map { "\($0.name) (sha256:\($0.digest?.hex.prefix(12) ?? "")…)" }.joined(separator: ", ")),
                ("discussed", finding.discussed ? "yes" : "no"), ("auditee position", finding.auditeePosition ?? "—"),
                ("status", finding.status.rawValue), ("raised by", finding.raisedBy ?? "—"),
                ("signed off", finding.signedOffBy.map { "by \($0.prefix(8)) at \(Terminal.time(finding.signedOffAt))" } ?? "no"),
            ]
            Terminal.print(Terminal.table(rows))
            if !finding.conflicts.isEmpty {
                Terminal.print("conflicting fields: \(finding.conflicts.joined(separator: ", ")); resolve with `fieldaudit resolve \(finding.id.short) FIELD --take N`")
            }
        }
    }

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
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if grade == nil && refs.isEmpty && statement == nil && objectiveEvidence == nil && status == nil {
                throw ValidationError("say what to change: --grade, --ref, --statement, --objective-evidence or --status.")
            }
        }

        func run() throws {
            let edit = Replica.FindingEdit(
                grade: grade, refs: refs.isEmpty ? nil : refs, statement: try statement.map { try TextInput.read($0, purpose: "statement") },
                objectiveEvidence: objectiveEvidence, status: status)
            let edited = try store.openReplica().editFinding(id, edit, engagement: engagement.engagement)
            Terminal.print("Edited finding \(edited.short).")
        }
    }

    struct Discuss: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "discuss", abstract: "Record that the finding was discussed with the auditee, and their position.")
        @Argument(help: "The finding id (or prefix).") var id: String
        @Option(parsing: .unconditional, help: "The auditee's position.") var position: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let discussed = try store.openReplica().discussFinding(id, position: position, engagement: engagement.engagement)
            Terminal.print("Recorded the auditee's position on \(discussed.short).")
        }
    }

    struct SignOff: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sign-off", abstract: "Sign a finding off (lead only).")
        @Argument(help: "The finding id (or prefix).") var id: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            let signed = try store.openReplica().signOffFinding(id, engagement: engagement.engagement)
            Terminal.print("Signed off finding \(signed.short).")
        }
    }
}
