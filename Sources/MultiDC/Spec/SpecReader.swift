import YAML

/// Reads typed values out of a node tree, collecting every problem as a positioned
/// diagnostic instead of stopping at the first one.
struct SpecReader {
    let source: SourceText
    var diagnostics: [Diagnostic] = []
    /// Mark of every field read, by path (`spec.clusters[1].pool`); `#key` suffix for key marks.
    var positions: [String: Mark] = [:]
    /// Template files named by the spec that exist, in order of appearance.
    var templates: [FileReference] = []
    /// Where the spec names each template (by resolved path): file problems are reported there.
    var templateMarks: [String: Mark] = [:]
    /// Every local file the spec names (templates, manifests, MetalLB manifests), in order.
    var references: [FileReference] = []

    init(source: SourceText) {
        self.source = source
    }

    /// The entries of one mapping, by key.
    struct Fields {
        let node: Node
        let path: String
        var entries: [String: Node.Pair] = [:]

        /// The value under `key`; nil when absent or null.
        func value(_ key: String) -> Node? {
            guard let value = entries[key]?.value, !value.isNull else { return nil }
            return value
        }

        func keyNode(_ key: String) -> Node? { entries[key]?.key }

        func has(_ key: String) -> Bool { value(key) != nil }

        func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        /// `in spec.network` for messages (nothing at the root).
        var inPath: String { path.isEmpty ? "" : " in \(path)" }
    }

    mutating func error(_ message: String, at mark: Mark) {
        diagnostics.append(source.diagnostic(message, at: mark))
    }

    mutating func typeError(_ expected: String, _ node: Node) {
        error("expected \(expected), found \(node.kindDescription)", at: node.mark)
    }

    /// The fields of a mapping; unknown keys are reported with a did-you-mean, else with
    /// `unknown(key)` when it has a message for that key, else with the allowed keys.
    mutating func fields(_ node: Node, path: String, allowed: [String], unknown: (String) -> String? = { _ in nil }) -> Fields? {
        guard case .mapping(let pairs) = node.content else {
            typeError("a mapping", node)
            return nil
        }
        positions[path] = node.mark
        var fields = Fields(node: node, path: path)
        for pair in pairs {
            guard let key = pair.key.scalar else {
                typeError("a string key", pair.key)
                continue
            }
            guard allowed.contains(key) else {
                let hint =
                    EditDistance.suggestion(for: key, among: allowed).map { "; did you mean '\($0)'?" }
                    ?? unknown(key).map { "; \($0)" }
                    ?? "; allowed keys\(fields.inPath) are \(allowed.joined(separator: ", "))"
                error("unknown key '\(key)'" + hint, at: pair.key.mark)
                continue
            }
            fields.entries[key] = pair
            positions[fields.path(key)] = pair.value.isNull ? pair.key.mark : pair.value.mark
            positions[fields.path(key) + "#key"] = pair.key.mark
        }
        return fields
    }

    mutating func missing(_ key: String, in fields: Fields, note: String = "") {
        error("missing required field '\(key)'\(fields.inPath)\(note)", at: fields.node.mark)
    }

    /// A string field. Numbers and booleans are refused (quote them).
    mutating func string(_ f: Fields, _ key: String, required: Bool = false) -> String? {
        guard let node = f.value(key) else {
            if required { missing(key, in: f) }
            return nil
        }
        return string(node)
    }

    mutating func string(_ node: Node) -> String? {
        guard node.scalar != nil, case .string(let s) = node.resolved else {
            typeError("a string", node)
            return nil
        }
        guard !s.isEmpty else {
            error("expected a non-empty string", at: node.mark)
            return nil
        }
        if let what = Scaffold.placeholder(s) {
            error("`multidc init` left a placeholder here: fill in \(what)", at: node.mark)
            return nil
        }
        return s
    }

    /// Any scalar's text (for versions, where `1.12` must not become a number).
    mutating func text(_ f: Fields, _ key: String, required: Bool = false) -> String? {
        guard let node = f.value(key) else {
            if required { missing(key, in: f) }
            return nil
        }
        guard let text = node.scalar, !text.isEmpty else {
            typeError("a string", node)
            return nil
        }
        return text
    }

    mutating func int(_ f: Fields, _ key: String, range: ClosedRange<Int>, required: Bool = false) -> Int? {
        guard let node = f.value(key) else {
            if required { missing(key, in: f) }
            return nil
        }
        guard let value = node.int else {
            typeError("an integer", node)
            return nil
        }
        guard range.contains(value) else {
            let bound = range.upperBound == Int.max ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
            error("\(key) must be \(bound), found \(value)", at: node.mark)
            return nil
        }
        return value
    }

    mutating func bool(_ f: Fields, _ key: String) -> Bool? {
        guard let node = f.value(key) else { return nil }
        guard let value = node.bool else {
            typeError("a boolean", node)
            return nil
        }
        return value
    }

    /// A sequence field's items (absent: nil, no error).
    mutating func sequence(_ f: Fields, _ key: String) -> [Node]? {
        guard let node = f.value(key) else { return nil }
        guard let items = node.sequence else {
            typeError("a sequence", node)
            return nil
        }
        return items
    }

    /// A list of strings, with each item's node.
    mutating func strings(_ f: Fields, _ key: String) -> [(String, Node)] {
        guard let items = sequence(f, key) else { return [] }
        var result: [(String, Node)] = []
        for (i, item) in items.enumerated() {
            positions["\(f.path(key))[\(i)]"] = item.mark
            if let s = string(item) { result.append((s, item)) }
        }
        return result
    }
}
