import MultiDC
import Testing
import YAML

@Suite struct TemplateTests {
    /// Values for a small three-cluster topology on a known subnet.
    static func values(
        cluster: String = "secondary", kmsToken: Secret? = Secret("s3cr3t"), kmsAddress: String? = "172.18.0.5"
    )
        -> TemplateValues
    {
        let topology = Topology(
            name: "t", network: .init(subnet: CIDR("172.18.0.0/16")), loadBalancer: .metallb(.init(version: "v0.9.3")),
            kms: .container(name: "kms", image: "vault", rootToken: .generate), vaultOperator: .init(chart: "c"),
            vault: .init(leader: "primary"),
            clusters: [.init(name: "primary"), .init(name: "secondary"), .init(name: "tertiary")],
            health: .init(raft: .init(voters: 3)))
        let c = topology.clusters.first { $0.name == cluster }!
        return TemplateValues.for(topology: topology, cluster: c, kmsAddress: kmsAddress, kmsToken: kmsToken)
    }

    static func render(_ text: String, _ values: TemplateValues, mode: Template.Mode = .display) throws -> Node {
        let template = try Template.parse(text: text, file: "t.yaml")
        return try #require(try template.render(values, mode: mode).first)
    }

    @Test func singlePlaceholderKeepsTheValueType() throws {
        let node = try Self.render("index: ${{ cluster.index }}\nname: ${{cluster.name}}\n", Self.values())
        #expect(node["index"]?.int == 1)
        #expect(node["name"]?.string == "secondary")
        #expect(YAMLEmitter.emit(node) == "index: 1\nname: secondary\n")
    }

    @Test func quotedSinglePlaceholderStaysAString() throws {
        let node = try Self.render("index: \"${{ cluster.index }}\"\n", Self.values())
        #expect(node["index"]?.string == "1")
        #expect(YAMLEmitter.emit(node) == "index: \"1\"\n")
    }

    @Test func placeholdersInsideTextAreInterpolated() throws {
        let node = try Self.render(
            "name: vault-${{ cluster.name }}\naddress: http://${{ kms.address }}:8200\nrange: ${{ cluster.poolRange }}\n",
            Self.values())
        #expect(node["name"]?.string == "vault-secondary")
        #expect(node["address"]?.string == "http://172.18.0.5:8200")
        #expect(node["range"]?.string == "172.18.2.128-172.18.2.255")
    }

    @Test func interpolationThatLooksLikeANumberIsQuoted() throws {
        let node = try Self.render("v: ${{ cluster.index }}${{ cluster.index }}\n", Self.values())
        #expect(node["v"]?.string == "11")
        #expect(YAMLEmitter.emit(node) == "v: \"11\"\n")
    }

    @Test func raftLeaderAddressIsSelfOnTheLeaderAndTheLeadersIPElsewhere() throws {
        let text = "a: ${{ cluster.raftLeaderAddress }}\nb: ${{ leader.loadBalancerIP }}\nc: ${{ cluster.loadBalancerIP }}\n"
        let leader = try Self.render(text, Self.values(cluster: "primary"))
        #expect(leader["a"]?.string == "self")
        #expect(leader["c"]?.string == "172.18.1.128")
        let follower = try Self.render(text, Self.values(cluster: "tertiary"))
        #expect(follower["a"]?.string == "172.18.1.128")
        #expect(follower["b"]?.string == "172.18.1.128")
        #expect(follower["c"]?.string == "172.18.3.128")
    }

    @Test func displayHidesSecretsAndMarksUnknownValues() throws {
        let text = "token: ${{ kms.token }}\nurl: ${{ kms.url }}\ninline: \"t=${{ kms.token }}\"\n"
        let shown = try Self.render(text, Self.values(kmsAddress: nil))
        #expect(shown["token"]?.string == "(sensitive)")
        #expect(shown["url"]?.string == "(known after apply)")
        #expect(shown["inline"]?.string == "t=(sensitive)")
        let unknownToken = try Self.render(text, Self.values(kmsToken: nil))
        #expect(unknownToken["token"]?.string == "(sensitive)")
    }

    @Test func applyKeepsTheSecretAndNeedsEveryValue() throws {
        let node = try Self.render("token: ${{ kms.token }}\n", Self.values(), mode: .apply)
        #expect(node["token"]?.string == "s3cr3t")
        let template = try Template.parse(text: "a: 1\nurl: http://${{ kms.address }}:8200\n", file: "t.yaml")
        #expect(throws: Diagnostics.self) { try template.render(Self.values(kmsAddress: nil), mode: .apply) }
        do {
            _ = try template.render(Self.values(kmsAddress: nil), mode: .apply)
        } catch {
            #expect(error.items.map(\.summary) == ["t.yaml:2:13: error: the value of 'kms.address' is not known yet"])
        }
    }

    @Test func secretNeverPrints() {
        let secret = Secret("s3cr3t")
        #expect("\(secret)" == "(sensitive)")
        #expect(String(reflecting: secret) == "(sensitive)")
        #expect(TemplateValue.sensitive(secret).displayText == "(sensitive)")
        #expect(secret.reveal() == "s3cr3t")
    }

    @Test func unknownNamesAreReportedAtThePlaceholder() throws {
        let text = """
            a:
              b: [x, "y-${{ cluster.nme }}"]
            c: |
              line one
              two ${{ nope }} and ${{ kms.url }}
            """
        let template = try Template.parse(text: text, file: "tpl.yaml")
        #expect(
            template.check().map(\.summary) == [
                "tpl.yaml:2:13: error: unknown placeholder 'cluster.nme'; did you mean 'cluster.name'?",
                "tpl.yaml:5:7: error: unknown placeholder 'nope'",
            ])
        #expect(
            template.check().first?.description == """
                tpl.yaml:2:13: error: unknown placeholder 'cluster.nme'; did you mean 'cluster.name'?
                  b: [x, "y-${{ cluster.nme }}"]
                            ^
                """)
    }

    @Test func everyDocumentIsRenderedAndNoTextSubstitutionHappens() throws {
        // A value that contains YAML syntax stays one scalar: substitution is on the tree.
        var values = Self.values()
        values["cluster.name"] = .string("a: b\n- c")
        let template = try Template.parse(text: "x: ${{ cluster.name }}\n---\n- ${{ topology.name }}\n", file: "t.yaml")
        let docs = try template.render(values, mode: .apply)
        #expect(docs.count == 2)
        #expect(docs[0]["x"]?.string == "a: b\n- c")
        #expect(docs[1].sequence?.first?.string == "t")
        let reparsed = try YAMLParser.parseDocuments(YAMLEmitter.emit(docs))
        #expect(reparsed == docs)
    }

    @Test func assumptionsFeedDerivedValues() throws {
        let spec = try TopologyLoader.load(
            text: """
                apiVersion: multidc/v1alpha1
                kind: Topology
                metadata: { name: t }
                spec:
                  kms: { image: vault:1.6.2 }
                  operator: { chart: c }
                  vault: { template: x.yaml }
                  clusters: [{ name: a }, { name: b }]
                """, file: "s.yaml", options: .init(checkFiles: false))
        let b = spec.topology.clusters[1]
        let plain = TemplateValues.for(topology: spec.topology, cluster: b)
        #expect(plain["cluster.raftLeaderAddress"] == .unknown)
        #expect(plain["kms.url"] == .unknown)
        let assumed = TemplateValues.for(
            topology: spec.topology, cluster: b,
            assumptions: ["network.subnet": "10.9.0.0/16", "kms.address": "10.9.0.3", "kms.token": "tok"])
        #expect(assumed["cluster.raftLeaderAddress"] == .string("10.9.1.128"))
        #expect(assumed["kms.url"] == .string("http://10.9.0.3:8200"))
        #expect(assumed["kms.token"] == .sensitive(Secret("tok")))
        let observed = TemplateValues.for(topology: spec.topology, cluster: b, subnet: CIDR("172.18.0.0/16"))
        #expect(observed["cluster.pool"] == .string("172.18.2.128/25"))
        #expect(throws: TemplateValues.AssumptionError(description: "unknown value name 'kms.adress'; did you mean 'kms.address'?")) {
            try TemplateValues.checkAssumptions(["kms.adress": "1"])
        }
    }

    @Test(arguments: [
        ("${{ a }}", [Placeholder.Segment.placeholder(.init(name: "a", offset: 0))]),
        ("x${{a}}y", [.text("x"), .placeholder(.init(name: "a", offset: 1)), .text("y")]),
        ("${.Env.POD_NAME}", [.text("${.Env.POD_NAME}")]),
        ("$ {{ a }}", [.text("$ {{ a }}")]),
    ])
    func segments(_ text: String, _ expected: [Placeholder.Segment]) throws {
        #expect(try Placeholder.segments(of: text) == expected)
    }

    /// Issue 13: 8,000 placeholders in one scalar took 33–37 s (the locator was quadratic). Each
    /// is found at its own column, and rendering substitutes every one.
    @Test func manyPlaceholdersInOneScalarAreLocatedAndRendered() throws {
        let count = 8_000
        let scalar = String(repeating: "${{ cluster.name }}", count: count)
        let text = "a: \"\(scalar)\"\nb: ${{ nope }}\n"
        let template = try Template.parse(text: text, file: "t.yaml")
        #expect(template.placeholders.count == count + 1)
        #expect(template.placeholders[1].mark == Mark(line: 1, column: 5 + 19))
        #expect(template.placeholders[count - 1].mark == Mark(line: 1, column: 5 + 19 * (count - 1)))
        #expect(template.check().map(\.summary) == ["t.yaml:2:4: error: unknown placeholder 'nope'"])
        let many = try Template.parse(text: "a: \"\(scalar)\"\n", file: "t.yaml")
        let node = try #require(try many.render(Self.values(), mode: .display).first)
        #expect(node["a"]?.string == String(repeating: "secondary", count: count))
    }

    /// Placeholders after multi-scalar characters (a decomposed é, an emoji) are located in
    /// code points, the unit of libyaml's columns; render errors point at the same place.
    @Test func placeholderColumnsCountCodePoints() throws {
        let text = "e\u{301}e\u{301}: \"👍🏽e\u{301}${{ nope }}\"\n"
        let template = try Template.parse(text: text, file: "t.yaml")
        // e ◌́ e ◌́ : ␠ " 👍 🏽 e ◌́ $ → the 12th code point.
        #expect(template.check().map(\.summary) == ["t.yaml:1:12: error: unknown placeholder 'nope'"])
        #expect(throws: Diagnostics.self) { try template.render(Self.values(), mode: .display) }
        do {
            _ = try template.render(Self.values(), mode: .display)
        } catch {
            #expect(error.items.map(\.summary) == ["t.yaml:1:12: error: unknown placeholder 'nope'"])
        }
        #expect(
            try Placeholder.segments(of: "👍🏽${{ a }}${{b}}") == [
                .text("👍🏽"), .placeholder(.init(name: "a", offset: 2, ordinal: 0)), .placeholder(.init(name: "b", offset: 10, ordinal: 1)),
            ])
    }

    /// Issue 13: 600 × `${{ kms.url }}` with a 4 MB value rendered for minutes into gigabytes.
    /// The substituted bytes are bounded, and --assume values are limited in size.
    @Test func substitutedBytesAreBounded() throws {
        let text = "urls:\n" + String(repeating: "  - ${{ kms.url }}\n", count: 600)
        let template = try Template.parse(text: text, file: "t.yaml")
        var values = Self.values()
        values["kms.url"] = .string(String(repeating: "u", count: 4 << 20))
        #expect(throws: Diagnostics.self) { try template.render(values, mode: .display) }
        do {
            _ = try template.render(values, mode: .display)
        } catch {
            #expect(
                error.items.map(\.summary) == [
                    "t.yaml:4:5: error: the values substituted into this template exceed 8388608 bytes at 'kms.url' (4194304 bytes here); use shorter values"
                ])
        }
        let big = String(repeating: "u", count: TemplateValues.maxAssumedValueBytes + 1)
        #expect(throws: TemplateValues.AssumptionError(description: "the value of kms.url is 4097 bytes; at most 4096 bytes are allowed")) {
            try TemplateValues.checkAssumptions(["kms.url": big])
        }
    }

    /// Issue 13: placeholders in mapping keys could render duplicate keys, which multidc's own
    /// parser then refused. Rendering reports them at the later key's placeholder.
    @Test func placeholderKeysThatRenderTheSameAreRefused() throws {
        let text = "data:\n  secondary: 1\n  ${{ cluster.name }}: 2\n  ${{ cluster.index }}: 3\n  \"1\": 4\n"
        let template = try Template.parse(text: text, file: "t.yaml")
        #expect(throws: Diagnostics.self) { try template.render(Self.values(), mode: .apply) }
        do {
            _ = try template.render(Self.values(), mode: .apply)
        } catch {
            // `1` (an int) and `"1"` (a string) are different keys; `secondary` twice is not.
            #expect(
                error.items.map(\.summary) == [
                    "t.yaml:3:3: error: the key renders as 'secondary', which the key at line 2, column 3 also renders as; keys of a mapping must differ"
                ])
        }
        // Keys that show a stand-in are not judged before their values are known.
        let unknown = try Template.parse(text: "${{ kms.address }}: 1\n${{ kms.url }}: 2\n", file: "t.yaml")
        #expect(try unknown.render(Self.values(kmsAddress: nil), mode: .display).count == 1)
        let rendered = try Self.render("${{ cluster.name }}: 1\nprimary: 2\n", Self.values())
        #expect(YAMLEmitter.emit(rendered) == "secondary: 1\nprimary: 2\n")
    }

    /// Issue 13: --assume must not silently override what the spec pins.
    @Test func assumptionsCannotOverrideTheSpec() throws {
        let topology = Topology(
            name: "t", network: .init(subnet: CIDR("172.30.0.0/16")), loadBalancer: .metallb(.init(version: "v0.9.3")),
            kms: .external(url: "https://kms:8200", rootToken: .fromEnv("T")), vaultOperator: .init(chart: "c"),
            vault: .init(leader: "a"), clusters: [.init(name: "a")], health: .init(raft: .init(voters: 1)))
        let cases: [(String, String)] = [
            ("network.subnet", "network.subnet is pinned to 172.30.0.0/16 by the spec (spec.network.subnet); it cannot be assumed"),
            ("kms.url", "kms.url is set by the spec (spec.kms.url https://kms:8200); it cannot be assumed"),
            ("cluster.name", "cluster.name is set by the spec; it cannot be assumed"),
        ]
        for (name, message) in cases {
            #expect(throws: TemplateValues.AssumptionError(description: message)) {
                try TemplateValues.checkAssumptions([name: "10.0.0.0/16"], topology: topology)
            }
        }
        try TemplateValues.checkAssumptions(["kms.token": "x", "leader.loadBalancerIP": "10.0.0.1"], topology: topology)
    }

    /// Values for many clusters slice the pools once and equal the per-cluster values.
    @Test func valuesForAllClustersMatchPerClusterValues() throws {
        let topology = Topology(
            name: "t", network: .init(subnet: CIDR("10.0.0.0/8")), loadBalancer: .metallb(.init(version: "v0.9.3")),
            kms: .container(name: "kms", image: "vault", rootToken: .generate), vaultOperator: .init(chart: "c"),
            vault: .init(leader: "c7"), clusters: (0..<300).map { Topology.Cluster(name: "c\($0)") },
            health: .init(raft: .init(voters: 3)))
        let all = TemplateValues.forClusters(topology: topology, kmsAddress: "10.0.0.5")
        #expect(all.count == 300)
        for i in [0, 7, 299] {
            #expect(all[i] == TemplateValues.for(topology: topology, cluster: topology.clusters[i], kmsAddress: "10.0.0.5"))
        }
        #expect(all[299]["cluster.pool"] == .string("10.1.44.128/25"))
        #expect(all[299]["leader.loadBalancerIP"] == .string("10.0.8.128"))
    }
}
