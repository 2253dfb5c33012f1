import Foundation

/// Conversion between nodes and JSON (kubectl, docker and helm speak JSON; a JSON text is
/// also a YAML document, so `YAMLParser` reads it too — these helpers are for writing).
extension Node {
    package enum JSONError: Error, CustomStringConvertible {
        case invalid(String)
        package var description: String {
            switch self {
            case .invalid(let why): return "invalid JSON: \(why)"
            }
        }
    }

    /// A node from Foundation JSON values (`[String: Any]`, `[Any]`, `String`, `NSNumber`, `NSNull`).
    /// Object keys are sorted, so the result is deterministic.
    package init(jsonObject value: Any) {
        switch value {
        case let dict as [String: Any]:
            self = .mapping(dict.keys.sorted().map { Pair(key: .string($0), value: Node(jsonObject: dict[$0]!)) })
        case let array as [Any]:
            self = .sequence(array.map { Node(jsonObject: $0) })
        case let string as String:
            self = .string(string)
        case let number as NSNumber:
            if String(cString: number.objCType) == "c" {  // how Foundation marks JSON booleans
                self = .scalar(number.boolValue ? "true" : "false")
            } else if let int = Int(exactly: number.doubleValue), !"\(number)".contains(".") {
                self = .scalar(String(int))
            } else {
                self = .scalar("\(number.doubleValue)")
            }
        default:
            self = .scalar("null")
        }
    }

    /// A node from JSON text.
    package init(json data: Data) throws {
        do {
            self.init(jsonObject: try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
        } catch {
            throw JSONError.invalid(error.localizedDescription)
        }
    }

    /// The node as Foundation JSON values (mapping keys become strings).
    package var jsonObject: Any {
        switch content {
        case .mapping(let pairs):
            var dict: [String: Any] = [:]
            for pair in pairs { dict[pair.key.scalar ?? pair.key.description] = pair.value.jsonObject }
            return dict
        case .sequence(let items):
            return items.map(\.jsonObject)
        case .scalar:
            switch resolved {
            case .null: return NSNull()
            case .bool(let b): return b
            case .int(let i): return i
            case .float(let f): return f.isFinite ? f : (scalar ?? "")
            case .string(let s): return s
            }
        }
    }

    /// JSON text of the node; sorted keys; pretty with `indent` spaces when indent > 0.
    package func jsonString(pretty: Bool = false) -> String {
        var options: JSONSerialization.WritingOptions = [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]
        if pretty { options.insert(.prettyPrinted) }
        guard let data = try? JSONSerialization.data(withJSONObject: jsonObject, options: options) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }
}
