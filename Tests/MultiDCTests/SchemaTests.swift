import Foundation
import MultiDC
import Testing
import YAML

/// specs/topology.schema.json against the examples and the parser.
@Suite struct SchemaTests {
    static let root = ExamplesTests.root
    static let corpus = SpecCorpusTests.directory

    static func schema() throws -> SchemaValidator {
        let text = try String(contentsOf: root.appendingPathComponent("specs/topology.schema.json"), encoding: .utf8)
        return SchemaValidator(root: try #require(try YAMLParser.parse(text, file: "topology.schema.json")))
    }

    static func document(_ url: URL) throws -> Node {
        try #require(try YAMLParser.parse(try String(contentsOf: url, encoding: .utf8), file: url.lastPathComponent))
    }

    @Test func schemaIsDraft202012AndUsesOnlyCheckedKeywords() throws {
        let validator = try Self.schema()
        #expect(validator.root["$schema"]?.string == "https://json-schema.org/draft/2020-12/schema")
        // Validating anything walks every keyword the instance reaches; an unsupported one is reported.
        let examples = try ExamplesTests.examples.map {
            try Self.document(Self.root.appendingPathComponent("examples/\($0)/spec.yaml"))
        }
        for example in examples {
            #expect(validator.validate(example).filter { $0.contains("unsupported keyword") } == [])
        }
    }

    @Test(arguments: ExamplesTests.examples) func exampleValidatesAgainstTheSchema(_ example: String) throws {
        let errors = try Self.schema().validate(try Self.document(Self.root.appendingPathComponent("examples/\(example)/spec.yaml")))
        #expect(errors == [])
    }

    /// Invalid specs of the corpus that the schema can express: both the schema and the parser reject them.
    static let rejectedByBoth = [
        "spec-root-api-version.yaml", "spec-root-kind.yaml", "spec-root-missing-metadata.yaml", "spec-root-missing-spec.yaml",
        "spec-root-sequence.yaml", "spec-root-unknown-key.yaml", "spec-type-spec-string.yaml", "spec-type-node-image-mapping.yaml",
        "spec-type-clusters-mapping.yaml", "spec-type-workers-string.yaml", "spec-type-block-prefix-string.yaml",
        "spec-type-subnet-integer.yaml", "spec-type-cluster-item-string.yaml", "spec-type-operator-values-list.yaml",
        "spec-type-voters-string.yaml", "spec-type-timeout-integer.yaml", "spec-type-manifests-string.yaml",
        "spec-type-workers-negative.yaml", "spec-unknown-node-imag.yaml", "spec-unknown-cluster-worker.yaml",
        "spec-unknown-network-subnett.yaml", "spec-unknown-spec-key-no-hint.yaml", "spec-unknown-kms-key-no-hint.yaml",
        "spec-unknown-several-keys.yaml", "spec-missing-metadata-name.yaml", "spec-missing-kms.yaml",
        "spec-missing-operator-chart.yaml", "spec-missing-cluster-name.yaml", "spec-missing-metallb-version.yaml",
        "spec-missing-kms-image.yaml", "spec-missing-repo-url.yaml", "spec-missing-clusters-empty.yaml",
        "spec-name-cluster-uppercase.yaml", "spec-name-cluster-too-long.yaml", "spec-name-cluster-leading-dash.yaml",
        "spec-name-topology-underscore.yaml", "spec-name-network-space.yaml", "spec-name-vault-namespace.yaml",
        "spec-name-release-too-long.yaml", "spec-name-env-digit.yaml", "spec-name-share-secret.yaml",
        "spec-cidr-no-prefix.yaml", "spec-provider-unknown.yaml", "spec-kms-external-generate.yaml",
        "spec-kms-root-token-both.yaml", "spec-load-balancer-string.yaml", "spec-metallb-version-no-v.yaml",
        "spec-kind-unknown-port-field.yaml", "spec-kind-not-passed-through.yaml", "spec-kind-node-field-at-cluster-level.yaml",
        "spec-kind-typo.yaml", "spec-kind-protocol-lower-case.yaml", "spec-kind-port-range.yaml",
        "spec-kind-feature-gate-quoted.yaml", "spec-kind-labels.yaml",
    ]

    /// Invalid specs whose rules a JSON Schema cannot state (arithmetic on addresses, references
    /// between fields, files, provider-dependent fields): the schema accepts them, the parser does not.
    static let rejectedByParserOnly = [
        "spec-cidr-prefix-too-long.yaml", "spec-cidr-host-bits.yaml", "spec-cidr-ipv6-default-slices.yaml",
        "spec-pool-outside-subnet.yaml", "spec-pool-overlap.yaml", "spec-pool-network-address.yaml", "spec-pool-gateway.yaml",
        "spec-pool-broadcast.yaml", "spec-pool-dot-zero.yaml", "spec-pool-subnet-too-small.yaml",
        "spec-pool-overlap-without-subnet.yaml", "spec-leader-typo.yaml", "spec-leader-unknown.yaml",
        "spec-duplicate-cluster.yaml", "spec-provider-kind-context.yaml", "spec-missing-existing-context.yaml",
        "spec-provider-existing-network.yaml", "spec-provider-existing-kms-container.yaml", "spec-file-template-missing.yaml",
        "spec-file-no-template.yaml", "spec-template-unknown-placeholder-via-spec.yaml", "spec-kind-host-port-every-cluster.yaml",
        "spec-kind-host-port-same-node.yaml", "spec-kind-kubeadm-patches.yaml", "spec-kind-listen-address.yaml",
        "spec-kind-provider-existing.yaml",
    ]

    static func parserRejects(_ name: String) throws -> Bool {
        let text = try String(contentsOf: corpus.appendingPathComponent(name), encoding: .utf8)
        do {
            _ = try TopologyLoader.load(text: text, file: name, options: .init(directory: corpus.path))
            return false
        } catch {
            return !error.items.isEmpty
        }
    }

    @Test(arguments: rejectedByBoth) func schemaAndParserAgreeOnInvalidSpec(_ name: String) throws {
        let errors = try Self.schema().validate(try Self.document(Self.corpus.appendingPathComponent(name)))
        #expect(!errors.isEmpty, "the schema accepts \(name)")
        #expect(try Self.parserRejects(name), "the parser accepts \(name)")
    }

    @Test(arguments: rejectedByParserOnly) func parserGoesBeyondTheSchema(_ name: String) throws {
        #expect(try Self.schema().validate(try Self.document(Self.corpus.appendingPathComponent(name))) == [])
        #expect(try Self.parserRejects(name))
    }

    @Test func validatorRejectsWhatItShould() throws {
        let v = try Self.schema()
        let minimal = try #require(
            try YAMLParser.parse(
                """
                apiVersion: multidc/v1alpha1
                kind: Topology
                metadata: { name: a }
                spec: { kms: { image: v }, operator: { chart: c }, clusters: [{ name: a }] }
                """))
        #expect(v.validate(minimal) == [])
        var bad = minimal
        bad["spec"]?["clusters"] = .sequence([.mapping(["name": .string("A")])])
        #expect(v.validate(bad) == ["$.spec.clusters[0].name: 'A' does not match ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"])
        bad = minimal
        bad["spec"]?["health"] = .mapping(["raft": .mapping(["voters": .scalar("0")])])
        #expect(v.validate(bad) == ["$.spec.health.raft.voters: below the minimum 1"])
        // kindConfig: kind's field names and shapes (docs/tools.md#kind-config).
        var kind = minimal
        kind["spec"]?["kindConfig"] = try YAMLParser.parse(
            "{ featureGates: { A: true, B: yes }, controlPlane: { labels: { zone: a, n: 1 }, extraPortMappings: [ { containerPort: 80, hostPort: -1, protocol: UDP } ] } }"
        )
        #expect(v.validate(kind) == [])
        kind["spec"]?["kindConfig"] = try YAMLParser.parse(
            "{ controlPlane: { extraPortMappings: [ { containerPort: 80, protocol: tcp } ] } }")
        #expect(v.validate(kind) == ["$.spec.kindConfig.controlPlane.extraPortMappings[0].protocol: not one of the allowed values"])
        bad = minimal
        bad["spec"]?["kms"] = .mapping(["image": .string("v"), "url": .string("https://x")])
        #expect(v.validate(bad) == ["$.spec.kms: matches 0 of the oneOf branches"])
    }
}
