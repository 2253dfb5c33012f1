import Foundation

/// kubectl's jsonpath (k8s.io/client-go/util/jsonpath), the subset scripts use:
/// `{.a.b}`, `{.a[0]}`, `{.a[*].b}`, `{.a['x.y']}`, `{.a.x\.y}`, `{.a[?(@.k=="v")].b}`, `{range …}…{end}`,
/// `{"\n"}` literals and text outside braces. Missing keys print nothing; an index beyond an
/// existing array is an error.
package struct JSONPath: Sendable {
    package enum Failure: Error, Equatable { case indexOutOfBounds(index: Int, length: Int), syntax(String) }

    indirect enum Segment: Sendable, Equatable {
        case key(String)
        case index(Int)
        case wildcard
        case filter(path: [Segment], op: String, value: String)
        case recursive(String)
    }

    enum Part: Sendable, Equatable {
        case text(String)
        case path([Segment])
        case range([Segment], [Part])
    }

    let parts: [Part]
    package let template: String

    package init(_ template: String) throws(Failure) {
        self.template = template
        var pos = template.startIndex
        parts = try JSONPath.parseParts(template, &pos, inRange: false)
    }

    static func parseParts(_ t: String, _ pos: inout String.Index, inRange: Bool) throws(Failure) -> [Part] {
        var parts: [Part] = []
        var text = ""
        while pos < t.endIndex {
            let c = t[pos]
            if c == "{" {
                if !text.isEmpty { parts.append(.text(text)); text = "" }
                guard let close = t[pos...].firstIndex(of: "}") else { throw .syntax("unclosed action") }
                let inner = t[t.index(after: pos)..<close].trimmingCharacters(in: .whitespaces)
                pos = t.index(after: close)
                if inner == "end" {
                    if inRange { return parts }
                    throw .syntax("not in range, nothing to end")
                }
                if inner.hasPrefix("range ") {
                    let path = try parsePath(String(inner.dropFirst(6)).trimmingCharacters(in: .whitespaces))
                    let body = try parseParts(t, &pos, inRange: true)
                    parts.append(.range(path, body))
                } else if inner.hasPrefix("\"") && inner.hasSuffix("\"") && inner.count >= 2 {
                    parts.append(.text(unescape(String(inner.dropFirst().dropLast()))))
                } else {
                    parts.append(.path(try parsePath(inner)))
                }
            } else {
                text.append(c)
                pos = t.index(after: pos)
            }
        }
        if !text.isEmpty { parts.append(.text(text)) }
        if inRange { throw .syntax("unclosed range") }
        return parts
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\t", with: "\t").replacingOccurrences(
            of: "\\\"", with: "\"")
    }

    static func parsePath(_ text: String) throws(Failure) -> [Segment] {
        var segs: [Segment] = []
        var s = Substring(text)
        if s.hasPrefix("$") { s = s.dropFirst() }
        while !s.isEmpty {
            if s.hasPrefix("..") {
                s = s.dropFirst(2)
                let name = readName(&s)
                segs.append(.recursive(name))
            } else if s.hasPrefix(".") {
                s = s.dropFirst()
                let name = readName(&s)
                if !name.isEmpty { segs.append(name == "*" ? .wildcard : .key(name)) }
            } else if s.hasPrefix("[") {
                guard let close = matchingBracket(s) else { throw .syntax("unterminated array") }
                let inner = s[s.index(after: s.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                s = s[s.index(after: close)...]
                if inner == "*" {
                    segs.append(.wildcard)
                } else if let i = Int(inner) {
                    segs.append(.index(i))
                } else if (inner.hasPrefix("'") && inner.hasSuffix("'")) || (inner.hasPrefix("\"") && inner.hasSuffix("\"")) {
                    segs.append(.key(String(inner.dropFirst().dropLast())))
                } else if inner.hasPrefix("?(") && inner.hasSuffix(")") {
                    let expr = inner.dropFirst(2).dropLast()
                    var op = "exists", lhs = String(expr), rhs = ""
                    for candidate in ["==", "!=", "<=", ">=", "<", ">"] {
                        if let r = expr.range(of: candidate) {
                            op = candidate
                            lhs = expr[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
                            rhs = expr[r.upperBound...].trimmingCharacters(in: .whitespaces)
                            break
                        }
                    }
                    if rhs.count >= 2, rhs.first == "'" || rhs.first == "\"" { rhs = String(rhs.dropFirst().dropLast()) }
                    guard lhs.hasPrefix("@") else { throw .syntax("unrecognized filter \(expr)") }
                    segs.append(.filter(path: try parsePath(String(lhs.dropFirst())), op: op, value: rhs))
                } else {
                    throw .syntax("invalid array index \(inner)")
                }
            } else {
                throw .syntax("unrecognized character in action: \(s.first!)")
            }
        }
        return segs
    }

    static func matchingBracket(_ s: Substring) -> Substring.Index? {
        var depth = 0
        var quote: Character?
        for i in s.indices {
            let c = s[i]
            if let q = quote { if c == q { quote = nil }; continue }
            if c == "'" || c == "\"" { quote = c; continue }
            if c == "[" { depth += 1 }
            if c == "]" { depth -= 1; if depth == 0 { return i } }
        }
        return nil
    }

    static func readName(_ s: inout Substring) -> String {
        var name = ""
        while let c = s.first, c != ".", c != "[" {
            if c == "\\", s.count > 1 { s = s.dropFirst(); name.append(s.first!); s = s.dropFirst(); continue }
            name.append(c)
            s = s.dropFirst()
        }
        return name
    }

    // MARK: Evaluation

    package func execute(_ data: JSON) throws(Failure) -> String {
        try render(parts, data)
    }

    func render(_ parts: [Part], _ data: JSON) throws(Failure) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .text(let t): out += t
            case .path(let segs):
                let values = try JSONPath.evaluate(segs, [data])
                out += values.map(JSONPath.print).joined(separator: " ")
            case .range(let segs, let body):
                var items: [JSON] = []
                for v in try JSONPath.evaluate(segs, [data]) {
                    if case .array(let a) = v, !(segs.last.map { if case .wildcard = $0 { return true } else { return false } } ?? false) {
                        items += a
                    } else {
                        items.append(v)
                    }
                }
                for item in items { out += try render(body, item) }
            }
        }
        return out
    }

    static func print(_ v: JSON) -> String {
        switch v {
        case .string(let s): return s
        case .object, .array: return v.compact(htmlSafe: false)
        case .null: return "null"
        default: return v.scalarText ?? ""
        }
    }

    static func evaluate(_ segs: [Segment], _ start: [JSON]) throws(Failure) -> [JSON] {
        var cur = start
        for seg in segs {
            var next: [JSON] = []
            for v in cur {
                switch seg {
                case .key(let k):
                    if let x = v[k] { next.append(x) }
                case .index(let i):
                    guard case .array(let a) = v else { continue }
                    let idx = i < 0 ? a.count + i : i
                    guard idx >= 0 && idx < a.count else { throw .indexOutOfBounds(index: i, length: a.count) }
                    next.append(a[idx])
                case .wildcard:
                    if case .array(let a) = v { next += a } else if case .object(let o) = v { next += o.keys.sorted().map { o[$0]! } }
                case .filter(let path, let op, let value):
                    guard case .array(let a) = v else { continue }
                    for item in a {
                        let found = (try? evaluate(path, [item])) ?? []
                        if op == "exists" { if !found.isEmpty { next.append(item) }; continue }
                        guard let lhs = found.first else { continue }
                        let text = print(lhs)
                        let ok: Bool
                        switch op {
                        case "==": ok = text == value
                        case "!=": ok = text != value
                        default:
                            let a = Double(text) ?? 0, b = Double(value) ?? 0
                            ok = op == "<" ? a < b : op == ">" ? a > b : op == "<=" ? a <= b : a >= b
                        }
                        if ok { next.append(item) }
                    }
                case .recursive(let k):
                    next += collect(k, v)
                }
            }
            cur = next
        }
        return cur
    }

    static func collect(_ key: String, _ v: JSON) -> [JSON] {
        var out: [JSON] = []
        if let x = v[key] { out.append(x) }
        if case .object(let o) = v { for k in o.keys.sorted() { out += collect(key, o[k]!) } }
        if case .array(let a) = v { for x in a { out += collect(key, x) } }
        return out
    }

    /// kubectl accepts templates without braces (`-o jsonpath=.a.b`) by wrapping them.
    package static func normalize(_ t: String) -> String {
        t.contains("{") ? t : "{\(t)}"
    }
}

/// Go's fmt %v rendering of decoded JSON (for kubectl's jsonpath debugging dump).
func goValue(_ v: JSON) -> String {
    switch v {
    case .object(let o): return "map[" + o.keys.sorted().map { "\($0):\(goValue(o[$0]!))" }.joined(separator: " ") + "]"
    case .array(let a): return "[" + a.map(goValue).joined(separator: " ") + "]"
    case .string(let s): return s
    case .null: return "<nil>"
    default: return v.scalarText ?? ""
    }
}
