

/// Splits a line into words as a POSIX shell would: spaces separate, quotes group, `\` escapes.
enum ShellWords {
    struct UnclosedQuote: Error, CustomStringConvertible {
        var description: String { "a quote is not closed; nothing was done" }
    }

    static func split(_ line: String) throws -> [String] {
        var words: [String] = [], current = "", inWord = false
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && quote != "'" {
                escaped = true
                inWord = true
            } else if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else if character.isWhitespace {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        guard quote == nil else { throw UnclosedQuote() }
        if inWord { words.append(current) }
        return words
    }
}
