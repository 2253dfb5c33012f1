import Foundation

/// The parsed form of an `sh -c` script: the subset of the POSIX shell grammar the world's sh runs,
/// read the way busybox ash (the hashicorp/vault image is Alpine) reads it [SRC mirror/busybox
/// shell/ash.c 1_36_1: `list`, `andor`, `pipeline`, `simplecmd`, `readtoken1`, `parsesub`,
/// `parsebackq`]. Words keep their quoting until they are expanded, at run time, in order: `$(…)`
/// sees the variables earlier commands set.
struct ShellScript: Equatable {
    var lists: [ShellAndOr]
}

/// `p1 && p2 || p3`: `ops[i]` joins `pipelines[i]` and `pipelines[i + 1]`.
struct ShellAndOr: Equatable {
    enum Op: Equatable { case and, or }
    var pipelines: [ShellPipeline]
    var ops: [Op]
}

/// `[!] c1 | c2 | …`
struct ShellPipeline: Equatable {
    var negated: Bool
    var commands: [ShellCommand]
}

/// `NAME=word … word …` (no redirections: the world's sh has none).
struct ShellCommand: Equatable {
    struct Assignment: Equatable {
        var name: String
        var value: ShellWord
    }
    var assignments: [Assignment]
    var words: [ShellWord]
}

/// One word before expansion: its pieces, each quoted or not.
struct ShellWord: Equatable {
    indirect enum Part: Equatable {
        case text(String, quoted: Bool)
        case variable(String, quoted: Bool)
        case substitution(ShellScript, quoted: Bool)
    }
    var parts: [Part]

    /// The word's unquoted literal text when it has no quotes and no expansions (keywords, `!`).
    var plainText: String? {
        var s = ""
        for p in parts {
            guard case .text(let t, false) = p else { return nil }
            s += t
        }
        return s
    }
}

/// Why a script cannot run. `syntax` carries busybox ash's own text after `syntax error: `
/// [SRC mirror/busybox shell/ash.c 1_36_1 `raise_error_syntax`, `raise_error_unexpected_syntax`,
/// `tokname_array`]; `unsupported` names a construct ash accepts but the world's sh does not run.
/// Both end the shell with status 2, as ash does for a syntax error (`exitstatus = 2`).
enum ShellSyntaxError: Error, Equatable {
    case syntax(String)
    case unsupported(String)

    func message(shell: String) -> String {
        switch self {
        case .syntax(let m): return "\(shell): syntax error: \(m)\n"
        case .unsupported(let what): return "\(shell): syntax error: unsupported construct in the world's sh: \(what)\n"
        }
    }
}

/// A recursive-descent reader over the script's characters, with ash's tokens and one token of
/// push-back. `$(…)` is parsed in place by a nested `list` that ends at the matching `)`, so quotes
/// and substitutions nest to any depth.
struct ShellParser {
    enum Token: Equatable {
        case word(ShellWord)
        case newline, semi, dsemi, amp, andIf, orIf, pipe, lparen, rparen, eof
        case redirect(String)

        /// ash's `tokname`: end of file, newline, redirection and word bare; the others quoted.
        var name: String {
            switch self {
            case .eof: return "end of file"
            case .newline: return "newline"
            case .redirect: return "redirection"
            case .word: return "word"
            case .semi: return "\";\""
            case .dsemi: return "\";;\""
            case .amp: return "\"&\""
            case .andIf: return "\"&&\""
            case .orIf: return "\"||\""
            case .pipe: return "\"|\""
            case .lparen: return "\"(\""
            case .rparen: return "\")\""
            }
        }
    }

    private var chars: [Character]
    private var i = 0
    private var pushed: Token?

    init(_ script: String) { chars = Array(script) }

    /// The commands of the next line, nil at the end: ash parses one line, runs it, then reads the
    /// next (`evalstring` → `parsecmd` → `list(1)`, which returns at a newline), so a syntax error
    /// on line 2 comes after line 1 ran.
    mutating func line() throws(ShellSyntaxError) -> ShellScript? {
        var t = try next()
        while t == .newline { t = try next() }
        if t == .eof { return nil }
        pushed = t
        var lists: [ShellAndOr] = []
        while true {
            lists.append(try andOr())
            let sep = try next()
            switch sep {
            case .newline: return ShellScript(lists: lists)
            case .eof:
                pushed = .eof
                return ShellScript(lists: lists)
            case .semi:
                let after = try next()
                if after == .newline { return ShellScript(lists: lists) }
                pushed = after
                if after == .eof { return ShellScript(lists: lists) }
            case .amp: throw .unsupported("& (background)")
            default: throw .syntax("unexpected \(sep.name)")
            }
        }
    }

    /// The commands of a `$(…)` (`closing`: the `)` ends it) or of a whole script.
    mutating func list(closing: Bool) throws(ShellSyntaxError) -> ShellScript {
        var lists: [ShellAndOr] = []
        while true {
            var t = try next()
            while t == .newline { t = try next() }
            if t == .eof {
                if closing { throw .syntax("unexpected end of file (expecting \")\")") }
                break
            }
            if closing, t == .rparen { break }
            pushed = t
            lists.append(try andOr())
            let sep = try next()
            switch sep {
            case .semi, .newline: continue
            case .amp: throw .unsupported("& (background)")
            case .eof:
                if closing { throw .syntax("unexpected end of file (expecting \")\")") }
                return ShellScript(lists: lists)
            case .rparen where closing: return ShellScript(lists: lists)
            default: throw .syntax("unexpected \(sep.name)")
            }
        }
        return ShellScript(lists: lists)
    }

    private mutating func andOr() throws(ShellSyntaxError) -> ShellAndOr {
        var result = ShellAndOr(pipelines: [try pipeline()], ops: [])
        while true {
            let t = try next()
            let op: ShellAndOr.Op
            switch t {
            case .andIf: op = .and
            case .orIf: op = .or
            default:
                pushed = t
                return result
            }
            try skipNewlines()
            result.ops.append(op)
            result.pipelines.append(try pipeline())
        }
    }

    private mutating func pipeline() throws(ShellSyntaxError) -> ShellPipeline {
        var negated = false
        let t = try next()
        if case .word(let w) = t, w.plainText == "!" { negated = true } else { pushed = t }
        var result = ShellPipeline(negated: negated, commands: [try command()])
        while true {
            let t = try next()
            guard t == .pipe else {
                pushed = t
                return result
            }
            try skipNewlines()
            result.commands.append(try command())
        }
    }

    private static let reserved: Set<String> = [
        "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for", "in", "{", "}", "!", "function",
        "[[", "]]", "select",
    ]

    private mutating func command() throws(ShellSyntaxError) -> ShellCommand {
        let first = try next()
        switch first {
        case .word(let w):
            if let kw = w.plainText, ShellParser.reserved.contains(kw) { throw .unsupported("the reserved word \(kw)") }
            pushed = first
        case .lparen: throw .unsupported("( subshell )")
        case .redirect(let r): throw .unsupported("redirection \(r)")
        default: throw .syntax("unexpected \(first.name)")
        }
        var words: [ShellWord] = []
        while true {
            let t = try next()
            switch t {
            case .word(let w): words.append(w)
            case .redirect(let r): throw .unsupported("redirection \(r)")
            case .lparen: throw .unsupported("function definition")
            default:
                pushed = t
                var cmd = ShellCommand(assignments: [], words: [])
                var rest = words[...]
                while let w = rest.first, let a = ShellParser.assignment(w) {
                    cmd.assignments.append(a)
                    rest = rest.dropFirst()
                }
                cmd.words = Array(rest)
                return cmd
            }
        }
    }

    /// `NAME=…` with NAME unquoted: the word is an assignment [POSIX XCU 2.10.2 rule 7].
    static func assignment(_ w: ShellWord) -> ShellCommand.Assignment? {
        guard case .text(let t, false)? = w.parts.first, let eq = t.firstIndex(of: "=") else { return nil }
        let name = String(t[..<eq])
        guard isName(name) else { return nil }
        var value = Array(w.parts.dropFirst())
        let after = String(t[t.index(after: eq)...])
        if !after.isEmpty { value.insert(.text(after, quoted: false), at: 0) }
        return ShellCommand.Assignment(name: name, value: ShellWord(parts: value))
    }

    static func isName(_ s: String) -> Bool {
        guard let f = s.first, f == "_" || (f.isASCII && f.isLetter) else { return false }
        return s.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    private mutating func skipNewlines() throws(ShellSyntaxError) {
        var t = try next()
        while t == .newline { t = try next() }
        pushed = t
    }

    // MARK: Tokens

    private var peek: Character? { i < chars.count ? chars[i] : nil }
    private func peek(_ k: Int) -> Character? { i + k < chars.count ? chars[i + k] : nil }

    private mutating func next() throws(ShellSyntaxError) -> Token {
        if let t = pushed {
            pushed = nil
            return t
        }
        while let c = peek, c == " " || c == "\t" || (c == "\\" && peek(1) == "\n") { i += c == "\\" ? 2 : 1 }
        guard let c = peek else { return .eof }
        if c == "#" {  // a comment runs to the end of the line
            while let d = peek, d != "\n" { i += 1 }
            return try next()
        }
        switch c {
        case "\n":
            i += 1
            return .newline
        case ";":
            i += 1
            if peek == ";" {
                i += 1
                return .dsemi
            }
            return .semi
        case "&":
            i += 1
            if peek == "&" {
                i += 1
                return .andIf
            }
            return .amp
        case "|":
            i += 1
            if peek == "|" {
                i += 1
                return .orIf
            }
            return .pipe
        case "(":
            i += 1
            return .lparen
        case ")":
            i += 1
            return .rparen
        case "<", ">":
            var r = String(c)
            i += 1
            while let d = peek, "<>&|-".contains(d) {
                r.append(d)
                i += 1
            }
            return .redirect(r)
        default:
            return .word(try word())
        }
    }

    private static let metacharacters: Set<Character> = [" ", "\t", "\n", ";", "&", "|", "(", ")", "<", ">"]

    private mutating func word() throws(ShellSyntaxError) -> ShellWord {
        var parts: [ShellWord.Part] = []
        var text = ""
        func flush(_ parts: inout [ShellWord.Part], quoted: Bool) {
            if !text.isEmpty || quoted { parts.append(.text(text, quoted: quoted)) }
            text = ""
        }
        while let c = peek, !ShellParser.metacharacters.contains(c) {
            switch c {
            case "\\":
                i += 1
                guard let n = peek else {
                    text.append("\\")
                    continue
                }
                i += 1
                if n == "\n" { continue }  // line continuation
                flush(&parts, quoted: false)
                text = String(n)
                flush(&parts, quoted: true)
            case "'":
                flush(&parts, quoted: false)
                i += 1
                var q = ""
                while let d = peek, d != "'" {
                    q.append(d)
                    i += 1
                }
                guard peek == "'" else { throw .syntax("unterminated quoted string") }
                i += 1
                text = q
                flush(&parts, quoted: true)
            case "\"":
                flush(&parts, quoted: false)
                i += 1
                try doubleQuoted(&parts)
            case "$":
                flush(&parts, quoted: false)
                if let p = try dollar(quoted: false) { parts.append(p) } else { text = "$" }
            case "`":
                throw .unsupported("`…` (use $(…))")
            default:
                text.append(c)
                i += 1
            }
        }
        flush(&parts, quoted: false)
        return ShellWord(parts: parts)
    }

    /// Inside "…": `\` escapes only `$`, backquote, `"`, `\` and newline; `$` expands.
    private mutating func doubleQuoted(_ parts: inout [ShellWord.Part]) throws(ShellSyntaxError) {
        var text = ""
        var any = false
        func flush(_ parts: inout [ShellWord.Part]) {
            if !text.isEmpty { parts.append(.text(text, quoted: true)) }
            text = ""
        }
        while true {
            guard let c = peek else { throw .syntax("unterminated quoted string") }
            i += 1
            switch c {
            case "\"":
                flush(&parts)
                if !any { parts.append(.text("", quoted: true)) }
                return
            case "\\":
                guard let n = peek else { throw .syntax("unterminated quoted string") }
                if "$`\"\\".contains(n) {
                    text.append(n)
                    i += 1
                } else if n == "\n" {
                    i += 1
                } else {
                    text.append("\\")
                }
            case "$":
                i -= 1
                flush(&parts)
                if let p = try dollar(quoted: true) {
                    parts.append(p)
                    any = true
                } else {
                    text = "$"
                }
            case "`":
                throw .unsupported("`…` (use $(…))")
            default:
                text.append(c)
            }
            if !text.isEmpty { any = true }
        }
    }

    /// At a `$`: `$(…)`, `${NAME}`, `$NAME`, `$?`, `$#`, `$0`…`$9`, `$@`, `$*`; nil for a literal `$`.
    private mutating func dollar(quoted: Bool) throws(ShellSyntaxError) -> ShellWord.Part? {
        i += 1  // the $
        guard let c = peek else { return nil }
        if c == "(" {
            if peek(1) == "(" { throw .unsupported("$((…)) arithmetic") }
            i += 1
            let saved = pushed
            pushed = nil
            let inner = try list(closing: true)
            pushed = saved
            return .substitution(inner, quoted: quoted)
        }
        if c == "{" {
            i += 1
            var name = ""
            while let d = peek, d != "}" {
                name.append(d)
                i += 1
            }
            guard peek == "}" else { throw .syntax("missing '}'") }
            i += 1
            guard ShellParser.isName(name) || ["?", "#", "@", "*"].contains(name) || (name.count == 1 && name.first!.isNumber) else {
                throw .unsupported("${\(name)}")
            }
            return .variable(name, quoted: quoted)
        }
        if c == "_" || (c.isASCII && c.isLetter) {
            var name = ""
            while let d = peek, d == "_" || (d.isASCII && (d.isLetter || d.isNumber)) {
                name.append(d)
                i += 1
            }
            return .variable(name, quoted: quoted)
        }
        if "?#@*".contains(c) || (c.isASCII && c.isNumber) {
            i += 1
            return .variable(String(c), quoted: quoted)
        }
        if "$!-".contains(c) { throw .unsupported("$\(c)") }
        if c == "'" { throw .unsupported("$'…'") }
        return nil
    }
}
