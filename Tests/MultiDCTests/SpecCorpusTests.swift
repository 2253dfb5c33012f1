import Foundation
import MultiDC
import Testing
import YAML

/// The bad-input corpus: every file under Corpus/ named `spec-*.yaml` (a spec, loaded like
/// `multidc validate` loads it) or `template-*.yaml` (a template, parsed and checked) ends
/// with `# expect: [file:]line:column: message` lines — exactly the diagnostics it must give,
/// in order. A file in an expectation is relative to Corpus/; without one it is the case itself.
@Suite struct SpecCorpusTests {
    static let directory: URL = Bundle.module.url(forResource: "Corpus", withExtension: nil)!

    static let cases: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { ($0.hasPrefix("spec-") || $0.hasPrefix("template-")) && $0.hasSuffix(".yaml") }.sorted()
    }()

    @Test func corpusHoldsAtLeastFiftyCases() {
        #expect(Self.cases.count >= 50)
    }

    @Test(arguments: cases) func rejectsWithExactMessageAndPosition(_ name: String) throws {
        let path = Self.directory.appendingPathComponent(name).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let expected = text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("# expect: ") else { return nil }
            let body = String(line.dropFirst("# expect: ".count))
            return body.first?.isNumber == true ? "\(name):\(body)" : body
        }
        #expect(!expected.isEmpty, "\(name) has no '# expect:' line")
        let actual = diagnostics(of: name, text: text, path: path).map {
            let file = $0.file.hasPrefix(Self.directory.path + "/") ? String($0.file.dropFirst(Self.directory.path.count + 1)) : $0.file
            return "\(file):\($0.mark.line):\($0.mark.column): \($0.message)"
        }
        #expect(actual == expected)
    }

    func diagnostics(of name: String, text: String, path: String) -> [Diagnostic] {
        if name.hasPrefix("template-") {
            do {
                return try Template.parse(text: text, file: path).check()
            } catch {
                return error.items
            }
        }
        do {
            let options = TopologyLoader.Options(directory: Self.directory.path)
            _ = try TopologyLoader.load(text: text, file: name, options: options)
            return []
        } catch {
            return error.items
        }
    }
}
