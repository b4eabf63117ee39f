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

    /// `note`'s quick path (`NoteCommand.plainArguments`) reads every plain form exactly as
    /// ArgumentParser does, and leaves every other form to the parser.
    @Test func notesQuickPathReadsPlainArgumentsAsTheParserDoes() throws {
        let plain: [[String]] = [
            ["note", "Logs kept 30 days"],
            ["note", "Logs kept 30 days", "--store", "/tmp/s"],
            ["note", "--store", "/tmp/s", "Logs kept 30 days"],
            ["note", "--ref", "A.6.2.8", "text", "--engagement", "0199"],
            ["note", "--ref=A.6.2.8", "--store=/tmp/s", "text with = and -- inside"],
            ["note", "text", "--engagement=ab12", "--ref", "6.1.2"],
        ]
        for arguments in plain {
            let quick = try #require(FieldAuditCommand.NoteCommand.plainArguments(arguments), "\(arguments)")
            let parsed = try #require(try FieldAuditCommand.parseAsRoot(arguments) as? FieldAuditCommand.NoteCommand)
            #expect(quick == .init(text: parsed.text, ref: parsed.ref, engagement: parsed.engagement.engagement, store: parsed.store.store),
                    "\(arguments)")
        }
        let forTheParser: [[String]] = [
            ["note"], ["note", "-"], ["note", "--", "-5% drop"], ["note", "-5% drop"], ["note", "--help"], ["note", "-h"],
            ["note", "a", "b"], ["note", "a", "--ref"], ["note", "a", "--ref", "1", "--ref", "2"], ["note", "a", "--database", "postgres://x"],
            ["note", "a", "--store", "-x"], ["note", "a", "--verbose"], ["note", ""], ["notes", "a"], ["search", "a"],
        ]
        for arguments in forTheParser {
            #expect(FieldAuditCommand.NoteCommand.plainArguments(arguments) == nil, "\(arguments)")
        }
    }
}
