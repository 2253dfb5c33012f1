import Foundation

/// Which cluster a kubectl/helm call talks to, found the way kubectl finds it: the context in the
/// kubeconfig names a cluster entry whose server URL is `https://127.0.0.1:<port>`; the port names
/// the kind cluster. The API server answers only while the control-plane container runs.
struct Target {
    var context: String
    var server: String
    var namespace: String
    var explicitNamespace: Bool
    var cluster: String?
    var hostPort: String {
        let noScheme = server.components(separatedBy: "://").last ?? server
        return String(noScheme.prefix { $0 != "/" })
    }
}

enum Unreachable: Error {
    case refused(hostPort: String)
}

struct Access {
    let world: World

    /// Resolves --context/--kubeconfig/-n. `contextErrorPrefix` differs per tool.
    func target(context flagContext: String?, kubeconfig: String?, namespace: String?, helm: Bool = false) throws(ToolFailure) -> Target {
        let kc = try Kubeconfig.loadMerged(paths: Kubeconfig.readPaths(flag: kubeconfig, env: world.env))
        let contextName = flagContext ?? kc.currentContext
        guard !contextName.isEmpty else {
            // No context at all: kubectl falls back to localhost:8080.
            return Target(
                context: "", server: "http://localhost:8080", namespace: namespace ?? "default", explicitNamespace: namespace != nil,
                cluster: nil)
        }
        guard let ctx = kc.entry("contexts", contextName) else {
            if helm {
                throw ToolFailure(stderr: "Error: Kubernetes cluster unreachable: context \"\(contextName)\" does not exist")
            }
            throw ToolFailure(stderr: "Error in configuration: context was not found for specified context: \(contextName)")
        }
        let server = kc.server(context: contextName) ?? "http://localhost:8080"
        let ns = namespace ?? ctx[path: "context", "namespace"]?.string ?? "default"
        var t = Target(context: contextName, server: server, namespace: ns, explicitNamespace: namespace != nil, cluster: nil)
        let port = Int(t.hostPort.split(separator: ":").last ?? "")
        let state = world.store.read()
        t.cluster = state.clusters.values.first { port != nil && $0.apiPort == port && t.hostPort.hasPrefix("127.0.0.1:") }?.name
        return t
    }

    /// Throws `.refused` unless the cluster's API server is up.
    func requireUp(_ t: Target) throws(Unreachable) -> String {
        guard let name = t.cluster, !world.settings.apiserverDown(name),
            world.docker.isRunning("\(name)-control-plane")
        else {
            throw .refused(hostPort: t.hostPort)
        }
        return name
    }

    /// klog's header: E1127 04:13:21.066735    8592 file:line]
    func klog(_ file: String) -> String {
        let d = world.invocation.now()
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.month, .day, .hour, .minute, .second, .nanosecond], from: d)
        let pid = ProcessInfo.processInfo.processIdentifier
        return String(
            format: "E%02d%02d %02d:%02d:%02d.%06d %7d %@]", c.month!, c.day!, c.hour!, c.minute!, c.second!, c.nanosecond! / 1000, pid,
            file)
    }

    /// kubectl's stderr when the server refuses connections: `lines` klog E lines, then the final message.
    func refusedText(_ hostPort: String, scheme: String = "https", lines: Int) -> String {
        var s = ""
        for i in 0..<lines {
            let what = i == lines - 1 && lines >= 5 ? "memcache.go:265" : "memcache.go:265"
            s +=
                "\(klog(what)) \"Unhandled Error\" err=\"couldn't get current server API group list: Get \\\"\(scheme)://\(hostPort)/api?timeout=32s\\\": dial tcp \(hostPort): connect: connection refused\"\n"
        }
        return s + "The connection to the server \(hostPort) was refused - did you specify the right host or port?\n"
    }

    func applyRefusedText(_ hostPort: String, source: String) -> String {
        "error: error validating \"\(source)\": error validating data: failed to download openapi: Get \"https://\(hostPort)/openapi/v2?timeout=32s\": dial tcp \(hostPort): connect: connection refused; if you choose to ignore these errors, turn validation off with --validate=false\n"
    }

    func helmRefusedText(_ hostPort: String) -> String {
        "Error: Kubernetes cluster unreachable: Get \"https://\(hostPort)/version\": dial tcp \(hostPort): connect: connection refused\n"
    }
}
