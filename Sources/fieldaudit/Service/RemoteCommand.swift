import ArgumentParser

extension FieldAuditCommand {
    /// `fieldaudit remote`: the central repositories this replica syncs with.
    struct RemoteCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remote",
            abstract: "The central repositories this replica syncs with, each with its key pinned.",
            subcommands: [Add.self, List.self, Remove.self])
    }
}
