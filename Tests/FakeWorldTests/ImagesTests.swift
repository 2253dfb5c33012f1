import Foundation
import Testing

/// Local images for `kind load` (made once per test process by `fakeworld image --app`).
enum AppImages {
    static let one = "fakeworld-test/app:1.0"
    static let two = "fakeworld-test/app:2.0"
    static let latest = "fakeworld-test/app"
    static let made: Bool = {
        let r = TestWorld.exec(
            TestWorld.binary, ["image", "--app", one, "--app", two, "--app", latest], env: ProcessInfo.processInfo.environment)
        return r.code == 0
    }()

    static func id(_ w: TestWorld, _ ref: String) -> String {
        w.docker("image", "inspect", "-f", "{{ .Id }}", ref).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A bare pod with one container per image (`c0`, `c1`…), optionally on a node and with a policy.
func imagePod(_ name: String, _ images: [String], policy: String? = nil, node: String? = nil) -> String {
    var text = "apiVersion: v1\nkind: Pod\nmetadata: {name: \(name), namespace: default}\nspec:\n"
    if let node { text += "  nodeName: \(node)\n" }
    text += "  containers:\n"
    for (i, image) in images.enumerated() {
        text += "  - name: c\(i)\n    image: \(image)\n"
        if let policy { text += "    imagePullPolicy: \(policy)\n" }
    }
    return text
}

extension TestWorld {
    /// The kubelet's pull lines in calls.log.
    func pulls() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: env["FAKEWORLD_HOME"]! + "/calls.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], o["tool"] as? String == "kubelet"
            else { return nil }
            return o
        }
    }

    func podField(_ pod: String, _ path: String) -> String { kubectl("get", "pod", pod, "-o", "jsonpath={\(path)}").stdout }
}

func isoDate(_ any: Any?) -> Date? {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return (any as? String).flatMap { f.date(from: $0) }
}

@Suite(.needsDocker, .serialized) struct ImagesTests {
    @Test func ifNotPresentPullsOncePerNodeAndImage() throws {
        let (w, name) = try clusterWorld("i")
        defer { w.cleanup() }
        let applied = w.kubectl("apply", "-f", "-", stdin: imagePod("p1", [AppImages.one]) + "---\n" + imagePod("p2", [AppImages.one]))
        #expect(applied.code == 0, "\(applied)")
        // The API server's defaulting: a version tag → IfNotPresent; the scheduler's node.
        #expect(w.podField("p1", ".spec.containers[0].imagePullPolicy") == "IfNotPresent")
        #expect(w.podField("p2", ".spec.nodeName") == "\(name)-control-plane")
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/p1", "pod/p2", "--timeout=10s").code == 0)
        let pulls = w.pulls()
        #expect(pulls.count == 1, "\(pulls)")
        let pull = try #require(pulls.first)
        #expect(pull["argv"] as? [String] == ["kubelet", "pull", AppImages.one])
        #expect(pull["image"] as? String == "docker.io/fakeworld-test/app:1.0")
        #expect(pull["node"] as? String == "\(name)-control-plane")
        #expect(pull["cluster"] as? String == name)
        #expect(pull["exitCode"] as? Int == 0)
        #expect(pull["durationMs"] as? Int == 0)
        #expect(isoDate(pull["start"]) != nil)
        // A later pod with the image already on the node pulls nothing; another image is pulled.
        _ = w.kubectl("apply", "-f", "-", stdin: imagePod("p3", [AppImages.one, "busybox:1.36"]))
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/p3", "--timeout=10s").code == 0)
        let after = w.pulls()
        #expect(after.count == 2, "\(after)")
        #expect(after.last?["image"] as? String == "docker.io/library/busybox:1.36")
    }

    @Test func pullsOnANodeAreSerialised() throws {
        let (w, _) = try clusterWorld("j")
        defer { w.cleanup() }
        w.env["FAKEWORLD_LATENCY"] = "image-pull=1500ms"
        let pods = [imagePod("a", [AppImages.one]), imagePod("b", [AppImages.two]), imagePod("c", [AppImages.one])]
        #expect(w.kubectl("apply", "-f", "-", stdin: pods.joined(separator: "---\n")).code == 0)
        // Still pulling: Pending, waiting in ContainerCreating, not ready.
        #expect(w.podField("b", ".status.phase") == "Pending")
        #expect(w.podField("b", ".status.containerStatuses[0].state.waiting.reason") == "ContainerCreating")
        #expect(w.podField("b", ".status.containerStatuses[0].ready") == "false")
        let pulls = w.pulls()
        // c waits for a's pull of the same image: two pulls, not three.
        #expect(pulls.count == 2, "\(pulls)")
        let first = try #require(isoDate(pulls.first?["start"])), second = try #require(isoDate(pulls.last?["start"]))
        #expect(pulls.last?["image"] as? String == "docker.io/fakeworld-test/app:2.0")
        #expect(pulls.first?["durationMs"] as? Int == 1500)
        #expect(abs(second.timeIntervalSince(first) - 1.5) < 0.01, "the second pull starts when the first ends")
        // a and c are ready after one pull, b only after both.
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/a", "pod/c", "--timeout=10s").code == 0)
        let readyA = Date()
        #expect(readyA.timeIntervalSince(first) >= 1.5)
        #expect(readyA.timeIntervalSince(first) < 3.0, "b's pull is not awaited for a")
        #expect(w.podField("b", ".status.containerStatuses[0].state.waiting.reason") == "ContainerCreating")
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/b", "--timeout=10s").code == 0)
        #expect(Date().timeIntervalSince(first) >= 3.0)
        #expect(w.podField("b", ".status.phase") == "Running")
    }

    @Test func preloadedImagesNeedNoPull() throws {
        let (w, name) = try clusterWorld("l")
        defer { w.cleanup() }
        #expect(AppImages.made)
        let id = AppImages.id(w, AppImages.one)
        #expect(id.hasPrefix("sha256:"))
        let load = w.kind("load", "docker-image", AppImages.one, AppImages.one, "--name", name)
        #expect(load.code == 0, "\(load)")
        #expect(load.stdout == "")
        #expect(
            load.stderr == "Image: \"\(AppImages.one)\" with ID \"\(id)\" not yet present on node \"\(name)-control-plane\", loading...\n")
        let again = w.kind("load", "docker-image", AppImages.one, "--name", name)
        #expect(again.stderr == "Image: \"\(AppImages.one)\" with ID \"\(id)\" found to be already present on all nodes.\n")
        #expect(w.kind("load", "docker-image", AppImages.one, "--name", name, "-q").stderr == "")
        _ = w.kubectl("apply", "-f", "-", stdin: imagePod("p", [AppImages.one]))
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/p", "--timeout=10s").code == 0)
        #expect(w.pulls().isEmpty, "\(w.pulls())")
        // The load is in calls.log like every call.
        let log = try String(contentsOfFile: w.env["FAKEWORLD_HOME"]! + "/calls.log", encoding: .utf8)
        #expect(log.contains("\"argv\":[\"kind\",\"load\",\"docker-image\",\"\(AppImages.one)\",\"\(AppImages.one)\",\"--name\""))
    }

    @Test func neverWithoutTheImageNeverStarts() throws {
        let (w, name) = try clusterWorld("v")
        defer { w.cleanup() }
        #expect(AppImages.made)
        _ = w.kubectl("apply", "-f", "-", stdin: imagePod("n", [AppImages.two], policy: "Never"))
        #expect(w.podField("n", ".status.phase") == "Pending")
        #expect(w.podField("n", ".status.containerStatuses[0].state.waiting.reason") == "ErrImageNeverPull")
        #expect(
            w.podField("n", ".status.containerStatuses[0].state.waiting.message")
                == "Container image \"\(AppImages.two)\" is not present with pull policy of Never")
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/n", "--timeout=1s").code == 1)
        #expect(w.pulls().isEmpty)
        // Loaded later, the image is used at the kubelet's next retry (10s after the pod's creation).
        #expect(w.kind("load", "docker-image", AppImages.two, "--name", name).code == 0)
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/n", "--timeout=20s").code == 0)
        #expect(w.pulls().isEmpty)
    }

    @Test func latestIsAlwaysPulledEvenWhenLoaded() throws {
        let (w, name) = try clusterWorld("t")
        defer { w.cleanup() }
        #expect(AppImages.made)
        #expect(w.kind("load", "docker-image", AppImages.latest, AppImages.one, "--name", name).code == 0)
        let pods = [imagePod("x", [AppImages.latest]), imagePod("y", [AppImages.latest]), imagePod("z", [AppImages.one], policy: "Always")]
        _ = w.kubectl("apply", "-f", "-", stdin: pods.joined(separator: "---\n"))
        #expect(w.podField("x", ".spec.containers[0].imagePullPolicy") == "Always")
        #expect(w.podField("z", ".spec.containers[0].imagePullPolicy") == "Always")
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/x", "pod/y", "pod/z", "--timeout=10s").code == 0)
        let pulls = w.pulls()
        #expect(
            pulls.map { $0["image"] as? String ?? "" }.sorted() == [
                "docker.io/fakeworld-test/app:1.0", "docker.io/fakeworld-test/app:latest", "docker.io/fakeworld-test/app:latest",
            ])
        #expect(pulls.contains { $0["argv"] as? [String] == ["kubelet", "pull", "fakeworld-test/app"] })
        // The pulled image replaced the loaded one under its tag: a new load loads again.
        let reload = w.kind("load", "docker-image", AppImages.latest, "--name", name)
        #expect(reload.stderr.hasSuffix("not yet present on node \"\(name)-control-plane\", loading...\n"), "\(reload)")
    }

    @Test func kindLoadErrorsAndNodes() throws {
        #expect(AppImages.made)
        let (w, name) = try clusterWorld("d")
        defer { w.cleanup() }
        let none = w.kind("load", "docker-image")
        #expect(none.code == 1)
        #expect(none.stderr == "ERROR: a list of image names is required\n")
        let absent = w.kind("load", "docker-image", "fakeworld-test/absent:0", "--name", name)
        #expect(absent.code == 1)
        #expect(absent.stderr == "ERROR: image: \"fakeworld-test/absent:0\" not present locally\n")
        let noNodes = w.kind("load", "docker-image", AppImages.one, "--name", "\(name)x")
        #expect(noNodes.code == 1)
        #expect(noNodes.stderr == "ERROR: no nodes found for cluster \"\(name)x\"\n")
        let defaultName = w.run("kind", ["load", "docker-image", AppImages.one], env: ["KIND_CLUSTER_NAME": "\(name)y"])
        #expect(defaultName.stderr == "ERROR: no nodes found for cluster \"\(name)y\"\n")
        let unknown = w.kind("load", "docker-image", AppImages.one, "--name", name, "--nodes", "\(name)-control-plane,bogus")
        #expect(unknown.code == 1)
        #expect(unknown.stderr == "ERROR: unknown node: \"bogus\"\n")
        #expect(w.pulls().isEmpty)
    }

    /// kind asks a node's containerd for its snapshotter before importing; a stopped node fails
    /// there, with the real engine's `docker exec` error, and nothing is loaded.
    @Test func aStoppedNodeFailsTheLoad() throws {
        #expect(AppImages.made)
        let (w, name) = try clusterWorld("s")
        defer { w.cleanup() }
        let cp = "\(name)-control-plane"
        #expect(w.run("docker", ["stop", "-t", "1", cp]).code == 0)
        let load = w.kind("load", "docker-image", AppImages.one, "--name", name)
        #expect(load.code == 1, "\(load)")
        #expect(
            load.stderr.contains(
                "ERROR: failed to detect containerd snapshotter: command \"docker exec --privileged \(cp) containerd config dump\" failed with error: exit status 1\n\nCommand Output: Error response from daemon: Container "
            ), "\(load)")
        #expect(load.stderr.hasSuffix(" is not running\n"), "\(load)")
        let tar = w.dir.appendingPathComponent("stopped.tar").path
        #expect(w.run("docker", ["save", "-o", tar, AppImages.one]).code == 0)
        let archive = w.kind("load", "image-archive", tar, "--name", name)
        #expect(archive.code == 1)
        #expect(archive.stderr.hasPrefix("ERROR: failed to detect containerd snapshotter: "), "\(archive)")
        // Started again, the node takes the image.
        #expect(w.run("docker", ["start", cp]).code == 0)
        #expect(w.kind("load", "docker-image", AppImages.one, "--name", name).code == 0)
    }

    @Test func containerdImageStoreFailsDockerImageLoads() throws {
        #expect(AppImages.made)
        let (w, name) = try clusterWorld("c")
        defer { w.cleanup() }
        let cp = "\(name)-control-plane"
        let id = AppImages.id(w, AppImages.one)
        #expect(w.run("fakeworld", ["config", "image-store", "containerd"]).stdout == "image-store=containerd\n")
        #expect(w.run("fakeworld", ["config"]).stdout.contains("image-store=containerd\n"))
        let load = w.kind("load", "docker-image", AppImages.one, "--name", name)
        #expect(load.code == 1)
        #expect(load.stdout == "")
        let head = """
            Image: "\(AppImages.one)" with ID "\(id)" not yet present on node "\(cp)", loading...
            ERROR: failed to load image: command "docker exec --privileged -i \(cp) ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -" failed with error: exit status 1

            Command Output: ctr: content digest sha256:
            """
        #expect(load.stderr.hasPrefix(head), "\(load)")
        #expect(load.stderr.hasSuffix(": not found\n"), "\(load)")
        let digest = load.stderr.dropFirst(head.count).dropLast(": not found\n".count)
        #expect(digest.count == 64 && digest.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(digest)")
        // Nothing was loaded: the same load fails again, with the same digest.
        #expect(w.kind("load", "docker-image", AppImages.one, "--name", name).stderr == load.stderr)
        // The classic store (the default) loads.
        #expect(w.run("fakeworld", ["config", "image-store", "classic"]).stdout == "image-store=classic\n")
        let classic = w.kind("load", "docker-image", AppImages.one, "--name", name)
        #expect(classic.code == 0, "\(classic)")
        #expect(classic.stderr == "Image: \"\(AppImages.one)\" with ID \"\(id)\" not yet present on node \"\(cp)\", loading...\n")
        // Nodes that hold every image are skipped: no failure in containerd mode then.
        _ = w.run("fakeworld", ["config", "image-store", "containerd"])
        let skipped = w.kind("load", "docker-image", AppImages.one, "--name", name)
        #expect(skipped.code == 0, "\(skipped)")
        #expect(skipped.stderr == "Image: \"\(AppImages.one)\" with ID \"\(id)\" found to be already present on all nodes.\n")
        let bogus = w.run("fakeworld", ["config", "image-store", "bogus"])
        #expect(bogus.code == 1)
        #expect(bogus.stderr == "usage: fakeworld config image-store containerd|classic\n")
        #expect(w.run("fakeworld", ["config"]).stdout.contains("image-store=containerd\n"))
    }

    @Test func imageArchiveLoadsEveryTaggedImage() throws {
        #expect(AppImages.made)
        let (w, name) = try clusterWorld("a")
        defer { w.cleanup() }
        let cp = "\(name)-control-plane"
        // The workaround of kind PR #4247 works in containerd mode too.
        _ = w.run("fakeworld", ["config", "image-store", "containerd"])
        let tar = w.dir.appendingPathComponent("apps.tar").path
        let save = w.docker("save", "-o", tar, AppImages.one, AppImages.two)
        try #require(save.code == 0, "\(save)")
        w.env["FAKEWORLD_LATENCY"] = "image-load=500ms"
        let started = Date()
        let load = w.kind("load", "image-archive", tar, "--name", name)
        #expect(Date().timeIntervalSince(started) >= 1.0, "image-load per image")
        w.env["FAKEWORLD_LATENCY"] = nil
        #expect(load.code == 0, "\(load)")
        #expect(load.stdout == "" && load.stderr == "", "\(load)")
        // The archive's IDs are the engine's: docker-image finds them present.
        let again = w.kind("load", "docker-image", AppImages.two, "--name", name)
        #expect(again.code == 0, "\(again)")
        #expect(
            again.stderr
                == "Image: \"\(AppImages.two)\" with ID \"\(AppImages.id(w, AppImages.two))\" found to be already present on all nodes.\n")
        _ = w.kubectl("apply", "-f", "-", stdin: imagePod("p", [AppImages.one, AppImages.two]))
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/p", "--timeout=10s").code == 0)
        #expect(w.pulls().isEmpty, "\(w.pulls())")
        // Loaded again, into the chosen node: no ID check, the archive is imported as it is.
        let chosen = w.kind("load", "image-archive", tar, "--name", name, "--nodes", cp, "-q")
        #expect(chosen.code == 0 && chosen.stderr == "", "\(chosen)")
    }

    @Test func imageArchiveErrors() throws {
        #expect(AppImages.made)
        let (w, name) = try clusterWorld("e")
        defer { w.cleanup() }
        let cp = "\(name)-control-plane"
        let warning =
            "It is suggested that you save multiple images into a common archive and load that instead of loading multiple archives for better performance\n"
        let none = w.kind("load", "image-archive")
        #expect(none.code == 1)
        #expect(none.stderr == "ERROR: name of image archive is required\n")
        let tar = w.dir.appendingPathComponent("one.tar").path
        #expect(w.docker("save", "-o", tar, AppImages.one).code == 0)
        let missing = w.kind("load", "image-archive", tar, "absent.tar", "--name", name)
        #expect(missing.code == 1)
        #expect(missing.stderr == warning + "ERROR: stat absent.tar: no such file or directory\n")
        let noNodes = w.kind("load", "image-archive", tar, "--name", "\(name)x")
        #expect(noNodes.code == 1)
        #expect(noNodes.stderr == "ERROR: no nodes found for cluster \"\(name)x\"\n")
        let unknown = w.kind("load", "image-archive", tar, "--name", name, "--nodes", "\(cp),bogus")
        #expect(unknown.code == 1)
        #expect(unknown.stderr == "ERROR: unknown node: bogus\n")
        let ctr =
            "ERROR: failed to load image: command \"docker exec --privileged -i \(cp) ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -\" failed with error: exit status 1\n\nCommand Output: "
        let notTar = w.write("not.tar", String(repeating: "not a tar archive\n", count: 100))
        let bad = w.kind("load", "image-archive", notTar, "--name", name)
        #expect(bad.code == 1)
        #expect(bad.stderr == ctr + "ctr: archive/tar: invalid tar header\n", "\(bad)")
        // A tar without manifest.json.
        let plain = w.dir.appendingPathComponent("plain.tar").path
        #expect(TestWorld.exec("/usr/bin/env", ["tar", "-cf", plain, "-C", w.dir.path, "not.tar"], env: w.env).code == 0)
        let unrecognized = w.kind("load", "image-archive", plain, "--name", name)
        #expect(unrecognized.code == 1)
        #expect(unrecognized.stderr == ctr + "ctr: unrecognized image format\n", "\(unrecognized)")
        // Two archives: the warning, then both loaded.
        let two = w.dir.appendingPathComponent("two.tar").path
        #expect(w.docker("save", "-o", two, AppImages.two).code == 0)
        let both = w.kind("load", "image-archive", tar, two, "--name", name)
        #expect(both.code == 0, "\(both)")
        #expect(both.stderr == warning)
        _ = w.kubectl("apply", "-f", "-", stdin: imagePod("p", [AppImages.one, AppImages.two], policy: "Never"))
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/p", "--timeout=10s").code == 0)
        #expect(w.pulls().isEmpty, "\(w.pulls())")
    }

    @Test func loadIntoChosenNodesOnly() throws {
        try Engine.requireEngine()
        #expect(Engine.images)
        #expect(AppImages.made)
        let w = try TestWorld()
        defer { w.cleanup() }
        w.useNetwork()
        let name = w.cluster("w")
        let config = w.write(
            "two.yaml", "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n")
        let created = w.createCluster(name, extra: ["--config", config])
        try #require(created.code == 0, "\(created)")
        let cp = "\(name)-control-plane", worker = "\(name)-worker"
        let id = AppImages.id(w, AppImages.one)
        w.env["FAKEWORLD_LATENCY"] = "image-load=1s"
        let started = Date()
        let load = w.run(
            "kind", ["load", "docker-image", AppImages.one, AppImages.two, "--nodes", worker], env: ["KIND_CLUSTER_NAME": name])
        #expect(Date().timeIntervalSince(started) >= 2.0, "image-load per image")
        #expect(load.code == 0, "\(load)")
        #expect(
            load.stderr == """
                Image: "\(AppImages.one)" with ID "\(id)" not yet present on node "\(worker)", loading...
                Image: "\(AppImages.two)" with ID "\(AppImages.id(w, AppImages.two))" not yet present on node "\(worker)", loading...

                """)
        w.env["FAKEWORLD_LATENCY"] = nil
        let pods = [imagePod("on-worker", [AppImages.one], node: worker), imagePod("on-cp", [AppImages.one], node: cp)]
        _ = w.kubectl("apply", "-f", "-", stdin: pods.joined(separator: "---\n"))
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/on-worker", "pod/on-cp", "--timeout=10s").code == 0)
        let pulls = w.pulls()
        #expect(pulls.count == 1, "\(pulls)")
        #expect(pulls.first?["node"] as? String == cp)
        // The control plane holds the registry's image (another ID): only it is loaded.
        let all = w.kind("load", "docker-image", AppImages.one, "--name", name)
        #expect(all.stderr == "Image: \"\(AppImages.one)\" with ID \"\(id)\" not yet present on node \"\(cp)\", loading...\n")
        // Same ID under a new tag: re-tagged on each node, nothing loaded.
        let alias = "fakeworld-test/alias-\(w.id):1.0"
        #expect(w.docker("tag", AppImages.one, alias).code == 0)
        w.onCleanup { _ = TestWorld.exec("/usr/bin/env", ["docker", "rmi", alias], env: ProcessInfo.processInfo.environment) }
        let retag = w.kind("load", "docker-image", alias, "--name", name, "--nodes", worker)
        #expect(
            retag.stderr
                == "Image with ID: \(id) already present on the node \(worker) but is missing the tag docker.io/\(alias). re-tagging...\n")
        let after = w.kind("load", "docker-image", alias, "--name", name, "--nodes", worker)
        #expect(after.stderr == "Image: \"\(alias)\" with ID \"\(id)\" found to be already present on all nodes.\n")
    }

    @Test func operatorImagesAreIfNotPresent() throws {
        let (w, name) = try clusterWorld("o")
        defer { w.cleanup() }
        let install = w.helm(
            "upgrade", "--install", "vault-operator", operatorChart, "--kube-context", "kind-\(name)", "--version", "1.24.0", "--wait")
        #expect(install.code == 0, "\(install)")
        let policy = w.kubectl("get", "deployment", "vault-operator", "-o", "jsonpath={.spec.template.spec.containers[0].imagePullPolicy}")
        #expect(policy.stdout == "IfNotPresent")
        let pulls = w.pulls()
        #expect(pulls.count == 1, "\(pulls)")
        #expect(pulls.first?["image"] as? String == "ghcr.io/bank-vaults/vault-operator:v1.24.0")
        _ = w.helm("upgrade", "--install", "vault-operator", operatorChart, "--version", "1.24.0", "--set", "image.pullPolicy=Always")
        #expect(
            w.kubectl("get", "deployment", "vault-operator", "-o", "jsonpath={.spec.template.spec.containers[0].imagePullPolicy}").stdout
                == "Always")
    }
}
