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
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Codable {
        case error, warning, note
    }

    public var file: String
    public var mark: Mark
    public var message: String
    public var severity: Severity
    /// The text of the source line the mark points into, when known (for the caret display).
    public var sourceLine: String?

    public init(
        file: String, mark: Mark, message: String, severity: Severity = .error, sourceLine: String? = nil
    ) {
        self.file = file
        self.mark = mark
        self.message = message
        self.severity = severity
        self.sourceLine = sourceLine
    }

    /// `file:line:column: error: message`, without the source excerpt.
    public var summary: String {
        "\(file):\(mark.line):\(mark.column): \(severity.rawValue): \(message)"
    }

    /// The summary, then the source line and a caret under the column.
    public var description: String {
        guard let line = sourceLine else { return summary }
        let caretPad = String(repeating: " ", count: max(0, mark.column - 1))
        return "\(summary)\n\(line)\n\(caretPad)^"
    }
}

/// Several diagnostics at once: a file's errors are all reported in one run.
public struct Diagnostics: Error, Sendable, CustomStringConvertible {
    public var items: [Diagnostic]

    public init(_ items: [Diagnostic]) {
        self.items = items
    }

    public var description: String { items.map(\.description).joined(separator: "\n") }
}

/// The lines of a source text, to attach the offending line to a diagnostic.
public struct SourceText: Sendable {
    public let file: String
    public let lines: [Substring]

    public init(file: String, text: String) {
        self.file = file
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    public func line(_ number: Int) -> String? {
        guard number >= 1, number <= lines.count else { return nil }
        var line = String(lines[number - 1])
        if line.hasSuffix("\r") { line.removeLast() }
        return line
    }

    /// A diagnostic at `mark` in this text, with its source line attached.
    public func diagnostic(_ message: String, at mark: Mark, severity: Diagnostic.Severity = .error) -> Diagnostic {
        Diagnostic(file: file, mark: mark, message: message, severity: severity, sourceLine: line(mark.line))
    }
}
