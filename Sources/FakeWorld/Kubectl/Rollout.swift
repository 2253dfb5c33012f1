import Foundation

/// `kubectl rollout status deployment/NAME|daemonset/NAME|statefulset/NAME [--timeout=D] [-w=false]`.
struct Rollout {
    let world: World

    func run(_ args: [String]) throws -> ToolResult {
        let p = try FlagParser.parse(
            args, specs: Kubectl.global + [.value("timeout"), .bool("watch", "w"), .value("revision")],
            style: .kubectl(command: "kubectl rollout status"))
        guard p.positionals.first == "status" else {
            throw ToolFailure(stderr: "error: unknown command \"\(p.positionals.first ?? "")\" for \"kubectl rollout\"")
        }
        let session = try Session(world: world, flags: p)
        var timeout = 0.0
        if let t = p.last("timeout") {
            guard let s = GoDuration.parse(t) else {
                throw ToolFailure(stderr: "error: invalid argument \"\(t)\" for \"--timeout\" flag: time: invalid duration \"\(t)\"")
            }
            timeout = s
        }
        let watch = p.values["watch"] == nil || p.bool("watch")
        let deadline = timeout > 0 ? Date().addingTimeInterval(timeout) : Date.distantFuture
        var out = ""
        while true {
            let (line, done) = try session.withCluster(lines: 5) { state, name -> (String, Bool) in
                let c = state.clusters[name]!
                let reqs = try ResourceArgs.parse(Array(p.positionals.dropFirst()), cluster: c, command: "rollout status").requests
                guard let req = reqs.first, let n = req.name else { throw ToolFailure(stderr: "error: required resource not specified") }
                guard ["Deployment", "DaemonSet", "StatefulSet"].contains(req.type.kind) else {
                    throw ToolFailure(stderr: "error: no status viewer has been implemented for \(req.type.kind)")
                }
                guard let obj = c.get(req.type, namespace: session.namespace, name: n) else {
                    throw ToolFailure(stderr: "Error from server (NotFound): \(req.type.qualifiedPlural) \"\(n)\" not found")
                }
                // [SRC kubectl pkg/polymorphichelpers/rollout_status.go] texts.
                switch req.type.kind {
                case "Deployment":
                    let want = obj[path: "spec", "replicas"]?.int ?? 1
                    let available = obj[path: "status", "availableReplicas"]?.int ?? 0
                    if available >= want { return ("deployment \"\(n)\" successfully rolled out\n", true) }
                    return (
                        "Waiting for deployment \"\(n)\" rollout to finish: \(available) of \(want) updated replicas are available...\n",
                        false
                    )
                case "DaemonSet":
                    let want = obj[path: "status", "desiredNumberScheduled"]?.int ?? 0
                    let ready = obj[path: "status", "numberAvailable"]?.int ?? 0
                    if ready >= want { return ("daemon set \"\(n)\" successfully rolled out\n", true) }
                    return ("Waiting for daemon set \"\(n)\" rollout to finish: \(ready) of \(want) updated pods are available...\n", false)
                default:
                    let want = obj[path: "spec", "replicas"]?.int ?? 1
                    let ready = obj[path: "status", "readyReplicas"]?.int ?? 0
                    if ready >= want { return ("partitioned roll out complete: \(want) new pods have been updated...\n", true) }
                    return ("Waiting for \(want - ready) pods to be ready...\n", false)
                }
            }
            if !out.hasSuffix(line) { out += line }
            if done || !watch { return ToolResult(stdout: out) }
            if Date() >= deadline { throw ToolFailure(stderr: "error: timed out waiting for the condition", stdout: out) }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }
}
