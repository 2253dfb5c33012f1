import Foundation
import YAML

/// A template file: one or more YAML documents whose scalars may hold `${{ name }}`.
///
/// Substitution works on the parsed node tree, never on text, so the result is always
/// valid YAML. A scalar that is exactly one (plain) placeholder takes the value's type;
/// placeholders inside longer text are interpolated as strings.
package struct Template: Sendable {
    /// The file as shown in messages.
    package let file: String
    package let documents: [Node]
    /// Every placeholder, with its position in the file.
    package let placeholders: [(name: String, mark: Mark)]
    let source: SourceText
    let locator: Locator

    /// How rendering treats values that are secret or not known yet.
    package enum Mode: Sendable, Hashable {
        /// For people: secrets print `(sensitive)`, unknown values `(known after apply)`.
        case display
        /// For tools: every value must be known; secrets are substituted.
        case apply
    }

    /// Parses a template; YAML and placeholder syntax errors are reported at their positions.
    package static func parse(text: String, file: String) throws(Diagnostics) -> Template {
        let documents: [Node]
        do {
            documents = try YAMLParser.parseDocuments(text, file: file)
        } catch {
            throw Diagnostics([error])
        }
        let source = SourceText(file: file, text: text)
        let locator = Locator(source: source)
        var found: [(String, Mark)] = []
        var problems: [Diagnostic] = []
        func visit(_ node: Node) {
            switch node.content {
            case .scalar(let text):
                do {
                    for case .placeholder(let p) in try Placeholder.segments(of: text) {
                        found.append((p.name, locator.mark(of: node, ordinal: p.ordinal)))
                    }
                } catch {
                    problems.append(source.diagnostic(error.message, at: locator.mark(of: node, ordinal: error.ordinal)))
                }
            case .sequence(let items):
                items.forEach(visit)
            case .mapping(let pairs):
                for pair in pairs {
                    visit(pair.key)
                    visit(pair.value)
                }
            }
        }
        documents.forEach(visit)
        if !problems.isEmpty { throw Diagnostics(problems) }
        return Template(file: file, documents: documents, placeholders: found, source: source, locator: locator)
    }

    /// Reads and parses a template file; `file` is the name used in messages. A file that cannot
    /// be read (missing, a directory, no permission, over the size limit, not UTF-8) is an error
    /// at 1:1 of the file; `TopologyLoader` reports those at the spec line naming the template.
    package static func load(path: String, file: String, limits: ParseLimits = .default) throws(Diagnostics) -> Template {
        let text: String
        do {
            text = try SourceFile.read(path, limit: limits.maxBytes)
        } catch {
            throw Diagnostics([Diagnostic(file: file, mark: Mark(line: 1, column: 1), message: error.description)])
        }
        return try parse(text: text, file: file)
    }

    /// Errors for placeholders whose names are not in `names`, at the placeholders' positions.
    package func check(names: [String] = TemplateValues.names) -> [Diagnostic] {
        let known = Set(names)
        return placeholders.filter { !known.contains($0.name) }.map { p in
            let hint = EditDistance.suggestion(for: p.name, among: names).map { "; did you mean '\($0)'?" } ?? ""
            return source.diagnostic("unknown placeholder '\(p.name)'" + hint, at: p.mark)
        }
    }

    /// The most bytes the values substituted into one template may add up to. Far above any
    /// Kubernetes object (etcd takes about 1.5 MB), it stops a huge value repeated in many
    /// placeholders from exhausting memory.
    package static let maxSubstitutedBytes = 8 << 20

    /// The documents with every placeholder substituted, in time linear in the template and
    /// the values. Errors: unknown names, values not known yet (`.apply`), substituted values
    /// over `maxSubstitutedBytes`, and mapping keys that render the same (`${{ x }}: 1` next to
    /// a key that `x` turns into), each at the placeholder's position.
    package func render(_ values: TemplateValues, mode: Mode) throws(Diagnostics) -> [Node] {
        var problems: [Diagnostic] = []
        var substituted = 0
        var overLimit = false
        /// The node, and whether it holds a value not shown as itself (unknown or secret in .display).
        func substitute(_ node: Node) -> (node: Node, opaque: Bool) {
            if overLimit { return (node, false) }
            var node = node
            switch node.content {
            case .scalar(let text):
                guard let segments = try? Placeholder.segments(of: text), segments.count > 1 || isPlaceholder(segments.first)
                else { return (node, false) }
                var pieces: [TemplateValue.Scalar] = []
                var opaque = false
                for segment in segments {
                    switch segment {
                    case .text(let t):
                        pieces.append(.string(t))
                    case .placeholder(let p):
                        guard let value = values[p.name] else {
                            problems.append(
                                source.diagnostic("unknown placeholder '\(p.name)'", at: locator.mark(of: node, ordinal: p.ordinal)))
                            continue
                        }
                        let piece: TemplateValue.Scalar
                        switch (value, mode) {
                        case (.known(let scalar), _): piece = scalar
                        case (.sensitive(let secret), .apply): piece = .string(secret.reveal())
                        case (_, .display):
                            piece = .string(value.displayText)
                            opaque = true
                        case (.unknown, .apply):
                            problems.append(
                                source.diagnostic(
                                    "the value of '\(p.name)' is not known yet", at: locator.mark(of: node, ordinal: p.ordinal)))
                            continue
                        }
                        substituted += piece.byteCount
                        if substituted > Self.maxSubstitutedBytes {
                            problems.append(
                                source.diagnostic(
                                    "the values substituted into this template exceed \(Self.maxSubstitutedBytes) bytes at '\(p.name)' (\(piece.byteCount) bytes here); use shorter values",
                                    at: locator.mark(of: node, ordinal: p.ordinal)))
                            overLimit = true
                            return (node, false)
                        }
                        pieces.append(piece)
                    }
                }
                if pieces.count == 1, segments.count == 1, node.style == .plain, node.tag == nil, case .int(let i) = pieces[0] {
                    return (Node.scalar(String(i), mark: node.mark), opaque)
                }
                let text = pieces.map(\.text).joined()
                var result = Node.string(text, mark: node.mark)
                if node.tag != nil { result.tag = node.tag }
                if result.style == .plain, node.style != .plain, !text.contains("\n") { result.style = node.style }
                return (result, opaque)
            case .sequence(let items):
                var opaque = false
                node.content = .sequence(
                    items.map {
                        let r = substitute($0)
                        opaque = opaque || r.opaque
                        return r.node
                    })
                return (node, opaque)
            case .mapping(let pairs):
                var opaque = false
                var rendered: [Node.Pair] = []
                rendered.reserveCapacity(pairs.count)
                var keyOpaque: [Bool] = []
                for pair in pairs {
                    let key = substitute(pair.key)
                    let value = substitute(pair.value)
                    opaque = opaque || key.opaque || value.opaque
                    rendered.append(Node.Pair(key: key.node, value: value.node))
                    keyOpaque.append(key.opaque)
                }
                if !overLimit { problems += duplicateKeys(original: pairs, rendered: rendered, opaque: keyOpaque) }
                node.content = .mapping(rendered)
                return (node, opaque)
            }
        }
        let rendered = documents.map { substitute($0).node }
        if !problems.isEmpty { throw Diagnostics(problems) }
        return rendered
    }

    /// Keys of one mapping that render equal (as multidc's YAML parser compares keys) where one
    /// of them came from a placeholder. Reported at the later key's first placeholder. Keys that
    /// show a placeholder's stand-in (`(known after apply)`, `(sensitive)`) cannot be judged yet.
    private func duplicateKeys(original: [Node.Pair], rendered: [Node.Pair], opaque: [Bool]) -> [Diagnostic] {
        let templated = original.indices.filter { original[$0].key.scalar?.contains(Placeholder.opener) == true }
        guard !templated.isEmpty else { return [] }
        struct KeyID: Hashable {
            var tag: String?
            var text: String
            var resolved: Resolved
        }
        func id(_ node: Node) -> KeyID? {
            guard let text = node.scalar else { return nil }
            let tag = node.tag.flatMap { $0.hasPrefix("tag:yaml.org,2002:") ? nil : $0 }
            return KeyID(tag: tag, text: text, resolved: node.resolved)
        }
        var first: [KeyID: Int] = [:]
        var problems: [Diagnostic] = []
        let isTemplated = Set(templated)
        for (i, pair) in rendered.enumerated() {
            guard !opaque[i], let key = id(pair.key) else { continue }
            if let earlier = first[key] {
                guard isTemplated.contains(i) || isTemplated.contains(earlier) else { continue }
                let at = isTemplated.contains(i) ? locator.mark(of: original[i].key, ordinal: 0) : original[i].key.mark
                let was = original[earlier].key.mark
                problems.append(
                    source.diagnostic(
                        "the key renders as '\(key.text)', which the key at line \(was.line), column \(was.column) also renders as; keys of a mapping must differ",
                        at: at))
            } else {
                first[key] = i
            }
        }
        return problems
    }

    private func isPlaceholder(_ segment: Placeholder.Segment?) -> Bool {
        if case .placeholder = segment { return true }
        return false
    }
}

extension TemplateValue.Scalar {
    /// UTF-8 length of the text.
    var byteCount: Int {
        switch self {
        case .string(let s): return s.utf8.count
        case .int(let i): return String(i).utf8.count
        }
    }
}

/// Finds where a placeholder sits in the source: the k-th `${{` at or after the scalar's
/// start is the scalar's k-th placeholder (true for plain, quoted and block scalars alike).
///
/// Every `${{` of the source is indexed once (O(n)); a lookup is a binary search. Columns
/// count Unicode scalars (code points), like libyaml's marks.
struct Locator: Sendable {
    /// Position of every `${{` in the source, in source order.
    let openers: [Mark]

    init(source: SourceText) {
        var openers: [Mark] = []
        for (index, line) in source.lines.enumerated() {
            var column = 1
            var previous: (Unicode.Scalar?, Unicode.Scalar?) = (nil, nil)
            for scalar in line.unicodeScalars {
                if scalar == "{", previous.1 == "{", previous.0 == "$" {
                    openers.append(Mark(line: index + 1, column: column - 2))
                }
                previous = (previous.1, scalar)
                column += 1
            }
        }
        self.openers = openers
    }

    /// The mark of the `ordinal`-th `${{` at or after `node`'s start; the node's own mark when
    /// the source does not hold it (a `${{` written with escapes in a quoted scalar).
    func mark(of node: Node, ordinal: Int) -> Mark {
        var low = 0
        var high = openers.count
        while low < high {
            let mid = (low + high) / 2
            if openers[mid] < node.mark { low = mid + 1 } else { high = mid }
        }
        let index = low + ordinal
        return index < openers.count ? openers[index] : node.mark
    }
}
