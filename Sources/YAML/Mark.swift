/// A position in a source text: 1-based line and column.
///
/// Columns count Unicode scalars (code points), as libyaml's marks do — not bytes, and not
/// Swift `Character`s: `e` + U+0301 is two columns. Lines end at LF, CR LF, CR, NEL, LS and
/// PS. `SourceText` converts between marks, UTF-8 offsets and offsets inside a scalar's value.
package struct Mark: Sendable, Hashable, Comparable, CustomStringConvertible {
    package var line: Int
    package var column: Int

    package init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    package static func < (a: Mark, b: Mark) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }

    package var description: String { "\(line):\(column)" }
}
