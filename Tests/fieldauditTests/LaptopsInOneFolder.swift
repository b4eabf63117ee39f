import TestSupport
import Testing

/// Several people's laptops as stores in one temporary folder (a store is named after its owner:
/// `ada`, `ben`), each running the built `fieldaudit`: the set-up of the end-to-end suites that
/// play a team.
protocol LaptopsInOneFolder {
    /// The built binary, run with a fixed environment.
    var cli: FieldAuditCLI { get }
    /// Where the stores and the files the team exchanges live.
    var directory: TemporaryDirectory { get }
}

extension LaptopsInOneFolder {
    /// A path in the folder.
    func file(_ name: String) -> String { directory.file(name) }

    /// Runs `fieldaudit ARGUMENTS` on `who`'s laptop, expecting exit 0; returns standard output.
    @discardableResult
    func succeed(_ arguments: [String], as who: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try cli.succeed(arguments, store: file(who), sourceLocation: sourceLocation)
    }

    /// Runs `fieldaudit ARGUMENTS` on `who`'s laptop, whatever its exit status.
    func run(_ arguments: [String], as who: String) throws -> FieldAuditCLI.Result {
        try cli.run(arguments, store: file(who))
    }
}
