import Testing
import YAML

@Suite struct ParserSmokeTests {
    @Test func parsesMappingWithMarks() throws {
        let node = try #require(try YAMLParser.parse("a: 1\nb:\n  - x\n", file: "t.yaml"))
        #expect(node["a"]?.int == 1)
        #expect(node["b"]?.sequence?.first?.scalar == "x")
        #expect(node["b"]?.sequence?.first?.mark == Mark(line: 3, column: 5))
    }
}
