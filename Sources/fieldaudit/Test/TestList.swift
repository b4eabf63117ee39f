import ArgumentParser
import FieldAudit

extension FieldAuditCommand.TestCommand {
    /// `fieldaudit test list`: list control tests.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List control tests.")
        @Option(help: "Only tests of this requirement.") var ref: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var output: OutputOptions
        @OptionGroup var deletion: DeletedOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            if deletion.deleted { return try DeletionOutput.list(.test, json: output.json, engagement: engagement, store: store) }
            let opened = try engagement.open(store)
            let record = opened.record
            let wanted = try ref.map { try opened.replica.requirement($0, in: record).stored }
            let tests = record.tests.filter { test in wanted.map(test.refs.contains) ?? true }
            if output.json { return try Terminal.printJSON(tests) }
            Terminal.print(Terminal.columns(
                ["id", "ref", "method", "result", "sample", "tester", "conclusion"],
                tests.map { test in
                    [
                        test.id.short, test.refs.map(record.standards.shown).joined(separator: ","), test.method?.rawValue ?? "", test.result?.rawValue ?? "",
                        [test.sampleSize.map(String.init), test.population.map { "of \($0)" }].compactMap { $0 }.joined(separator: " "),
                        test.tester ?? "", test.conclusion ?? "",
                    ]
                }))
        }
    }
}
