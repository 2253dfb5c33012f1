/// The value a scalar stands for, resolved by the YAML 1.2 core schema
/// (plain scalars only; quoted and block scalars are always strings).
package enum Resolved: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
}

/// An integer scalar: its value, or — for a well-formed integer too large for `Int` — its
/// normalised text (sign, `0x`/`0o` prefix, lower-case digits without leading zeros).
package enum YAMLInteger: Sendable, Hashable {
    case int(Int)
    case outOfRange(String)

    /// What `Node.resolved` reports for it: `.int`, or `.float` with the nearest `Double`.
    package var resolved: Resolved {
        switch self {
        case .int(let i): return .int(i)
        case .outOfRange(let text):
            let negative = text.hasPrefix("-")
            let body = negative ? text.dropFirst() : Substring(text)
            let radix = body.hasPrefix("0x") ? 16 : body.hasPrefix("0o") ? 8 : 10
            let digits = radix == 10 ? body : body.dropFirst(2)
            var value = 0.0
            for c in digits { value = value * Double(radix) + Double(c.hexDigitValue ?? 0) }
            return .float(negative ? -value : value)
        }
    }
}

/// Full forms of the core tags.
package enum Tag {
    package static let str = "tag:yaml.org,2002:str"
    package static let int = "tag:yaml.org,2002:int"
    package static let float = "tag:yaml.org,2002:float"
    package static let bool = "tag:yaml.org,2002:bool"
    package static let null = "tag:yaml.org,2002:null"
    package static let map = "tag:yaml.org,2002:map"
    package static let seq = "tag:yaml.org,2002:seq"
    package static let binary = "tag:yaml.org,2002:binary"
    /// The tags of the core schema (YAML 1.2.2, 10.3); other `tag:yaml.org,2002:` tags
    /// (`!!binary`, `!!timestamp`, …) are kept like custom ones.
    package static let core: Set<String> = [str, int, float, bool, null, map, seq]
}

extension Node {
    /// The scalar's value under the core schema; `.string` for collections' absence of value is
    /// never returned — collections resolve to `.null`-free `.string("")`, so check `scalar` first.
    ///
    /// An integer too large for `Int` (`99999999999999999999`, `0xFFFFFFFFFFFFFFFFFF`) resolves
    /// to `.float` with the nearest `Double`, as JSON readers take it; it is never `.string`.
    /// `integer` tells it apart: `.outOfRange`, so a decoder can say "integer out of range".
    package var resolved: Resolved {
        guard case .scalar(let text) = content else { return .string("") }
        if let tag {
            switch tag {
            case Tag.str: return .string(text)
            case Tag.int: return Node.resolveInteger(text).map(\.resolved) ?? .string(text)
            case Tag.float: return Node.resolveFloat(text).map(Resolved.float) ?? .string(text)
            case Tag.bool: return Node.resolveBool(text).map(Resolved.bool) ?? .string(text)
            case Tag.null: return .null
            default: return .string(text)
            }
        }
        guard style == .plain else { return .string(text) }
        return Node.resolvePlain(text)
    }

    /// The core-schema resolution of a plain scalar's text.
    package static func resolvePlain(_ text: String) -> Resolved {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        default: break
        }
        if let b = resolveBool(text) { return .bool(b) }
        if let i = resolveInteger(text) { return i.resolved }
        if let f = resolveFloat(text) { return .float(f) }
        return .string(text)
    }

    static func resolveBool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// An integer in the core schema's forms (YAML 1.2.2, 10.3.2): `[-+]?[0-9]+`, `0o[0-7]+`,
    /// `0x[0-9a-fA-F]+` — no sign after `0x`/`0o`, no `_`. Nil when the text is not one.
    package static func resolveInteger(_ text: String) -> YAMLInteger? {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty else { return nil }
        func all(_ digits: ArraySlice<UInt8>, _ isDigit: (UInt8) -> Bool) -> Bool {
            !digits.isEmpty && digits.allSatisfy(isDigit)
        }
        let radix: Int
        let negative: Bool
        let digits: ArraySlice<UInt8>
        if utf8.count > 2, utf8[0] == UInt8(ascii: "0"), utf8[1] == UInt8(ascii: "x") {
            guard all(utf8[2...], Node.isHexDigit) else { return nil }
            (radix, negative, digits) = (16, false, utf8[2...])
        } else if utf8.count > 2, utf8[0] == UInt8(ascii: "0"), utf8[1] == UInt8(ascii: "o") {
            guard all(utf8[2...], { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }) else { return nil }
            (radix, negative, digits) = (8, false, utf8[2...])
        } else {
            let signed = utf8[0] == UInt8(ascii: "-") || utf8[0] == UInt8(ascii: "+")
            let body = utf8[(signed ? 1 : 0)...]
            guard all(body, Node.isDecimalDigit) else { return nil }
            (radix, negative, digits) = (10, utf8[0] == UInt8(ascii: "-"), body)
        }
        let text = String(decoding: digits, as: UTF8.self)
        if let magnitude = Int(text, radix: radix) {
            return .int(negative ? -magnitude : magnitude)
        }
        if negative, let value = Int("-" + text, radix: radix) { return .int(value) }  // Int.min
        var canonical = String(text.lowercased().drop { $0 == "0" })
        if canonical.isEmpty { canonical = "0" }
        let prefix = radix == 16 ? "0x" : radix == 8 ? "0o" : ""
        return .outOfRange((negative ? "-" : "") + prefix + canonical)
    }

    /// Only the `Int` range (nil for other texts and for integers out of range).
    static func resolveInt(_ text: String) -> Int? {
        if case .int(let i) = resolveInteger(text) { return i }
        return nil
    }

    /// A float in the core schema's forms (YAML 1.2.2, 10.3.2):
    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?\.(inf|Inf|INF)`, `\.(nan|NaN|NAN)`.
    static func resolveFloat(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        let utf8 = Array(text.utf8)
        var i = 0
        func digits() -> Int {
            let start = i
            while i < utf8.count, isDecimalDigit(utf8[i]) { i += 1 }
            return i - start
        }
        if i < utf8.count, utf8[i] == UInt8(ascii: "-") || utf8[i] == UInt8(ascii: "+") { i += 1 }
        var mantissa = digits()
        if i < utf8.count, utf8[i] == UInt8(ascii: ".") {
            i += 1
            mantissa += digits()
        }
        guard mantissa > 0 else { return nil }
        if i < utf8.count, utf8[i] == UInt8(ascii: "e") || utf8[i] == UInt8(ascii: "E") {
            i += 1
            if i < utf8.count, utf8[i] == UInt8(ascii: "-") || utf8[i] == UInt8(ascii: "+") { i += 1 }
            guard digits() > 0 else { return nil }
        }
        guard i == utf8.count else { return nil }
        return Double(text)
    }

    static func isDecimalDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    static func isHexDigit(_ c: UInt8) -> Bool {
        isDecimalDigit(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F"))
    }

    /// True when a plain scalar with this text would be read as something other than the
    /// string itself by this resolver OR by YAML 1.1 readers (go-yaml v2, used by kubectl):
    /// such strings are quoted when emitted.
    package static func needsQuoting(_ text: String) -> Bool {
        if resolvePlain(text) != .string(text) { return true }
        switch text.lowercased() {
        case "y", "n", "yes", "no", "on", "off": return true
        default: break
        }
        if let first = text.first, "0123456789+-.".contains(first), Double(text.filter { $0 != "_" }) != nil {
            return true
        }
        if text.contains(":"), text.split(separator: ":").allSatisfy({ $0.allSatisfy(\.isNumber) }) { return true }  // sexagesimal
        return isGoInteger(text) || looksLikeGoTimestamp(text)
    }

    /// Whether go-yaml v2 reads the plain text as an integer: sigs.k8s.io/yaml
    /// `goyaml.v2/resolve.go` removes `_` and calls `strconv.ParseInt(plain, 0, 64)` (then
    /// `ParseUint`, then a `0b`/`-0b` case), and Go's base 0 takes `0b`, `0o`, `0x` (any case)
    /// after an optional sign: `0b101` and `0O17` are integers there, strings here.
    static func isGoInteger(_ text: String) -> Bool {
        var body = Substring(text.filter { $0 != "_" })
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        let lower = body.lowercased()
        let digits: Substring
        let allowed: (Character) -> Bool
        if lower.hasPrefix("0b") {
            (digits, allowed) = (lower.dropFirst(2), { $0 == "0" || $0 == "1" })
        } else if lower.hasPrefix("0o") {
            (digits, allowed) = (lower.dropFirst(2), { ("0"..."7").contains($0) })
        } else if lower.hasPrefix("0x") {
            (digits, allowed) = (lower.dropFirst(2), { $0.isHexDigit })
        } else {
            (digits, allowed) = (Substring(lower), { ("0"..."9").contains($0) })
        }
        return !digits.isEmpty && digits.allSatisfy(allowed)
    }

    /// go-yaml v2 tries a timestamp on any plain scalar starting with four digits and `-`
    /// (`parseTimestamp` in the same file) and kubectl turns one into RFC 3339 text
    /// (`2024-01-02` becomes `2024-01-02T00:00:00Z`): such strings are quoted.
    static func looksLikeGoTimestamp(_ text: String) -> Bool {
        let utf8 = Array(text.utf8.prefix(5))
        return utf8.count == 5 && utf8[..<4].allSatisfy(isDecimalDigit) && utf8[4] == UInt8(ascii: "-")
    }

    // MARK: Typed accessors used by decoders

    package var string: String? {
        if case .string(let s) = resolved, scalar != nil { return s }
        return nil
    }

    /// The value of an integer that fits in `Int` (nil for integers out of range: see `integer`).
    package var int: Int? {
        if case .int(let i) = integer { return i }
        return nil
    }

    /// Whether the scalar is an integer (plain in a core-schema form, or tagged `!!int`), and
    /// its value when it fits in `Int`; nil for anything else.
    ///
    ///     switch node.integer {
    ///     case .int(let value): use(value)
    ///     case .outOfRange: error("integer out of range")
    ///     case nil: typeError("an integer", node)
    ///     }
    package var integer: YAMLInteger? {
        guard case .scalar(let text) = content else { return nil }
        if let tag {
            return tag == Tag.int ? Node.resolveInteger(text) : nil
        }
        return style == .plain ? Node.resolveInteger(text) : nil
    }

    package var bool: Bool? {
        if case .bool(let b) = resolved { return b }
        return nil
    }

    package var isNull: Bool {
        scalar != nil && resolved == .null
    }
}
