import MultiDC
import YAML

/// One fuzz case through every layer that reads text, checking properties that must hold for
/// any input (a crash is found by the process dying):
///
/// - YAML: `YAMLParser.parseDocuments` either fails with a diagnostic or gives documents that
///   emit and parse back equal (`YAMLEmitter.emit`, then parse again);
/// - the spec decoder: `TopologyLoader.load(text:file:options:)` (files not checked);
/// - the template layer: `Template.parse(text:file:)`;
/// - diagnostics: rendered as the CLI does (`Diagnostics.rendered(limit:)`), within a bound.
enum FuzzTarget {
    struct Outcome {
        /// Bytes of rendered diagnostics: what a user would see on the terminal.
        var outputBytes = 0
        /// Bytes of emitted YAML (proportional to the input and its alias expansion: not bounded).
        var emittedBytes = 0
        /// Properties that did not hold, one line each.
        var problems: [String] = []
        /// Seconds spent in each layer: YAML, spec, template.
        var seconds: [String: Double] = [:]
    }

    static let renderLimit = 100

    static func run(_ bytes: [UInt8]) -> Outcome {
        var outcome = Outcome()
        let text = String(decoding: bytes, as: UTF8.self)
        let clock = ContinuousClock()
        var start = clock.now
        func lap(_ layer: String) {
            let now = clock.now
            let elapsed = (now - start).components
            outcome.seconds[layer] = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
            start = now
        }
        do {
            let documents = try YAMLParser.parseDocuments(text, file: "fuzz.yaml")
            let emitted = YAMLEmitter.emit(documents)
            outcome.emittedBytes = emitted.utf8.count
            do {
                let again = try YAMLParser.parseDocuments(emitted, file: "emitted.yaml")
                if again != documents {
                    let first =
                        zip(documents, again).first { $0 != $1 }.map { "\($0.0) became \($0.1)" }
                        ?? "\(documents.count) → \(again.count) documents"
                    outcome.problems.append("round trip: the emitted YAML parses to different documents: \(first.prefix(300))")
                }
            } catch {
                outcome.problems.append("round trip: the emitted YAML does not parse: \(error.summary)")
            }
            for document in documents { _ = document.description }
        } catch {
            outcome.outputBytes += render(Diagnostics([error]), into: &outcome)
        }
        lap("yaml")
        do {
            _ = try TopologyLoader.load(text: text, file: "fuzz.yaml", options: .init(checkFiles: false))
        } catch {
            outcome.outputBytes += render(error, into: &outcome)
        }
        lap("spec")
        do {
            _ = try Template.parse(text: text, file: "fuzz-template.yaml")
        } catch {
            outcome.outputBytes += render(error, into: &outcome)
        }
        lap("template")
        return outcome
    }

    /// Renders as the CLI should, checking that every diagnostic's excerpt stays small.
    static func render(_ diagnostics: Diagnostics, into outcome: inout Outcome) -> Int {
        for item in diagnostics.items.prefix(renderLimit) {
            let excerpt = item.description.utf8.count - item.summary.utf8.count
            if excerpt > 8 * Diagnostic.excerptWidth + 16 {
                outcome.problems.append("diagnostic excerpt of \(excerpt) bytes at \(item.mark): \(item.message.prefix(80))")
            }
        }
        return diagnostics.rendered(limit: renderLimit).utf8.count
    }
}
