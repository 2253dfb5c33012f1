import Foundation

/// A tool answered with output its parser cannot read (not a tool failure: the text itself is
/// not what the reference documents).
package struct ToolOutputError: Error, Sendable, Hashable, CustomStringConvertible {
    package var tool: String
    package var message: String

    package init(tool: String, message: String) {
        self.tool = tool
        self.message = message
    }

    package var description: String { "unreadable \(tool) output: \(message)" }
}

extension Data {
    /// Non-empty lines of the text, for JSON Lines.
    var jsonLines: [Data] {
        split(separator: UInt8(ascii: "\n")).filter { line in line.contains { !($0 == 32 || $0 == 9 || $0 == 13) } }.map { Data($0) }
    }
}
