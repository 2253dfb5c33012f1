/// A position in a source text: 1-based line and column.
///
/// Columns count Unicode scalars (code points), as libyaml's marks do — not bytes, and not
/// Swift `Character`s: `e` + U+0301 is two columns. Lines end at LF, CR LF, CR, NEL, LS and
/// PS. `SourceText` converts between marks, UTF-8 offsets and offsets inside a scalar's value.
public struct Mark: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (a: Mark, b: Mark) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }

    public var description: String { "\(line):\(column)" }
}
