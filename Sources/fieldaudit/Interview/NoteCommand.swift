import ArgumentParser
import FieldAudit

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
            let replica = try store.openReplica()
            let body = try TextInput.read(text, purpose: "note")
            let id = try replica.addNote(body, ref: ref, engagement: engagement.engagement)
            Terminal.print("Noted (\(id.short)).")
        }
    }
}
