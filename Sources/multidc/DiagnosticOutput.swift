import Foundation
import YAML

/// How commands print diagnostics: text (summary, source line, caret) on stderr, or JSON.
enum DiagnosticOutput {
    /// Writes text to stderr.
    static func printError(_ text: String) {
        Terminal.err(text)
    }

    /// Every diagnostic, one after the other, on stderr.
    static func printText(_ diagnostics: [Diagnostic]) {
        for diagnostic in diagnostics { printError(diagnostic.description) }
    }

    /// One diagnostic as JSON.
    struct Item: Codable {
        var file: String
        var line: Int
        var column: Int
        var severity: String
        var message: String
    }

    /// `{"errors": [...], "valid": bool}` with sorted keys.
    struct Report: Codable {
        var valid: Bool
        var errors: [Item]
    }

    static func json(_ diagnostics: [Diagnostic]) -> String {
        let report = Report(
            valid: diagnostics.isEmpty,
            errors: diagnostics.map {
                Item(file: $0.file, line: $0.mark.line, column: $0.mark.column, severity: $0.severity.rawValue, message: $0.message)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self)
    }
}
