/// A YAML node: a scalar, a sequence or a mapping, with its tag, style and the 1-based
/// `line:column` where it starts in its source.
///
/// Equality (`==`) compares content and explicit tags only — never marks or styles — so
/// a parse → emit → parse round trip compares equal.
package struct Node: Sendable, CustomStringConvertible {
    package enum Content: Sendable {
        case scalar(String)
        case sequence([Node])
        case mapping([Pair])
    }

    /// One `key: value` entry of a mapping, in source order.
    package struct Pair: Sendable {
        package var key: Node
        package var value: Node

        package init(key: Node, value: Node) {
            self.key = key
            self.value = value
        }
    }

    package enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
        case block, flow
    }

    package var content: Content
    /// The explicit tag (`!!str`, `!custom`), expanded to its full form (`tag:yaml.org,2002:str`), or nil.
    package var tag: String?
    package var style: Style
    package var mark: Mark

    package init(_ content: Content, tag: String? = nil, style: Style? = nil, mark: Mark = Mark(line: 0, column: 0)) {
        self.content = content
        self.tag = tag
        switch content {
        case .scalar: self.style = style ?? .plain
        case .sequence, .mapping: self.style = style ?? .block
        }
        self.mark = mark
    }

    // MARK: Convenience constructors

    package static func scalar(_ value: String, style: Style = .plain, tag: String? = nil, mark: Mark = Mark(line: 0, column: 0)) -> Node {
        Node(.scalar(value), tag: tag, style: style, mark: mark)
    }

    /// A scalar that always reads back as a string (quoted when plain would resolve to another type).
    package static func string(_ value: String, mark: Mark = Mark(line: 0, column: 0)) -> Node {
        let plain = Node.scalar(value, mark: mark)
        return plain.resolved == .string(value) ? plain : .scalar(value, style: .doubleQuoted, mark: mark)
    }

    package static func sequence(_ items: [Node], style: Style = .block, mark: Mark = Mark(line: 0, column: 0)) -> Node {
        Node(.sequence(items), style: style, mark: mark)
    }

    package static func mapping(_ pairs: [Pair], style: Style = .block, mark: Mark = Mark(line: 0, column: 0)) -> Node {
        Node(.mapping(pairs), style: style, mark: mark)
    }

    /// A mapping with string keys, in the given order.
    package static func mapping(_ pairs: KeyValuePairs<String, Node>) -> Node {
        .mapping(pairs.map { Pair(key: .string($0.key), value: $0.value) })
    }

    // MARK: Accessors

    /// The scalar's text, or nil for collections.
    package var scalar: String? {
        if case .scalar(let s) = content { return s }
        return nil
    }

    package var sequence: [Node]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    package var mapping: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The value under a scalar key of a mapping (nil when absent or not a mapping).
    package subscript(key: String) -> Node? {
        get {
            guard let pairs = mapping else { return nil }
            return pairs.first { $0.key.scalar == key }?.value
        }
        set {
            guard case .mapping(var pairs) = content else { return }
            if let i = pairs.firstIndex(where: { $0.key.scalar == key }) {
                if let newValue { pairs[i].value = newValue } else { pairs.remove(at: i) }
            } else if let newValue {
                pairs.append(Pair(key: .string(key), value: newValue))
            }
            content = .mapping(pairs)
        }
    }

    /// The value at a path of mapping keys (`node[path: "spec", "network", "name"]`).
    package subscript(path keys: String...) -> Node? {
        var node: Node? = self
        for key in keys { node = node?[key] }
        return node
    }

    /// What kind of node this is, for messages: "a string", "a mapping", …
    package var kindDescription: String {
        switch content {
        case .sequence: return "a sequence"
        case .mapping: return "a mapping"
        case .scalar:
            switch resolved {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int: return "an integer"
            case .float where integer != nil: return "an integer out of range"
            case .float: return "a number"
            case .string: return "a string"
            }
        }
    }

    package var description: String { YAMLEmitter.emitFlowString(self) }
}

extension Node: Equatable {
    /// Scalars are equal when they mean the same value under the core schema (`0x1F` and `31`,
    /// `~` and `null`, `True` and `true`; a quoted `"1"` is a string, so not equal to `1`);
    /// collections compare item by item, mappings in order.
    package static func == (a: Node, b: Node) -> Bool {
        // Core tags (`!!str`, `!!int`, …) only say what the resolved value already says.
        guard a.customTag == b.customTag else { return false }
        switch (a.content, b.content) {
        case (.scalar, .scalar):
            return a.identity == b.identity
        case (.sequence(let x), .sequence(let y)):
            return x == y
        case (.mapping(let x), .mapping(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default:
            return false
        }
    }
}

extension Node.Pair: Equatable {}

extension Node {
    /// The tag unless it is one of the core schema's own (`!!str`, `!!int`, `!!float`,
    /// `!!bool`, `!!null`, `!!map`, `!!seq`), which only restate what resolution says.
    /// Other `tag:yaml.org,2002:` tags (`!!binary`, `!!timestamp`, `!!set`) are kept.
    var customTag: String? {
        guard let tag, !Tag.core.contains(tag) else { return nil }
        return tag
    }

    /// What a node means, as a hashable value: two nodes with equal identities are the same
    /// mapping key. Scalars by their core-schema value; custom-tagged nodes by tag and content;
    /// mappings regardless of key order.
    var identity: Identity {
        let custom = customTag
        switch content {
        case .scalar(let text):
            if let custom { return .tagged(custom, text) }
            if let integer, case .outOfRange(let canonical) = integer { return .bigInt(canonical) }
            switch resolved {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .int(let i): return .int(i)
            case .float(let f): return f.isNaN ? .nan : .float(f)
            case .string(let s): return .string(s)
            }
        case .sequence(let items):
            return .sequence(custom, items.map(\.identity))
        case .mapping(let pairs):
            return .mapping(custom, Set(pairs.map { Identity.sequence(nil, [$0.key.identity, $0.value.identity]) }))
        }
    }

    indirect enum Identity: Hashable {
        case null
        case bool(Bool)
        case int(Int)
        case bigInt(String)
        case float(Double)
        case nan
        case string(String)
        case tagged(String, String)
        case sequence(String?, [Identity])
        case mapping(String?, Set<Identity>)
    }
}
