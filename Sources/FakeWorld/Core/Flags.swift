import Foundation

/// One flag a command accepts (pflag semantics: `--name value`, `--name=value`, `-n value`, `-nvalue`).
struct FlagSpec: Sendable {
    var name: String
    var short: Character?
    var takesValue: Bool

    static func value(_ name: String, _ short: Character? = nil) -> FlagSpec { FlagSpec(name: name, short: short, takesValue: true) }
    static func bool(_ name: String, _ short: Character? = nil) -> FlagSpec { FlagSpec(name: name, short: short, takesValue: false) }
}

/// The result of parsing: positional arguments, flag values (every occurrence, in order) and the
/// arguments after a bare `--`.
struct ParsedFlags: Sendable {
    var positionals: [String] = []
    var values: [String: [String]] = [:]
    var afterDash: [String]? = nil

    func has(_ name: String) -> Bool { values[name] != nil }
    func last(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }
    func bool(_ name: String) -> Bool {
        guard let v = values[name]?.last else { return false }
        return v == "true" || v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "True"
    }
}

/// How each tool words flag errors (all three use cobra/pflag; only the prefix and the hint differ).
enum FlagErrorStyle {
    case kind
    case kubectl(command: String)
    case helm

    func failure(_ message: String) -> ToolFailure {
        switch self {
        case .kind: return ToolFailure(stderr: "ERROR: \(message)")
        case .kubectl(let command):
            return ToolFailure(stderr: "error: \(message)\nSee '\(command) --help' for usage.")
        case .helm: return ToolFailure(stderr: "Error: \(message)")
        }
    }
}

enum FlagParser {
    static func parse(
        _ args: [String], specs: [FlagSpec], style: FlagErrorStyle, stopAtFirstPositional: Bool = false
    ) throws(ToolFailure) -> ParsedFlags {
        var parsed = ParsedFlags()
        var i = 0
        func spec(named name: String) -> FlagSpec? { specs.first { $0.name == name } }
        func spec(short c: Character) -> FlagSpec? { specs.first { $0.short == c } }
        while i < args.count {
            let arg = args[i]
            i += 1
            if arg == "--" {
                parsed.afterDash = Array(args[i...])
                break
            }
            if stopAtFirstPositional, !parsed.positionals.isEmpty {
                parsed.positionals.append(arg)
                continue
            }
            if arg.hasPrefix("--") {
                let body = arg.dropFirst(2)
                let name: String
                var inline: String?
                if let eq = body.firstIndex(of: "=") {
                    name = String(body[..<eq])
                    inline = String(body[body.index(after: eq)...])
                } else {
                    name = String(body)
                }
                guard let s = spec(named: name) else { throw style.failure("unknown flag: --\(name)") }
                if s.takesValue {
                    if let inline {
                        parsed.values[name, default: []].append(inline)
                    } else if i < args.count {
                        parsed.values[name, default: []].append(args[i]); i += 1
                    } else {
                        throw style.failure("flag needs an argument: --\(name)")
                    }
                } else {
                    parsed.values[name, default: []].append(inline ?? "true")
                }
            } else if arg.hasPrefix("-") && arg.count > 1 {
                var chars = Array(arg.dropFirst())
                while !chars.isEmpty {
                    let c = chars.removeFirst()
                    guard let s = spec(short: c) else { throw style.failure("unknown shorthand flag: '\(c)' in \(arg)") }
                    if s.takesValue {
                        var rest = String(chars)
                        if rest.hasPrefix("=") { rest.removeFirst() }
                        if !rest.isEmpty {
                            parsed.values[s.name, default: []].append(rest)
                        } else if i < args.count {
                            parsed.values[s.name, default: []].append(args[i]); i += 1
                        } else {
                            throw style.failure("flag needs an argument: '\(c)' in -\(c)")
                        }
                        chars = []
                    } else {
                        parsed.values[s.name, default: []].append("true")
                    }
                }
            } else {
                parsed.positionals.append(arg)
            }
        }
        return parsed
    }
}
