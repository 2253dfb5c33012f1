/// The value a scalar stands for, resolved by the YAML 1.2 core schema
/// (plain scalars only; quoted and block scalars are always strings).
public enum Resolved: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
}

/// Full forms of the core tags.
public enum Tag {
    public static let str = "tag:yaml.org,2002:str"
    public static let int = "tag:yaml.org,2002:int"
    public static let float = "tag:yaml.org,2002:float"
    public static let bool = "tag:yaml.org,2002:bool"
    public static let null = "tag:yaml.org,2002:null"
    public static let map = "tag:yaml.org,2002:map"
    public static let seq = "tag:yaml.org,2002:seq"
}

extension Node {
    /// The scalar's value under the core schema; `.string` for collections' absence of value is
    /// never returned — collections resolve to `.null`-free `.string("")`, so check `scalar` first.
    public var resolved: Resolved {
        guard case .scalar(let text) = content else { return .string("") }
        if let tag {
            switch tag {
            case Tag.str: return .string(text)
            case Tag.int: return Node.resolveInt(text).map(Resolved.int) ?? .string(text)
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
    public static func resolvePlain(_ text: String) -> Resolved {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        default: break
        }
        if let b = resolveBool(text) { return .bool(b) }
        if let i = resolveInt(text) { return .int(i) }
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

    static func resolveInt(_ text: String) -> Int? {
        guard let first = text.first, first.isNumber || first == "-" || first == "+" else { return nil }
        if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
        if text.hasPrefix("0o") { return Int(text.dropFirst(2), radix: 8) }
        guard text.dropFirst(first == "-" || first == "+" ? 1 : 0).allSatisfy(\.isASCII),
            text.dropFirst(first == "-" || first == "+" ? 1 : 0).allSatisfy(\.isNumber)
        else { return nil }
        return Int(text)
    }

    static func resolveFloat(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        guard let first = text.first, first.isNumber || first == "-" || first == "+" || first == "." else { return nil }
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }),
            text.contains(where: \.isNumber)
        else { return nil }
        return Double(text)
    }

    /// True when a plain scalar with this text would be read as something other than the
    /// string itself by this resolver OR by YAML 1.1 readers (go-yaml v2, used by kubectl):
    /// such strings are quoted when emitted.
    public static func needsQuoting(_ text: String) -> Bool {
        if resolvePlain(text) != .string(text) { return true }
        switch text.lowercased() {
        case "y", "n", "yes", "no", "on", "off": return true
        default: break
        }
        if let first = text.first, "0123456789+-.".contains(first), Double(text.filter { $0 != "_" }) != nil {
            return true
        }
        if text.contains(":"), text.split(separator: ":").allSatisfy({ $0.allSatisfy(\.isNumber) }) { return true }  // sexagesimal
        return false
    }

    // MARK: Typed accessors used by decoders

    public var string: String? {
        if case .string(let s) = resolved, scalar != nil { return s }
        return nil
    }

    public var int: Int? {
        if case .int(let i) = resolved { return i }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let b) = resolved { return b }
        return nil
    }

    public var isNull: Bool {
        scalar != nil && resolved == .null
    }
}
