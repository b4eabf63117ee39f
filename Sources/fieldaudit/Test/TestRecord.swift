import ArgumentParser
import FieldAudit

extension FieldAuditCommand.TestCommand {
    /// `fieldaudit test record`: record a test of a requirement or control.
    struct Record: ReplicaCommand {
        static let configuration = CommandConfiguration(commandName: "record", abstract: "Record a test of a requirement or control.")
        @Argument(help: "The requirement or control tested (for example A.6.2.8).") var ref: String
        @Option(help: ArgumentHelp("Another requirement the same test examined, such as 27001:A.8.15 in an integrated audit (repeat, or comma-separate, for several).", valueName: "ref"))
        var also: [String] = []
        @Option(help: "How it was tested.") var method: TestMethod
        @Option(help: "What the test found.") var result: TestResult
        @Option(parsing: .unconditional, help: "What was sampled.") var sample: String?
        @Option(help: "How many items were sampled.") var sampleSize: Int?
        @Option(help: "How many items the sample was drawn from.") var population: Int?
        @Option(name: .customLong("system"), parsing: .unconditionalSingleValue, help: "An AI system sampled, by name or id (repeat for several).") var systems: [String] = []
        @Option(parsing: .unconditional, help: "The tester's conclusion.") var conclusion: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if let sampleSize, let population, sampleSize > population {
                throw ValidationError("--sample-size \(sampleSize) is larger than --population \(population).")
            }
        }

        func run(on replica: Replica) throws {
            let id = try replica.recordTest(
                ref: ref, also: also, method: method, result: result, sample: sample, sampleSize: sampleSize, population: population,
                systems: systems, conclusion: conclusion, engagement: engagement.engagement)
            Terminal.print("Recorded test \(id.short) of \(([ref] + also).joined(separator: ", ")): \(result.rawValue) by \(method.rawValue).")
        }
    }
}
