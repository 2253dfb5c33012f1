/// One `${{ name }}` inside a scalar, and the scanner that finds them.
package struct Placeholder: Sendable, Hashable {
    package var name: String
    /// Offset of `${{` in the scalar's text, in Unicode scalars (code points), the unit of
    /// libyaml's columns.
    package var offset: Int
    /// Which `${{` of the scalar's text this is (0-based): how `Locator` finds it in the source.
    package var ordinal: Int

    package init(name: String, offset: Int, ordinal: Int = 0) {
        self.name = name
        self.offset = offset
        self.ordinal = ordinal
    }

    /// A scalar's text cut into literal text and placeholders.
    package enum Segment: Sendable, Hashable {
        case text(String)
        case placeholder(Placeholder)
    }

    /// A malformed placeholder, with the code-point offset and the ordinal of its `${{`.
    package struct SyntaxError: Error, Sendable, Hashable {
        package var message: String
        package var offset: Int
        package var ordinal: Int
    }

    package static let opener = "${{"

    /// The segments of `text`; a text without `${{` is one `.text` segment. One pass over the
    /// text: O(n) however many placeholders it holds.
    package static func segments(of text: String) throws(SyntaxError) -> [Segment] {
        guard text.contains(opener) else { return [.text(text)] }
        var segments: [Segment] = []
        let scalars = Array(text.unicodeScalars)
        let n = scalars.count
        func string(_ range: Range<Int>) -> String {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[range])
            return String(view)
        }
        var literalStart = 0
        var ordinal = 0
        var i = 0
        while i < n {
            guard scalars[i] == "$", i + 2 < n, scalars[i + 1] == "{", scalars[i + 2] == "{" else {
                i += 1
                continue
            }
            let start = i
            var j = i + 3
            var found = false
            while j + 1 < n {
                if scalars[j] == "}" && scalars[j + 1] == "}" {
                    found = true
                    break
                }
                j += 1
            }
            guard found else {
                throw SyntaxError(message: "unterminated placeholder; close it with '}}'", offset: start, ordinal: ordinal)
            }
            var lower = i + 3
            var upper = j
            while lower < upper, scalars[lower] == " " || scalars[lower] == "\t" { lower += 1 }
            while upper > lower, scalars[upper - 1] == " " || scalars[upper - 1] == "\t" { upper -= 1 }
            let name = string(lower..<upper)
            guard !name.isEmpty else {
                throw SyntaxError(
                    message: "empty placeholder '${{ }}'; name a value like ${{ cluster.name }}", offset: start, ordinal: ordinal)
            }
            guard
                scalars[lower..<upper].allSatisfy({
                    $0.isASCII && (Character($0).isLetter || Character($0).isNumber || $0 == "." || $0 == "_")
                })
            else {
                throw SyntaxError(message: "invalid placeholder name '\(name)'", offset: start, ordinal: ordinal)
            }
            if literalStart < start { segments.append(.text(string(literalStart..<start))) }
            segments.append(.placeholder(Placeholder(name: name, offset: start, ordinal: ordinal)))
            ordinal += 1
            i = j + 2
            literalStart = i
        }
        if literalStart < n { segments.append(.text(string(literalStart..<n))) }
        return segments
    }
}
