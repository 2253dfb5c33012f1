import Foundation
import Testing

/// Golden outputs of commands that need no Docker engine (kubeconfig-only, flag errors, helm repos,
/// unreachable servers).
@Suite struct GoldenOfflineTests {
    @Test func homeIsRequired() throws {
        let w = try TestWorld()
        defer { w.cleanup() }
        let r = w.run("kubectl", ["get", "pods"], env: ["FAKEWORLD_HOME": ""])
        #expect(r.code == 1)
        #expect(r.stderr.hasPrefix("fakeworld: FAKEWORLD_HOME is not set"))
    }

    @Test func helpListsEveryCommandLatencyAndFault() throws {
        let w = try TestWorld()
        defer { w.cleanup() }
        let r = w.run("fakeworld", ["--help"])
        #expect(r.code == 0)
        for word in [
            "install DIR", "image", "kind create cluster", "kubectl", "helm upgrade --install",
            "cluster-create", "pod-ready", "metallb-ready", "crd-established", "helm-install",
            "create-cluster:NAME:once", "apiserver-down:NAME", "webhook-never-ready:NAME", "pod-crashloop:CLUSTER/POD", "helm-pending:NAME",
        ] {
            #expect(r.stdout.contains(word), "help lacks \(word)")
        }
    }

    @Test func unknownLatencyAndFaultAreErrors() throws {
        let w = try TestWorld()
        defer { w.cleanup() }
        let r1 = w.run("kubectl", ["get", "pods"], env: ["FAKEWORLD_LATENCY": "warp=1s"])
        #expect(r1.code == 1)
        #expect(r1.stderr.contains("unknown latency \"warp\""))
        let r2 = w.run("kind", ["get", "clusters"], env: ["FAKEWORLD_FAULTS": "meteor:x"])
        #expect(r2.code == 1)
        #expect(r2.stderr.contains("unknown fault \"meteor\""))
    }

    @Test func unknownFlags() throws {
        let w = try TestWorld()
        defer { w.cleanup() }
        let k = w.kubectl("apply", "--bogus", "-f", "-")
        #expect(k.code == 1)
        #expect(k.stderr == "error: unknown flag: --bogus\nSee 'kubectl apply --help' for usage.\n")
        let kd = w.kind("create", "cluster", "--bogus")
        #expect(kd.code == 1)
        #expect(kd.stderr == "ERROR: unknown flag: --bogus\n")
        let h = w.helm("list", "--bogus")
        #expect(h.code == 1)
        #expect(h.stderr == "Error: unknown flag: --bogus\n")
    }

    @Test func contextNotFound() throws {
        let w = try TestWorld()
        defer { w.cleanup() }
        let r = w.kubectl("--context", "kind-nope", "get", "pods")
        #expect(r.code == 1)
        #expect(r.stdout == "")
        #expect(r.stderr == "Error in configuration: context was not found for specified context: kind-nope\n")
    }

    /// A kubeconfig aimed at a port no cluster owns: the real connection-refused texts.
    func refusedWorld() throws -> TestWorld {
        let w = try TestWorld()
        _ = w.write(
            "kubeconfig",
            """
            apiVersion: v1
            kind: Config
            clusters:
            - cluster: {server: "https://127.0.0.1:1"}
              name: kind-down
            contexts:
            - context: {cluster: kind-down, user: kind-down}
              name: kind-down
            current-context: kind-down
            users:
            - name: kind-down
              user: {token: secret}
            """)
        return w
    }

    @Test func connectionRefused() throws {
        let w = try refusedWorld()
        defer { w.cleanup() }
        let get = w.kubectl("get", "pods")
        #expect(get.code == 1)
        let lines = get.stderr.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(
            lines.prefix(5).allSatisfy {
                $0.hasPrefix("E")
                    && $0.contains(
                        "memcache.go:265] \"Unhandled Error\" err=\"couldn't get current server API group list: Get \\\"https://127.0.0.1:1/api?timeout=32s\\\": dial tcp 127.0.0.1:1: connect: connection refused\""
                    )
            })
        #expect(lines.last == "The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?")
        let wait = w.kubectl("wait", "--for=condition=ready", "pod/x")
        #expect(wait.stderr.split(separator: "\n").count == 5)
        let apply = w.kubectl("apply", "-f", "-", stdin: "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
        #expect(apply.code == 1)
        #expect(
            apply.stderr
                == "error: error validating \"STDIN\": error validating data: failed to download openapi: Get \"https://127.0.0.1:1/openapi/v2?timeout=32s\": dial tcp 127.0.0.1:1: connect: connection refused; if you choose to ignore these errors, turn validation off with --validate=false\n"
        )
        let helm = w.helm("list", "-o", "json")
        #expect(helm.code == 1)
        #expect(
            helm.stderr
                == "Error: Kubernetes cluster unreachable: Get \"https://127.0.0.1:1/version\": dial tcp 127.0.0.1:1: connect: connection refused\n"
        )
        let up = w.helm("upgrade", "vault-operator", "./nochart")
        #expect(up.code == 1)
    }

    @Test func configCommands() throws {
        let w = try refusedWorld()
        defer { w.cleanup() }
        #expect(w.kubectl("config", "get-contexts", "-o", "name").stdout == "kind-down\n")
        #expect(w.kubectl("config", "current-context").stdout == "kind-down\n")
        let use = w.kubectl("config", "use-context", "kind-nope")
        #expect(use.code == 1)
        #expect(use.stderr == "error: no context exists with the name: \"kind-nope\"\n")
        #expect(w.kubectl("config", "use-context", "kind-down").stdout == "Switched to context \"kind-down\".\n")
        let view = w.kubectl("config", "view", "-o", "json")
        #expect(view.code == 0)
        #expect(
            view.stdout.hasPrefix(
                "{\n    \"kind\": \"Config\",\n    \"apiVersion\": \"v1\",\n    \"preferences\": {},\n    \"clusters\": ["))
        #expect(view.stdout.contains("\"token\": \"REDACTED\""))
        #expect(w.kubectl("config", "view", "--raw", "-o", "json").stdout.contains("\"token\": \"secret\""))
        let server = w.kubectl("config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}")
        #expect(server.stdout == "https://127.0.0.1:1")
    }

    @Test func helmRepos() throws {
        let w = try TestWorld()
        defer { w.cleanup() }
        let up0 = w.helm("repo", "update")
        #expect(up0.code == 1)
        #expect(up0.stderr == "Error: no repositories found. You must add one before updating\n")
        // [SRC helm cmd/helm/repo_add.go v3.21.4] the index is fetched first: a dead host fails the add.
        let dead = w.helm("repo", "add", "banzaicloud-stable", "https://kubernetes-charts.banzaicloud.com")
        #expect(dead.code == 1)
        #expect(
            dead.stderr
                == "Error: looks like \"https://kubernetes-charts.banzaicloud.com\" is not a valid chart repository or cannot be reached: Get \"https://kubernetes-charts.banzaicloud.com/index.yaml\": dial tcp: lookup kubernetes-charts.banzaicloud.com on 127.0.0.53:53: no such host\n"
        )
        let add = w.helm("repo", "add", "metallb", "https://metallb.github.io/metallb")
        #expect(add.stdout == "\"metallb\" has been added to your repositories\n")
        #expect(
            w.helm("repo", "add", "metallb", "https://metallb.github.io/metallb").stdout
                == "\"metallb\" already exists with the same configuration, skipping\n")
        let conflict = w.helm("repo", "add", "metallb", "https://elsewhere")
        #expect(conflict.stderr == "Error: repository name (metallb) already exists, please specify a different name\n")
        let up = w.helm("repo", "update")
        #expect(
            up.stdout
                == "Hang tight while we grab the latest from your chart repositories...\n...Successfully got an update from the \"metallb\" chart repository\nUpdate Complete. ⎈Happy Helming!⎈\n"
        )
    }

    @Test func callsAreLoggedWithoutStdin() throws {
        let w = try TestWorld()
        defer { w.cleanup() }
        _ = w.kubectl("--context", "kind-nope", "apply", "-f", "-", stdin: "topsecret-token")
        let log = try String(contentsOfFile: w.env["FAKEWORLD_HOME"]! + "/calls.log", encoding: .utf8)
        let line = try #require(log.split(separator: "\n").last)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(obj["tool"] as? String == "kubectl")
        #expect(obj["exitCode"] as? Int == 1)
        #expect((obj["argv"] as? [String])?.contains("apply") == true)
        #expect(obj["durationMs"] != nil)
        #expect(!log.contains("topsecret"))
    }
}

/// kind's answers when docker finds nothing or fails, through a stub docker (FAKEWORLD_DOCKER).
@Suite struct GoldenStubDockerTests {
    func stub(_ w: TestWorld, exit code: Int, stderr: String = "") throws -> String {
        let path = w.write("docker-stub", "#!/bin/sh\necho '\(stderr)' >&2\nexit \(code)\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test func noClusters() throws {
        let w = try TestWorld()
        defer { w.cleanup() }
        w.env["FAKEWORLD_DOCKER"] = try stub(w, exit: 0)
        let r = w.kind("get", "clusters")
        #expect(r.code == 0)
        #expect(r.stdout == "")
        #expect(r.stderr == "No kind clusters found.\n")
        let q = w.kind("get", "clusters", "-q")
        #expect(q.stderr == "")
        let del = w.kind("delete", "cluster", "--name", "gone")
        #expect(del.code == 0)
        #expect(del.stderr == "Deleting cluster \"gone\" ...\n")
    }

    @Test func dockerFails() throws {
        let w = try TestWorld()
        defer { w.cleanup() }
        w.env["FAKEWORLD_DOCKER"] = try stub(w, exit: 1, stderr: "Cannot connect to the Docker daemon")
        let r = w.kind("get", "clusters")
        #expect(r.code == 1)
        #expect(
            r.stderr.hasPrefix(
                "ERROR: failed to list clusters: command \"docker ps -a --filter label=io.x-k8s.kind.cluster --format {{.Label \"io.x-k8s.kind.cluster\"}}\" failed with error: exit status 1"
            ))
    }

    @Test func installWritesLinks() throws {
        let w = try TestWorld()
        defer { w.cleanup() }
        let dir = w.dir.appendingPathComponent("links").path
        let r = w.run("fakeworld", ["install", dir])
        #expect(r.code == 0)
        for tool in ["kind", "kubectl", "helm"] {
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: "\(dir)/\(tool)")
            #expect(URL(fileURLWithPath: target).lastPathComponent == "fakeworld")
        }
        let viaLink = TestWorld.exec("\(dir)/helm", ["version", "--short"], env: w.env)
        #expect(viaLink.stdout.hasPrefix("v3."))
    }
}
