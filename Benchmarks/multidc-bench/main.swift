import Foundation
import MultiDC

/// Benchmarks (not tests). Run in release:
///
///     swift run -c release multidc-bench validate-500 [--runs N]
///
/// Each benchmark prints its median over N runs (after one warm-up run).
let arguments = Array(CommandLine.arguments.dropFirst())
let runs = arguments.firstIndex(of: "--runs").flatMap { Int(arguments[safe: $0 + 1] ?? "") } ?? 21
let benchmarks: [String: (Int) throws -> String] = [
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
