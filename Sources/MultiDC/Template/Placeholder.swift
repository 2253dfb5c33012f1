/// One `${{ name }}` inside a scalar, and the scanner that finds them.
public struct Placeholder: Sendable, Hashable {
    public var name: String
    /// Character offset of `${{` in the scalar's text.
    public var offset: Int

    public init(name: String, offset: Int) {
        self.name = name
        self.offset = offset
    }

    /// A scalar's text cut into literal text and placeholders.
    public enum Segment: Sendable, Hashable {
        case text(String)
        case placeholder(Placeholder)
    }

    /// A malformed placeholder, with the character offset of its `${{`.
    public struct SyntaxError: Error, Sendable, Hashable {
        public var message: String
        public var offset: Int
    }

    public static let opener = "${{"

    /// The segments of `text`; a text without `${{` is one `.text` segment.
    public static func segments(of text: String) throws(SyntaxError) -> [Segment] {
        guard text.contains(opener) else { return [.text(text)] }
        var segments: [Segment] = []
        var literal = ""
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            if chars[i] == "$", i + 2 < chars.count, chars[i + 1] == "{", chars[i + 2] == "{" {
                let start = i
                var j = i + 3
                var found = false
                while j + 1 < chars.count {
                    if chars[j] == "}" && chars[j + 1] == "}" { found = true; break }
                    j += 1
                }
                guard found else {
                    throw SyntaxError(message: "unterminated placeholder; close it with '}}'", offset: start)
                }
                let name = String(chars[(i + 3)..<j]).trimmingCharacters(in: " \t")
                guard !name.isEmpty else {
                    throw SyntaxError(message: "empty placeholder '${{ }}'; name a value like ${{ cluster.name }}", offset: start)
                }
                guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_") }) else {
                    throw SyntaxError(message: "invalid placeholder name '\(name)'", offset: start)
                }
                if !literal.isEmpty { segments.append(.text(literal)); literal = "" }
                segments.append(.placeholder(Placeholder(name: name, offset: start)))
                i = j + 2
            } else {
                literal.append(chars[i])
                i += 1
            }
        }
        if !literal.isEmpty { segments.append(.text(literal)) }
        return segments
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
