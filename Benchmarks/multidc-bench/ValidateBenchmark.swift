import Foundation
import MultiDC

/// `validate-500`: load and validate a generated spec of 500 clusters (pinned subnet, so every
/// pool is sliced and checked), with one template, as `multidc validate` does.
enum ValidateBenchmark {
    static let clusterCount = 500

    static func spec() -> String {
        var text = """
            apiVersion: multidc/v1alpha1
            kind: Topology
            metadata:
              name: bench
            spec:
              nodeImage: kindest/node:v1.19.1
              network:
                name: kind
                subnet: 10.0.0.0/14
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
                shareSecrets: [vault-c0-tls]
              clusters:

            """
        for i in 0..<clusterCount {
            text += "    - name: c\(i)\n"
            if i % 10 == 0 { text += "      workers: 1\n" }
        }
        text += "  health:\n    raft: { voters: \(clusterCount), timeout: 30m }\n"
        return text
    }

    static let template = """
        apiVersion: vault.banzaicloud.com/v1alpha1
        kind: Vault
        metadata:
          name: vault-${{ cluster.name }}
        spec:
          size: 1
          serviceType: LoadBalancer
          loadBalancerIP: ${{ cluster.loadBalancerIP }}
          raftLeaderAddress: ${{ cluster.raftLeaderAddress }}
          unsealConfig:
            vault:
              address: http://${{ kms.address }}:8200
              token: ${{ kms.token }}
              unsealKeysPath: secret/data/vault-unseal-keys

        """

    /// Writes spec.yaml and vault-cr.yaml into `dir` (created when missing).
    static func write(to dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try spec().write(to: dir.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
        try template.write(to: dir.appendingPathComponent("vault-cr.yaml"), atomically: true, encoding: .utf8)
    }

    static func run(runs: Int) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "multidc-bench-\(ProcessInfo.processInfo.processIdentifier)")
        try write(to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let specPath = dir.appendingPathComponent("spec.yaml").path

        func once() throws -> Duration {
            let clock = ContinuousClock()
            let start = clock.now
            let loaded = try TopologyLoader.load(path: specPath)
            let pools = try loaded.pools()
            let elapsed = clock.now - start
            precondition(loaded.topology.clusters.count == clusterCount && pools.count == clusterCount)
            return elapsed
        }
        _ = try once()  // warm-up
        var samples: [Duration] = []
        for _ in 0..<max(1, runs) { samples.append(try once()) }
        samples.sort()
        let median = samples[samples.count / 2]
        func ms(_ d: Duration) -> String {
            String(format: "%.2f ms", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
        }
        return "validate-500: median \(ms(median)) over \(samples.count) runs (min \(ms(samples.first!)), max \(ms(samples.last!)))"
    }
}
