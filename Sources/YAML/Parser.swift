internal import CLibYAML

/// Limits that keep hostile input from exhausting memory or time.
public struct ParseLimits: Sendable {
    /// Largest accepted input, in bytes.
    public var maxBytes: Int
    /// Most nodes that alias expansion may add in one input (billion-laughs guard).
    public var maxAliasExpansion: Int
    /// Deepest nesting of collections.
    public var maxDepth: Int

    public init(maxBytes: Int = 8 << 20, maxAliasExpansion: Int = 10_000, maxDepth: Int = 512) {
        self.maxBytes = maxBytes
        self.maxAliasExpansion = maxAliasExpansion
        self.maxDepth = maxDepth
    }

    public static let `default` = ParseLimits()
}

/// Parses YAML text with libyaml's event parser into `Node` trees.
public enum YAMLParser {
    /// Every document of a stream (an empty stream has none). Throws a positioned `Diagnostic`
    /// for libyaml's own errors, duplicate mapping keys, alias bombs and oversize input.
    public static func parseDocuments(
        _ text: String, file: String = "<input>", limits: ParseLimits = .default
    ) throws(Diagnostic) -> [Node] {
        let source = SourceText(file: file, text: text)
        let byteCount = text.utf8.count
        if byteCount > limits.maxBytes {
            throw source.diagnostic(
                "input is \(byteCount) bytes, over the limit of \(limits.maxBytes) bytes; split it into smaller files",
                at: Mark(line: 1, column: 1))
        }
        var builder = TreeBuilder(source: source, limits: limits)
        return try builder.run(text)
    }

    /// The single document of a stream; nil for an empty stream. More than one document is an error.
    public static func parse(
        _ text: String, file: String = "<input>", limits: ParseLimits = .default
    ) throws(Diagnostic) -> Node? {
        let docs = try parseDocuments(text, file: file, limits: limits)
        if docs.count > 1 {
            throw SourceText(file: file, text: text).diagnostic(
                "expected a single YAML document, found \(docs.count); remove the extra '---' sections",
                at: docs[1].mark)
        }
        return docs.first
    }
}

/// Turns libyaml events into nodes, resolving aliases within a budget.
private struct TreeBuilder {
    let source: SourceText
    let limits: ParseLimits
    var anchors: [String: (node: Node, size: Int)] = [:]
    var expanded = 0

    init(source: SourceText, limits: ParseLimits) {
        self.source = source
        self.limits = limits
    }

    /// A frame of the collection being built.
    private enum Frame {
        case sequence(items: [Node], tag: String?, style: Node.Style, mark: Mark, anchor: String?, size: Int)
        case mapping(pairs: [Node.Pair], pendingKey: Node?, tag: String?, style: Node.Style, mark: Mark, anchor: String?, size: Int)
    }

    mutating func run(_ text: String) throws(Diagnostic) -> [Node] {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw source.diagnostic("libyaml could not initialise its parser", at: Mark(line: 1, column: 1))
        }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { (buffer) throws(Diagnostic) -> [Node] in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            return try loop(&parser)
        }
    }

    private mutating func loop(_ parser: inout yaml_parser_t) throws(Diagnostic) -> [Node] {
        var documents: [Node] = []
        var stack: [Frame] = []
        var documentRoot: Node?
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { throw parserError(parser) }
            defer { yaml_event_delete(&event) }
            let mark = Mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return documents
            case YAML_DOCUMENT_START_EVENT:
                documentRoot = nil
                anchors = [:]
            case YAML_DOCUMENT_END_EVENT:
                documents.append(documentRoot ?? Node(.scalar(""), mark: mark))
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                let value = string(s.value, length: s.length)
                let style: Node.Style
                switch s.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: style = .literal
                case YAML_FOLDED_SCALAR_STYLE: style = .folded
                default: style = .plain
                }
                let node = Node(.scalar(value), tag: tag(s.tag), style: style, mark: mark)
                if let anchor = optionalString(s.anchor) { anchors[anchor] = (node, 1) }
                try add(node, size: 1, to: &stack, root: &documentRoot)
            case YAML_ALIAS_EVENT:
                let name = optionalString(event.data.alias.anchor) ?? ""
                guard let target = anchors[name] else {
                    throw source.diagnostic("unknown alias '*\(name)'", at: mark)
                }
                expanded += target.size
                if expanded > limits.maxAliasExpansion {
                    throw source.diagnostic(
                        "alias '*\(name)' expands the document past \(limits.maxAliasExpansion) nodes; aliases this deep are refused (billion laughs)",
                        at: mark)
                }
                var node = target.node
                node.mark = mark
                try add(node, size: target.size, to: &stack, root: &documentRoot)
            case YAML_SEQUENCE_START_EVENT:
                let s = event.data.sequence_start
                try checkDepth(stack.count, mark)
                stack.append(
                    .sequence(
                        items: [], tag: tag(s.tag), style: s.style == YAML_FLOW_SEQUENCE_STYLE ? .flow : .block,
                        mark: mark, anchor: optionalString(s.anchor), size: 1))
            case YAML_MAPPING_START_EVENT:
                let m = event.data.mapping_start
                try checkDepth(stack.count, mark)
                stack.append(
                    .mapping(
                        pairs: [], pendingKey: nil, tag: tag(m.tag), style: m.style == YAML_FLOW_MAPPING_STYLE ? .flow : .block,
                        mark: mark, anchor: optionalString(m.anchor), size: 1))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { break }
                let node: Node, size: Int, anchor: String?
                switch frame {
                case .sequence(let items, let t, let st, let m, let a, let sz):
                    node = Node(.sequence(items), tag: t, style: st, mark: m); size = sz; anchor = a
                case .mapping(let pairs, _, let t, let st, let m, let a, let sz):
                    node = Node(.mapping(pairs), tag: t, style: st, mark: m); size = sz; anchor = a
                }
                if let anchor { anchors[anchor] = (node, size) }
                try add(node, size: size, to: &stack, root: &documentRoot)
            default:
                break
            }
        }
    }

    private func checkDepth(_ depth: Int, _ mark: Mark) throws(Diagnostic) {
        if depth >= limits.maxDepth {
            throw source.diagnostic("collections nest deeper than \(limits.maxDepth) levels", at: mark)
        }
    }

    private func add(_ node: Node, size: Int, to stack: inout [Frame], root: inout Node?) throws(Diagnostic) {
        guard let top = stack.popLast() else {
            root = node
            return
        }
        switch top {
        case .sequence(var items, let t, let st, let m, let a, let sz):
            items.append(node)
            stack.append(.sequence(items: items, tag: t, style: st, mark: m, anchor: a, size: sz + size))
        case .mapping(var pairs, let pending, let t, let st, let m, let a, let sz):
            if let key = pending {
                pairs.append(Node.Pair(key: key, value: node))
                stack.append(.mapping(pairs: pairs, pendingKey: nil, tag: t, style: st, mark: m, anchor: a, size: sz + size))
            } else {
                if let first = pairs.first(where: { $0.key == node }) {
                    let name = node.scalar.map { "'\($0)'" } ?? node.description
                    throw source.diagnostic(
                        "duplicate key \(name); it was first set at line \(first.key.mark.line), column \(first.key.mark.column)",
                        at: node.mark)
                }
                stack.append(.mapping(pairs: pairs, pendingKey: node, tag: t, style: st, mark: m, anchor: a, size: sz + size))
            }
        }
    }

    private func parserError(_ parser: yaml_parser_t) -> Diagnostic {
        let problem = optionalCString(parser.problem) ?? "invalid YAML"
        var mark = Mark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        var message = problem
        if let context = optionalCString(parser.context) {
            message += " (\(context) at line \(parser.context_mark.line + 1), column \(parser.context_mark.column + 1))"
        }
        if parser.error == YAML_READER_ERROR {
            message = "\(problem) at byte \(parser.problem_offset); the file must be UTF-8 text"
            mark = Mark(line: 1, column: 1)
        }
        return source.diagnostic(message, at: mark)
    }

    private func string(_ pointer: UnsafeMutablePointer<UInt8>?, length: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    private func optionalString(_ pointer: UnsafeMutablePointer<UInt8>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    private func optionalCString(_ pointer: UnsafePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    /// libyaml reports the non-specific tag "!" for quoted scalars it could not resolve; that is no tag.
    private func tag(_ pointer: UnsafeMutablePointer<UInt8>?) -> String? {
        guard let t = optionalString(pointer), t != "!" else { return nil }
        return t
    }
}
