import Foundation
import YAML

/// How commands print diagnostics: text (summary, source line, caret) on stderr, or JSON.
enum DiagnosticOutput {
    /// Writes text to stderr.
    static func printError(_ text: String) {
        Terminal.err(text)
    }

    /// Every diagnostic, one after the other, on stderr.
    /// Each diagnostic with its clipped excerpt, at most `Diagnostics.defaultRenderLimit` of them,
    /// then "… and N more errors" (a flood of errors never floods the terminal).
    static func printText(_ diagnostics: [Diagnostic]) {
        guard !diagnostics.isEmpty else { return }
        printError(Diagnostics(diagnostics).rendered(limit: Diagnostics.defaultRenderLimit))
    }

    /// One diagnostic as JSON.
    struct Item: Codable {
        var file: String
        var line: Int
        var column: Int
        var severity: String
        var message: String
    }

    /// `{"errors": [...], "formatVersion": "multidc.validate/v1", "valid": bool, "warnings": [...]}` with sorted keys; warnings do not
    /// make a spec invalid.
    struct Report: Codable {
        var formatVersion = "multidc.validate/v1"
        var valid: Bool
        var errors: [Item]
        var warnings: [Item]
    }

    static func json(_ diagnostics: [Diagnostic]) -> String {
        let errors = diagnostics.filter { $0.severity == .error }
        let warnings = diagnostics.filter { $0.severity != .error }
        let item = { (d: Diagnostic) in
            Item(file: d.file, line: d.mark.line, column: d.mark.column, severity: d.severity.rawValue, message: d.message)
        }
        let report = Report(valid: errors.isEmpty, errors: errors.map(item), warnings: warnings.map(item))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self)
    }
}
