import ArgumentParser
import FieldAudit

extension FieldAuditCommand {
    /// `fieldaudit field`: plumbing to write and read single fields, for scripts and diagnosis.
    struct Field: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "field",
            abstract: "Low-level: write or show single fields of any entity.",
            discussion: "The audit commands are built on the same change log; use these for scripts and diagnosis.",
            subcommands: [SetValue.self, Show.self])

        /// Parses a UUID argument, turning a typo into a usage error.
        static func entityID(_ text: String, option: String) throws -> EntityID {
            do { return try EntityID(text) } catch { throw ValidationError("\(option): '\(text)' is not an entity id (a UUID).") }
        }
    }
}
