extension HealthReport {
    /// The node table, columns aligned, one line per node, ending in a newline:
    ///
    ///     CLUSTER    POD              ROLE      SEALED  APPLIED  REASON
    ///     primary    vault-primary-0  leader    false   120
    public func renderTable() -> String {
        var rows = [["CLUSTER", "POD", "ROLE", "SEALED", "APPLIED", "REASON"]]
        for node in nodes {
            rows.append([
                node.cluster, node.pod, node.role.rawValue,
                node.sealed.map { String($0) } ?? "-",
                node.appliedIndex.map { String($0) } ?? "-",
                node.reason,
            ])
        }
        return TextTable.render(rows)
    }

    /// The summary line, the table, then one `problem: …` line per whole-cluster problem.
    public func renderText() -> String {
        var text = summary + "\n" + renderTable()
        for problem in problems { text += "problem: \(problem)\n" }
        return text
    }
}

/// Column-aligned plain text: every column but the last padded to its widest cell, two spaces
/// apart, trailing spaces trimmed.
enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = Array(repeating: 0, count: columns)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        var text = ""
        for row in rows {
            var line = ""
            for (i, cell) in row.enumerated() {
                line += cell
                if i < row.count - 1 { line += String(repeating: " ", count: widths[i] - cell.count + 2) }
            }
            while line.last == " " { line.removeLast() }
            text += line + "\n"
        }
        return text
    }
}
