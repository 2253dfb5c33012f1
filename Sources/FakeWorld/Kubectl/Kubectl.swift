import Foundation

/// `kubectl`: a client of the simulated API server of one kind cluster.
struct Kubectl {
    let world: World
    static let global: [FlagSpec] = [
        .value("context"), .value("kubeconfig"), .value("namespace", "n"), .value("cluster"), .value("user"),
        .value("request-timeout"), .value("v", "v"), .bool("insecure-skip-tls-verify"), .value("server", "s"),
        .value("token"), .bool("help", "h"),
    ]

    func run(_ args: [String]) throws -> ToolResult {
        // The command is the first word that is neither a flag nor a global flag's value.
        var i = 0
        var command: String?
        while i < args.count {
            let a = args[i]
            if a == "--" { break }
            if a.hasPrefix("-") {
                let name = a.hasPrefix("--") ? String(a.dropFirst(2).prefix { $0 != "=" }) : String(a.dropFirst().prefix(1))
                let spec = Kubectl.global.first { $0.name == name || (a.count == 2 && $0.short == a.last) }
                if let spec, spec.takesValue, !a.contains("="), a.count == (a.hasPrefix("--") ? name.count + 2 : 2) { i += 1 }
                i += 1
                continue
            }
            command = a
            break
        }
        guard let command else {
            return ToolResult(
                stderr:
                    "kubectl controls the Kubernetes cluster manager.\n\n Find more information at: https://kubernetes.io/docs/reference/kubectl/\n",
                code: 0)
        }
        var rest = args
        rest.remove(at: i)
        switch command {
        case "apply": return try Apply(world: world).run(rest)
        case "get": return try Get(world: world).run(rest)
        case "delete": return try Delete(world: world).run(rest)
        case "create": return try Create(world: world).run(rest)
        case "wait": return try Wait(world: world).run(rest)
        case "exec": return try Exec(world: world).run(rest)
        case "logs": return try Logs(world: world).run(rest)
        case "config": return try ConfigCommand(world: world).run(rest)
        case "rollout": return try Rollout(world: world).run(rest)
        case "label": return try Label(world: world, annotate: false).run(rest)
        case "annotate": return try Label(world: world, annotate: true).run(rest)
        case "version":
            _ = try FlagParser.parse(
                rest, specs: Kubectl.global + [.bool("client"), .value("output", "o")], style: .kubectl(command: "kubectl version"))
            return ToolResult(stdout: "Client Version: v1.32.4\nKustomize Version: v5.5.0\n")
        case "cluster-info":
            let p = try FlagParser.parse(rest, specs: Kubectl.global, style: .kubectl(command: "kubectl cluster-info"))
            let session = try Session(world: world, flags: p)
            return try session.withCluster(lines: 5) { _, _ in
                ToolResult(
                    stdout:
                        "Kubernetes control plane is running at \(session.target.server)\nCoreDNS is running at \(session.target.server)/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n"
                )
            }
        default:
            throw ToolFailure(stderr: "error: unknown command \"\(command)\" for \"kubectl\"")
        }
    }
}

/// One kubectl call bound to its target cluster.
struct Session {
    let world: World
    let target: Target
    var access: Access { Access(world: world) }

    init(world: World, flags: ParsedFlags) throws(ToolFailure) {
        self.world = world
        self.target = try Access(world: world).target(
            context: flags.last("context"), kubeconfig: flags.last("kubeconfig"), namespace: flags.last("namespace"))
    }

    var namespace: String { target.namespace }

    /// Runs `body` under the state lock on the reconciled cluster, or fails with the refused text.
    func withCluster<T>(lines: Int, refused: ((String) -> String)? = nil, _ body: (inout WorldState, String) throws -> T) throws -> T {
        let name: String
        do { name = try access.requireUp(target) } catch {
            if case .refused(let hp) = error {
                let scheme = target.server.hasPrefix("http://") ? "http" : "https"
                throw ToolFailure(stderr: refused?(hp) ?? access.refusedText(hp, scheme: scheme, lines: lines))
            }
            throw error
        }
        return try world.store.transaction { state in
            Simulation(world: world).reconcile(&state)
            guard state.clusters[name] != nil else {
                throw ToolFailure(stderr: access.refusedText(target.hostPort, lines: lines))
            }
            return try body(&state, name)
        }
    }
}
