import Foundation
import Testing

@testable import FakeWorld

@Suite struct ULATests {
    @Test(arguments: [
        ("kind", Int32(0), "fc00:f853:ccd:e793::/64"), ("kind2", 0, "fc00:444c:147a:44ab::/64"),
        ("kin", 0, "fc00:fcd9:c2be:8e23::/64"), ("foo", 1, "fc00:8edf:7f02:ec8f::/64"), ("foo", 2, "fc00:9968:306b:2c65::/64"),
    ])
    func vectors(name: String, attempt: Int32, expected: String) {
        #expect(KindNetwork.ulaSubnet(name: name, attempt: attempt) == expected)
    }
}

@Suite struct JSONPathTests {
    let pod: JSON = [
        "metadata": ["name": "p", "annotations": ["a.b/c": "x"]],
        "status": [
            "loadBalancer": ["ingress": [["ip": "172.18.1.128"]]],
            "conditions": [["type": "Ready", "status": "True"], ["type": "Initialized", "status": "False"]],
        ],
        "data": ["vault-root": "cy5h"],
    ]

    @Test(arguments: [
        ("{.status.loadBalancer.ingress[0].ip}", "172.18.1.128"),
        ("{.spec.nosuch}", ""),
        ("{.data.vault-root}", "cy5h"),
        ("{.metadata.annotations.a\\.b/c}", "x"),
        ("{.metadata.annotations['a.b/c']}", "x"),
        ("{.status.conditions[?(@.type==\"Ready\")].status}", "True"),
        ("{.status.conditions[*].type}", "Ready Initialized"),
        ("{range .status.conditions[*]}{.type}={.status}{\"\\n\"}{end}", "Ready=True\nInitialized=False\n"),
        ("name: {.metadata.name}", "name: p"),
        (".metadata.name", "p"),
    ])
    func evaluates(template: String, expected: String) throws {
        #expect(try JSONPath(JSONPath.normalize(template)).execute(pod) == expected)
    }

    @Test func indexBeyondExistingArrayIsAnError() {
        #expect(throws: JSONPath.Failure.indexOutOfBounds(index: 1, length: 1)) {
            try JSONPath("{.status.loadBalancer.ingress[1].ip}").execute(pod)
        }
    }

    @Test func missingArrayIsEmptyNotAnError() throws {
        #expect(try JSONPath("{.status.nothing[0].ip}").execute(pod) == "")
    }
}

@Suite struct ParsingTests {
    @Test func latencies() throws {
        let l = try Latencies.parse("cluster-create=3s,metallb-ready=1s,crd-established=500ms,pod-ready=1m")
        #expect(l[.clusterCreate] == 3)
        #expect(l[.crdEstablished] == 0.5)
        #expect(l[.podReady] == 60)
        #expect(l[.helmInstall] == 0)
        #expect(try Latencies.parse(nil) == Latencies())
    }

    @Test(arguments: ["pod-reddy=1s", "pod-ready=fast", "pod-ready"])
    func badLatencies(text: String) {
        #expect(throws: ConfigError.self) { try Latencies.parse(text) }
    }

    @Test func faults() throws {
        let f = try Fault.parseList(
            "create-cluster:a:once,apiserver-down:b,webhook-never-ready:c,pod-crashloop:d/vault-0,helm-pending:vault-operator")
        #expect(
            f == [
                .createClusterOnce(cluster: "a"), .apiserverDown(cluster: "b"), .webhookNeverReady(cluster: "c"),
                .podCrashloop(cluster: "d", pod: "vault-0"), .helmPending(release: "vault-operator"),
            ])
    }

    @Test(arguments: ["disk-full:a", "create-cluster:a", "create-cluster:a:twice", "pod-crashloop:nopod", "apiserver-down:"])
    func badFaults(text: String) {
        #expect(throws: ConfigError.self) { try Fault.parseList(text) }
    }

    @Test func goDurations() {
        #expect(GoDuration.parse("2m") == 120)
        #expect(GoDuration.parse("1h30m") == 5400)
        #expect(GoDuration.parse("500ms") == 0.5)
        #expect(GoDuration.parse("0") == 0)
        #expect(GoDuration.parse("10") == nil)
        #expect(GoDuration.format(120) == "2m0s")
        #expect(GoDuration.format(15) == "15s")
    }

    @Test func flagsLikePflag() throws {
        let specs: [FlagSpec] = [.value("namespace", "n"), .bool("all-namespaces", "A"), .value("output", "o")]
        let p = try FlagParser.parse(
            ["get", "-n", "x", "pods", "-A", "--output=json", "-oname", "--", "a", "b"], specs: specs,
            style: .kubectl(command: "kubectl get"))
        #expect(p.positionals == ["get", "pods"])
        #expect(p.last("namespace") == "x")
        #expect(p.bool("all-namespaces"))
        #expect(p.all("output") == ["json", "name"])
        #expect(p.afterDash == ["a", "b"])
    }

    @Test func unknownFlagTexts() {
        #expect(throws: Never.self) { _ = try? FlagParser.parse([], specs: [], style: .kind) }
        do {
            _ = try FlagParser.parse(["--bogus"], specs: [], style: .kubectl(command: "kubectl apply"))
            Issue.record("expected an error")
        } catch {
            #expect(error.stderr == "error: unknown flag: --bogus\nSee 'kubectl apply --help' for usage.")
        }
        do {
            _ = try FlagParser.parse(["--bogus"], specs: [], style: .helm)
            Issue.record("expected an error")
        } catch {
            #expect(error.stderr == "Error: unknown flag: --bogus")
        }
        do {
            _ = try FlagParser.parse(["-z"], specs: [], style: .kind)
            Issue.record("expected an error")
        } catch {
            #expect(error.stderr == "ERROR: unknown shorthand flag: 'z' in -z")
        }
    }

    @Test func labelSelectors() throws {
        let s = try #require(LabelSelector.parse("app=metallb,component!=speaker,tier,!legacy,env in (a,b)"))
        #expect(s.matches(["app": "metallb", "component": "controller", "tier": "x", "env": "a"]))
        #expect(!s.matches(["app": "metallb", "component": "speaker", "tier": "x", "env": "a"]))
        #expect(!s.matches(["app": "metallb", "component": "controller", "tier": "x", "env": "a", "legacy": "1"]))
    }

    @Test func ipv4Ranges() throws {
        let r = try #require(IPv4.range("172.18.1.128/25"))
        #expect(IPv4.format(r.0) == "172.18.1.128")
        #expect(IPv4.format(r.1) == "172.18.1.255")
        let d = try #require(IPv4.range("172.19.255.200-172.19.255.250"))
        #expect(d.1 - d.0 == 50)
        #expect(IPv4.range("fc00::/64") == nil)
    }

    @Test func jsonPrintsLikeGo() throws {
        let v: JSON = ["b": [1, "x<y"], "a": .object([:]), "c": .array([])]
        #expect(v.compact() == #"{"a":{},"b":[1,"x\u003cy"],"c":[]}"#)
        #expect(v.pretty() == "{\n    \"a\": {},\n    \"b\": [\n        1,\n        \"x\\u003cy\"\n    ],\n    \"c\": []\n}")
        #expect(try JSON.parse(#"{"n": 1.5, "i": 2, "t": true}"#) == ["n": .double(1.5), "i": 2, "t": true])
    }

    @Test func sha1() {
        let hex = SHA1.digest(Array("abc".utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(hex == "a9993e364706816aba3e25717850c26c9cd0d89d")
    }

    @Test func metallbManifestURLs() throws {
        let ns = try #require(
            BuiltinManifests.objects(url: "https://raw.githubusercontent.com/metallb/metallb/v0.9.3/manifests/namespace.yaml"))
        #expect(ns.map { $0.kind } == ["Namespace"])
        let legacy = try #require(
            BuiltinManifests.objects(url: "https://raw.githubusercontent.com/metallb/metallb/v0.12.1/manifests/metallb.yaml"))
        #expect(legacy.contains { $0.kind == "Deployment" && $0.name == "controller" })
        #expect(legacy.contains { $0.kind == "DaemonSet" && $0.name == "speaker" })
        for v in ["v0.13.10", "v0.14.8"] {
            let native = try #require(
                BuiltinManifests.objects(url: "https://raw.githubusercontent.com/metallb/metallb/\(v)/config/manifests/metallb-native.yaml")
            )
            #expect(native.contains { $0.name == "ipaddresspools.metallb.io" })
            #expect(native.contains { $0.name == "l2advertisements.metallb.io" })
            #expect(native.contains { $0.kind == "ValidatingWebhookConfiguration" })
        }
        #expect(
            BuiltinManifests.objects(url: "https://raw.githubusercontent.com/metallb/metallb/v0.9.3/config/manifests/metallb-native.yaml")
                == nil)
        #expect(BuiltinManifests.objects(url: "https://example.com/x.yaml") == nil)
    }
}

/// Client-side apply's three-way merge [SRC kubernetes/kubectl@dee3483a pkg/cmd/apply/patcher.go;
/// k8s.io/apimachinery@eed236ce pkg/util/jsonmergepatch/patch.go CreateThreeWayJSONMergePatch].
@Suite struct ThreeWayMergeTests {
    let live: JSON = [
        "metadata": ["name": "v", "uid": "u1"],
        "spec": [
            "size": 1, "image": "vault:1.6.2", "serverDefault": "x",
            "volumes": [["name": "data", "emptyDir": [:], "serverFilled": true]],
            "nested": ["keep": "a", "gone": "b"],
        ],
        "status": ["nodes": ["v-0"]],
    ]
    let original: JSON = [
        "metadata": ["name": "v"],
        "spec": [
            "size": 1, "image": "vault:1.6.2", "volumes": [["name": "data", "emptyDir": [:]]], "nested": ["keep": "a", "gone": "b"],
        ],
    ]
    let modified: JSON = [
        "metadata": ["name": "v"],
        "spec": ["size": 1, "volumes": [["name": "data", "emptyDir": [:]]], "nested": ["keep": "a"]],
    ]

    @Test func aFieldInTheLastAppliedConfigurationButNotInTheNewOneIsDeleted() {
        let merged = JSONMerge.merge(base: live, overlay: modified, removing: original, strategicLists: false)
        #expect(merged[path: "spec", "image"] == nil)
        #expect(merged[path: "spec", "nested", "gone"] == nil)
        #expect(merged[path: "spec", "nested", "keep"] == "a")
        // Fields the server set (never in the last-applied configuration) stay.
        #expect(merged[path: "spec", "serverDefault"] == "x")
        #expect(merged[path: "metadata", "uid"] == "u1")
    }

    @Test func aCustomResourceListIsReplacedWhole() {
        // JSON merge patch (RFC 7386): a list is a value, the server-filled item field is gone.
        let merged = JSONMerge.merge(base: live, overlay: modified, removing: original, strategicLists: false)
        #expect(merged[path: "spec", "volumes"] == [["name": "data", "emptyDir": [:]]])
        // A built-in kind's strategic merge keeps it (lists of objects merge by their key).
        let strategic = JSONMerge.merge(base: live, overlay: modified, removing: original, strategicLists: true)
        #expect(strategic[path: "spec", "volumes"] == [["name": "data", "emptyDir": [:], "serverFilled": true]])
    }

    @Test func withoutALastAppliedConfigurationNothingIsDeleted() {
        let merged = JSONMerge.merge(base: live, overlay: modified, removing: nil, strategicLists: false)
        #expect(merged[path: "spec", "image"] == "vault:1.6.2")
    }

    @Test func customResourcesAreTheKindsOutsideKubectlsScheme() {
        let vault = ResourceType(
            kind: "Vault", plural: "vaults", singular: "vault", shortNames: [], group: "vault.banzaicloud.com", versions: ["v1alpha1"],
            namespaced: true)
        #expect(JSONMerge.isCustomResource(vault))
        #expect(!JSONMerge.isCustomResource(ResourceType.builtins.first { $0.kind == "ConfigMap" }!))
    }
}
