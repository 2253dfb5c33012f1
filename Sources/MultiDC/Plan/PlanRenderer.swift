/// Renders a plan for a terminal: grouped by cluster, one line per resource with its symbol,
/// the reason and the observed value it fixes, field changes indented below, then the summary.
package struct PlanRenderer: Sendable {
    /// ANSI colours (on a TTY unless NO_COLOR is set; the caller decides).
    package var color: Bool
    /// Also list resources that are in sync.
    package var showInSync: Bool

    package init(color: Bool = false, showInSync: Bool = true) {
        self.color = color
        self.showInSync = showInSync
    }

    package func render(_ plan: Plan) -> String {
        var out: [String] = []
        let verb = plan.purpose == .destroy ? "destroy" : "apply"
        out.append("Topology \(plan.topology): what \(verb) would do")
        var groups: [(title: String, actions: [PlanAction])] = [("global", plan.actions.filter { $0.cluster == nil })]
        var seen: [String] = []
        for action in plan.actions {
            if let c = action.cluster, !seen.contains(c) { seen.append(c) }
        }
        for cluster in seen {
            groups.append(("cluster \(cluster)", plan.actions.filter { $0.cluster == cluster }))
        }
        for group in groups {
            let shown = group.actions.filter { showInSync || $0.change != .inSync }
            guard !shown.isEmpty else { continue }
            out.append("")
            out.append(bold(group.title))
            for action in shown {
                let symbol = paint(action.change.symbol.padding(3), action.change)
                var line = "  \(symbol) \(action.resource)"
                line += dim(" — \(action.reason)")
                if let observed = action.observed { line += dim(" (observed: \(observed))") }
                out.append(line)
                for field in action.fields {
                    out.append(
                        "        \(paint("~", .update)) \(field.path): \(field.before ?? "(absent)") → \(field.after ?? "(removed)")")
                }
                if let loss = action.dataLoss {
                    out.append("        \(paint("! data loss:", .delete)) \(loss)")
                }
            }
        }
        if !plan.notes.isEmpty {
            out.append("")
            for note in plan.notes { out.append(dim("note: \(note)")) }
        }
        if !plan.problems.isEmpty {
            out.append("")
            for problem in plan.problems { out.append(paint("error:", .delete) + " \(problem)") }
        }
        out.append("")
        out.append(plan.summaryLine)
        if let steps = plan.stepsLine { out.append(steps) }
        return out.joined(separator: "\n") + "\n"
    }

    private func paint(_ text: String, _ change: Change) -> String {
        guard color else { return text }
        let code: String
        switch change {
        case .create: code = "32"
        case .update: code = "33"
        case .replace: code = "35"
        case .delete: code = "31"
        case .wait: code = "36"
        case .inSync: code = "2"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    private func bold(_ text: String) -> String { color ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
    private func dim(_ text: String) -> String { color ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
