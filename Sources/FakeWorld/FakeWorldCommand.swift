import Foundation

/// `fakeworld install DIR`, `fakeworld image --node TAG --kms TAG`, `fakeworld --help`.
enum FakeWorldCommand {
    static var help: String {
        var s = """
            fakeworld \(FakeWorld.version): the multidc test world. One binary that acts as kind, kubectl and helm
            (by the name it is invoked under) next to the real docker client and engine.

            USAGE
              fakeworld install DIR                   write links DIR/kind, DIR/kubectl, DIR/helm -> this binary
              fakeworld image [--node TAG] [--kms TAG] [--app REF]… [--busybox PATH]
                                                      build local images with `docker import` from busybox-static
                                                      (defaults: kindest/node:v1.19.1 and vault:1.6.2); --app REF
                                                      makes a small image tagged REF for `kind load docker-image`
                                                      (kept when the tag exists)
              fakeworld state                         print the world's state (JSON) for debugging
              fakeworld config                        print the world's persistent settings
              fakeworld config helm-major 3|4         the helm the world plays (default 3); helm 4 has no `list -a`,
                                                      lists every state by default, `version --short` says v4.x.y+g<sha>
              fakeworld config image-store containerd|classic
                                                      the host engine's image store as `kind load docker-image`
                                                      meets it (default classic); containerd: multi-platform images
                                                      with only the native platform's content, so every load that
                                                      selects a node fails in ctr import (kind #3795, #4224)
              fakeworld config lb-hostname CLUSTER on|off
                                                      LoadBalancer Services of CLUSTER get a cloud hostname
                                                      (.status.loadBalancer.ingress[0].hostname, no ip; EKS-like)
              fakeworld config cloud-lb CLUSTER on|off
                                                      a cloud's service controller gives LoadBalancer Services of
                                                      CLUSTER an ip from 203.0.113.0/24 (GKE-like; no MetalLB)
              fakeworld --help | --version

            COMMANDS (through the links)
              kind create cluster [--name|-n N] [--image I] [--config F|-] [--kubeconfig K] [--wait D] [--retain]
              kind delete cluster [--name N] [--kubeconfig K] | delete clusters NAME… | --all
              kind get clusters | get nodes [--name N] | get kubeconfig [--name N] [--internal]
              kind export kubeconfig [--name N] [--kubeconfig K] [--internal]
              kind load docker-image IMAGE… [--name N] [--nodes a,b]   (images from the real engine)
              kind load image-archive FILE… [--name N] [--nodes a,b]   (docker save archives: manifest.json's RepoTags)
              kubectl [--context C] [--kubeconfig K] [-n NS] [-A] apply -f FILE|DIR|-|URL [--server-side]
              kubectl get TYPE[,TYPE…] [NAME…|TYPE/NAME…] [-l SEL] [-o json|yaml|name|wide|jsonpath=T] [--ignore-not-found]
              kubectl create secret generic NAME [--from-literal=K=V] [--from-file=[K=]PATH] | create namespace NAME
              kubectl delete TYPE NAME… | TYPE/NAME | -f FILE [--ignore-not-found] [-l SEL] [--all]
              kubectl wait --for=condition=C|delete|create|jsonpath=… TYPE/NAME | TYPE -l SEL [--timeout=D]
              kubectl exec POD [-c C] [-i] -- CMD…    (vault status|operator raft list-peers|operator raft remove-peer ID
                                                      [-ca-cert=F] [-format=json]; sh -c 'VAULT_TOKEN=$(cat) vault …'; cat, echo)
              kubectl logs POD [-c C] [--tail N]      (the bank-vaults container's log)
              kubectl config get-contexts [-o name] | current-context | use-context C | view [-o json] [--minify] [--raw]
              kubectl rollout status deployment/NAME|daemonset/NAME|statefulset/NAME [--timeout=D]
              kubectl label|annotate TYPE NAME… K=V… K- [--overwrite]
              helm repo add NAME URL | repo update | repo list
              helm upgrade --install R CHART [--kube-context C] [-n NS] [--create-namespace] [--version V]
                   [--set K=V]… [-f values.yaml] [--wait] [--timeout D]
              helm list [-A] [-o json] | status R [-o json] | uninstall R [--ignore-not-found] | get values R [-o json]
              helm upgrade --install R oci://ghcr.io/bank-vaults/helm-charts/vault-operator --version V   (no repo add)

            CHARTS the world can reach (any other repository host does not resolve):
              repositories: https://metallb.github.io/metallb, https://helm.releases.hashicorp.com
              OCI: oci://ghcr.io/bank-vaults/helm-charts/vault-operator (1.20.0 … 1.24.0)

            ENVIRONMENT
              FAKEWORLD_HOME      required: directory of the world's state (state.json, calls.log)
              FAKEWORLD_LATENCY   comma-separated NAME=DURATION (Go durations; default 0 for each):

            """
        for l in Latencies.Name.allCases {
            s += "                        \(l.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)) \(l.help)\n"
        }
        s += "  FAKEWORLD_FAULTS    comma-separated faults:\n"
        for (f, h) in Fault.help {
            s += "                        \(f.padding(toLength: max(26, f.count + 1), withPad: " ", startingAt: 0)) \(h)\n"
        }
        s += """
              KIND_EXPERIMENTAL_DOCKER_NETWORK, KIND_CLUSTER_NAME, KUBECONFIG, HELM_KUBECONTEXT, HELM_NAMESPACE
                                  honoured as the real tools do

            Every call is logged as one JSON line (tool, argv, exitCode, durationMs; never stdin) to
            $FAKEWORLD_HOME/calls.log.

            """
        return s
    }

    static func run(_ inv: Invocation) -> ToolResult {
        let args = inv.args
        switch args.first {
        case nil, "--help", "-h", "help": return ToolResult(stdout: help)
        case "--version", "version": return ToolResult(stdout: "fakeworld \(FakeWorld.version)\n")
        case "install":
            guard args.count == 2 else { return ToolResult(stderr: "usage: fakeworld install DIR\n", code: 1) }
            return install(dir: args[1], environment: inv.environment)
        case "image":
            return image(Array(args.dropFirst()), environment: inv.environment)
        case "config":
            return config(Array(args.dropFirst()), environment: inv.environment)
        case "state":
            do {
                let home = try Home.from(inv.environment)
                let data = (try? Data(contentsOf: home.stateFile)) ?? Data("{}".utf8)
                return ToolResult(stdout: ((try? JSON.parse(String(decoding: data, as: UTF8.self))) ?? .null).pretty(indent: "  ") + "\n")
            } catch {
                return ToolResult(stderr: error.stderr + "\n", code: 1)
            }
        default:
            return ToolResult(stderr: "fakeworld: unknown command \"\(args[0])\"; see fakeworld --help\n", code: 1)
        }
    }

    /// `fakeworld config [KEY [ARGS]]`: settings kept in $FAKEWORLD_HOME/state.json, so a test can
    /// change a converged world between two runs of a client.
    static func config(_ args: [String], environment: [String: String]) -> ToolResult {
        do {
            let home = try Home.from(environment)
            let store = try Store(home: home)
            switch args.first {
            case nil:
                let cfg = store.read().config
                return ToolResult(stdout: cfg.keys.sorted().map { "\($0)=\(cfg[$0]!)\n" }.joined())
            case "helm-major":
                guard args.count == 2, args[1] == "3" || args[1] == "4" else {
                    return ToolResult(stderr: "usage: fakeworld config helm-major 3|4\n", code: 1)
                }
                try store.transaction { $0.config["helm-major"] = args[1] }
                return ToolResult(stdout: "helm-major=\(args[1])\n")
            case "image-store":
                guard args.count == 2, args[1] == "containerd" || args[1] == "classic" else {
                    return ToolResult(stderr: "usage: fakeworld config image-store containerd|classic\n", code: 1)
                }
                try store.transaction { $0.config["image-store"] = args[1] }
                return ToolResult(stdout: "image-store=\(args[1])\n")
            case "lb-hostname":
                guard args.count == 3, args[2] == "on" || args[2] == "off" else {
                    return ToolResult(stderr: "usage: fakeworld config lb-hostname CLUSTER on|off\n", code: 1)
                }
                try store.transaction { $0.config["lb-hostname/\(args[1])"] = args[2] == "on" ? "on" : nil }
                return ToolResult(stdout: "lb-hostname/\(args[1])=\(args[2])\n")
            case "cloud-lb":
                guard args.count == 3, args[2] == "on" || args[2] == "off" else {
                    return ToolResult(stderr: "usage: fakeworld config cloud-lb CLUSTER on|off\n", code: 1)
                }
                try store.transaction { $0.config["cloud-lb/\(args[1])"] = args[2] == "on" ? "on" : nil }
                return ToolResult(stdout: "cloud-lb/\(args[1])=\(args[2])\n")
            default:
                return ToolResult(
                    stderr: "fakeworld config: unknown setting \"\(args[0])\"; known: helm-major, image-store, lb-hostname, cloud-lb\n",
                    code: 1)
            }
        } catch let f as ToolFailure {
            return ToolResult(stderr: f.stderr + "\n", code: 1)
        } catch {
            return ToolResult(stderr: "fakeworld config: \(error)\n", code: 1)
        }
    }

    static func selfPath() -> String {
        let p = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        if p != "/proc/self/exe" { return p }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    static func install(dir: String, environment: [String: String]) -> ToolResult {
        let fm = FileManager.default
        let target = selfPath()
        var out = ""
        do {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for tool in ["kind", "kubectl", "helm"] {
                let link = (dir as NSString).appendingPathComponent(tool)
                if (try? fm.destinationOfSymbolicLink(atPath: link)) != nil || fm.fileExists(atPath: link) {
                    try fm.removeItem(atPath: link)
                }
                try fm.createSymbolicLink(atPath: link, withDestinationPath: target)
                out += "\(link) -> \(target)\n"
            }
        } catch {
            return ToolResult(stderr: "fakeworld: install failed: \(error.localizedDescription)\n", code: 1)
        }
        return ToolResult(stdout: out)
    }

    /// Builds an image from busybox-static: /bin/busybox plus its applet links; the CMD keeps
    /// running as PID 1 and exits promptly on SIGTERM.
    static func image(_ args: [String], environment: [String: String]) -> ToolResult {
        var node: String? = nil, kms: String? = nil, apps: [String] = []
        var busybox = ["/usr/bin/busybox", "/bin/busybox"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/busybox"
        var i = 0
        while i < args.count {
            let a = args[i]
            let value: String? = i + 1 < args.count ? args[i + 1] : nil
            switch a {
            case "--node": node = value; i += 2
            case "--kms": kms = value; i += 2
            case "--busybox": busybox = value ?? busybox; i += 2
            case "--app":
                guard let value else { return ToolResult(stderr: "fakeworld image: --app needs an image reference\n", code: 1) }
                apps.append(value); i += 2
            default:
                if a.hasPrefix("--node=") {
                    node = String(a.dropFirst(7)); i += 1
                } else if a.hasPrefix("--kms=") {
                    kms = String(a.dropFirst(6)); i += 1
                } else if a.hasPrefix("--app=") {
                    apps.append(String(a.dropFirst(6))); i += 1
                } else {
                    return ToolResult(stderr: "fakeworld image: unknown argument \(a)\n", code: 1)
                }
            }
        }
        if node == nil && kms == nil && apps.isEmpty { node = KindCommand.defaultImage; kms = "vault:1.6.2" }
        guard FileManager.default.isExecutableFile(atPath: busybox) else {
            return ToolResult(
                stderr: "fakeworld image: \(busybox) not found; install busybox-static (apt-get install busybox-static)\n", code: 1)
        }
        let docker = Docker(environment: environment)
        // `--app REF`: a small local image tagged REF (for `kind load docker-image`), made once: an
        // existing tag is kept. Each gets its own ID (a label naming it).
        var imports: [(tag: String, changes: [String])] = []
        if let node { imports.append((node, ["ENV container=docker"])) }
        if let kms { imports.append((kms, ["ENV VAULT_ADDR=http://127.0.0.1:8200"])) }
        var out = ""
        for app in apps where !imports.contains(where: { $0.tag == app }) {
            let r = docker.run(["image", "inspect", "-f", "{{.Id}}", app])
            if r.ok { out += "\(app) \(r.trimmed)\n" } else { imports.append((app, ["LABEL fakeworld.app=\(app)"])) }
        }
        if imports.isEmpty { return ToolResult(stdout: out) }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("fakeworld-image-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let root = tmp.appendingPathComponent("rootfs")
        do {
            let fm = FileManager.default
            for d in ["bin", "usr/bin", "sbin", "usr/sbin", "tmp", "etc", "root", "var", "run", "proc", "sys", "dev"] {
                try fm.createDirectory(at: root.appendingPathComponent(d), withIntermediateDirectories: true)
            }
            try fm.copyItem(atPath: busybox, toPath: root.appendingPathComponent("bin/busybox").path)
            let list = Process()
            list.executableURL = URL(fileURLWithPath: busybox)
            list.arguments = ["--list-full"]
            let pipe = Pipe()
            list.standardOutput = pipe
            try list.run()
            let applets = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            list.waitUntilExit()
            for path in applets.split(separator: "\n") where !path.isEmpty && path != "bin/busybox" {
                let linkPath = root.appendingPathComponent(String(path)).path
                try fm.createDirectory(atPath: (linkPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                if !fm.fileExists(atPath: linkPath) { try fm.createSymbolicLink(atPath: linkPath, withDestinationPath: "/bin/busybox") }
            }
            try "root:x:0:0:root:/root:/bin/sh\n".write(to: root.appendingPathComponent("etc/passwd"), atomically: true, encoding: .utf8)
            let tar = tmp.appendingPathComponent("rootfs.tar").path
            let t = Process()
            t.executableURL = URL(fileURLWithPath: "/bin/tar")
            if !fm.isExecutableFile(atPath: "/bin/tar") { t.executableURL = URL(fileURLWithPath: "/usr/bin/tar") }
            t.arguments = ["-C", root.path, "-cf", tar, "."]
            try t.run()
            t.waitUntilExit()
            guard t.terminationStatus == 0 else { return ToolResult(stderr: "fakeworld image: tar failed\n", code: 1) }
            let cmd = #"CMD ["/bin/sh", "-c", "trap 'exit 0' TERM INT; sleep 2147483647 & wait"]"#
            for (tag, changes) in imports {
                let r = docker.run(
                    ["import", "--change", cmd] + changes.flatMap { ["--change", $0] } + [
                        "--change", "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin", tar, tag,
                    ])
                guard r.ok else {
                    return ToolResult(stdout: out, stderr: "fakeworld image: docker import \(tag) failed: \(r.stderr)", code: 1)
                }
                out += "\(tag) \(r.trimmed)\n"
            }
        } catch {
            return ToolResult(stdout: out, stderr: "fakeworld image: \(error.localizedDescription)\n", code: 1)
        }
        return ToolResult(stdout: out)
    }
}
