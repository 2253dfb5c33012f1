import Foundation
import Testing
import YAML

/// Regression tests for the findings of the mutation-fuzz run (issue 13). Speed is measured in
/// Benchmarks (`multidc-bench yaml-scaling`), never here: these check results and messages only.
@Suite struct HardeningTests {
    /// The diagnostic `text` produces, or nil when it parses.
    static func error(_ text: String, limits: ParseLimits = .default) -> Diagnostic? {
        do {
            _ = try YAMLParser.parseDocuments(text, file: "f.yaml", limits: limits)
            return nil
        } catch {
            return error
        }
    }

    // 1. Long sequences are built in place.
    @Test func longFlowSequenceKeepsEveryItem() throws {
        let text = "[" + Array(repeating: "0", count: 50_000).joined(separator: ",") + "]"
        let node = try #require(try YAMLParser.parse(text))
        #expect(node.sequence?.count == 50_000)
        #expect(node.sequence?.last?.mark == Mark(line: 1, column: 100_000))
    }

    // 2. Duplicate keys by meaning, through a hash table.
    @Test(arguments: [
        ("0x1: a\n1: b\n", "f.yaml:2:1: error: duplicate key '1'; it was first set at line 1, column 1 as '0x1', which means the same"),
        ("~: a\nnull: b\n", "f.yaml:2:1: error: duplicate key 'null'; it was first set at line 1, column 1 as '~', which means the same"),
        (
            "true: a\nTrue: b\n",
            "f.yaml:2:1: error: duplicate key 'True'; it was first set at line 1, column 1 as 'true', which means the same"
        ),
        ("1.0: a\n1e0: b\n", "f.yaml:2:1: error: duplicate key '1e0'; it was first set at line 1, column 1 as '1.0', which means the same"),
        ("{a: 1, b: 2, a: 3}", "f.yaml:1:14: error: duplicate key 'a'; it was first set at line 1, column 2"),
    ])
    func duplicateKeysEqualInMeaningAreRefused(_ text: String, _ summary: String) {
        #expect(Self.error(text)?.summary == summary)
    }

    @Test func keysDifferingInTypeAreNotDuplicates() throws {
        let node = try #require(try YAMLParser.parse("1: int\n\"1\": string\n1.0: float\n"))
        #expect(node.mapping?.count == 3)
    }

    @Test func tenThousandKeysParse() throws {
        let text = (0..<10_000).map { "k\($0): \($0)" }.joined(separator: "\n")
        let node = try #require(try YAMLParser.parse(text))
        #expect(node.mapping?.count == 10_000)
        #expect(node["k9999"]?.int == 9999)
    }

    // 3. Alias expansion is bounded by bytes and by depth too.
    @Test func aliasesOfAHugeScalarAreRefusedByBytes() {
        let text = "[&a \"" + String(repeating: "A", count: 100_000) + "\"" + String(repeating: ", *a", count: 20) + "]"
        let error = Self.error(text)
        #expect(
            error?.summary
                == "f.yaml:1:100049: error: alias '*a' expands the document past 1048576 bytes of text; aliases this large are refused (billion laughs)"
        )
    }

    @Test func aliasesCannotNestPastTheDepthLimit() {
        var text = "a0: &a0 [x]\n"
        for i in 1...3 { text += "a\(i): &a\(i) [*a\(i - 1)]\n" }
        let limits = ParseLimits(maxDepth: 4)
        #expect(Self.error(text, limits: limits)?.summary == "f.yaml:4:10: error: alias '*a2' nests collections deeper than 4 levels")
    }

    // 4. Excerpts are clipped around the column; many diagnostics are capped.
    @Test func longLinesAreClippedAroundTheColumn() {
        let text = "a: [" + String(repeating: "x, ", count: 2_000) + "}]"
        let error = Self.error(text)
        #expect(
            error?.summary
                == "f.yaml:1:6005: error: did not find expected node content (while parsing a flow node at line 1, column 6005)")
        let lines = error?.description.split(separator: "\n", omittingEmptySubsequences: false) ?? []
        #expect(lines.count == 3)
        #expect(lines[1] == "…" + String(text.suffix(120)))  // the last 120 code points, `}` 2nd last
        #expect(lines[2] == String(repeating: " ", count: 119) + "^")
    }

    @Test func excerptWindowIsCentredInTheMiddleOfALine() {
        let source = SourceText(file: "f.yaml", text: String(repeating: "abcdefghij", count: 100))
        let diagnostic = source.diagnostic("here", at: Mark(line: 1, column: 500))
        let lines = diagnostic.description.split(separator: "\n").map(String.init)
        #expect(lines[1].unicodeScalars.count == 122)  // … + 120 code points + …
        #expect(lines[1].hasPrefix("…jabcdefghij"))
        #expect(lines[1].hasSuffix("…"))
        #expect(lines[2] == String(repeating: " ", count: 61) + "^")
        #expect(lines[1].unicodeScalars.dropFirst(61).first == "j")  // column 500 is a 'j'
    }

    @Test func renderedCapsTheNumberOfDiagnostics() {
        let source = SourceText(file: "f.yaml", text: "a\n")
        let all = Diagnostics((1...5).map { source.diagnostic("bad \($0)", at: Mark(line: 1, column: 1)) })
        #expect(
            all.rendered(limit: 2)
                == "f.yaml:1:1: error: bad 1\na\n^\nf.yaml:1:1: error: bad 2\na\n^\n… and 3 more errors")
        #expect(all.rendered(limit: nil).components(separatedBy: "error:").count == 6)
        #expect(Diagnostics(Array(all.items[..<1])).rendered(limit: 0) == "… and 1 more error")
    }

    // 5. CR LF and CR line breaks.
    @Test(arguments: [
        ("a: 1\r\nb: c: d\r\ne: 3\r\n", "f.yaml:2:5: error: mapping values are not allowed in this context", "b: c: d"),
        ("a: 1\rb: c: d\re: 3\r", "f.yaml:2:5: error: mapping values are not allowed in this context", "b: c: d"),
    ])
    func crAndCrlfFilesShowOneLine(_ text: String, _ summary: String, _ line: String) {
        let error = Self.error(text)
        #expect(error?.summary == summary)
        #expect(error?.description == summary + "\n" + line + "\n    ^")
    }

    @Test func sourceTextSplitsOnEveryLibyamlBreak() {
        let source = SourceText(file: "f", text: "a\r\nb\rc\nd\u{85}e\u{2028}f\u{2029}g")
        #expect(source.lineCount == 7)
        #expect((1...7).map { source.line($0) } == ["a", "b", "c", "d", "e", "f", "g"])
    }

    // 6. Columns are code points, like libyaml's.
    @Test func columnsCountCodePointsNotGraphemes() {
        // "e" + U+0301 is one Character but two code points: libyaml puts the error at column 9.
        let error = Self.error("k: \"e\u{301}\" x\n")
        #expect(error?.summary == "f.yaml:1:9: error: did not find expected key (while parsing a block mapping at line 1, column 1)")
        // The caret sits under the column in a terminal: the combining mark takes no column.
        #expect(error?.description.hasSuffix("\nk: \"e\u{301}\" x\n       ^") == true)
    }

    @Test func markOfScalarOffsetFollowsEscapesAndFolding() throws {
        let text = "a: \"\\u00e9\\t${{ x }}\"\nb: 'it''s ${{ y }}'\nc: |\n  line\n  ${{ z }}\nd: plain\n  folded ${{ w }}\n"
        let source = SourceText(file: "f", text: text)
        let root = try #require(try YAMLParser.parse(text))
        func mark(_ key: String) throws -> Mark {
            let node = try #require(root[key])
            let value = try #require(node.scalar)
            let index = try #require(value.range(of: "${{")?.lowerBound)
            return source.mark(ofScalarOffset: value.unicodeScalars.distance(from: value.startIndex, to: index), in: node)
        }
        #expect(try mark("a") == Mark(line: 1, column: 13))
        #expect(try mark("b") == Mark(line: 2, column: 11))
        #expect(try mark("c") == Mark(line: 5, column: 3))
        #expect(try mark("d") == Mark(line: 7, column: 10))
    }

    @Test func marksAndOffsetsRoundTrip() {
        let source = SourceText(file: "f", text: "é: x\r\n  ü\u{301}: y\n")
        #expect(source.mark(atUTF8Offset: 0) == Mark(line: 1, column: 1))
        #expect(source.mark(atUTF8Offset: 2) == Mark(line: 1, column: 2))
        #expect(source.mark(atUTF8Offset: 5) == Mark(line: 1, column: 5))  // the CR of CR LF
        #expect(source.mark(atUTF8Offset: 7) == Mark(line: 2, column: 1))
        #expect(source.mark(atUTF8Offset: 12) == Mark(line: 2, column: 4))  // inside U+0301
        #expect(source.mark(atUTF8Offset: 15) == Mark(line: 2, column: 7))
        #expect(source.utf8Offset(of: Mark(line: 2, column: 7)) == 15)
        #expect(source.utf8Offset(of: Mark(line: 2, column: 99)) == 16)
    }

    // 7. Control characters are positioned.
    @Test(arguments: [
        ("a: 1\nb: x\u{7}y\n", "f.yaml:2:5", "U+0007"),
        ("a: 1\nbé: \u{0}\n", "f.yaml:2:5", "U+0000"),
        ("a: \u{FFFF}\n", "f.yaml:1:4", "U+FFFF"),
    ])
    func controlCharactersAreReportedWhereTheyAre(_ text: String, _ position: String, _ codePoint: String) {
        let message = "control character \(codePoint) is not allowed in YAML; write it as an escape in a double-quoted string"
        #expect(Self.error(text)?.summary == "\(position): error: \(message)")
    }

    // 8. Scalar resolution and emission.
    @Test(arguments: ["0x-1", "0x+5", "0o-7", "0x", "1_000", "+-1", "1e", ".", "1.2.3"])
    func malformedNumbersAreStrings(_ text: String) {
        #expect(Node.resolvePlain(text) == .string(text))
    }

    /// Strings that kubectl's YAML 1.1 reader (go-yaml v2) would take as another type are quoted.
    @Test(arguments: ["0b101", "-0B11", "0O17", "1_000", "2024-01-02", "2001-12-14 21:59:43.10 -5"])
    func stringsGoYAMLReadsAsOtherTypesAreQuoted(_ text: String) {
        #expect(Node.needsQuoting(text))
        #expect(YAMLEmitter.emit(Node.mapping(["v": .string(text)])) == "v: \"\(text)\"\n")
    }

    @Test func integersOutOfRangeAreStillIntegers() throws {
        let node = try #require(try YAMLParser.parse("a: 99999999999999999999\nb: 0x1FFFFFFFFFFFFFFFF\nc: -9223372036854775808\n"))
        #expect(node["a"]?.integer == .outOfRange("99999999999999999999"))
        #expect(node["a"]?.int == nil)
        #expect(node["a"]?.kindDescription == "an integer out of range")
        #expect(node["b"]?.integer == .outOfRange("0x1ffffffffffffffff"))
        #expect(node["c"]?.int == Int.min)
    }

    @Test func nullTaggedValuesResolveToNull() throws {
        let node = try #require(try YAMLParser.parse("a: !!null foo\nb: !!null\n"))
        #expect(node["a"]?.isNull == true)
        #expect(node["b"]?.isNull == true)
    }

    @Test(arguments: [
        ("a: !!null foo\n", "a: null\n"),
        ("a: !!float 1\n", "a: 1.0\n"),
        ("a: !!bool \"true\"\n", "a: true\n"),
        ("a: 0o777\n", "a: 511\n"),
        ("a: 0777\n", "a: 0777\n"),  // kubectl reads 0777 as octal, as Kubernetes manifests mean it
        ("a: !!int \"0777\"\n", "a: 777\n"),
        ("a: 0x1F\n", "a: 31\n"),
        ("a: !!binary aGVsbG8=\n", "a: !!binary aGVsbG8=\n"),
        ("a: \"0o777\"\n", "a: \"0o777\"\n"),
        ("!\n", "null\n"),  // found by libFuzzer: an empty root was emitted as no document at all
        ("{? !\n: ~}", "{null: ~}\n"),
    ])
    func emitterKeepsMeaning(_ text: String, _ emitted: String) throws {
        let node = try #require(try YAMLParser.parse(text))
        #expect(YAMLEmitter.emit(node) == emitted)
        #expect(try YAMLParser.parse(emitted) == node)
    }

    // 9. Files are read with a byte limit.
    @Test func sourceFileRefusesDirectoriesLargeFilesAndBadBytes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("yaml-source-file-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func failure(_ path: String, limit: Int = 100) -> String? {
            do {
                _ = try SourceFile.read(path: path, file: "f.yaml", limit: limit)
                return nil
            } catch {
                return error.summary
            }
        }
        #expect(failure(dir.path) == "f.yaml:1:1: error: cannot read f.yaml: it is a directory, not a file")
        #expect(failure(dir.appendingPathComponent("none").path) == "f.yaml:1:1: error: no such file")
        let big = dir.appendingPathComponent("big.yaml")
        try Data(repeating: 0x61, count: 101).write(to: big)
        #expect(failure(big.path) == "f.yaml:1:1: error: the file is 101 bytes, over the limit of 100 bytes; split it into smaller files")
        let bad = dir.appendingPathComponent("bad.yaml")
        try Data([0x61, 0x0A, 0x62, 0xFF]).write(to: bad)
        #expect(failure(bad.path) == "f.yaml:2:2: error: invalid UTF-8 byte 0xFF at byte 3; the file must be UTF-8 text")
        let good = dir.appendingPathComponent("good.yaml")
        try Data("a: é\n".utf8).write(to: good)
        #expect(try SourceFile.read(path: good.path, limit: 100) == "a: é\n")
        if getuid() != 0 {
            try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: good.path)
            #expect(failure(good.path) == "f.yaml:1:1: error: cannot read the file: permission denied (Permission denied)")
        }
    }
}
