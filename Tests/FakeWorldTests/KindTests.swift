import Foundation
import Testing

/// kind against the real engine: containers, labels, network, texts.
@Suite(.needsDocker, .serialized) struct KindTests {
    @Test func createGetDelete() throws {
        try Engine.requireEngine()
        #expect(Engine.images)
        let w = try TestWorld()
        defer { w.cleanup() }
        let net = w.useNetwork()
        let name = w.cluster("a")
        let kc = w.dir.appendingPathComponent("explicit.kubeconfig").path
        let created = w.createCluster(name, extra: ["--kubeconfig", kc, "--wait", "2m"])
        #expect(created.code == 0, "\(created)")
        #expect(created.stdout == "")
        #expect(
            created.stderr == """
                Creating cluster "\(name)" ...
                 • Ensuring node image (kindest/node:v1.19.1) 🖼️  ...
                 ✓ Ensuring node image (kindest/node:v1.19.1) 🖼️
                WARNING: Overriding docker network due to KIND_EXPERIMENTAL_DOCKER_NETWORK
                WARNING: Here be dragons! This is not supported currently.
                 • Preparing nodes 📦   ...
                 ✓ Preparing nodes 📦\u{20}
                 • Writing configuration 📜  ...
                 ✓ Writing configuration 📜
                 • Starting control-plane 🕹️  ...
                 ✓ Starting control-plane 🕹️
                 • Installing CNI 🔌  ...
                 ✓ Installing CNI 🔌
                 • Installing StorageClass 💾  ...
                 ✓ Installing StorageClass 💾
                 • Waiting ≤ 2m0s for control-plane = Ready ⏳  ...
                 ✓ Waiting ≤ 2m0s for control-plane = Ready ⏳
                 • Ready after 0s 💚
                Set kubectl context to "kind-\(name)"
                You can now use your cluster with:

                kubectl cluster-info --context kind-\(name) --kubeconfig \(kc)

                Have a nice day! 👋

                """)
        // Real container, kind's labels, on the requested network.
        let labels = w.docker("inspect", "--format", "{{json .Config.Labels}}", "\(name)-control-plane")
        #expect(labels.stdout.contains("\"io.x-k8s.kind.cluster\":\"\(name)\""))
        #expect(labels.stdout.contains("\"io.x-k8s.kind.role\":\"control-plane\""))
        let nets = w.docker("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}", "\(name)-control-plane")
        #expect(nets.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == net)
        // The network, made as kind makes it.
        let opts = w.docker("network", "inspect", "-f", "{{json .Options}} {{.EnableIPv6}}", net)
        #expect(opts.stdout.contains("\"com.docker.network.bridge.enable_ip_masquerade\":\"true\""))
        #expect(opts.stdout.contains("true"))
        // Already exists.
        let again = w.run("kind", ["create", "cluster", "--name", name])
        #expect(again.code == 1)
        #expect(again.stderr == "ERROR: failed to create cluster: node(s) already exist for a cluster with the name \"\(name)\"\n")
        // get clusters / nodes / kubeconfig.
        let clusters = w.kind("get", "clusters")
        #expect(clusters.stdout.split(separator: "\n").contains(Substring(name)))
        #expect(w.kind("get", "nodes", "--name", name).stdout == "\(name)-control-plane\n")
        let kubeconfig = w.kind("get", "kubeconfig", "--name", name)
        #expect(kubeconfig.stdout.hasPrefix("apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: "))
        #expect(
            kubeconfig.stdout.contains(
                "  name: kind-\(name)\ncontexts:\n- context:\n    cluster: kind-\(name)\n    user: kind-\(name)\n  name: kind-\(name)\ncurrent-context: kind-\(name)\nkind: Config\npreferences: {}\nusers:\n"
            ))
        #expect(kubeconfig.stdout.hasSuffix("\n\n"))
        #expect(try String(contentsOfFile: kc, encoding: .utf8).contains("server: https://127.0.0.1:"))
        let missing = w.kind("get", "kubeconfig", "--name", "\(name)-nope")
        #expect(missing.code == 1)
        #expect(
            missing.stderr
                == "ERROR: could not locate any control plane nodes for cluster named '\(name)-nope'. Use the --name option to select a different cluster\n"
        )
        // export to $KUBECONFIG.
        let export = w.kind("export", "kubeconfig", "--name", name)
        #expect(export.stderr == "Set kubectl context to \"kind-\(name)\"\n")
        #expect(w.kubectl("config", "current-context").stdout == "kind-\(name)\n")
        // delete (idempotent).
        let del = w.kind("delete", "cluster", "--name", name)
        #expect(del.code == 0)
        #expect(del.stderr == "Deleting cluster \"\(name)\" ...\nDeleted nodes: [\"\(name)-control-plane\"]\n")
        let del2 = w.kind("delete", "cluster", "--name", name)
        #expect(del2.code == 0)
        #expect(del2.stderr == "Deleting cluster \"\(name)\" ...\n")
        #expect(w.kind("get", "nodes", "--name", name).stderr == "No kind nodes found for cluster \"\(name)\".\n")
    }

    @Test func configWithWorkers() throws {
        try Engine.requireEngine()
        #expect(Engine.images)
        let w = try TestWorld()
        defer { w.cleanup() }
        w.useNetwork()
        let name = w.cluster("w")
        let config = """
            kind: Cluster
            apiVersion: kind.x-k8s.io/v1alpha4
            nodes:
            - role: control-plane
            - role: worker
            - role: worker
            """
        w.onCleanup { [env = w.env, bin = w.bin] in
            _ = TestWorld.exec(bin.appendingPathComponent("kind").path, ["delete", "cluster", "--name", name], env: env)
        }
        let r = w.run("kind", ["create", "cluster", "--name", name, "--config", "-"], stdin: config)
        #expect(r.code == 0, "\(r)")
        #expect(r.stderr.contains(" • Preparing nodes 📦 📦 📦   ...\n"))
        #expect(r.stderr.contains(" ✓ Joining worker nodes 🚜\n"))
        #expect(w.kind("get", "nodes", "--name", name).stdout == "\(name)-control-plane\n\(name)-worker\n\(name)-worker2\n")
        let role = w.docker("inspect", "--format", "{{ index .Config.Labels \"io.x-k8s.kind.role\"}}", "\(name)-worker2")
        #expect(role.stdout == "worker\n")
        let bad = w.run(
            "kind", ["create", "cluster", "--name", "\(name)x", "--config", "-"],
            stdin: "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodez: []\n")
        #expect(bad.code == 1)
        // kind decodes strictly (go-yaml v3, KnownFields): docs/tools.md#kind-config.
        #expect(
            bad.stderr
                == "ERROR: failed to create cluster: unable to decode config: yaml: unmarshal errors:\n  line 3: field nodez not found in type v1alpha4.Cluster\n"
        )
        let badName = w.kind("create", "cluster", "--name", "Bad_Name")
        #expect(badName.code == 1)
        #expect(
            badName.stderr
                == "ERROR: failed to create cluster: 'Bad_Name' is not a valid cluster name, cluster names must match `^[a-z0-9.-]+$`\n")
    }

    @Test func failedCreateCleansUpUnlessRetained() throws {
        try Engine.requireEngine()
        #expect(Engine.images)
        let w = try TestWorld()
        defer { w.cleanup() }
        w.useNetwork()
        let name = w.cluster("f")
        w.env["FAKEWORLD_FAULTS"] = "create-cluster:\(name):once"
        let first = w.createCluster(name)
        #expect(first.code == 1)
        #expect(
            first.stderr.contains(
                " ✗ Starting control-plane 🕹️\nDeleted nodes: [\"\(name)-control-plane\"]\nERROR: failed to create cluster: failed to init node with kubeadm: command \"docker exec --privileged \(name)-control-plane kubeadm init"
            ))
        #expect(w.docker("ps", "-a", "--filter", "label=io.x-k8s.kind.cluster=\(name)", "-q").stdout == "")
        // The fault fired once: the next create succeeds.
        let second = w.createCluster(name)
        #expect(second.code == 0, "\(second)")
        _ = w.kind("delete", "cluster", "--name", name)
        // --retain keeps the nodes of a failed create.
        let other = w.cluster("g")
        w.env["FAKEWORLD_FAULTS"] = "create-cluster:\(other):once"
        let retained = w.createCluster(other, extra: ["--retain"])
        #expect(retained.code == 1)
        #expect(!retained.stderr.contains("Deleted nodes"))
        #expect(
            w.docker("ps", "-a", "--filter", "label=io.x-k8s.kind.cluster=\(other)", "--format", "{{.Names}}").stdout
                == "\(other)-control-plane\n")
    }

    /// Parallel creates race for `<kubeconfig>.lock` as real kind processes do (O_EXCL, 4 tries in
    /// ~150 ms): each either succeeds or fails with kind's lock error and keeps its nodes; `kind
    /// export kubeconfig` then restores the missing contexts. (The world used to serialise the
    /// merges under its own lock and never failed: kinder than kind.)
    @Test func parallelCreatesRaceForTheKubeconfigLock() throws {
        try Engine.requireEngine()
        #expect(Engine.images)
        let w = try TestWorld()
        defer { w.cleanup() }
        let net = w.useNetwork()
        // The network exists first (parallel creates of a new network race in docker too).
        _ = w.docker("network", "create", net)
        let names = ["p", "q", "r"].map(w.cluster)
        let results = Results()
        let group = DispatchGroup()
        for n in names {
            group.enter()
            DispatchQueue.global().async {
                let r = w.createCluster(n)
                results.add(r.code, n + "\n" + r.stderr)
                group.leave()
            }
        }
        group.wait()
        let lockError = "ERROR: failed to create cluster: failed to lock config file: open \(w.env["KUBECONFIG"]!).lock: file exists\n"
        for (code, stderr) in zip(results.codes, results.stderrs) {
            #expect(code == 0 || stderr.hasSuffix(lockError), "\(stderr)")
            if code != 0, let n = stderr.split(separator: "\n").first {
                #expect(w.kind("export", "kubeconfig", "--name", String(n)).code == 0)
            }
        }
        let contexts = w.kubectl("config", "get-contexts", "-o", "name").stdout
        #expect(Set(contexts.split(separator: "\n")) == Set(names.map { Substring("kind-\($0)") }))
        for n in names {
            #expect(w.kubectl("--context", "kind-\(n)", "get", "ns", "default", "-o", "name").stdout == "namespace/default\n")
        }
    }

    @Test func missingImageFailsLikeAFailedPull() throws {
        try Engine.requireEngine()
        let w = try TestWorld()
        defer { w.cleanup() }
        w.useNetwork()
        let name = w.cluster("i")
        let r = w.createCluster(name, extra: ["--image", "fakeworld/nosuch:\(w.id)"])
        #expect(r.code == 1)
        #expect(
            r.stderr.contains(
                " ✗ Ensuring node image (fakeworld/nosuch:\(w.id)) 🖼️\nERROR: failed to create cluster: failed to pull image \"fakeworld/nosuch:\(w.id)\""
            ))
    }
}
