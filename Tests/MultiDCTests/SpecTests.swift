import Foundation
import MultiDC
import Testing
import YAML

@Suite struct SpecTests {
    static let minimal = """
        apiVersion: multidc/v1alpha1
        kind: Topology
        metadata:
          name: mini
        spec:
          kms:
            image: vault:1.6.2
          operator:
            chart: banzaicloud-stable/vault-operator
          vault:
            template: vault-cr.yaml
          clusters:
            - name: one
            - name: two
        """

    static func load(_ text: String) throws(Diagnostics) -> LoadedTopology {
        try TopologyLoader.load(text: text, file: "spec.yaml", options: .init(checkFiles: false))
    }

    @Test func defaultsOfEveryField() throws {
        let t = try Self.load(Self.minimal).topology
        #expect(t.name == "mini")
        #expect(t.provider == .kind)
        #expect(t.nodeImage == nil)
        #expect(t.network == Topology.Network(name: "kind", subnet: nil, slices: .init(blockPrefix: 24, firstBlock: 1, poolPrefix: 25)))
        #expect(t.loadBalancer == .metallb(.init(version: "v0.13.10")))
        #expect(t.kms == .container(name: "central-vault", image: "vault:1.6.2", rootToken: .generate))
        #expect(
            t.vaultOperator
                == Topology.VaultOperator(
                    release: "vault-operator", chart: "banzaicloud-stable/vault-operator", repo: nil, version: nil, namespace: "default",
                    values: .mapping([])))
        #expect(t.manifests == [])
        #expect(t.vault.namespace == "default")
        #expect(t.vault.leader == "one")
        #expect(t.vault.shareSecrets == [])
        #expect(t.vault.template?.written == "vault-cr.yaml")
        #expect(t.clusters.map(\.workers) == [0, 0])
        #expect(t.clusters.map { t.context(of: $0) } == ["kind-one", "kind-two"])
        #expect(t.health.raft.voters == 2)
        #expect(t.health.raft.timeout == .seconds(600))
    }

    @Test(arguments: [
        ("10m", Duration.seconds(600)), ("90s", .seconds(90)), ("1h30m", .seconds(5400)), ("500ms", .milliseconds(500)),
        ("1h", .seconds(3600)), ("2m5s", .seconds(125)), ("1.5s", .milliseconds(1500)), ("1.5h", .seconds(5400)),
        (".5m", .seconds(30)), ("2562047h", .seconds(2_562_047 * 3600)), ("250us", .microseconds(250)), ("0", .zero),
    ])
    func durations(_ text: String, _ duration: Duration) {
        #expect(DurationText.parse(text) == duration)
    }

    @Test(arguments: ["", "10", "m", "10 m", "1..5h", ".s", "10d", "-1m", "9999999999h", "2562048h", "99999999999999999999s"])
    func notDurations(_ text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test func durationFormatIsGoStyle() {
        #expect(DurationText.format(.seconds(5400)) == "1h30m0s")
        #expect(DurationText.format(.seconds(90)) == "1m30s")
        #expect(DurationText.format(.milliseconds(500)) == "500ms")
        #expect(DurationText.format(.milliseconds(1500)) == "1.5s")
    }

    /// Issue 13: `DurationText.format` overflowed (SIGILL) on 999999999h, which --timeout accepted.
    @Test func durationFormatDoesNotOverflow() {
        #expect(DurationText.format(.seconds(999_999_999 * 3600)) == "999999999h0m0s")
        #expect(DurationText.format(.seconds(Int64.max)) == "2562047788015215h30m7s")
        #expect(DurationText.format(.seconds(-90)) == "-1m30s")
        #expect(DurationText.format(DurationText.maximum) == "2562047h47m16.854775807s")
    }

    /// Issue 13: out-of-range, negative and zero durations get their own reason, not "not a duration".
    @Test(arguments: [
        ("9999999999h", DurationText.ParseError.tooLong), ("2562047h47m17s", .tooLong), ("-5s", .negative), ("0s", .zero),
        ("0", .zero), ("5", .notADuration), ("5x", .notADuration),
    ])
    func durationErrorsSayWhy(_ text: String, _ error: DurationText.ParseError) {
        #expect(throws: error) { try DurationText.parseChecked(text) }
    }

    /// Every text that parses formats back to the same duration (decimals round-trip).
    @Test func formattedDurationsParseBack() throws {
        for duration: Duration in [.milliseconds(1500), .seconds(5400), .microseconds(250), .nanoseconds(7), DurationText.maximum] {
            #expect(try DurationText.parseChecked(DurationText.format(duration)) == duration)
        }
    }

    @Test func reportsEveryErrorOfAFileInOneRun() {
        let text = """
            apiVersion: multidc/v1alpha1
            kind: Topology
            metadata:
              name: Bad_Name
            spec:
              nodeImag: kindest/node:v1.19.1
              kms:
                image: {a: 1}
              operator: {}
              vault:
                template: t.yaml
                leader: primay
              clusters:
                - name: primary
                - name: primary
                - name: third
                  workers: -1
                  context: foo
              health:
                raft: {voters: 3, timeout: 10 minutes}
            """
        #expect(throws: Diagnostics.self) { try Self.load(text) }
        do {
            _ = try Self.load(text)
        } catch {
            #expect(
                error.items.map(\.summary) == [
                    "spec.yaml:4:9: error: invalid topology name 'Bad_Name': use lower-case letters, digits and '-', starting and ending with a letter or digit",
                    "spec.yaml:6:3: error: unknown key 'nodeImag'; did you mean 'nodeImage'?",
                    "spec.yaml:8:12: error: expected a string, found a mapping",
                    "spec.yaml:9:13: error: missing required field 'chart' in spec.operator",
                    "spec.yaml:12:13: error: unknown leader 'primay'; did you mean 'primary'?",
                    "spec.yaml:15:13: error: duplicate cluster 'primary'; it was first defined at line 14, column 13",
                    "spec.yaml:17:16: error: workers must be between 0 and 100, found -1",
                    "spec.yaml:18:7: error: 'context' is for provider existing; the context of kind cluster 'third' is always kind-third",
                    "spec.yaml:20:32: error: invalid duration '10 minutes'; write it like 10m, 90s or 1h30m",
                ])
        }
    }

    @Test func votersOtherThanTheClusterCountAreRefusedAtTheField() {
        let text = Self.minimal + "\n  health:\n    raft: { voters: 3 }\n"
        do {
            _ = try Self.load(text)
            Issue.record("expected an error")
        } catch {
            #expect(
                error.items.map(\.summary) == [
                    "spec.yaml:16:21: error: health.raft.voters is 3 but the spec lists 2 clusters; every cluster's Vault node is a Raft voter (set it to 2, or drop it: it defaults to the number of clusters)"
                ])
        }
        #expect((try? Self.load(Self.minimal + "\n  health:\n    raft: { voters: 2 }\n"))?.topology.health.raft.voters == 2)
    }

    @Test func diagnosticShowsTheSourceLineAndACaret() {
        let text = Self.minimal.replacingOccurrences(of: "  kms:", with: "  nodeImag: kindest/node:v1.19.1\n  kms:")
        do {
            _ = try Self.load(text)
            Issue.record("expected an error")
        } catch {
            #expect(
                error.description == """
                    spec.yaml:6:3: error: unknown key 'nodeImag'; did you mean 'nodeImage'?
                      nodeImag: kindest/node:v1.19.1
                      ^
                    """)
        }
    }

    @Test func oversizeInputIsRefused() {
        let text = Self.minimal + "\n#" + String(repeating: "x", count: 9 << 20)
        do {
            _ = try Self.load(text)
            Issue.record("expected an error")
        } catch {
            #expect(
                error.items.map(\.summary) == [
                    "spec.yaml:1:1: error: input is \(text.utf8.count) bytes, over the limit of 8388608 bytes; split it into smaller files"
                ])
        }
    }

    @Test func positionsLetLaterStagesPointAtFields() throws {
        let loaded = try Self.load(Self.minimal)
        #expect(loaded.diagnostic("x", at: "spec.clusters[1].name").mark == Mark(line: 14, column: 13))
        #expect(loaded.diagnostic("x", at: "spec.clusters[1].pool").mark == Mark(line: 14, column: 7))
        #expect(loaded.diagnostic("x", at: "spec.network.subnet").mark == Mark(line: 6, column: 3))
        // An observed subnet that is too small: the problem points at the cluster.
        #expect(throws: Diagnostics.self) { try loaded.pools(subnet: CIDR("10.0.0.0/23")) }
        do {
            _ = try loaded.pools(subnet: CIDR("10.0.0.0/24"))
        } catch {
            #expect(
                error.items.map(\.summary) == [
                    "spec.yaml:13:13: error: cluster 'one' needs block 1 of size /24, but 10.0.0.0/24 has only 1 such block; pin a pool or use a larger subnet",
                    "spec.yaml:14:13: error: cluster 'two' needs block 2 of size /24, but 10.0.0.0/24 has only 1 such block; pin a pool or use a larger subnet",
                ])
        }
        #expect(try loaded.pools(subnet: CIDR("172.18.0.0/16")).map(\.cidr.description) == ["172.18.1.128/25", "172.18.2.128/25"])
    }

    @Test(arguments: [("a", true), ("a-1", true), ("-a", false), ("a-", false), ("A", false), ("a.b", false), ("", false)])
    func dnsLabels(_ name: String, _ valid: Bool) {
        #expect(NameRules.isDNSLabel(name) == valid)
    }

    @Test func clusterNameLimitKeepsTheNodeNameALabel() {
        let longest = String(repeating: "a", count: NameRules.maxClusterNameLength)
        #expect(NameRules.isDNSLabel(longest + "-control-plane"))
        #expect(!NameRules.isDNSLabel(longest + "a-control-plane"))
    }

    @Test(arguments: [("nodeImag", ["nodeImage", "network"], "nodeImage"), ("x", ["nodeImage"], nil), ("Kind", ["kind"], "kind")])
    func didYouMean(_ word: String, _ candidates: [String], _ expected: String?) {
        #expect(EditDistance.suggestion(for: word, among: candidates) == expected)
    }

    /// A scratch directory with a template and a spec that names it.
    static func scratch(template: [UInt8]? = Array("kind: Vault\n".utf8)) throws -> (dir: String, spec: String) {
        let dir = NSTemporaryDirectory() + "multidc-spec-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if let template { _ = FileManager.default.createFile(atPath: dir + "/vault-cr.yaml", contents: Data(template)) }
        _ = FileManager.default.createFile(atPath: dir + "/spec.yaml", contents: Data(minimal.utf8))
        return (dir, dir + "/spec.yaml")
    }

    static func messages(_ path: String) -> [String] {
        do {
            _ = try TopologyLoader.load(path: path)
            return []
        } catch {
            return error.items.map { "\($0.mark): \($0.message)" }
        }
    }

    /// Issue 13: a 1 GiB (sparse) spec was read whole before the 8 MiB check; now its size is
    /// checked first, and the same holds for a template (reported at the spec line naming it).
    @Test func oversizeFilesAreRefusedBeforeReading() throws {
        let (dir, spec) = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let big = dir + "/big.yaml"
        _ = FileManager.default.createFile(atPath: big, contents: nil)
        #expect(truncate(big, 1 << 30) == 0)
        #expect(Self.messages(big) == ["1:1: input is 1073741824 bytes, over the limit of 8388608 bytes; split it into smaller files"])
        try FileManager.default.removeItem(atPath: dir + "/vault-cr.yaml")
        try FileManager.default.moveItem(atPath: big, toPath: dir + "/vault-cr.yaml")
        #expect(
            Self.messages(spec) == [
                "11:15: template 'vault-cr.yaml' is too large: input is 1073741824 bytes, over the limit of 8388608 bytes; split it into smaller files"
            ])
        // Without a size (a character device), at most limit + 1 bytes are read.
        #expect(throws: SourceFile.ReadError.tooLarge(size: nil, limit: 1000)) { try SourceFile.read("/dev/zero", limit: 1000) }
    }

    /// Issue 13: a directory says so (not "no such file" or "cannot read the file").
    @Test func directoriesSayTheyAreDirectories() throws {
        let (dir, spec) = try Self.scratch(template: nil)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(Self.messages(dir) == ["1:1: is a directory, not a file"])
        try FileManager.default.createDirectory(atPath: dir + "/vault-cr.yaml", withIntermediateDirectories: false)
        #expect(Self.messages(spec) == ["11:15: 'vault-cr.yaml' is a directory, not a file (looked for \(dir)/vault-cr.yaml)"])
        #expect(Self.messages(dir + "/missing.yaml") == ["1:1: no such file"])
    }

    /// Issue 13: a non-UTF-8 template is refused like a non-UTF-8 spec, at the spec line.
    @Test func nonUTF8FilesAreRefused() throws {
        let (dir, spec) = try Self.scratch(template: Array("name: caf".utf8) + [0xE9, 0x0A])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(Self.messages(spec) == ["11:15: template 'vault-cr.yaml' is not UTF-8 text"])
        _ = FileManager.default.createFile(atPath: spec, contents: Data([0x61, 0x3A, 0x20, 0xFF, 0x0A]))
        #expect(Self.messages(spec) == ["1:1: the file is not UTF-8 text"])
    }

    /// Issue 13: a permission failure gives the reason (strerror). Root reads every file, so
    /// this runs only for other users (the binary test covers it under root with setpriv).
    @Test(.enabled(if: getuid() != 0)) func unreadableFilesGiveTheReason() throws {
        let (dir, spec) = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(chmod(dir + "/vault-cr.yaml", 0) == 0)
        #expect(Self.messages(spec) == ["11:15: template 'vault-cr.yaml' cannot read the file: Permission denied"])
        #expect(chmod(spec, 0) == 0)
        #expect(Self.messages(spec) == ["1:1: cannot read the file: Permission denied"])
    }
}
