import ArgumentParser
import FieldAudit
import Foundation

extension FieldAuditCommand.EvidenceCommand {
    /// `fieldaudit evidence add`: store files as evidence: hashed (SHA-256), stored once, linked to a test, finding, interview or requirement.
    struct Add: ReplicaCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Store files as evidence: hashed (SHA-256), stored once, linked to a test, finding, interview or requirement.",
            discussion: """
                '-' stores standard input (not a terminal) under --name. A folder, given alone, is stored \
                as one evidence set: every file in it and its subfolders, and a manifest of their paths, \
                sizes and SHA-256. Symbolic links (never followed), FIFOs, devices, sockets and unreadable \
                entries refuse the whole folder, each named with the reason; --skip-unreadable stores the \
                rest and lists them in the manifest as skipped.
                """)
        @Argument(help: "The files; '-' for standard input; or one folder.") var files: [String]
        @Option(help: "The name to record standard input under ('-' only).") var name: String?
        @Flag(help: "For a folder: store what can be stored, and list the rest in the manifest as skipped.") var skipUnreadable = false
        @Option(name: .customLong("max-files"), help: "For a folder: at most this many files.") var maxFiles = Replica.EvidenceSetLimits.standard.files
        @Option(name: .customLong("max-bytes"), help: "For a folder: at most this many bytes in all (KiB, MiB, GiB).")
        var maxBytes = ByteCount(bytes: Replica.EvidenceSetLimits.standard.bytes)
        @Option(name: .customLong("for"), help: "A test, finding or interview id (or prefix), or a requirement, to link to.") var target: String?
        @Option(help: "A requirement the evidence bears on.") var ref: String?
        @Option(parsing: .unconditional, help: "What the evidence shows.") var describe: String?
        @OptionGroup var engagement: EngagementOption
        @OptionGroup var store: StoreOptions

        func validate() throws {
            if files.isEmpty { throw ValidationError("name at least one file.") }
            if files.contains("-") {
                if files.count > 1 { throw ValidationError("'-' (standard input) is added on its own; add the files with another command.") }
                if name == nil { throw ValidationError("standard input has no name: give one with --name, e.g. --name kubectl-pods.txt.") }
            } else if name != nil {
                throw ValidationError("--name names standard input ('-'); a file keeps its own name.")
            }
            if maxFiles < 1 { throw ValidationError("--max-files must be at least 1.") }
        }

        func run(on replica: Replica) throws {
            if files == ["-"] { return try addStandardInput(on: replica) }
            if files.count == 1, Self.isFolder(files[0]) { return try addFolder(on: replica) }
            let progress = FileProgress()
            let added: [Replica.AddedEvidence]
            do {
                defer { progress.finish() }
                added = try replica.addEvidence(
                    files: files, target: target, ref: ref, description: describe, engagement: engagement.engagement, progress: progress.update)
            }
            for (file, item) in zip(files, added) { Terminal.print(Self.describe(item, file: file)) }
        }

        /// Stores standard input under `--name`; a terminal is refused (there is nothing to paste into).
        private func addStandardInput(on replica: Replica) throws {
            guard isatty(STDIN_FILENO) != 1 else {
                throw ValidationError("standard input is a terminal; pipe the text in (`kubectl get pods | fieldaudit evidence add - --name pods.txt`) or redirect a file (`< log.txt`). Nothing was recorded.")
            }
            try Replica.checkEvidenceName(name!)
            try replica.checkEvidenceDestination(target: target, ref: ref, engagement: engagement.engagement)
            let spool = try InputFile.spoolStandardInput()
            defer { try? FileManager.default.removeItem(atPath: spool) }
            let item = try replica.addEvidence(
                standardInput: spool, name: name!, target: target, ref: ref, description: describe, engagement: engagement.engagement)
            Terminal.print(Self.describe(item, file: name!))
        }

        /// Stores a folder as one evidence set.
        private func addFolder(on replica: Replica) throws {
            let progress = FileProgress()
            defer { progress.finish() }
            let added = try replica.addEvidenceSet(
                directory: files[0], skipUnreadable: skipUnreadable, limits: .init(files: maxFiles, bytes: maxBytes.bytes), target: target,
                ref: ref, description: describe, engagement: engagement.engagement, progress: progress.update)
            progress.finish()
            let manifest = added.manifest
            if added.alreadyStored {
                return Terminal.print(
                    "\(Terminal.shown(files[0])): identical folder already stored as evidence set \(added.id.short) (\(manifest.files.count) files); "
                        + (added.newLinks.isEmpty ? "no new link." : "linked it to \(added.newLinks.joined(separator: ", ")).")
                )
            }
            let total = manifest.files.reduce(Int64(0)) { $0 + $1.size }
            Terminal.print(
                "\(added.id.short)  \(Terminal.shown(manifest.folder))/  evidence set of \(manifest.files.count) file\(manifest.files.count == 1 ? "" : "s"), \(total) bytes; manifest sha256:\(added.digest.hex)")
            for (file, id) in zip(manifest.files, added.members) {
                Terminal.print("  \(id.short)  \(Terminal.shown(file.path))  \(file.size) bytes  sha256:\(file.sha256)")
            }
            for entry in manifest.skipped {
                Terminal.print("  skipped  \(Terminal.shown(entry.path)): \(entry.reason)")
            }
            if !manifest.skipped.isEmpty {
                Terminal.note("\(manifest.skipped.count) entr\(manifest.skipped.count == 1 ? "y was" : "ies were") not stored (--skip-unreadable); the manifest lists \(manifest.skipped.count == 1 ? "it" : "them").")
            }
        }

        /// Whether `path` names a folder (following a symbolic link given by name).
        static func isFolder(_ path: String) -> Bool {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }

        /// The progress of files being stored, on standard error: the file being copied, its bytes
        /// copied out of its size (a copy that takes less than the redraw interval shows nothing).
        final class FileProgress {
            private let progress = Progress(label: "storing")
            private var current: (file: String, size: UInt64?)?

            func update(_ file: String, _ bytes: Int64) {
                if current?.file != file { current = (file, Progress.size(of: file)) }
                progress.update(WorkProgress(step: file, done: UInt64(max(0, bytes)), total: current?.size, unit: .bytes), label: "storing")
            }

            func finish() {
                progress.finish()
            }
        }

        /// One line for one file: stored as new evidence, or already stored and what it was linked to.
        static func describe(_ item: Replica.AddedEvidence, file: String) -> String {
            guard let existing = item.alreadyStoredAs else {
                return "\(item.id.short)  \(file)  \(item.size) bytes  sha256:\(item.digest.hex)\(item.isNewBlob ? "" : "  (identical file already stored)")"
            }
            var line = "\(file): identical file already stored as evidence \(item.id.short) (\(existing)); "
            line += item.newLinks.isEmpty ? "no new link" : "linked it to \(item.newLinks.joined(separator: ", "))"
            if let previous = item.replacedDescription {
                line += previous.isEmpty ? "; description set" : "; description replaced (it was: \(previous))"
            }
            return line + "."
        }
    }
}
