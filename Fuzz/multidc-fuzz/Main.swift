#if !MULTIDC_LIBFUZZER
    import Foundation

    /// The deterministic fuzz harness (see Fuzz/README.md):
    ///
    ///     multidc-fuzz run [--corpus Fuzz/corpus] [--cases 20000] [--seed 13] [--max-seconds 2]
    ///                      [--max-output 1048576] [--out .build/fuzz]
    ///     multidc-fuzz replay FILE...
    ///
    /// `run` mutates the seed corpus with a fixed seed, runs every case through `FuzzTarget`, and
    /// exits 1 when a case fails a property, takes over `--max-seconds`, or renders more than
    /// `--max-output` bytes; each failing case is saved in `--out`. The case being run is always
    /// in `--out/current.yaml`, so a crash (the process dies) leaves it behind.
    @main struct FuzzMain {
        static func main() {
            var arguments = Array(CommandLine.arguments.dropFirst())
            let command = arguments.isEmpty ? "run" : arguments.removeFirst()
            func option(_ name: String, _ fallback: String) -> String {
                guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return fallback }
                return arguments[i + 1]
            }
            switch command {
            case "run":
                let settings = Run.Settings(
                    corpus: option("--corpus", "Fuzz/corpus"),
                    cases: Int(option("--cases", "20000")) ?? 20_000,
                    seed: UInt64(option("--seed", "13")) ?? 13,
                    maxSeconds: Double(option("--max-seconds", "2")) ?? 2,
                    maxOutput: Int(option("--max-output", "1048576")) ?? 1_048_576,
                    out: option("--out", ".build/fuzz"))
                exit(Run(settings).start() ? 0 : 1)
            case "replay":
                var ok = true
                for path in arguments {
                    guard let data = FileManager.default.contents(atPath: path) else {
                        print("\(path): cannot read")
                        ok = false
                        continue
                    }
                    let clock = ContinuousClock()
                    let start = clock.now
                    let outcome = FuzzTarget.run(Array(data))
                    let seconds = (clock.now - start).seconds
                    print(
                        "\(path): \(data.count) bytes, \(String(format: "%.3f", seconds)) s, output \(outcome.outputBytes) bytes; "
                            + outcome.seconds.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.3f", $0.value)) s" }
                            .joined(separator: ", "))
                    for problem in outcome.problems { print("  \(problem)") }
                    ok = ok && outcome.problems.isEmpty
                }
                exit(ok ? 0 : 1)
            default:
                FileHandle.standardError.write(Data("usage: multidc-fuzz run [options] | replay FILE...\n".utf8))
                exit(2)
            }
        }
    }

    struct Run {
        struct Settings {
            var corpus: String
            var cases: Int
            var seed: UInt64
            var maxSeconds: Double
            var maxOutput: Int
            var out: String
        }

        let settings: Settings

        init(_ settings: Settings) { self.settings = settings }

        func start() -> Bool {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: settings.corpus)) ?? []).sorted()
            let corpus = files.compactMap { FileManager.default.contents(atPath: settings.corpus + "/" + $0).map(Array.init) }
            try? FileManager.default.createDirectory(atPath: settings.out, withIntermediateDirectories: true)
            let current = settings.out + "/current.yaml"
            var mutator = Mutator(seed: settings.seed, corpus: corpus)
            print("multidc-fuzz: \(corpus.count) seeds from \(settings.corpus), seed \(settings.seed), \(settings.cases) cases")
            let clock = ContinuousClock()
            let begin = clock.now
            var failures = 0
            var slowest = (seconds: 0.0, index: 0, size: 0)
            var largest = (bytes: 0, index: 0)
            var totalBytes = 0
            // The seeds themselves first, then mutants.
            for index in 0..<(corpus.count + settings.cases) {
                let input = index < corpus.count ? corpus[index] : mutator.next()
                totalBytes += input.count
                _ = FileManager.default.createFile(atPath: current, contents: Data(input))
                let start = clock.now
                let outcome = FuzzTarget.run(input)
                let seconds = (clock.now - start).seconds
                if seconds > slowest.seconds { slowest = (seconds, index, input.count) }
                if outcome.outputBytes > largest.bytes { largest = (outcome.outputBytes, index) }
                var problems = outcome.problems
                if seconds > settings.maxSeconds {
                    problems.append("took \(String(format: "%.2f", seconds)) s, over \(settings.maxSeconds) s")
                }
                if outcome.outputBytes > settings.maxOutput {
                    problems.append("rendered \(outcome.outputBytes) bytes, over \(settings.maxOutput)")
                }
                if !problems.isEmpty {
                    failures += 1
                    let path = settings.out + "/failure-\(index).yaml"
                    _ = FileManager.default.createFile(atPath: path, contents: Data(input))
                    print("case \(index) (\(input.count) bytes, saved as \(path)):")
                    for problem in problems { print("  \(problem)") }
                }
            }
            try? FileManager.default.removeItem(atPath: current)
            let elapsed = (clock.now - begin).seconds
            print(
                "multidc-fuzz: \(corpus.count + settings.cases) cases (\(totalBytes) bytes) in \(String(format: "%.1f", elapsed)) s; "
                    + "slowest case \(slowest.index) (\(slowest.size) bytes) \(String(format: "%.3f", slowest.seconds)) s; "
                    + "largest output \(largest.bytes) bytes (case \(largest.index)); \(failures) failing")
            return failures == 0
        }
    }

    extension Duration {
        var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    }
#endif
