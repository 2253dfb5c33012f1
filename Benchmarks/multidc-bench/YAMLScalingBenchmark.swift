import Foundation
import MultiDC
import YAML

/// `yaml-scaling`: parse (and validate) time against input size, for the shapes the issue-13
/// fuzz run found quadratic: a long flow sequence, a mapping with many keys, alias expansion
/// (limits raised so the aliases are expanded, not refused), plus `validate` of a spec with
/// many clusters. Each size doubles the previous one: linear growth shows as a constant time
/// per item (the last column).
///
///     swift run -c release multidc-bench yaml-scaling [--runs N]
enum YAMLScalingBenchmark {
    struct Shape {
        let name: String
        let unit: String
        let sizes: [Int]
        let input: (Int) -> String
        let limits: ParseLimits
        let validate: Bool
    }

    static var shapes: [Shape] {
        [
            Shape(
                name: "flow sequence [0,0,…]", unit: "item", sizes: [25_000, 50_000, 100_000, 200_000],
                input: { "[" + Array(repeating: "0", count: $0).joined(separator: ",") + "]" }, limits: .default, validate: false),
            Shape(
                name: "mapping with n keys", unit: "key", sizes: [10_000, 20_000, 40_000, 80_000],
                input: { (0..<$0).map { "k\($0): \($0)" }.joined(separator: "\n") }, limits: .default, validate: false),
            Shape(
                name: "n aliases of a 10-item anchor", unit: "aliase", sizes: [10_000, 20_000, 40_000, 80_000],
                input: { "- &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n" + String(repeating: "- *a\n", count: $0) },
                limits: ParseLimits(maxAliasExpansion: 10_000_000, maxAliasExpansionBytes: 100_000_000), validate: false),
            Shape(
                name: "validate: spec with n clusters", unit: "cluster", sizes: [125, 250, 500, 1000],
                input: spec, limits: .default, validate: true),
        ]
    }

    static func spec(_ clusters: Int) -> String {
        var text = """
            apiVersion: multidc/v1alpha1
            kind: Topology
            metadata:
              name: bench
            spec:
              nodeImage: kindest/node:v1.19.1
              network:
                name: kind
                subnet: 10.0.0.0/12
              loadBalancer:
                metallb:
                  version: v0.13.10
              kms:
                image: vault:1.6.2
                rootToken: { generate: true }
              operator:
                chart: banzaicloud-stable/vault-operator
                repo: { name: banzaicloud-stable, url: https://kubernetes-charts.banzaicloud.com }
              vault:
                template: vault-cr.yaml
              clusters:

            """
        for i in 0..<clusters { text += "    - name: c\(i)\n" }
        return text
    }

    static func run(runs: Int) throws -> String {
        var out = ["shape | size | input bytes | median ms | µs per item", "---|---|---|---|---"]
        for shape in shapes {
            for size in shape.sizes {
                let text = shape.input(size)
                var times: [Double] = []
                for run in 0...runs {  // run 0 warms up
                    let clock = ContinuousClock()
                    let start = clock.now
                    if shape.validate {
                        _ = try TopologyLoader.load(text: text, file: "bench.yaml", options: .init(checkFiles: false))
                    } else {
                        _ = try YAMLParser.parseDocuments(text, file: "bench.yaml", limits: shape.limits)
                    }
                    let elapsed = clock.now - start
                    if run > 0 { times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3) }
                }
                let median = times.sorted()[times.count / 2]
                out.append(
                    "\(shape.name) | \(size) \(shape.unit)s | \(text.utf8.count) | \(String(format: "%.2f", median)) | "
                        + String(format: "%.3f", median * 1000 / Double(size)))
            }
        }
        return out.joined(separator: "\n")
    }
}
