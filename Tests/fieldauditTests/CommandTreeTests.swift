import ArgumentParser
import Testing
@testable import fieldaudit

/// The command tree's static shape: what keeps `fieldaudit` quick to start.
struct CommandTreeTests {
    /// Every command in the tree, depth first.
    static func commands(under root: ParsableCommand.Type = FieldAuditCommand.self) -> [ParsableCommand.Type] {
        [root] + root.configuration.subcommands.flatMap { commands(under: $0) }
    }

    /// Without an explicit name, ArgumentParser derives each command's name from its type name
    /// through `String(describing:)` on every launch, and those dynamic casts scan the protocol
    /// conformance tables of the whole binary: about 40 % of the start-up time of `fieldaudit
    /// --version` before every command named itself.
    @Test func everyCommandNamesItselfExplicitly() {
        let unnamed = Self.commands().filter { $0.configuration.commandName == nil }.map { String(describing: $0) }
        #expect(unnamed.isEmpty, "commands without `commandName:` in their configuration: \(unnamed)")
    }

    /// Names are unique among siblings and in the kebab case users type.
    @Test func namesAreKebabCaseAndUniqueAmongSiblings() {
        for command in Self.commands() {
            let names = command.configuration.subcommands.compactMap { $0.configuration.commandName }
            #expect(Set(names).count == names.count, "\(command) has two subcommands with one name: \(names)")
            for name in names {
                #expect(name.wholeMatch(of: /[a-z][a-z0-9]*(-[a-z0-9]+)*/) != nil, "\(name) is not kebab case")
            }
        }
        #expect(Self.commands().count > 50)
    }
}
