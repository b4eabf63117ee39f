import Foundation
import TestSupport
import Testing

/// Every `fieldaudit` command line in the README's shell blocks names commands that exist and
/// options those commands accept, as the built binary's `--help` lists them: a renamed or removed
/// option (or a command such as `entity list` that never existed) fails here, not on a user.
struct ReadmeCommandTests {
    let cli = FieldAuditCLI(environment: ["TZ": "UTC"])

    /// The README, found from this file's place in the package.
    static let readme: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    }()

    /// The command lines of the README's `sh` blocks that run `fieldaudit`: continuation lines
    /// joined, comments and capture-session input (`> …`) left out, the part after a pipe taken.
    static func commandLines(of markdown: String) -> [String] {
        var lines: [String] = [], inShell = false, pending = ""
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("```") { inShell = !inShell && line == "```sh"; continue }
            guard inShell else { continue }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if pending.isEmpty && (trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(">")) { continue }
            var code = withoutComment(trimmed)
            if code.hasSuffix("\\") {
                code.removeLast()
                pending += code + " "
                continue
            }
            let whole = pending + code
            pending = ""
            let command = whole.components(separatedBy: "| ").last ?? whole
            if command.trimmingCharacters(in: .whitespaces).hasPrefix("fieldaudit ") { lines.append(command.trimmingCharacters(in: .whitespaces)) }
        }
        return lines
    }

    /// A line without its trailing `# comment` (a `#` outside quotes, after a space).
    static func withoutComment(_ line: String) -> String {
        var quote: Character?, previous: Character = " ", result = ""
        for character in line {
            if let open = quote { if character == open { quote = nil } }
            else if character == "'" || character == "\"" { quote = character }
            else if character == "#" && previous == " " { break }
            result.append(character)
            previous = character
        }
        return result.trimmingCharacters(in: .whitespaces)
    }

    /// Shell words: quotes removed, a redirection (`< file`, `> file`) left out.
    static func words(_ line: String) -> [String] {
        var words: [String] = [], current = "", quote: Character?, inWord = false
        for character in line {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if character == " " {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        var result: [String] = [], index = 0
        while index < words.count {
            if words[index] == "<" || words[index] == ">" { index += 2; continue }
            result.append(words[index])
            index += 1
        }
        return result
    }

    /// The names listed under `SUBCOMMANDS:` in a help text.
    static func subcommands(in help: String) -> Set<String> {
        guard let section = help.range(of: "SUBCOMMANDS:") else { return [] }
        return Set(help[section.upperBound...].split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        })
    }

    /// The subcommand a help text marks `(default)`.
    static func defaultSubcommand(in help: String) -> String? {
        guard let line = help.split(separator: "\n").first(where: { $0.hasPrefix("  ") && $0.contains(" (default)") }) else { return nil }
        return line.split(separator: " ").first.map(String.init)
    }

    @Test func theReadmeShowsItsCommandLines() {
        let lines = Self.commandLines(of: Self.readme)
        #expect(lines.count > 50, "\(lines.count) command lines found")
        #expect(lines.contains { $0.hasPrefix("fieldaudit export --for ben.card.json -o kickoff.fabundle") })
        #expect(Self.words(#"fieldaudit note --ref A.6.2.8 -  < remarks.txt"#) == ["fieldaudit", "note", "--ref", "A.6.2.8", "-"])
        #expect(Self.withoutComment(#"fieldaudit note -- '#1 remark'   # a comment"#) == #"fieldaudit note -- '#1 remark'"#)
    }

    @Test func everyReadmeCommandNamesARealCommandAndOnlyOptionsItAccepts() throws {
        var helps: [[String]: String] = [:]
        func help(_ path: [String]) throws -> String {
            if let known = helps[path] { return known }
            let result = try cli.run(["help"] + path)
            #expect(result.status == 0, "fieldaudit help \(path.joined(separator: " ")): \(result.stderr)")
            helps[path] = result.stdout
            return result.stdout
        }
        for line in Self.commandLines(of: Self.readme) {
            var words = Array(Self.words(line).dropFirst())
            // `--store PATH` may come before the subcommand.
            if words.first == "--store" { words.removeFirst(min(2, words.count)) }
            var path: [String] = []
            while let word = words.first, try Self.subcommands(in: help(path)).contains(word) {
                path.append(word)
                words.removeFirst()
            }
            #expect(!path.isEmpty, "`\(line)` names no fieldaudit command")
            // A group with a default subcommand (`serve` runs `serve run`) takes that one's options.
            if let fallback = try Self.defaultSubcommand(in: help(path)) { path.append(fallback) }
            let text = try help(path)
            for word in words {
                if word == "--" { break }
                guard word.hasPrefix("-"), word != "-" else { continue }
                let option = String(word.split(separator: "=", maxSplits: 1)[0])
                #expect(text.contains(option + " ") || text.contains(option + "\n") || text.contains(option + ",") || text.contains(option + "/") || text.contains(option + "]"),
                        "`\(line)`: `fieldaudit \(path.joined(separator: " "))` does not accept \(option)")
            }
        }
    }
}
