import Foundation
import Testing
import YAML

@testable import MultiDC

/// A Vault CR's ServiceAccount must be created by the spec's manifests: the operator does not
/// create it and Kubernetes' admission refuses pods naming a missing account.
@Suite struct ServiceAccountCheckTests {
    static func write(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("multidc-sa-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: "\(dir)/\(name)", atomically: true, encoding: .utf8) }
        return dir
    }

    static let template = """
        apiVersion: vault.banzaicloud.com/v1alpha1
        kind: Vault
        metadata:
          name: vault-${{ cluster.name }}
        spec:
          size: 1
          serviceAccount: vault
        """

    static func spec(manifests: [String]) -> String {
        """
        apiVersion: multidc/v1alpha1
        kind: Topology
        metadata: { name: sa-check }
        spec:
          kms: { name: kms, image: vault:1.6.2, rootToken: { generate: true } }
          operator: { chart: oci://ghcr.io/bank-vaults/helm-charts/vault-operator }
          manifests: [\(manifests.joined(separator: ", "))]
          vault: { template: vault-cr.yaml }
          clusters: [ { name: a } ]
        """
    }

    @Test func missingAccountIsAPositionedWarning() throws {
        let dir = try Self.write(["spec.yaml": Self.spec(manifests: []), "vault-cr.yaml": Self.template])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let loaded = try TopologyLoader.load(path: "\(dir)/spec.yaml")
        let warning = try #require(loaded.warnings.first)
        #expect(loaded.warnings.count == 1)
        #expect(warning.severity == .warning)
        #expect(warning.file.hasSuffix("vault-cr.yaml"))
        #expect(warning.mark == Mark(line: 7, column: 19))
        #expect(warning.message.hasPrefix("the Vault CR runs as ServiceAccount default/vault, which no file in spec.manifests creates"))
    }

    @Test func anAccountInTheManifestsSatisfiesIt() throws {
        let rbac = """
            apiVersion: v1
            kind: ServiceAccount
            metadata: { name: vault }
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: { name: vault }
            rules: []
            """
        let dir = try Self.write([
            "spec.yaml": Self.spec(manifests: ["rbac.yaml"]), "vault-cr.yaml": Self.template, "rbac.yaml": rbac,
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try TopologyLoader.load(path: "\(dir)/spec.yaml").warnings.isEmpty)
        // An account in another namespace does not count.
        let elsewhere = rbac.replacingOccurrences(
            of: "metadata: { name: vault }\n---", with: "metadata: { name: vault, namespace: other }\n---")
        try elsewhere.write(toFile: "\(dir)/rbac.yaml", atomically: true, encoding: .utf8)
        #expect(try TopologyLoader.load(path: "\(dir)/spec.yaml").warnings.count == 1)
    }

    @Test func aBrokenManifestIsAnErrorOfValidate() throws {
        let dir = try Self.write([
            "spec.yaml": Self.spec(manifests: ["rbac.yaml"]), "vault-cr.yaml": Self.template, "rbac.yaml": "a: [1, 2\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: Diagnostics.self) { try TopologyLoader.load(path: "\(dir)/spec.yaml") }
    }
}
