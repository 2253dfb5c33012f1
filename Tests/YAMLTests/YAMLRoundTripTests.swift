import Testing
import YAML

@Suite struct YAMLRoundTripTests {
    static let documents = [
        "a: 1\nb: [x, y]\nc: {d: true, e: null}\n",
        "s: \"true\"\nn: \"1.10\"\nq: 'yes'\nplain: hello world\n",
        "text: |\n  line one\n  line two\nfolded: >\n  a b\n",
        "- 1\n- -2\n- 3.5\n- 0x1F\n- ~\n- \"\"\n",
        "key with spaces: value\n\"quoted key\": v\nempty: {}\nlist: []\n",
        "unicode: \"h\u{e9}llo \u{2713}\"\nemoji: \u{1F600}\n",
        "anchors: &a {x: 1}\ncopy: *a\n",
        "tagged: !custom value\nother: !local [1, 2]\n",
        "core: !!str 123\nnumber: !!int \"7\"\nflag: !!bool \"true\"\n",
        "doc: 1\n---\ndoc: 2\n---\n- three\n",
        "nested:\n  deeper:\n    - a: [1, {b: c}]\n      d: |-\n        no newline\n",
        "colon: \"a: b\"\nhash: \"a #b\"\ndash: \"- x\"\ntime: \"12:30\"\n",
    ]

    @Test(arguments: documents) func parseEmitParse(_ text: String) throws {
        let first = try YAMLParser.parseDocuments(text, file: "a.yaml")
        let emitted = YAMLEmitter.emit(first)
        let second = try YAMLParser.parseDocuments(emitted, file: "b.yaml")
        #expect(first == second, "emitted:\n\(emitted)")
        #expect(YAMLEmitter.emit(second) == emitted)
    }

    @Test func stringsThatLookLikeOtherTypesStayStrings() throws {
        for text in ["true", "no", "1.10", "0x10", "~", "null", "12:30", "1e3", "-.inf"] {
            let node = Node.mapping(["v": .string(text)])
            let back = try #require(try YAMLParser.parse(YAMLEmitter.emit(node)))
            #expect(back["v"]?.string == text)
        }
    }
}

@Suite struct YAMLGuardTests {
    @Test func billionLaughsIsRefusedAtTheAlias() {
        var text = "l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n"
        for i in 1...8 { text += "l\(i): &l\(i) [" + Array(repeating: "*l\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        #expect(throws: Diagnostic.self) { try YAMLParser.parse(text, file: "bomb.yaml") }
        do {
            _ = try YAMLParser.parse(text, file: "bomb.yaml")
        } catch {
            #expect(error.summary.hasPrefix("bomb.yaml:4:"))
            #expect(error.message.hasSuffix("aliases this deep are refused (billion laughs)"))
        }
    }

    @Test func smallAliasesAreFine() throws {
        let node = try #require(try YAMLParser.parse("a: &x [1, 2]\nb: *x\n"))
        #expect(node["b"] == node["a"])
    }

    @Test func duplicateKeysNameTheFirstPosition() {
        do {
            _ = try YAMLParser.parse("a: 1\nb:\n  c: 1\n  c: 2\n", file: "d.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.summary == "d.yaml:4:3: error: duplicate key 'c'; it was first set at line 3, column 3")
            #expect(error.description == "d.yaml:4:3: error: duplicate key 'c'; it was first set at line 3, column 3\n  c: 2\n  ^")
        }
    }

    @Test func oversizeInputIsRefused() {
        let limits = ParseLimits(maxBytes: 100)
        do {
            _ = try YAMLParser.parse(String(repeating: "a", count: 101), file: "big.yaml", limits: limits)
            Issue.record("expected an error")
        } catch {
            #expect(error.summary == "big.yaml:1:1: error: input is 101 bytes, over the limit of 100 bytes; split it into smaller files")
        }
    }

    @Test(arguments: [
        ("a: [1, 2\n", "x.yaml:2:1: error: did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 4)"),
        ("a: b: c\n", "x.yaml:1:5: error: mapping values are not allowed in this context"),
        (
            "a:\n\t- b\n",
            "x.yaml:2:1: error: found character that cannot start any token (while scanning for the next token at line 2, column 1)"
        ),
        ("a: \"open\n", "x.yaml:2:1: error: found unexpected end of stream (while scanning a quoted scalar at line 1, column 4)"),
        ("a: *nope\n", "x.yaml:1:4: error: unknown alias '*nope'"),
    ])
    func libyamlErrorsArePositioned(_ text: String, _ summary: String) {
        do {
            _ = try YAMLParser.parse(text, file: "x.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.summary == summary)
        }
    }

    @Test func deepNestingIsRefused() {
        let text = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: Diagnostic.self) { try YAMLParser.parse(text, file: "deep.yaml") }
    }
}
