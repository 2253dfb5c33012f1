import Foundation
import YAML

/// A JSON value: the shape of every Kubernetes object, helm record and Vault answer in the world.
/// Objects keep no key order; serialisation sorts keys (as kubectl's printers and Go maps do).
package indirect enum JSON: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    // MARK: Codable (the state files)
    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSON].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSON].self))
        }
    }
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    // MARK: Access
    package subscript(key: String) -> JSON? {
        get { if case .object(let o) = self { return o[key] } else { return nil } }
        set {
            var o: [String: JSON]
            if case .object(let existing) = self { o = existing } else { o = [:] }
            o[key] = newValue
            self = .object(o)
        }
    }
    /// Nested access; setting creates intermediate objects.
    package subscript(path keys: String...) -> JSON? {
        get { self[pathArray: keys] }
        set { self[pathArray: keys] = newValue }
    }
    package subscript(pathArray keys: [String]) -> JSON? {
        get {
            var cur: JSON? = self
            for k in keys { cur = cur?[k] }
            return cur
        }
        set {
            guard let first = keys.first else { if let v = newValue { self = v }; return }
            if keys.count == 1 { self[first] = newValue; return }
            var child = self[first] ?? .object([:])
            child[pathArray: Array(keys.dropFirst())] = newValue
            self[first] = child
        }
    }
    package var string: String? { if case .string(let s) = self { return s } else { return nil } }
    package var int: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d): return Int(exactly: d)
        case .string(let s): return Int(s)
        default: return nil
        }
    }
    package var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    package var array: [JSON]? { if case .array(let a) = self { return a } else { return nil } }
    package var object: [String: JSON]? { if case .object(let o) = self { return o } else { return nil } }
    package var isNull: Bool { if case .null = self { return true } else { return false } }

    /// Text of a scalar as jsonpath and `--set` print it.
    package var scalarText: String? {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return JSON.formatDouble(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return nil
        default: return nil
        }
    }

    // MARK: Conversion from YAML nodes
    package init(node: Node) {
        switch node.content {
        case .mapping(let pairs):
            var o: [String: JSON] = [:]
            for p in pairs { o[p.key.scalar ?? p.key.description] = JSON(node: p.value) }
            self = .object(o)
        case .sequence(let items):
            self = .array(items.map(JSON.init(node:)))
        case .scalar(let text):
            switch node.resolved {
            case .null: self = .null
            case .bool(let b): self = .bool(b)
            case .int(let i): self = .int(i)
            case .float(let f): self = f.isFinite ? .double(f) : .string(text)
            case .string(let s): self = .string(s)
            }
        }
    }

    /// The value as a YAML node (for kubeconfig files and YAML output).
    package var node: Node {
        switch self {
        case .null: return .scalar("null")
        case .bool(let b): return .scalar(b ? "true" : "false")
        case .int(let i): return .scalar(String(i))
        case .double(let d): return .scalar(JSON.formatDouble(d))
        case .string(let s): return .string(s)
        case .array(let a): return .sequence(a.map(\.node))
        case .object(let o):
            return .mapping(o.keys.sorted().map { Node.Pair(key: .string($0), value: o[$0]!.node) })
        }
    }

    /// Parses JSON text (strict JSON, via the YAML parser which keeps integer/float distinction).
    package static func parse(_ text: String) throws -> JSON {
        guard let node = try YAMLParser.parse(text) else { return .null }
        return JSON(node: node)
    }

    // MARK: Serialisation (Go encoding/json compatible)
    static func formatDouble(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e21 { return String(Int(d)) }
        return String(d)
    }

    /// Go's encoding/json string escaping (HTML-safe, as json.Marshal does).
    static func quote(_ s: String, htmlSafe: Bool = true) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<" where htmlSafe: out += "\\u003c"
            case ">" where htmlSafe: out += "\\u003e"
            case "&" where htmlSafe: out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// Compact one-line JSON with sorted keys.
    package func compact(htmlSafe: Bool = true) -> String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return JSON.formatDouble(d)
        case .string(let s): return JSON.quote(s, htmlSafe: htmlSafe)
        case .array(let a): return "[" + a.map { $0.compact(htmlSafe: htmlSafe) }.joined(separator: ",") + "]"
        case .object(let o):
            return "{" + o.keys.sorted().map { JSON.quote($0) + ":" + o[$0]!.compact(htmlSafe: htmlSafe) }.joined(separator: ",") + "}"
        }
    }

    /// Indented JSON with sorted keys (json.MarshalIndent(v, "", indent)); empty containers stay `{}`/`[]`.
    package func pretty(indent: String = "    ", level: Int = 0, htmlSafe: Bool = true) -> String {
        let pad = String(repeating: indent, count: level + 1)
        let end = String(repeating: indent, count: level)
        switch self {
        case .array(let a) where !a.isEmpty:
            return "[\n" + a.map { pad + $0.pretty(indent: indent, level: level + 1, htmlSafe: htmlSafe) }.joined(separator: ",\n") + "\n"
                + end + "]"
        case .object(let o) where !o.isEmpty:
            return "{\n"
                + o.keys.sorted().map {
                    pad + JSON.quote($0) + ": " + o[$0]!.pretty(indent: indent, level: level + 1, htmlSafe: htmlSafe)
                }.joined(separator: ",\n") + "\n" + end + "}"
        default:
            return compact(htmlSafe: htmlSafe)
        }
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    package init(stringLiteral value: String) { self = .string(value) }
    package init(integerLiteral value: Int) { self = .int(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(arrayLiteral elements: JSON...) { self = .array(elements) }
    package init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
}
