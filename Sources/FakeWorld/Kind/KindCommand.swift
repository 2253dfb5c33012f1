import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `kind`: clusters are real node containers on a real docker network; the API server inside is simulated.
struct KindCommand {
    let world: World
    static let defaultImage = "kindest/node:v1.19.1"  // the world's default node image (kind v0.9.0's default)
    static let clusterLabel = "io.x-k8s.kind.cluster"
    static let roleLabel = "io.x-k8s.kind.role"
    static let global: [FlagSpec] = [.value("verbosity", "v"), .bool("quiet", "q"), .value("loglevel"), .bool("help", "h")]

    func run(_ args: [String]) throws -> ToolResult {
        let words = args.prefix { !$0.hasPrefix("-") }
        let rest = Array(args.dropFirst(min(words.count, 2)))
        switch (words.first, words.dropFirst().first) {
        case ("create", "cluster"): return try create(rest)
        case ("delete", "cluster"): return try delete(rest)
        case ("delete", "clusters"): return try deleteClusters(rest)
        case ("get", "clusters"): return try getClusters(rest)
        case ("get", "nodes"): return try getNodes(rest)
        case ("get", "kubeconfig"): return try getKubeconfig(rest)
        case ("export", "kubeconfig"): return try exportKubeconfig(rest)
        case ("load", "docker-image"): return try loadDockerImage(rest)
        case ("load", "image-archive"): return try loadImageArchive(rest)
        case ("version", _):
            return ToolResult(stdout: "kind v0.9.0 go1.15.2 linux/amd64 (fakeworld \(FakeWorld.version))\n")
        case (let a?, let b):
            let cmd = b.map { "\(a) \($0)" } ?? a
            throw ToolFailure(stderr: "ERROR: unknown command \"\(cmd)\" for \"kind\"")
        default:
            throw ToolFailure(stderr: "ERROR: a subcommand is required (create, delete, get, export, version)")
        }
    }

    private func parse(_ args: [String], _ specs: [FlagSpec], command: String) throws(ToolFailure) -> ParsedFlags {
        let p = try FlagParser.parse(args, specs: specs + KindCommand.global, style: .kind)
        if let extra = p.positionals.first { throw ToolFailure(stderr: "ERROR: unknown command \"\(extra)\" for \"kind \(command)\"") }
        return p
    }

    func clusterName(_ p: ParsedFlags, config: KindConfig? = nil) -> String {
        if let n = p.last("name"), !n.isEmpty { return n }
        if let n = config?.name, !n.isEmpty { return n }
        if let n = world.env["KIND_CLUSTER_NAME"], !n.isEmpty { return n }
        return "kind"
    }

    func quiet(_ p: ParsedFlags, _ r: ToolResult) -> ToolResult {
        p.bool("quiet") ? ToolResult(stdout: r.stdout, stderr: "", code: r.code) : r
    }

    // MARK: create cluster

    func create(_ args: [String]) throws -> ToolResult {
        let p = try parse(
            args, [.value("name", "n"), .value("image"), .value("config"), .value("kubeconfig"), .value("wait"), .bool("retain")],
            command: "create cluster")
        var config = KindConfig()
        if let path = p.last("config") {
            let text: String
            if path == "-" {
                text = String(decoding: world.invocation.readStdin(), as: UTF8.self)
            } else {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ToolFailure(
                        stderr: "ERROR: failed to create cluster: error reading file: open \(path): no such file or directory")
                }
                text = String(decoding: data, as: UTF8.self)
            }
            config = try KindConfig.parse(text, source: path == "-" ? "STDIN" : path)
        }
        var waitSeconds = 0.0
        if let w = p.last("wait") {
            guard let s = GoDuration.parse(w) else {
                throw ToolFailure(stderr: "ERROR: invalid argument \"\(w)\" for \"--wait\" flag: time: invalid duration \"\(w)\"")
            }
            waitSeconds = s
        }
        let name = clusterName(p, config: config)
        let out = Output()
        let docker = world.docker
        let result = quiet(p, try createCluster(name: name, config: config, p: p, wait: waitSeconds, out: out, docker: docker))
        return result
    }

    private func createCluster(
        name: String, config: KindConfig, p: ParsedFlags, wait: Double, out: Output, docker: Docker
    ) throws -> ToolResult {
        let existing = docker.run(["ps", "-a", "--filter", "label=\(KindCommand.clusterLabel)=\(name)", "--format", "{{.Names}}"])
        if !existing.ok {
            throw ToolFailure(
                stderr:
                    "ERROR: failed to create cluster: failed to list nodes: command \"docker ps -a --filter label=\(KindCommand.clusterLabel)=\(name) --format {{.Names}}\" failed with error: exit status \(existing.code)\n\nCommand Output: \(existing.stderr)"
            )
        }
        if !existing.trimmed.isEmpty {
            throw ToolFailure(stderr: "ERROR: failed to create cluster: node(s) already exist for a cluster with the name \"\(name)\"")
        }
        // [SRC kind create.go] Warnf (no prefix), then Config.Validate (the name regexp ^[a-z0-9.-]+$,
        // the nodes' roles and port mappings), every problem at once.
        if name.count > 50 { out.warn("cluster name \"\(name)\" is probably too long, this might not work properly on some systems") }
        if let problem = config.validationError(name: name) {
            out.warn("ERROR: failed to create cluster: \(problem)")
            throw ToolFailure(stderr: out.err)
        }
        out.warn("Creating cluster \"\(name)\" ...")
        let nodes = config.namedNodes(cluster: name)
        let image = p.last("image")
        let images = Array(Set(nodes.map { image ?? $0.spec.image ?? KindCommand.defaultImage })).sorted()
        func fail(_ step: String, _ message: String, cleanup: [String]) -> ToolFailure {
            out.warn(" ✗ \(step)")
            if !cleanup.isEmpty && !p.bool("retain") {
                let created = docker.containerNames(label: "\(KindCommand.clusterLabel)=\(name)")
                if !created.isEmpty {
                    docker.run(["rm", "-f", "-v"] + created)
                    out.warn("Deleted nodes: [\(created.map { "\"\($0)\"" }.joined(separator: " "))]")
                }
            }
            out.warn("ERROR: failed to create cluster: \(message)")
            return ToolFailure(stderr: out.err, code: 1)
        }
        // Ensuring node image: no pulls in the world; an absent image fails as a failed pull would.
        for img in images {
            let step = "Ensuring node image (\(img)) 🖼️"
            out.warn(" • \(step)  ...")
            let r = docker.run(["image", "inspect", "--format", "{{.Id}}", img])
            if !r.ok {
                let pull = docker.run(["pull", img])
                if !pull.ok {
                    throw fail(
                        step,
                        "failed to pull image \"\(img)\": command \"docker pull \(img)\" failed with error: exit status \(pull.code)\n\nCommand Output: \(pull.stdout)\(pull.stderr)"
                            .trimmingCharacters(in: .newlines), cleanup: [])
                }
            }
            out.warn(" ✓ \(step)")
        }
        var network = KindNetwork.fixedName
        if let n = world.env["KIND_EXPERIMENTAL_DOCKER_NETWORK"], !n.isEmpty {
            out.warn("WARNING: Overriding docker network due to KIND_EXPERIMENTAL_DOCKER_NETWORK")
            out.warn("WARNING: Here be dragons! This is not supported currently.")
            network = n
        }
        do { try KindNetwork.ensure(network, docker: docker) } catch {
            if case .command(let args, let r) = error {
                out.warn(
                    "ERROR: failed to create cluster: failed to ensure docker network: command \"\(Docker.commandLine(args))\" failed with error: exit status \(r.code)"
                )
                out.warn("\nCommand Output: \(r.stderr.trimmingCharacters(in: .newlines))")
            }
            throw ToolFailure(stderr: out.err, code: 1)
        }
        // The API server's host port: a free 127.0.0.1 port published to 6443 (as kind does);
        // nothing answers behind it, the world simulates the API server by port.
        var apiPort = freeLocalPort() ?? 0
        let preparing = "Preparing nodes \(String(repeating: "📦 ", count: nodes.count))"
        out.warn(" • \(preparing)  ...")
        for node in nodes {
            let role = node.spec.role
            var args = [
                "run", "--name", node.name, "--hostname", node.name, "--label", "\(KindCommand.roleLabel)=\(role)",
                "--tmpfs", "/tmp", "--tmpfs", "/run", "--detach", "--tty",
                "--label", "\(KindCommand.clusterLabel)=\(name)", "--net", network, "--restart=on-failure:1", "--init=false",
            ]
            // The node's extraPortMappings, published by the real engine (a host port another
            // container holds fails the run as it does for kind), before the API server's.
            switch config.publishArguments(node.spec) {
            case .success(let publish): args += publish
            case .failure(let failure): throw fail(preparing, failure.stderr, cleanup: [node.name])
            }
            if role == "control-plane" {
                args += [
                    apiPort > 0 ? "--publish=127.0.0.1:\(apiPort):6443/TCP" : "--publish=127.0.0.1::6443/TCP", "-e",
                    "KUBECONFIG=/etc/kubernetes/admin.conf",
                ]
            }
            args.append(image ?? node.spec.image ?? KindCommand.defaultImage)
            let r = docker.run(args)
            if !r.ok {
                throw fail(
                    preparing,
                    "command \"\(Docker.commandLine(args))\" failed with error: exit status \(r.code)\n\nCommand Output: \(r.stderr.trimmingCharacters(in: .newlines))",
                    cleanup: [node.name])
            }
        }
        out.warn(" ✓ \(preparing)")
        if let published = KindCommand.hostPort(docker: docker, container: "\(name)-control-plane") { apiPort = published }
        out.warn(" • Writing configuration 📜  ...")
        out.warn(" ✓ Writing configuration 📜")
        out.warn(" • Starting control-plane 🕹️  ...")
        world.sleep(world.settings.latency[.clusterCreate])
        let faultKey = "create-cluster:\(name)"
        var mustFail = false
        if world.settings.createFails(name) {
            mustFail = try world.store.transaction { state -> Bool in
                if state.consumedFaults.contains(faultKey) { return false }
                state.consumedFaults.append(faultKey)
                return true
            }
        }
        let cp = "\(name)-control-plane"
        if mustFail {
            // Injected fault: kubeadm init fails the way a real control plane that never comes up does.
            throw fail(
                "Starting control-plane 🕹️",
                "failed to init node with kubeadm: command \"docker exec --privileged \(cp) kubeadm init --skip-phases=preflight --config=/kind/kubeadm.conf --skip-token-print --v=6\" failed with error: exit status 1\n\nCommand Output: I1127 04:13:21.066735     215 initconfiguration.go:200] loading configuration from \"/kind/kubeadm.conf\"\n[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods from directory \"/etc/kubernetes/manifests\". This can take up to 4m0s\n[kubelet-check] Initial timeout of 40s passed.\n\n\tUnfortunately, an error has occurred:\n\t\ttimed out waiting for the condition\n\nerror execution phase wait-control-plane: couldn't initialize a Kubernetes cluster",
                cleanup: nodes.map(\.name))
        }
        out.warn(" ✓ Starting control-plane 🕹️")
        out.warn(" • Installing CNI 🔌  ...")
        out.warn(" ✓ Installing CNI 🔌")
        out.warn(" • Installing StorageClass 💾  ...")
        out.warn(" ✓ Installing StorageClass 💾")
        if nodes.contains(where: { $0.spec.role == "worker" }) {
            out.warn(" • Joining worker nodes 🚜  ...")
            out.warn(" ✓ Joining worker nodes 🚜")
        }
        let now = world.now
        let port = try world.store.transaction { state -> Int in
            if apiPort == 0 {
                if state.nextPort == 0 { state.nextPort = 32768 + Int.random(in: 0..<20000) }
                state.nextPort += 1
                apiPort = state.nextPort
            }
            var cluster = ClusterState(
                name: name, network: network, image: image ?? KindCommand.defaultImage, apiPort: apiPort,
                nodes: nodes.map(\.name), createdAt: now)
            cluster.kindConfig = config.passthrough.isEmpty ? nil : config.passthrough
            // [SRC kind pkg/cluster/internal/create/actions/config/config.go v0.32.0] a node's labels
            // go to its kubelet's --node-labels: the Node object carries them.
            cluster.seed(now: now, labels: Dictionary(uniqueKeysWithValues: nodes.map { ($0.name, $0.spec.labels) }))
            state.clusters[name] = cluster
            return cluster.apiPort
        }
        if wait > 0 {
            out.warn(" • Waiting ≤ \(GoDuration.format(wait.rounded())) for control-plane = Ready ⏳  ...")
            out.warn(" ✓ Waiting ≤ \(GoDuration.format(wait.rounded())) for control-plane = Ready ⏳")
            out.warn(" • Ready after 0s 💚")
        }
        let path = Kubeconfig.writePath(flag: p.last("kubeconfig"), env: world.env)
        // [SRC kind pkg/cluster/internal/create/create.go v0.32.0] the export is tried 4 times, after
        // 0, 1ms, 50ms and 100ms; each takes `<kubeconfig>.lock` with O_EXCL. On failure the nodes
        // stay (no cleanup at this point) and there is no context: `kind export kubeconfig` repairs it.
        var exportError: ToolFailure?
        try withLockFault(name: name, path: path) {
            for backoff in [0.0, 0.001, 0.05, 0.1] {
                world.sleep(backoff)
                do {
                    try KubeconfigLock.merge(path: path, Kubeconfig.forKind(cluster: name, port: port))
                    exportError = nil
                    break
                } catch let e as ToolFailure { exportError = e } catch {}
            }
        }
        if let exportError {
            out.warn("ERROR: failed to create cluster: \(exportError.stderr)")
            return out.result(1)
        }
        out.warn("Set kubectl context to \"kind-\(name)\"")
        out.warn("You can now use your cluster with:")
        out.warn("")
        var usage = "kubectl cluster-info --context kind-\(name)"
        if let k = p.last("kubeconfig") { usage += " --kubeconfig \(shellQuote(k))" }
        out.warn(usage)
        // kind picks one of four salutations at random; the world always says the first, for stable goldens.
        out.warn("\nHave a nice day! 👋")
        return out.result()
    }

    /// kind's query for the published API server port [SRC kind kubeconfig.go].
    static func hostPort(docker: Docker, container: String) -> Int? {
        let r = docker.run([
            "inspect", "--format",
            "{{ with (index (index .NetworkSettings.Ports \"6443/tcp\") 0) }}{{ printf \"%s\\t%s\" .HostIp .HostPort }}{{ end }}",
            container,
        ])
        guard r.ok else { return nil }
        return r.trimmed.split(separator: "\t").last.flatMap { Int($0) }
    }

    // MARK: delete cluster

    func delete(_ args: [String]) throws -> ToolResult {
        let p = try parse(args, [.value("name", "n"), .value("kubeconfig")], command: "delete cluster")
        let name = clusterName(p)
        let out = Output()
        out.warn("Deleting cluster \"\(name)\" ...")
        let docker = world.docker
        let nodes = docker.containerNames(label: "\(KindCommand.clusterLabel)=\(name)").sorted()
        let path = Kubeconfig.writePath(flag: p.last("kubeconfig"), env: world.env)
        // [SRC kind pkg/cluster/internal/delete/delete.go v0.32.0] a kubeconfig that cannot be locked
        // is logged, the nodes are deleted anyway, then the error is returned (exit 1).
        var kerr: ToolFailure?
        try withLockFault(name: name, path: path) {
            do { try KubeconfigLock.remove(path: path, context: "kind-\(name)") } catch let e as ToolFailure { kerr = e } catch {}
        }
        if let kerr { out.warn("failed to update kubeconfig: \(kerr.stderr)") }
        try world.store.transaction { state in state.clusters[name] = nil }
        if !nodes.isEmpty {
            let r = docker.run(["rm", "-f", "-v"] + nodes)
            if !r.ok {
                out.warn(
                    "ERROR: failed to delete cluster \"\(name)\": failed to delete nodes: command \"\(Docker.commandLine(["rm", "-f", "-v"] + nodes))\" failed with error: exit status \(r.code)"
                )
                return quiet(p, out.result(1))
            }
            out.warn("Deleted nodes: [\(nodes.map { "\"\($0)\"" }.joined(separator: " "))]")
        }
        if let kerr {
            out.warn("ERROR: failed to delete cluster \"\(name)\": \(kerr.stderr)")
            return quiet(p, out.result(1))
        }
        return quiet(p, out.result())
    }

    /// FAKEWORLD_FAULTS=kubeconfig-lock-busy:NAME:once — another process holds `<kubeconfig>.lock`
    /// for the whole of the next create/delete/export of NAME (the natural race, made deterministic).
    func withLockFault(name: String, path: String, _ body: () throws -> Void) throws {
        var hold = false
        if world.settings.lockBusy(name) {
            hold = try world.store.transaction { state -> Bool in
                let key = "kubeconfig-lock-busy:\(name)"
                if state.consumedFaults.contains(key) { return false }
                state.consumedFaults.append(key)
                return true
            }
        }
        let lock = path + ".lock"
        if hold { _ = FileManager.default.createFile(atPath: lock, contents: Data()) }
        defer { if hold { try? FileManager.default.removeItem(atPath: lock) } }
        try body()
    }

    /// `kind delete clusters NAME… | --all` [SRC kind pkg/cmd/kind/delete/clusters/deleteclusters.go].
    func deleteClusters(_ args: [String]) throws -> ToolResult {
        let p = try FlagParser.parse(args, specs: [.value("kubeconfig"), .bool("all", "A")] + KindCommand.global, style: .kind)
        var names = p.positionals
        if p.bool("all") {
            let r = world.docker.run([
                "ps", "-a", "--filter", "label=\(KindCommand.clusterLabel)", "--format", "{{.Label \"\(KindCommand.clusterLabel)\"}}",
            ])
            names = Set(r.stdout.split(separator: "\n").map(String.init).filter { !$0.isEmpty }).sorted()
        } else if names.isEmpty {
            throw ToolFailure(stderr: "ERROR: no cluster names provided")
        }
        var err = ""
        for n in names {
            var sub = ["--name", n]
            if let k = p.last("kubeconfig") { sub += ["--kubeconfig", k] }
            let r = try delete(sub + ["--quiet"])
            if r.code != 0 { err += r.stderr }
        }
        err += "Deleted clusters: [\(names.map { "\"\($0)\"" }.joined(separator: " "))]\n"
        return quiet(p, ToolResult(stderr: err))
    }

    // MARK: get / export

    func getClusters(_ args: [String]) throws -> ToolResult {
        let p = try parse(args, [], command: "get clusters")
        let r = world.docker.run([
            "ps", "-a", "--filter", "label=\(KindCommand.clusterLabel)", "--format", "{{.Label \"\(KindCommand.clusterLabel)\"}}",
        ])
        if !r.ok {
            throw ToolFailure(
                stderr:
                    "ERROR: failed to list clusters: command \"docker ps -a --filter label=\(KindCommand.clusterLabel) --format {{.Label \"\(KindCommand.clusterLabel)\"}}\" failed with error: exit status \(r.code)"
            )
        }
        let names = Set(r.stdout.split(separator: "\n").map(String.init).filter { !$0.isEmpty }).sorted()
        if names.isEmpty { return quiet(p, ToolResult(stderr: "No kind clusters found.\n")) }
        return ToolResult(stdout: names.joined(separator: "\n") + "\n")
    }

    func getNodes(_ args: [String]) throws -> ToolResult {
        let p = try parse(args, [.value("name", "n"), .bool("all-clusters", "A")], command: "get nodes")
        let name = clusterName(p)
        let label = p.bool("all-clusters") ? KindCommand.clusterLabel : "\(KindCommand.clusterLabel)=\(name)"
        let nodes = world.docker.containerNames(label: label).sorted()
        if nodes.isEmpty { return quiet(p, ToolResult(stderr: "No kind nodes found for cluster \"\(name)\".\n")) }
        return ToolResult(stdout: nodes.joined(separator: "\n") + "\n")
    }

    private func kubeconfigFor(_ name: String, internalAddress: Bool) throws(ToolFailure) -> Kubeconfig {
        let cps = world.docker.containerNames(label: "\(KindCommand.clusterLabel)=\(name)").filter { $0.contains("-control-plane") }
        guard !cps.isEmpty else {
            throw ToolFailure(
                stderr:
                    "ERROR: could not locate any control plane nodes for cluster named '\(name)'. Use the --name option to select a different cluster"
            )
        }
        // [SRC kind pkg/cluster/internal/providers/docker/provider.go v0.32.0 KubeConfig] the
        // kubeconfig is read from the control plane (`cat /etc/kubernetes/admin.conf`), which
        // exists only once kubeadm init ran: nodes of an interrupted create have none.
        guard let created = world.store.read().clusters[name] else {
            throw ToolFailure(
                stderr:
                    "ERROR: failed to get cluster internal kubeconfig: command \"docker exec --privileged \(cps.sorted()[0]) cat /etc/kubernetes/admin.conf\" failed with error: exit status 1\n"
            )
        }
        let port = created.apiPort
        var kc = Kubeconfig.forKind(cluster: name, port: port)
        if internalAddress {
            kc.document["clusters"] = [
                [
                    "cluster": [
                        "certificate-authority-data": .string(FakePEM.base64CA(seed: name)),
                        "server": .string("https://\(name)-control-plane:6443"),
                    ], "name": .string("kind-\(name)"),
                ]
            ]
        }
        return kc
    }

    func getKubeconfig(_ args: [String]) throws -> ToolResult {
        let p = try parse(args, [.value("name", "n"), .bool("internal")], command: "get kubeconfig")
        let kc = try kubeconfigFor(clusterName(p), internalAddress: p.bool("internal"))
        return ToolResult(stdout: kc.yaml + "\n")
    }

    func exportKubeconfig(_ args: [String]) throws -> ToolResult {
        let p = try parse(args, [.value("name", "n"), .value("kubeconfig"), .bool("internal")], command: "export kubeconfig")
        let name = clusterName(p)
        let kc = try kubeconfigFor(name, internalAddress: p.bool("internal"))
        let path = Kubeconfig.writePath(flag: p.last("kubeconfig"), env: world.env)
        var failure: ToolFailure?
        try withLockFault(name: name, path: path) {
            do { try KubeconfigLock.merge(path: path, kc) } catch let e as ToolFailure { failure = e } catch {}
        }
        if let failure { throw ToolFailure(stderr: "ERROR: \(failure.stderr)") }
        return quiet(p, ToolResult(stderr: "Set kubectl context to \"kind-\(name)\"\n"))
    }
}

/// Go's shell-quoting as kind uses it for the printed --kubeconfig path (alessio/shellescape).
func shellQuote(_ s: String) -> String {
    if !s.isEmpty && s.allSatisfy({ $0.isLetter || $0.isNumber || "@%+=:,./-_".contains($0) }) { return s }
    return "'" + s.replacingOccurrences(of: "'", with: "'\"'\"'") + "'"
}

/// kind's kubeconfig lock: `<file>.lock` created with O_CREATE|O_EXCL, removed after the write
/// [SRC kind pkg/cluster/internal/kubeconfig/internal/kubeconfig/lock.go v0.32.0, as client-go's
/// clientcmd loader does]. No other lock: two writers race exactly as two kind processes do.
enum KubeconfigLock {
    static func lock(_ path: String) throws(ToolFailure) {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let fd = open(path + ".lock", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0)
        if fd < 0 {
            let e = errno
            let text = e == EEXIST ? "file exists" : String(cString: strerror(e)).lowercased()
            throw ToolFailure(stderr: "failed to lock config file: open \(path).lock: \(text)")
        }
        close(fd)
    }

    static func unlock(_ path: String) { unlink(path + ".lock") }

    static func merge(path: String, _ kind: Kubeconfig) throws(ToolFailure) {
        try lock(path)
        defer { unlock(path) }
        var kc = try Kubeconfig.load(path: path) ?? Kubeconfig(document: Kubeconfig.empty)
        kc.merge(kind: kind)
        try kc.write(path: path)
    }

    static func remove(path: String, context: String) throws(ToolFailure) {
        try lock(path)
        defer { unlock(path) }
        if var kc = try Kubeconfig.load(path: path), kc.entry("contexts", context) != nil {
            kc.remove(name: context)
            try kc.write(path: path)
        }
    }
}
