import ArgumentParser
import FieldAudit
import Foundation

extension FieldAuditCommand {
    /// `fieldaudit note`: an append-only note on the current interview or a requirement.
    struct NoteCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "note",
            abstract: "Add a note to the interview in progress and/or a requirement.",
            discussion: """
                The text comes from the argument, from standard input with '-', or from $EDITOR when \
                no text is given on a terminal. Notes are never edited: add another one instead.
                """)
        @Argument(help: "The note's text, or '-' to read it from standard input.") var text: String?
        @Option(help: "A requirement the note is about (for example 6.1.2 or A.5.2).") var ref: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func run() throws {
            try Self.note(
                Plain(text: text, ref: ref, engagement: engagement.engagement, store: store.store),
                replica: { try store.openReplica() })
        }

        /// A note's arguments as the parser reads them, when they are all plain words.
        struct Plain: Equatable {
            var text: String?
            var ref: String?
            var engagement: String?
            var store: String?
        }

        /// Records the note: what `run` does, and what the quick path does without the parser.
        static func note(_ arguments: Plain, replica open: () throws -> Replica) throws {
            let replica = try open()
            let body = try TextInput.read(arguments.text, purpose: "note")
            let id = try replica.addNote(body, ref: arguments.ref, engagement: arguments.engagement)
            Terminal.print("Noted (\(id.short)).")
        }

        /// The quick path of the command typed most, read without ArgumentParser: `note TEXT`
        /// with at most one each of `--ref`, `--engagement` and `--store` (`--name value` or
        /// `--name=value`), every word plain (the text and values not starting with `-`).
        /// Anything else (help, `-`, `--`, `--database`, a repeated option) is `nil`: the parser
        /// reads it, with its messages. ArgumentParser's reflection over the whole command tree
        /// costs more CPU than the note's transaction (BENCHMARKS.md, "Capture latency");
        /// `CommandTreeTests` checks that both read every plain form alike.
        static func plainArguments(_ arguments: [String]) -> Plain? {
            guard arguments.first == "note" else { return nil }
            var plain = Plain()
            var index = 1
            func set(_ name: String, _ value: String) -> Bool {
                guard !value.hasPrefix("-") else { return false }
                switch name {
                case "ref" where plain.ref == nil: plain.ref = value
                case "engagement" where plain.engagement == nil: plain.engagement = value
                case "store" where plain.store == nil: plain.store = value
                default: return false
                }
                return true
            }
            while index < arguments.count {
                let word = arguments[index]
                if word.hasPrefix("--"), let equals = word.firstIndex(of: "=") {
                    guard set(String(word[word.index(word.startIndex, offsetBy: 2)..<equals]), String(word[word.index(after: equals)...])) else { return nil }
                    index += 1
                } else if word.hasPrefix("--") {
                    guard index + 1 < arguments.count, set(String(word.dropFirst(2)), arguments[index + 1]) else { return nil }
                    index += 2
                } else if word.hasPrefix("-") || word.isEmpty || plain.text != nil {
                    return nil
                } else {
                    plain.text = word
                    index += 1
                }
            }
            return plain.text == nil ? nil : plain
        }
    }
}
