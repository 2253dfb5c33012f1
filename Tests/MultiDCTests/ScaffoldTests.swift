import Foundation
import Testing
import YAML

@testable import MultiDC

/// Issue 12.5, `multidc init`: the files it writes are the examples' (one source of truth: the
/// embedded texts are generated from them by scripts/scaffold.sh), every variant validates (or,
/// with provider existing, names exactly what to fill in), and nothing is ever overwritten.
@Suite struct ScaffoldTests {
    static let root = ExamplesTests.root

    static func example(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// A fresh directory that does not exist yet.
    static func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("multidc-init-\(UUID().uuidString.prefix(8))").path
    }

    /// The files written into a fresh directory, loaded as `multidc validate` loads them.
    static func load(_ options: Scaffold.Options, edit: (String) -> String = { $0 }) throws -> LoadedTopology {
        let dir = directory()
        var files = Scaffold.files(options)
        files[0].text = edit(files[0].text)
        try Scaffold.write(files, to: dir)
        return try TopologyLoader.load(path: dir + "/spec.yaml")
    }

    /// A topology with its file references as written (they resolve in different directories).
    static func normalized(_ t: Topology) -> Topology {
        var t = t
        func plain(_ f: FileReference) -> FileReference { FileReference(written: f.written, resolved: f.written, display: f.written) }
        t.manifests = t.manifests.map(plain)
        t.vault.template = t.vault.template.map(plain)
        for i in t.clusters.indices {
            t.clusters[i].vaultTemplate = t.clusters[i].vaultTemplate.map(plain)
        }
        if case .metallb(var m) = t.loadBalancer {
            m.manifests = m.manifests.map(plain)
            t.loadBalancer = .metallb(m)
        }
        return t
    }

    /// Which template each cluster gets, by cluster.
    static func templates(_ t: Topology) -> [String: String] {
        Dictionary(uniqueKeysWithValues: t.clusters.map { ($0.name, t.template(of: $0)?.written ?? "") })
    }

    // MARK: one source of truth

    @Test(arguments: [
        ("examples/vault-raft/rbac.yaml", Scaffold.vaultRaftRBAC), ("examples/vault-raft/vault-cr.yaml", Scaffold.vaultRaftLeader),
        ("examples/vault-raft/vault-follower.yaml", Scaffold.vaultRaftFollower), ("examples/existing/rbac.yaml", Scaffold.existingRBAC),
        ("examples/existing/vault-leader.yaml", Scaffold.existingLeader),
        ("examples/existing/vault-follower.yaml", Scaffold.existingFollower),
    ])
    func embeddedFilesAreTheExamples(_ path: String, _ embedded: String) throws {
        #expect(embedded == (try Self.example(path)), "\(path) changed: run `bash scripts/scaffold.sh`")
    }

    @Test func theKindSpecForTheExamplesClustersIsExamplesVaultRaft() throws {
        let written = try Self.load(.init(name: "vault-raft", clusters: ["primary", "secondary", "tertiary"]))
        let example = try TopologyLoader.load(path: Self.root.appendingPathComponent("examples/vault-raft/spec.yaml").path)
        #expect(Self.normalized(written.topology) == Self.normalized(example.topology))
        #expect(written.manifests.map(\.documents) == example.manifests.map(\.documents))
    }

    @Test func theExistingSpecFilledInWithTheExamplesValuesIsExamplesExisting() throws {
        let example = try TopologyLoader.load(path: Self.root.appendingPathComponent("examples/existing/spec.yaml").path)
        let clusters = example.topology.clusters
        var options = Scaffold.Options(name: "vault-multi-region", clusters: clusters.map(\.name), provider: .existing)
        options.leader = example.topology.leader.name
        let written = try Self.load(options) { text in
            var text = text.replacingOccurrences(
                of: "\"<fill in: the URL of the external KMS Vault, like https://vault.example.com:8200>\"",
                with: "https://kms.vault.example.com:8200")
            for cluster in clusters {
                text = text.replacingOccurrences(
                    of: "\"<fill in: the kubeconfig context of cluster \(cluster.name)>\"", with: "'\(cluster.context!)'")
            }
            return text
        }
        var expected = Self.normalized(example.topology)
        // The example leaves the leader (the first cluster) implicit; init names it. Templates: the
        // example's leader file is vault-leader.yaml, init's vault-cr.yaml.
        expected.vault.leader = written.topology.vault.leader
        expected.clusters[0].vaultTemplate = FileReference(written: "vault-cr.yaml", resolved: "vault-cr.yaml", display: "vault-cr.yaml")
        #expect(Self.normalized(written.topology) == expected)
        #expect(written.manifests.map(\.documents) == example.manifests.map(\.documents))
    }

    // MARK: every variant

    static let kindVariants: [Scaffold.Options] = [
        .init(name: "one", clusters: ["dc-1"]),
        .init(name: "three", clusters: ["dc-1", "dc-2", "dc-3"]),
        .init(name: "five", clusters: (1...5).map { "dc-\($0)" }, leader: "dc-3", metallb: "v0.13.10"),
        .init(name: "named", clusters: ["east", "west"], leader: "west", metallb: "v0.12.1"),
    ]

    @Test(arguments: kindVariants) func everyKindVariantValidates(_ options: Scaffold.Options) throws {
        let loaded = try Self.load(options)
        let t = loaded.topology
        #expect(t.name == options.name && t.provider == .kind)
        #expect(t.clusters.map(\.name) == options.clusters)
        #expect(t.leader.name == options.leader)
        #expect(t.loadBalancer == .metallb(.init(version: options.metallb)))
        #expect(t.vault.shareSecrets == ["vault-\(options.leader)-tls"])
        #expect(t.health.raft.voters == options.clusters.count)
        for (cluster, template) in Self.templates(t) {
            #expect(template == (cluster == options.leader ? "vault-cr.yaml" : "vault-follower.yaml"))
        }
        #expect(loaded.warnings.isEmpty)
        // The followers' CR mounts the leader's secret, whatever the leader is called.
        let follower = try #require(t.clusters.first { $0.name != options.leader } ?? t.clusters.first)
        let values = TemplateValues.for(topology: t, cluster: follower)
        let cr = try #require(try ClusterManifests.render(loaded, cluster: follower, values: values, mode: .display).vault.first)
        if follower.name != options.leader {
            #expect(cr[path: "spec", "volumes"]?.sequence?.first?[path: "secret", "secretName"]?.string == "vault-\(options.leader)-tls")
        }
    }

    @Test func theSpecCarriesTheSchemaModeline() {
        for provider in Topology.Provider.allCases {
            let spec = Scaffold.files(.init(name: "m", clusters: ["a"], provider: provider))[0].text
            #expect(spec.hasPrefix("# yaml-language-server: $schema=https://multidc.dev/schemas/topology.schema.json\n"))
        }
    }

    @Test func theExistingVariantNamesExactlyWhatToFillIn() throws {
        let options = Scaffold.Options(name: "cloud", clusters: ["east", "west"], leader: "west", provider: .existing)
        let dir = Self.directory()
        try Scaffold.write(Scaffold.files(options), to: dir)
        let path = dir + "/spec.yaml"
        do {
            _ = try TopologyLoader.load(path: path)
            Issue.record("the placeholders validate")
        } catch {
            #expect(
                error.items.map { "\($0.mark.line):\($0.mark.column): \($0.message)" } == [
                    "18:10: `multidc init` left a placeholder here: fill in the URL of the external KMS Vault, like https://vault.example.com:8200",
                    "34:16: `multidc init` left a placeholder here: fill in the kubeconfig context of cluster east",
                    "36:16: `multidc init` left a placeholder here: fill in the kubeconfig context of cluster west",
                ])
        }
        // Filled in, it validates.
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "\"<fill in: the URL of the external KMS Vault, like https://vault.example.com:8200>\"",
            with: "https://kms.example.com:8200")
        text = text.replacingOccurrences(of: "\"<fill in: the kubeconfig context of cluster east>\"", with: "gke_p_us-east1_vault")
        text = text.replacingOccurrences(of: "\"<fill in: the kubeconfig context of cluster west>\"", with: "gke_p_us-west1_vault")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let t = try TopologyLoader.load(path: path).topology
        #expect(t.provider == .existing && t.leader.name == "west")
        #expect(Self.templates(t) == ["east": "vault-follower.yaml", "west": "vault-cr.yaml"])
        #expect(t.kms == .external(url: "https://kms.example.com:8200", rootToken: .fromEnv("MULTIDC_KMS_TOKEN")))
    }

    // MARK: options

    static func failure(
        directory: String = "/tmp/lab", name: String? = nil, count: Int? = nil, names: [String]? = nil, leader: String? = nil,
        metallb: String? = nil, provider: Topology.Provider = .kind
    ) -> String? {
        do {
            _ = try Scaffold.options(
                directory: directory, name: name, count: count, names: names, leader: leader, metallb: metallb, provider: provider)
            return nil
        } catch {
            #expect(error.isUsage)
            return error.message
        }
    }

    @Test func optionsNameTheClustersAndCheckEverything() throws {
        let defaults = try Scaffold.options(
            directory: "/tmp/vault-lab/", name: nil, count: nil, names: nil, leader: nil, metallb: nil, provider: .kind)
        #expect(defaults == .init(name: "vault-lab", clusters: ["dc-1", "dc-2", "dc-3"], leader: "dc-1", metallb: "v0.14.9"))
        let five = try Scaffold.options(directory: "lab", name: "x", count: 5, names: nil, leader: "dc-4", metallb: nil, provider: .kind)
        #expect(five.clusters == ["dc-1", "dc-2", "dc-3", "dc-4", "dc-5"] && five.leader == "dc-4" && five.name == "x")
        #expect(Self.failure(count: 0) == "--clusters must be at least 1, got 0")
        #expect(Self.failure(count: 3, leader: "dc-4") == "--leader 'dc-4' is not one of the clusters; did you mean 'dc-1'?")
        #expect(
            Self.failure(names: ["east", "west"], leader: "north")
                == "--leader 'north' is not one of the clusters; the clusters are east, west")
        #expect(Self.failure(count: 3, names: ["a", "b"]) == "--clusters 3 but --names lists 2 names; give one of them")
        #expect(Self.failure(names: ["a", "a"]) == "--names: duplicate cluster 'a'")
        #expect(
            Self.failure(names: ["East"])
                == "--names: invalid cluster name 'East': use lower-case letters, digits and '-', starting and ending with a letter or digit"
        )
        #expect(Self.failure(names: ["a", ""])?.hasPrefix("--names: invalid cluster name ''") == true)
        #expect(Self.failure(metallb: "0.14.9") == "--metallb '0.14.9': write a release tag like v0.14.9")
        #expect(
            Self.failure(metallb: "v0.14.9", provider: .existing)
                == "--metallb is for provider kind; with provider existing the clouds give the LoadBalancer addresses (loadBalancer: none)")
        #expect(
            Self.failure(directory: "/tmp/My Lab")
                == "invalid topology name 'My Lab': use lower-case letters, digits and '-', starting and ending with a letter or digit (from the directory's name); give one with --name"
        )
        #expect(Self.failure(name: "a_b")?.hasPrefix("--name: invalid topology name 'a_b'") == true)
    }

    // MARK: writing

    @Test func nothingIsOverwrittenAndEveryFileInTheWayIsNamed() throws {
        let dir = Self.directory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "mine\n".write(toFile: dir + "/rbac.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/spec.yaml", withDestinationPath: dir + "/nowhere")
        let files = Scaffold.files(.init(name: "lab", clusters: ["dc-1"]))
        #expect(
            throws: Scaffold.Failure(
                "refusing to overwrite \(dir)/spec.yaml, \(dir)/rbac.yaml: they exist; nothing was written", isUsage: false)
        ) {
            try Scaffold.write(files, to: dir)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["rbac.yaml", "spec.yaml"])
        #expect(try String(contentsOfFile: dir + "/rbac.yaml", encoding: .utf8) == "mine\n")
        // A file where the directory should be.
        #expect(throws: Scaffold.Failure("\(dir)/rbac.yaml exists and is not a directory; nothing was written", isUsage: false)) {
            try Scaffold.write(files, to: dir + "/rbac.yaml")
        }
        // Missing directories are made.
        let nested = Self.directory() + "/a/b"
        try Scaffold.write(files, to: nested)
        #expect(try FileManager.default.contentsOfDirectory(atPath: nested).sorted() == Scaffold.fileNames.sorted())
    }
}
