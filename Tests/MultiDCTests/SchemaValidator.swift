import Foundation
import YAML

/// A small JSON Schema (draft 2020-12) validator for the keywords specs/topology.schema.json
/// uses: type, properties, required, additionalProperties, enum, const, pattern, minLength,
/// maxLength, items, minItems, oneOf, anyOf, minimum, maximum, $ref (local) and $defs.
/// Annotations ($schema, $id, title, description, default) are ignored; any other keyword is
/// reported, so the schema cannot silently grow past what this validator checks.
///
/// Schema and instance are both `Node`s (JSON is YAML), so scalars keep their YAML types.
struct SchemaValidator {
    let root: Node

    static let annotations: Set<String> = ["$schema", "$id", "title", "description", "default", "$defs", "examples"]

    /// Problems of `instance`, each as `path: message`; empty when valid.
    func validate(_ instance: Node) -> [String] {
        var errors: [String] = []
        check(instance, against: root, path: "$", errors: &errors)
        return errors
    }

    private func check(_ value: Node, against schema: Node, path: String, errors: inout [String]) {
        if let bool = schema.bool {
            if !bool { errors.append("\(path): false schema") }
            return
        }
        guard let keywords = schema.mapping else {
            errors.append("\(path): schema is not an object")
            return
        }
        for pair in keywords {
            let keyword = pair.key.scalar ?? ""
            let argument = pair.value
            switch keyword {
            case "$ref":
                guard let target = resolve(argument.scalar ?? "") else {
                    errors.append("\(path): unresolvable $ref \(argument.scalar ?? "")")
                    continue
                }
                check(value, against: target, path: path, errors: &errors)
            case "type":
                let names = argument.sequence?.compactMap(\.scalar) ?? [argument.scalar ?? ""]
                if !names.contains(where: { Self.has(type: $0, value) }) {
                    errors.append("\(path): expected \(names.joined(separator: " or ")), found \(Self.typeName(value))")
                }
            case "properties":
                guard let pairs = value.mapping else { continue }
                for property in argument.mapping ?? [] {
                    guard let name = property.key.scalar, let child = pairs.first(where: { $0.key.scalar == name }) else { continue }
                    check(child.value, against: property.value, path: "\(path).\(name)", errors: &errors)
                }
            case "required":
                guard let pairs = value.mapping else { continue }
                for name in argument.sequence?.compactMap(\.scalar) ?? [] where !pairs.contains(where: { $0.key.scalar == name }) {
                    errors.append("\(path): missing required property '\(name)'")
                }
            case "additionalProperties":
                guard let pairs = value.mapping else { continue }
                let declared = Set((schema["properties"]?.mapping ?? []).compactMap(\.key.scalar))
                for pair in pairs where !declared.contains(pair.key.scalar ?? "") {
                    if argument.bool == false {
                        errors.append("\(path): unexpected property '\(pair.key.scalar ?? "")'")
                    } else if argument.mapping != nil {
                        check(pair.value, against: argument, path: "\(path).\(pair.key.scalar ?? "")", errors: &errors)
                    }
                }
            case "enum":
                if !(argument.sequence ?? []).contains(where: { Self.equal($0, value) }) {
                    errors.append("\(path): not one of the allowed values")
                }
            case "const":
                if !Self.equal(argument, value) { errors.append("\(path): must be \(argument)") }
            case "pattern":
                guard let text = value.string else { continue }
                let regex = try? NSRegularExpression(pattern: argument.scalar ?? "")
                let range = NSRange(text.startIndex..., in: text)
                if regex?.firstMatch(in: text, range: range) == nil {
                    errors.append("\(path): '\(text)' does not match \(argument.scalar ?? "")")
                }
            case "minLength":
                if let text = value.string, text.count < (argument.int ?? 0) { errors.append("\(path): too short") }
            case "maxLength":
                if let text = value.string, text.count > (argument.int ?? .max) { errors.append("\(path): too long") }
            case "items":
                for (i, item) in (value.sequence ?? []).enumerated() {
                    check(item, against: argument, path: "\(path)[\(i)]", errors: &errors)
                }
            case "minItems":
                if let items = value.sequence, items.count < (argument.int ?? 0) { errors.append("\(path): too few items") }
            case "minimum":
                if let number = Self.number(value), number < (Self.number(argument) ?? -.infinity) {
                    errors.append("\(path): below the minimum \(argument.scalar ?? "")")
                }
            case "maximum":
                if let number = Self.number(value), number > (Self.number(argument) ?? .infinity) {
                    errors.append("\(path): above the maximum \(argument.scalar ?? "")")
                }
            case "oneOf", "anyOf":
                let passing = (argument.sequence ?? []).filter { branch in
                    var branchErrors: [String] = []
                    check(value, against: branch, path: path, errors: &branchErrors)
                    return branchErrors.isEmpty
                }.count
                if keyword == "oneOf" ? passing != 1 : passing == 0 {
                    errors.append("\(path): matches \(passing) of the \(keyword) branches")
                }
            default:
                if !Self.annotations.contains(keyword) { errors.append("\(path): unsupported keyword \(keyword)") }
            }
        }
    }

    private func resolve(_ reference: String) -> Node? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: Node? = root
        for part in reference.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
        return node
    }

    static func has(type: String, _ value: Node) -> Bool {
        switch type {
        case "object": return value.mapping != nil
        case "array": return value.sequence != nil
        case "string": return value.string != nil
        case "integer": return value.int != nil
        case "number": return value.int != nil || { if case .float = value.resolved { return value.scalar != nil } else { return false } }()
        case "boolean": return value.bool != nil
        case "null": return value.isNull
        default: return false
        }
    }

    static func typeName(_ value: Node) -> String {
        for name in ["object", "array", "string", "integer", "number", "boolean", "null"] where has(type: name, value) { return name }
        return "unknown"
    }

    static func number(_ value: Node) -> Double? {
        if let i = value.int { return Double(i) }
        if case .float(let f) = value.resolved, value.scalar != nil { return f }
        return nil
    }

    static func equal(_ a: Node, _ b: Node) -> Bool {
        switch (a.content, b.content) {
        case (.scalar, .scalar): return a.resolved == b.resolved
        default: return a == b
        }
    }
}
