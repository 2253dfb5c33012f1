/// Column-aligned plain text: every column but the last padded to its widest cell, two spaces
/// apart, trailing spaces trimmed.
enum TextTable {
    /// The table; with `width`, the first columns are clipped (with `…`) until every line fits.
    static func render(_ rows: [[String]], width: Int? = nil) -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = Array(repeating: 0, count: columns)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        if let width, columns > 0 {
            // Shrink the first column, then the second, down to 8 characters each.
            for column in 0..<min(2, columns) {
                let total = widths.reduce(0, +) + 2 * (columns - 1)
                guard total > width else { break }
                widths[column] = max(min(widths[column], 8), widths[column] - (total - width))
            }
        }
        var text = ""
        for row in rows {
            var line = ""
            for (i, cell) in row.enumerated() {
                let shown = cell.count > widths[i] ? String(cell.prefix(max(0, widths[i] - 1))) + "…" : cell
                line += shown
                if i < row.count - 1 { line += String(repeating: " ", count: widths[i] - shown.count + 2) }
            }
            while line.last == " " { line.removeLast() }
            text += line + "\n"
        }
        return text
    }
}
