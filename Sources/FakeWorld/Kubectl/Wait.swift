import Foundation

/// `kubectl wait --for=condition=X|delete|create|jsonpath=… TYPE/NAME | TYPE -l SEL | --all [--timeout=D]`.
struct Wait {
    let world: World

    enum Goal { case condition(String, String), delete, create, jsonpath(String, String?) }

    func run(_ args: [String]) throws -> ToolResult {
        let p = try FlagParser.parse(
            args,
            specs: Kubectl.global + [
                .value("for"), .value("timeout"), .value("selector", "l"), .bool("all"), .bool("all-namespaces", "A"),
                .value("filename", "f"), .value("output", "o"), .value("field-selector"), .bool("local"),
            ], style: .kubectl(command: "kubectl wait"))
        guard let forText = p.last("for") else { throw ToolFailure(stderr: "error: --for must be set") }
        let goal: Goal
        if forText.lowercased().hasPrefix("condition=") {
            let rest = String(forText.dropFirst("condition=".count))
            let kv = rest.split(separator: "=", maxSplits: 1).map(String.init)
            goal = .condition(kv[0], kv.count == 2 ? kv[1] : "True")
        } else if forText == "delete" {
            goal = .delete
        } else if forText == "create" {
            goal = .create
        } else if forText.hasPrefix("jsonpath=") {
            let rest = String(forText.dropFirst("jsonpath=".count))
            if let close = rest.lastIndex(of: "}"), rest.index(after: close) < rest.endIndex, rest[rest.index(after: close)] == "=" {
                goal = .jsonpath(String(rest[...close]), String(rest[rest.index(close, offsetBy: 2)...]))
            } else {
                goal = .jsonpath(rest, nil)
            }
        } else {
            throw ToolFailure(stderr: "error: unrecognized condition: \"\(forText)\"")
        }
        var timeout = 30.0
        if let t = p.last("timeout") {
            guard let s = GoDuration.parse(t) else {
                throw ToolFailure(stderr: "error: invalid argument \"\(t)\" for \"--timeout\" flag: time: invalid duration \"\(t)\"")
            }
            timeout = s < 0 ? 7 * 24 * 3600 : s
        }
        let session = try Session(world: world, flags: p)
        let deadline = Date().addingTimeInterval(timeout)
        let selector = p.last("selector").flatMap(LabelSelector.parse)
        while true {
            let attempt = try session.withCluster(lines: 4) { state, name -> (ToolResult, pending: [String])? in
                let cluster = state.clusters[name]!
                let reqs = try ResourceArgs.parse(p.positionals, cluster: cluster, command: "wait").requests
                var objects: [(ResourceType, String, JSON?)] = []
                for r in reqs {
                    if let n = r.name {
                        objects.append((r.type, n, cluster.get(r.type, namespace: session.namespace, name: n)))
                    } else {
                        let items = cluster.list(r.type, namespace: p.bool("all-namespaces") ? nil : session.namespace)
                            .filter { selector?.matches($0.labels) ?? p.bool("all") }
                        objects += items.map { (r.type, $0.name ?? "", $0) }
                    }
                }
                if objects.isEmpty {
                    if case .delete = goal { return (ToolResult(), []) }
                    throw ToolFailure(stderr: "error: no matching resources found")
                }
                let out = Output()
                var pending: [String] = []
                for (t, n, obj) in objects {
                    let met: Bool
                    switch goal {
                    case .delete: met = obj == nil
                    case .create: met = obj != nil
                    case .condition(let c, let v):
                        guard let obj else {
                            throw ToolFailure(stderr: "Error from server (NotFound): \(t.qualifiedPlural) \"\(n)\" not found")
                        }
                        met = (obj[path: "status", "conditions"]?.array ?? []).contains {
                            $0["type"]?.string?.lowercased() == c.lowercased() && $0["status"]?.string?.lowercased() == v.lowercased()
                        }
                    case .jsonpath(let tpl, let want):
                        guard let obj else {
                            throw ToolFailure(stderr: "Error from server (NotFound): \(t.qualifiedPlural) \"\(n)\" not found")
                        }
                        let got = (try? Printer.jsonpath(tpl, obj)) ?? ""
                        met = want.map { got == $0 } ?? !got.isEmpty
                    }
                    if met {
                        if case .delete = goal {
                            out.say("\(t.qualifiedKind)/\(n) condition met")
                        } else {
                            out.say("\(t.qualifiedKind)/\(n) condition met")
                        }
                    } else {
                        pending.append("\(t.plural)/\(n)")
                    }
                }
                if pending.isEmpty { return (out.result(), []) }
                return (out.result(), pending)
            }
            if let attempt, attempt.pending.isEmpty { return attempt.0 }
            if Date() >= deadline {
                let first = attempt?.pending.first ?? ""
                if timeout == 0 { throw ToolFailure(stderr: "error: condition not met for \(first)") }
                throw ToolFailure(stderr: "error: timed out waiting for the condition on \(first)")
            }
            Thread.sleep(forTimeInterval: min(0.1, max(0.01, deadline.timeIntervalSinceNow)))
        }
    }
}
