/// A source text split into lines, to attach the offending line to a diagnostic and to turn
/// byte offsets and scalar offsets into `Mark`s.
///
/// Lines and columns are counted exactly as libyaml counts them, so a mark from the parser
/// and a mark computed here always agree:
///
/// - a line ends at LF, CR LF, CR, NEL (U+0085), LS (U+2028) or PS (U+2029) — libyaml
///   0.2.5, `src/yaml_private.h` `IS_BREAK_AT` and `src/scanner.c` `SKIP_LINE` (CR LF is
///   one break);
/// - a column counts Unicode scalars (code points), never bytes and never Swift
///   `Character`s (grapheme clusters): `src/scanner.c` `SKIP` adds one to `mark.column`
///   per character whatever its UTF-8 width. A decomposed `é` (e + U+0301) is two columns.
///
/// Building one is O(n); every lookup is O(log n) plus a walk of at most 1,024 code points.
package struct SourceText: Sendable {
    package let file: String
    /// The UTF-8 bytes of the text.
    let bytes: [UInt8]
    /// Per line: the byte offset of its first byte, the byte offset just past its last byte
    /// (its line break excluded), and the index (in code points from the text's start) of its
    /// first code point.
    let lineStart: [Int]
    let lineEnd: [Int]
    let lineFirstScalar: [Int]
    /// The byte offset of code point number `k * checkpointStride`.
    let checkpoints: [Int]
    static let checkpointStride = 1024

    package init(file: String, text: String) {
        self.file = file
        let bytes = Array(text.utf8)
        self.bytes = bytes
        var lineStart = [0]
        var lineEnd: [Int] = []
        var lineFirstScalar = [0]
        var checkpoints: [Int] = []
        var scalarIndex = 0
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b & 0xC0 != 0x80 {
                if scalarIndex % SourceText.checkpointStride == 0 { checkpoints.append(i) }
                scalarIndex += 1
            }
            if b == 0x0A {
                lineEnd.append(i > 0 && bytes[i - 1] == 0x0D ? i - 1 : i)  // LF, or CR LF
            } else if b == 0x0D, i + 1 < n, bytes[i + 1] == 0x0A {
                i += 1  // the LF ends the line
                continue
            } else if b == 0x0D {
                lineEnd.append(i)
            } else if b == 0xC2, i + 1 < n, bytes[i + 1] == 0x85 {
                lineEnd.append(i)  // NEL
                i += 1
            } else if b == 0xE2, i + 2 < n, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 {
                lineEnd.append(i)  // LS, PS
                i += 2
            } else {
                i += 1
                continue
            }
            i += 1
            lineStart.append(i)
            lineFirstScalar.append(scalarIndex)
        }
        lineEnd.append(n)
        if checkpoints.isEmpty { checkpoints.append(0) }
        // libyaml skips a byte order mark before it counts columns (src/reader.c,
        // yaml_parser_determine_encoding): so does line 1 here.
        if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            lineStart[0] = 3
            lineFirstScalar[0] = 1
            if lineEnd[0] < 3 { lineEnd[0] = 3 }
        }
        self.lineStart = lineStart
        self.lineEnd = lineEnd
        self.lineFirstScalar = lineFirstScalar
        self.checkpoints = checkpoints
    }

    /// How many lines the text has (an empty text, or one ending in a break, has an empty last line).
    package var lineCount: Int { lineStart.count }

    /// Every line, without its line break. Builds them all: prefer `line(_:)`.
    package var lines: [Substring] {
        (1...lineCount).map { Substring(line($0) ?? "") }
    }

    /// Line `number` (1-based) without its line break, or nil when there is no such line.
    package func line(_ number: Int) -> String? {
        guard number >= 1, number <= lineCount else { return nil }
        return String(decoding: bytes[lineStart[number - 1]..<lineEnd[number - 1]], as: UTF8.self)
    }

    // MARK: Offsets and marks

    /// The byte offset of code point number `index` (counted from the text's start); the
    /// text's byte count when `index` is at or past its end.
    func byteOffset(ofScalar index: Int) -> Int {
        let k = index / SourceText.checkpointStride
        guard k < checkpoints.count else { return bytes.count }
        var offset = checkpoints[k]
        var remaining = index - k * SourceText.checkpointStride
        while remaining > 0, offset < bytes.count {
            offset += 1
            while offset < bytes.count, bytes[offset] & 0xC0 == 0x80 { offset += 1 }
            remaining -= 1
        }
        return offset
    }

    /// The index of the code point that byte `offset` belongs to (counted from the text's start).
    func scalarIndex(ofByte offset: Int) -> Int {
        guard !bytes.isEmpty else { return 0 }
        let offset = min(max(0, offset), bytes.count)
        // The last checkpoint at or before `offset`.
        var low = 0
        var high = checkpoints.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if checkpoints[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        var index = low * SourceText.checkpointStride
        var position = checkpoints[low] + 1
        let last = min(offset, bytes.count - 1)
        while position <= last {
            if bytes[position] & 0xC0 != 0x80 { index += 1 }
            position += 1
        }
        if offset == bytes.count { index += 1 }
        return index
    }

    /// The line (1-based) holding byte `offset`.
    func lineNumber(ofByte offset: Int) -> Int {
        var low = 0
        var high = lineStart.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStart[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low + 1
    }

    /// The mark of the code point at UTF-8 byte `offset` (a byte inside a multi-byte code point
    /// belongs to that code point; offsets past the end give the position just after the text).
    package func mark(atUTF8Offset offset: Int) -> Mark {
        let offset = min(max(0, offset), bytes.count)
        let line = lineNumber(ofByte: offset)
        let column = scalarIndex(ofByte: offset) - lineFirstScalar[line - 1] + 1
        return Mark(line: line, column: column)
    }

    /// The UTF-8 byte offset of `mark`, or nil when the text has no such line. A column past
    /// the end of its line gives the offset of the line's end.
    package func utf8Offset(of mark: Mark) -> Int? {
        guard mark.line >= 1, mark.line <= lineCount else { return nil }
        let offset = byteOffset(ofScalar: lineFirstScalar[mark.line - 1] + max(0, mark.column - 1))
        return min(offset, lineEnd[mark.line - 1])
    }

    // MARK: Diagnostics

    /// A diagnostic at `mark` in this text, with (a window of) its source line attached.
    package func diagnostic(_ message: String, at mark: Mark, severity: Diagnostic.Severity = .error) -> Diagnostic {
        guard mark.line >= 1, mark.line <= lineCount else {
            return Diagnostic(file: file, mark: mark, message: message, severity: severity)
        }
        // Keep at most two excerpt widths of a long line, centred on the column.
        let width = Diagnostic.excerptWidth
        let first = lineFirstScalar[mark.line - 1]
        let start = lineStart[mark.line - 1]
        let end = lineEnd[mark.line - 1]
        let fromColumn = max(1, mark.column - width)
        let from = max(start, min(end, byteOffset(ofScalar: first + fromColumn - 1)))
        let to = max(from, min(end, byteOffset(ofScalar: first + fromColumn - 1 + 2 * width)))
        return Diagnostic(
            file: file, mark: mark, message: message, severity: severity,
            sourceLine: String(decoding: bytes[from..<to], as: UTF8.self),
            sourceLineStartColumn: scalarIndex(ofByte: from) - first + 1, sourceLineContinues: to < end)
    }
}

extension SourceText {
    /// Where in this text the code point at `offset` of a scalar node's value sits — for a
    /// message about a part of a scalar (a `${{ placeholder }}` inside a longer string).
    ///
    /// `offset` counts Unicode scalars (code points) of `node.scalar`, like `Mark.column`;
    /// convert a `String.Index` with `text.unicodeScalars.distance(from:to:)`. The node must
    /// come from parsing this text (its `mark` is where its source starts). Works for every
    /// scalar style: it walks the source from the node's start, decoding double-quoted escapes
    /// (`\x41`, `\u00e9`, an escaped line break), single-quoted `''`, a block scalar's header and
    /// indentation, and line folding (a run of whitespace and line breaks in the source stands
    /// for a run of spaces and newlines in the value). Offsets inside such a run map to the
    /// run's start. Falls back to `node.mark` when the node is not a scalar of this text.
    package func mark(ofScalarOffset offset: Int, in node: Node) -> Mark {
        guard case .scalar(let text) = node.content, offset > 0, let start = utf8Offset(of: node.mark) else { return node.mark }
        let value = Array(text.unicodeScalars)
        var v = 0
        var p = start
        func scalar(at i: Int) -> (Unicode.Scalar, Int)? {
            guard i < bytes.count else { return nil }
            let b = bytes[i]
            let length = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
            guard i + length <= bytes.count else { return nil }
            var decoder = UTF8()
            var iterator = bytes[i..<(i + length)].makeIterator()
            guard case .scalarValue(let s) = decoder.decode(&iterator) else { return nil }
            return (s, length)
        }
        func isSpace(_ s: Unicode.Scalar) -> Bool {
            s == " " || s == "\t" || s == "\n" || s == "\r" || s == "\u{85}" || s == "\u{2028}" || s == "\u{2029}"
        }
        switch node.style {
        case .singleQuoted, .doubleQuoted:
            p += 1  // the opening quote
        case .literal, .folded:
            // The header line (`|-`, `>2 # comment`) and its line break.
            while let (s, n) = scalar(at: p), s != "\n", s != "\r", s != "\u{85}", s != "\u{2028}", s != "\u{2029}" { p += n }
            if let (s, n) = scalar(at: p) {
                p += n
                if s == "\r", let (next, m) = scalar(at: p), next == "\n" { p += m }
            }
        default:
            break
        }
        while v < offset, v < value.count, let (s, n) = scalar(at: p) {
            if node.style == .doubleQuoted, s == "\\", let (e, m) = scalar(at: p + n) {
                if isSpace(e) && e != " " && e != "\t" {
                    // An escaped line break: it and the next line's indentation stand for nothing.
                    p += n
                    while let (w, k) = scalar(at: p), isSpace(w) { p += k }
                    continue
                }
                let length: Int
                switch e {
                case "x": length = 4
                case "u": length = 6
                case "U": length = 10
                default: length = 2
                }
                // The escape's characters are all ASCII but the escaped one (`\é` is invalid anyway).
                p += n + (length == 2 ? m : length - 1)
                v += 1
                continue
            }
            if node.style == .singleQuoted, s == "'", let (next, m) = scalar(at: p + n), next == "'" {
                p += n + m
                v += 1
                continue
            }
            if isSpace(s) || isSpace(value[v]) {
                // A run of whitespace and breaks in the source is a run of spaces and newlines in the value.
                let runStart = p
                while let (w, k) = scalar(at: p), isSpace(w) { p += k }
                let valueRunStart = v
                while v < value.count, isSpace(value[v]) { v += 1 }
                if v > offset { return mark(atUTF8Offset: min(runStart + (offset - valueRunStart), p)) }
                continue
            }
            p += n
            if s == value[v] { v += 1 }
        }
        return mark(atUTF8Offset: p)
    }
}
