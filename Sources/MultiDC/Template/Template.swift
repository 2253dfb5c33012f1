import Foundation
import YAML

/// A template file: one or more YAML documents whose scalars may hold `${{ name }}`.
///
/// Substitution works on the parsed node tree, never on text, so the result is always
/// valid YAML. A scalar that is exactly one (plain) placeholder takes the value's type;
/// placeholders inside longer text are interpolated as strings.
public struct Template: Sendable {
    /// The file as shown in messages.
    public let file: String
    public let documents: [Node]
    /// Every placeholder, with its position in the file.
    public let placeholders: [(name: String, mark: Mark)]
    let source: SourceText

    /// How rendering treats values that are secret or not known yet.
    public enum Mode: Sendable, Hashable {
        /// For people: secrets print `(sensitive)`, unknown values `(known after apply)`.
        case display
        /// For tools: every value must be known; secrets are substituted.
        case apply
    }

    /// Parses a template; YAML and placeholder syntax errors are reported at their positions.
    public static func parse(text: String, file: String) throws(Diagnostics) -> Template {
        let documents: [Node]
        do {
            documents = try YAMLParser.parseDocuments(text, file: file)
        } catch {
            throw Diagnostics([error])
        }
        let source = SourceText(file: file, text: text)
        let locator = Locator(source: source)
        var found: [(String, Mark)] = []
        var problems: [Diagnostic] = []
        func visit(_ node: Node) {
            switch node.content {
            case .scalar(let text):
                do {
                    for case .placeholder(let p) in try Placeholder.segments(of: text) {
                        found.append((p.name, locator.mark(of: node, placeholderAt: p.offset, in: text)))
                    }
                } catch {
                    problems.append(source.diagnostic(error.message, at: locator.mark(of: node, placeholderAt: error.offset, in: text)))
                }
            case .sequence(let items):
                items.forEach(visit)
            case .mapping(let pairs):
                for pair in pairs {
                    visit(pair.key)
                    visit(pair.value)
                }
            }
        }
        documents.forEach(visit)
        if !problems.isEmpty { throw Diagnostics(problems) }
        return Template(file: file, documents: documents, placeholders: found, source: source)
    }

    /// Reads and parses a template file; `file` is the name used in messages.
    public static func load(path: String, file: String) throws(Diagnostics) -> Template {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Diagnostics([Diagnostic(file: file, mark: Mark(line: 1, column: 1), message: "cannot read the file")])
        }
        return try parse(text: String(decoding: data, as: UTF8.self), file: file)
    }

    /// Errors for placeholders whose names are not in `names`, at the placeholders' positions.
    public func check(names: [String] = TemplateValues.names) -> [Diagnostic] {
        let known = Set(names)
        return placeholders.filter { !known.contains($0.name) }.map { p in
            let hint = EditDistance.suggestion(for: p.name, among: names).map { "; did you mean '\($0)'?" } ?? ""
            return source.diagnostic("unknown placeholder '\(p.name)'" + hint, at: p.mark)
        }
    }

    /// The documents with every placeholder substituted.
    public func render(_ values: TemplateValues, mode: Mode) throws(Diagnostics) -> [Node] {
        var problems: [Diagnostic] = []
        let locator = Locator(source: source)
        func substitute(_ node: Node) -> Node {
            var node = node
            switch node.content {
            case .scalar(let text):
                guard let segments = try? Placeholder.segments(of: text), segments.count > 1 || isPlaceholder(segments.first)
                else { return node }
                var pieces: [TemplateValue.Scalar] = []
                for segment in segments {
                    switch segment {
                    case .text(let t):
                        pieces.append(.string(t))
                    case .placeholder(let p):
                        let mark = locator.mark(of: node, placeholderAt: p.offset, in: text)
                        guard let value = values[p.name] else {
                            problems.append(source.diagnostic("unknown placeholder '\(p.name)'", at: mark))
                            continue
                        }
                        switch (value, mode) {
                        case (.known(let scalar), _): pieces.append(scalar)
                        case (.sensitive(let secret), .apply): pieces.append(.string(secret.reveal()))
                        case (_, .display): pieces.append(.string(value.displayText))
                        case (.unknown, .apply):
                            problems.append(source.diagnostic("the value of '\(p.name)' is not known yet", at: mark))
                        }
                    }
                }
                if pieces.count == 1, segments.count == 1, node.style == .plain, node.tag == nil, case .int(let i) = pieces[0] {
                    return Node.scalar(String(i), mark: node.mark)
                }
                let text = pieces.map(\.text).joined()
                var result = Node.string(text, mark: node.mark)
                if node.tag != nil { result.tag = node.tag }
                if result.style == .plain, node.style != .plain, !text.contains("\n") { result.style = node.style }
                return result
            case .sequence(let items):
                node.content = .sequence(items.map(substitute))
            case .mapping(let pairs):
                node.content = .mapping(pairs.map { Node.Pair(key: substitute($0.key), value: substitute($0.value)) })
            }
            return node
        }
        let rendered = documents.map(substitute)
        if !problems.isEmpty { throw Diagnostics(problems) }
        return rendered
    }

    private func isPlaceholder(_ segment: Placeholder.Segment?) -> Bool {
        if case .placeholder = segment { return true }
        return false
    }
}

/// Finds where a placeholder sits in the source: the k-th `${{` at or after the scalar's
/// start is the scalar's k-th placeholder (true for plain, quoted and block scalars alike).
struct Locator {
    let source: SourceText

    func mark(of node: Node, placeholderAt offset: Int, in text: String) -> Mark {
        // Which occurrence of "${{" inside the scalar text this offset is.
        let chars = Array(text)
        var k = 0
        var i = 0
        while i < offset {
            if chars[i] == "$", i + 2 < chars.count, chars[i + 1] == "{", chars[i + 2] == "{" { k += 1 }
            i += 1
        }
        var line = node.mark.line
        var startColumn = node.mark.column - 1
        var seen = 0
        while let lineText = source.line(line) {
            let lineChars = Array(lineText)
            var c = max(0, startColumn)
            while c + 2 < lineChars.count {
                if lineChars[c] == "$", lineChars[c + 1] == "{", lineChars[c + 2] == "{" {
                    if seen == k { return Mark(line: line, column: c + 1) }
                    seen += 1
                }
                c += 1
            }
            line += 1
            startColumn = 0
            if line > node.mark.line + 10_000 { break }
        }
        return node.mark
    }
}
