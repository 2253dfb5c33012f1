/// One problem found in a source file, positioned at `file:line:column`.
///
/// Rendered the way compilers and Yams render errors:
///
///     spec.yaml:12:5: error: unknown key 'nodeImag'; did you mean 'nodeImage'?
///         nodeImag: kindest/node:v1.19.1
///         ^
///
/// Every layer that reads a file (the YAML parser, the spec decoder, the template
/// renderer) reports through this one type, so `multidc validate -o json` can list them all.
///
/// The excerpt is clipped to a window of `Diagnostic.excerptWidth` code points around the
/// column (with `…` where the line goes on), so a long one-line input never prints whole.
package struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Severity: String, Sendable, Hashable, Codable {
        case error, warning, note
    }

    package var file: String
    package var mark: Mark
    package var message: String
    package var severity: Severity
    /// The text of the source line the mark points into, when known (for the caret display).
    /// `SourceText.diagnostic` stores only a window of a long line: see `sourceLineStartColumn`.
    package var sourceLine: String?
    /// The column (in code points) of `sourceLine`'s first code point in the real line:
    /// 1 unless the line was clipped at its start.
    package var sourceLineStartColumn: Int
    /// True when the real line goes on after the end of `sourceLine`.
    package var sourceLineContinues: Bool

    /// Most code points of a source line shown under a diagnostic (the `…` marks not counted).
    package static let excerptWidth = 120

    package init(
        file: String, mark: Mark, message: String, severity: Severity = .error, sourceLine: String? = nil,
        sourceLineStartColumn: Int = 1, sourceLineContinues: Bool = false
    ) {
        self.file = file
        self.mark = mark
        self.message = message
        self.severity = severity
        self.sourceLine = sourceLine
        self.sourceLineStartColumn = sourceLineStartColumn
        self.sourceLineContinues = sourceLineContinues
    }

    /// At most `limit` code points of `text`, with "…" when cut: for quoting a value the user
    /// wrote (a key, a path, an alias name) in a message, which is never clipped otherwise.
    package static func clip(_ text: String, limit: Int = 60) -> String {
        var scalars = text.unicodeScalars.makeIterator()
        var out = String.UnicodeScalarView()
        for _ in 0..<limit {
            guard let s = scalars.next() else { return text }
            out.append(s)
        }
        return scalars.next() == nil ? text : String(out) + "…"
    }

    /// `file:line:column: error: message`, without the source excerpt.
    package var summary: String {
        "\(file):\(mark.line):\(mark.column): \(severity.rawValue): \(message)"
    }

    /// The summary, then the source line (clipped around the column) and a caret under the column.
    package var description: String {
        guard let line = sourceLine else { return summary }
        let excerpt = Diagnostic.excerpt(
            Array(line.unicodeScalars), startColumn: sourceLineStartColumn, continues: sourceLineContinues,
            column: mark.column, width: Diagnostic.excerptWidth)
        return "\(summary)\n\(excerpt.text)\n\(excerpt.caret)"
    }

    /// The window of `scalars` (a line, or part of one starting at `startColumn`) shown for
    /// `column`: at most `width` code points, `…` where text was left out, and the caret line.
    /// The caret line repeats tabs and skips combining marks, so the `^` sits under the column
    /// in a terminal; control characters are shown as `?`.
    static func excerpt(
        _ scalars: [Unicode.Scalar], startColumn: Int, continues: Bool, column: Int, width: Int
    ) -> (text: String, caret: String) {
        // Index of the mark's column in `scalars` (may lie past the end: a caret after the text).
        let target = max(0, column - startColumn)
        var lower = 0
        var upper = scalars.count
        if upper - lower > width {
            lower = max(0, min(target - width / 2, scalars.count - width))
            upper = min(scalars.count, lower + width)
        }
        let clippedStart = lower > 0 || startColumn > 1
        let clippedEnd = upper < scalars.count || continues
        var text = clippedStart ? "…" : ""
        var caret = clippedStart ? " " : ""
        for (i, scalar) in scalars[lower..<upper].enumerated() {
            let shown: Unicode.Scalar
            switch scalar.value {
            case 0x09: shown = scalar
            case 0..<0x20, 0x7F..<0xA0, 0xFFFE, 0xFFFF: shown = "?"
            default: shown = scalar
            }
            text.unicodeScalars.append(shown)
            if lower + i < target {
                switch scalar.properties.generalCategory {
                case .nonspacingMark, .enclosingMark: break
                default: caret += scalar == "\t" ? "\t" : " "
                }
            }
        }
        if upper < target { caret += String(repeating: " ", count: min(target - upper, width)) }
        if clippedEnd { text += "…" }
        return (text, caret + "^")
    }
}

/// Several diagnostics at once: a file's errors are all reported in one run.
package struct Diagnostics: Error, Sendable, CustomStringConvertible {
    package var items: [Diagnostic]

    /// How many diagnostics `description` renders before "… and N more errors".
    package static let defaultRenderLimit = 100

    package init(_ items: [Diagnostic]) {
        self.items = items
    }

    /// The first `defaultRenderLimit` diagnostics, then how many more there are.
    package var description: String { rendered(limit: Diagnostics.defaultRenderLimit) }

    /// The first `limit` diagnostics, one after the other (summary, excerpt, caret), then a
    /// last line `… and N more errors` (or `warnings`, or `diagnostics` for a mix) when
    /// some were left out. `limit: nil` renders them all.
    package func rendered(limit: Int?) -> String {
        let shown = limit.map { min(max(0, $0), items.count) } ?? items.count
        var lines = items[..<shown].map(\.description)
        if let more = Diagnostics.moreLine(items[shown...]) { lines.append(more) }
        return lines.joined(separator: "\n")
    }

    /// `… and 3 more errors` for the diagnostics left out; nil when there are none.
    package static func moreLine(_ rest: ArraySlice<Diagnostic>) -> String? {
        guard !rest.isEmpty else { return nil }
        let severities = Set(rest.map(\.severity))
        let noun = severities.count == 1 ? severities.first!.rawValue : "diagnostic"
        return "… and \(rest.count) more \(noun)\(rest.count == 1 ? "" : "s")"
    }
}
