internal import CLibYAML

/// Limits that keep hostile input from exhausting memory or time.
package struct ParseLimits: Sendable {
    /// Largest accepted input, in bytes.
    package var maxBytes: Int
    /// Most nodes that alias expansion may add in one input (billion-laughs guard).
    package var maxAliasExpansion: Int
    /// Most bytes of scalar text that alias expansion may add in one input: a few aliases of
    /// one huge scalar cost few nodes but much memory.
    package var maxAliasExpansionBytes: Int
    /// Deepest nesting of collections, aliases' contents included.
    package var maxDepth: Int

    package init(
        maxBytes: Int = 8 << 20, maxAliasExpansion: Int = 10_000, maxDepth: Int = 512, maxAliasExpansionBytes: Int = 1 << 20
    ) {
        self.maxBytes = maxBytes
        self.maxAliasExpansion = maxAliasExpansion
        self.maxAliasExpansionBytes = maxAliasExpansionBytes
        self.maxDepth = maxDepth
    }

    package static let `default` = ParseLimits()
}

/// Parses YAML text with libyaml's event parser into `Node` trees.
package enum YAMLParser {
    /// Every document of a stream (an empty stream has none). Throws a positioned `Diagnostic`
    /// for libyaml's own errors, duplicate mapping keys, alias bombs and oversize input.
    package static func parseDocuments(
        _ text: String, file: String = "<input>", limits: ParseLimits = .default
    ) throws(Diagnostic) -> [Node] {
        let byteCount = text.utf8.count
        if byteCount > limits.maxBytes {
            // No source line: the input is not split into lines at all.
            throw Diagnostic(
                file: file, mark: Mark(line: 1, column: 1),
                message: "input is \(byteCount) bytes, over the limit of \(limits.maxBytes) bytes; split it into smaller files")
        }
        let source = SourceText(file: file, text: text)
        var builder = TreeBuilder(source: source, limits: limits)
        return try builder.run(text)
    }

    /// The single document of a stream; nil for an empty stream. More than one document is an error.
    package static func parse(
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
///
/// Linear in the input: each collection under construction is a frame mutated in place at
/// the top of the stack (never copied per item), and each mapping keeps a hash table of its
/// keys' identities (their core-schema meaning) for the duplicate check.
private struct TreeBuilder {
    let source: SourceText
    let limits: ParseLimits
    /// An anchored node and what one alias to it costs.
    struct Anchored {
        var node: Node
        /// Nodes in it, scalar bytes in it, and collection levels in it (0 for a scalar).
        var size: Int
        var bytes: Int
        var height: Int
    }
    var anchors: [String: Anchored] = [:]
    var expandedNodes = 0
    var expandedBytes = 0

    init(source: SourceText, limits: ParseLimits) {
        self.source = source
        self.limits = limits
    }

    /// A collection being built.
    struct Frame {
        var isMapping: Bool
        var items: [Node] = []
        var pairs: [Node.Pair] = []
        var pendingKey: Node?
        /// Each key's identity and the key node as first written (for the message).
        var keys: [Node.Identity: Node] = [:]
        var tag: String?
        var style: Node.Style
        var mark: Mark
        var anchor: String?
        var size = 1
        var bytes = 0
        var height = 1
    }

    mutating func run(_ text: String) throws(Diagnostic) -> [Node] {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw source.diagnostic("libyaml could not initialise its parser", at: Mark(line: 1, column: 1))
        }
        defer { yaml_parser_delete(&parser) }
        return try source.bytes.withUnsafeBufferPointer { (buffer) throws(Diagnostic) -> [Node] in
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
                if let anchor = optionalString(s.anchor) { anchors[anchor] = Anchored(node: node, size: 1, bytes: s.length, height: 0) }
                try add(node, size: 1, bytes: s.length, height: 0, to: &stack, root: &documentRoot)
            case YAML_ALIAS_EVENT:
                let name = optionalString(event.data.alias.anchor) ?? ""
                guard let target = anchors[name] else {
                    throw source.diagnostic("unknown alias '*\(Node.clip(name))'", at: mark)
                }
                expandedNodes += target.size
                expandedBytes += target.bytes
                if expandedNodes > limits.maxAliasExpansion {
                    throw source.diagnostic(
                        "alias '*\(Node.clip(name))' expands the document past \(limits.maxAliasExpansion) nodes; aliases this deep are refused (billion laughs)",
                        at: mark)
                }
                if expandedBytes > limits.maxAliasExpansionBytes {
                    throw source.diagnostic(
                        "alias '*\(Node.clip(name))' expands the document past \(limits.maxAliasExpansionBytes) bytes of text; aliases this large are refused (billion laughs)",
                        at: mark)
                }
                if stack.count + target.height > limits.maxDepth {
                    throw source.diagnostic(
                        "alias '*\(Node.clip(name))' nests collections deeper than \(limits.maxDepth) levels", at: mark)
                }
                var node = target.node
                node.mark = mark
                try add(node, size: target.size, bytes: target.bytes, height: target.height, to: &stack, root: &documentRoot)
            case YAML_SEQUENCE_START_EVENT:
                let s = event.data.sequence_start
                try checkDepth(stack.count, mark)
                stack.append(
                    Frame(
                        isMapping: false, tag: tag(s.tag), style: s.style == YAML_FLOW_SEQUENCE_STYLE ? .flow : .block,
                        mark: mark, anchor: optionalString(s.anchor)))
            case YAML_MAPPING_START_EVENT:
                let m = event.data.mapping_start
                try checkDepth(stack.count, mark)
                stack.append(
                    Frame(
                        isMapping: true, tag: tag(m.tag), style: m.style == YAML_FLOW_MAPPING_STYLE ? .flow : .block,
                        mark: mark, anchor: optionalString(m.anchor)))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { break }
                let content: Node.Content = frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items)
                let node = Node(content, tag: frame.tag, style: frame.style, mark: frame.mark)
                if let anchor = frame.anchor {
                    anchors[anchor] = Anchored(node: node, size: frame.size, bytes: frame.bytes, height: frame.height)
                }
                try add(node, size: frame.size, bytes: frame.bytes, height: frame.height, to: &stack, root: &documentRoot)
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

    /// Adds a finished node to the collection on top of the stack, in place.
    private func add(
        _ node: Node, size: Int, bytes: Int, height: Int, to stack: inout [Frame], root: inout Node?
    ) throws(Diagnostic) {
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        stack[top].size += size
        stack[top].bytes += bytes
        stack[top].height = max(stack[top].height, height + 1)
        guard stack[top].isMapping else {
            stack[top].items.append(node)
            return
        }
        if let key = stack[top].pendingKey {
            stack[top].pairs.append(Node.Pair(key: key, value: node))
            stack[top].pendingKey = nil
            return
        }
        let identity = node.identity
        if let first = stack[top].keys[identity] {
            throw source.diagnostic(Node.duplicateKeyMessage(node, first: first), at: node.mark)
        }
        stack[top].keys[identity] = node
        stack[top].pendingKey = node
    }

    private func parserError(_ parser: yaml_parser_t) -> Diagnostic {
        let problem = optionalCString(parser.problem) ?? "invalid YAML"
        if parser.error == YAML_READER_ERROR {
            // libyaml 0.2.5 src/reader.c: problem_offset is the byte offset of the bad input and
            // problem_value the code point (control characters) or byte (bad UTF-8).
            let mark = source.mark(atUTF8Offset: Int(parser.problem_offset))
            let value = Int(parser.problem_value)
            let message: String
            if problem == "control characters are not allowed" {
                message =
                    "control character \(Node.codePoint(value)) is not allowed in YAML; write it as an escape in a double-quoted string"
            } else if value >= 0 {
                message = "\(problem) (\(Node.codePoint(value))); the file must be UTF-8 text"
            } else {
                message = "\(problem); the file must be UTF-8 text"
            }
            return source.diagnostic(message, at: mark)
        }
        let mark = Mark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        var message = problem
        if let context = optionalCString(parser.context) {
            message += " (\(context) at line \(parser.context_mark.line + 1), column \(parser.context_mark.column + 1))"
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

extension Node {
    static func clip(_ text: String, _ limit: Int = 60) -> String { Diagnostic.clip(text, limit: limit) }

    /// `U+0007`.
    static func codePoint(_ value: Int) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// "duplicate key 'c'; it was first set at line 3, column 3", naming the first spelling
    /// when it differs (`0x1` and `1`, `~` and `null`).
    static func duplicateKeyMessage(_ key: Node, first: Node) -> String {
        func name(_ node: Node) -> String { "'" + clip(node.scalar ?? node.description) + "'" }
        let position = "line \(first.mark.line), column \(first.mark.column)"
        if key.scalar != nil, key.scalar == first.scalar {
            return "duplicate key \(name(key)); it was first set at \(position)"
        }
        return "duplicate key \(name(key)); it was first set at \(position) as \(name(first)), which means the same"
    }
}
