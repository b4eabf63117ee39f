import ArgumentParser
import FieldAudit

/// The kind of entity a `delete`/`restore` subcommand of a group works on (`system delete`).
protocol DeletionTarget {
    /// The entity kind.
    static var kind: EntityKind { get }
    /// How the group's help names one (`an AI system`).
    static var noun: String { get }
    /// What, besides an id, names one (`or its name`); empty when only ids do.
    static var alsoNamedBy: String { get }
}

enum SystemTarget: DeletionTarget {
    static let kind = EntityKind.system, noun = "an AI system", alsoNamedBy = ", or its name"
}
enum TestTarget: DeletionTarget {
    static let kind = EntityKind.test, noun = "a control test", alsoNamedBy = ""
}
enum EvidenceTarget: DeletionTarget {
    static let kind = EntityKind.evidence, noun = "an evidence file's record (the stored bytes stay)", alsoNamedBy = ""
}
enum InterviewTarget: DeletionTarget {
    static let kind = EntityKind.interview, noun = "an interview (and, with it, its notes)", alsoNamedBy = ""
}
enum FindingTarget: DeletionTarget {
    static let kind = EntityKind.finding, noun = "a finding", alsoNamedBy = ""
}
enum ApplicabilityTarget: DeletionTarget {
    static let kind = EntityKind.soa, noun = "a Statement of Applicability entry", alsoNamedBy = ", or its control (A.6.2.8)"
}

extension DeletableKind: ExpressibleByArgument {}

/// `fieldaudit GROUP delete ID --reason TEXT`: mark one entity deleted, as a change.
struct DeleteEntity<Target: DeletionTarget>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "delete",
            abstract: "Delete \(Target.noun): recorded as a change, kept in the history, left out of lists and reports.",
            discussion: "`restore ID` brings it back; `list --deleted` shows what is deleted. An auditor deletes what it recorded; a lead anything.")
    }
    @Argument(help: ArgumentHelp("Its id (a unique prefix or suffix)\(Target.alsoNamedBy).", valueName: "id")) var reference: String
    @Option(parsing: .unconditional, help: "Why it is deleted (kept with it, shown by `list --deleted` and `log`).") var reason: String
    @OptionGroup var engagement: EngagementOption
    @OptionGroup var store: StoreOptions

    func run() throws {
        try DeletionOutput.delete(Target.kind, reference, reason: reason, engagement: engagement, store: store)
    }
}

/// `fieldaudit GROUP restore ID`: clear one entity's deletion, as a change.
struct RestoreEntity<Target: DeletionTarget>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "restore", abstract: "Restore \(Target.noun) deleted earlier.")
    }
    @Argument(help: ArgumentHelp("Its id (a unique prefix or suffix)\(Target.alsoNamedBy).", valueName: "id")) var reference: String
    @OptionGroup var engagement: EngagementOption
    @OptionGroup var store: StoreOptions

    func run() throws {
        try DeletionOutput.restore(Target.kind, reference, engagement: engagement, store: store)
    }
}

/// `--deleted` on a list command: list the deleted entities of its kind instead.
struct DeletedOption: ParsableArguments {
    @Flag(help: "List the deleted ones instead (with who deleted them, when and why).") var deleted = false
}

/// What the deletion commands print.
enum DeletionOutput {
    static func delete(_ kind: EntityKind, _ reference: String, reason: String, engagement: EngagementOption, store: StoreOptions) throws {
        let (entity, changed) = try store.openReplica().delete(kind, reference, reason: reason, engagement: engagement.engagement)
        Terminal.print(changed
            ? "Deleted \(kind.rawValue) \(entity.id.short) (\(Terminal.shown(entity.label))); `fieldaudit restore \(kind.rawValue) \(entity.id.short)` brings it back."
            : "\(kind.rawValue.capitalized) \(entity.id.short) (\(Terminal.shown(entity.label))) is deleted already; nothing changed.")
    }

    static func restore(_ kind: EntityKind, _ reference: String, engagement: EngagementOption, store: StoreOptions) throws {
        let (entity, changed) = try store.openReplica().restore(kind, reference, engagement: engagement.engagement)
        Terminal.print(changed
            ? "Restored \(kind.rawValue) \(entity.id.short) (\(Terminal.shown(entity.label)))."
            : "\(kind.rawValue.capitalized) \(entity.id.short) (\(Terminal.shown(entity.label))) is not deleted; nothing changed.")
    }

    /// Lists the deleted entities of a kind (`--json` as given).
    static func list(_ kind: EntityKind, json: Bool, engagement: EngagementOption, store: StoreOptions) throws {
        let replica = try store.openReplica()
        let deleted = try replica.deletedEntities(kind, engagement: engagement.engagement)
        let siteTime = try replica.siteTime(engagement: engagement.engagement)
        if json { return try Terminal.printJSON(deleted) }
        Terminal.print(Terminal.columns(
            ["id", "what", "deleted", "by", "reason"],
            deleted.map { [$0.id.short, $0.label, Terminal.time($0.deletedAt, in: siteTime), $0.deletedBy ?? "", $0.reason ?? ""] }))
    }
}

extension FieldAuditCommand {
    /// `fieldaudit delete KIND ID --reason TEXT`: delete any entity a user creates, notes and evidence links included.
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Delete a system, test, evidence record, evidence link, interview, note, finding or Statement of Applicability entry.",
            discussion: "Recorded as a change and kept in the history (`log`); lists and reports leave it out; `restore` brings it back. An auditor deletes what it recorded; a lead anything.")
        @Argument(help: "What it is.") var kind: DeletableKind
        @Argument(help: ArgumentHelp("Its id (a unique prefix or suffix); a system's name; a control for soa.", valueName: "id")) var reference: String
        @Option(parsing: .unconditional, help: "Why it is deleted.") var reason: String
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            try DeletionOutput.delete(kind.entityKind, reference, reason: reason, engagement: engagement, store: store)
        }
    }

    /// `fieldaudit restore KIND [ID]`: restore a deleted entity, or list the deleted ones of a kind.
    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore", abstract: "Restore a deleted entity; without an id, list the deleted ones of that kind.")
        @Argument(help: "What it is.") var kind: DeletableKind
        @Argument(help: ArgumentHelp("Its id (a unique prefix or suffix); a system's name; a control for soa.", valueName: "id")) var reference: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var store: StoreOptions

        func run() throws {
            guard let reference else { return try DeletionOutput.list(kind.entityKind, json: output.json, engagement: engagement, store: store) }
            try DeletionOutput.restore(kind.entityKind, reference, engagement: engagement, store: store)
        }
    }
}
