import Foundation

/// A kubectl `-l` label selector: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`.
struct LabelSelector: Sendable, Equatable {
    enum Requirement: Sendable, Equatable {
        case equals(String, String)
        case notEquals(String, String)
        case exists(String)
        case notExists(String)
        case within(String, [String])
        case notWithin(String, [String])
    }
    var requirements: [Requirement]

    static func parse(_ text: String) -> LabelSelector? {
        var reqs: [Requirement] = []
        var parts: [String] = []
        var depth = 0, current = ""
        for c in text {
            if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
            if c == "," && depth == 0 { parts.append(current); current = "" } else { current.append(c) }
        }
        if !current.isEmpty { parts.append(current) }
        for raw in parts {
            let p = raw.trimmingCharacters(in: .whitespaces)
            if p.isEmpty { continue }
            if let r = p.range(of: " notin ") ?? p.range(of: " in ") {
                let key = p[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
                let vals = p[r.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: " ()")).split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                reqs.append(p[r].contains("notin") ? .notWithin(key, vals) : .within(key, vals))
            } else if let r = p.range(of: "!=") {
                reqs.append(.notEquals(String(p[..<r.lowerBound]), String(p[r.upperBound...])))
            } else if let r = p.range(of: "==") ?? p.range(of: "=") {
                reqs.append(.equals(String(p[..<r.lowerBound]), String(p[r.upperBound...])))
            } else if p.hasPrefix("!") {
                reqs.append(.notExists(String(p.dropFirst())))
            } else {
                guard !p.contains(" ") else { return nil }
                reqs.append(.exists(p))
            }
        }
        return LabelSelector(requirements: reqs)
    }

    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { r in
            switch r {
            case .equals(let k, let v): return labels[k] == v
            case .notEquals(let k, let v): return labels[k] != v
            case .exists(let k): return labels[k] != nil
            case .notExists(let k): return labels[k] == nil
            case .within(let k, let vs): return labels[k].map(vs.contains) ?? false
            case .notWithin(let k, let vs): return !(labels[k].map(vs.contains) ?? false)
            }
        }
    }
}
