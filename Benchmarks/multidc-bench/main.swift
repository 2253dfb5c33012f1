import Foundation
import MultiDC

/// Benchmarks (not tests). Run in release:
///
///     swift run -c release multidc-bench validate-500 [--runs N]
///     swift run -c release multidc-bench write-spec-500 DIR   # the same spec + template as files
///
/// Each benchmark prints its median over N runs (after one warm-up run). The whole-world
/// benchmarks (no-op diff, converge) are driven by Benchmarks/bench.sh; see BENCHMARKS.md.
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "write-spec-500", let dir = arguments[safe: 1] {
    do {
        try ValidateBenchmark.write(to: URL(fileURLWithPath: dir))
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("multidc-bench: \(error)\n".utf8))
        exit(1)
    }
}
let runs = arguments.firstIndex(of: "--runs").flatMap { Int(arguments[safe: $0 + 1] ?? "") } ?? 21
let benchmarks: [String: (Int) throws -> String] = [
    "yaml-scaling": YAMLScalingBenchmark.run,
    "validate-500": ValidateBenchmark.run,
]

guard let name = arguments.first, let benchmark = benchmarks[name] else {
    FileHandle.standardError.write(Data("usage: multidc-bench <\(benchmarks.keys.sorted().joined(separator: "|"))> [--runs N]\n".utf8))
    exit(2)
}
do {
    print(try benchmark(runs))
} catch {
    FileHandle.standardError.write(Data("multidc-bench: \(error)\n".utf8))
    exit(1)
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
