extension HealthReport {
    /// The node table, columns aligned, one line per node, ending in a newline:
    ///
    ///     CLUSTER    POD              ROLE      SEALED  APPLIED  REASON
    ///     primary    vault-primary-0  leader    false   120
    package func renderTable() -> String {
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
    package func renderText() -> String {
        var text = summary + "\n" + renderTable()
        for problem in problems { text += "problem: \(problem)\n" }
        return text
    }
}
