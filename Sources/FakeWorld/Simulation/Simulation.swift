import Foundation

/// Lazy time: no daemon runs; every call reconciles every cluster against the wall clock
/// (a pod is Ready once now ≥ its creation + the pod-ready latency, and so on).
struct Simulation {
    let world: World
    var now: Double { world.now }
    var latency: Latencies { world.settings.latency }

    func reconcile(_ state: inout WorldState) {
        for pass in 0..<2 {
            for name in state.clusters.keys.sorted() {
                guard var c = state.clusters[name] else { continue }
                collectGarbage(&c)
                // Helm keeps release records in the release namespace: they go with it.
                c.releases = c.releases.filter { c.namespaceExists($0.value.namespace) }
                establishCRDs(&c)
                Workloads(sim: self).reconcile(&c)
                assignClusterIPs(&c)
                if state.lbHostname(name) {
                    cloudHostnames(&c)
                } else if state.cloudLB(name) {
                    cloudIPs(&c, state: state)
                } else {
                    MetalLB(sim: self).reconcile(&c)
                }
                if pass == 0 { VaultOperator(sim: self).reconcile(&c) }
                state.clusters[name] = c
            }
            if pass == 0 { Raft(sim: self).reconcile(&state) }
        }
    }

    /// Objects whose owner is gone are deleted (the garbage collector).
    func collectGarbage(_ c: inout ClusterState) {
        let uids = Set(c.objects.values.compactMap(\.uid))
        var changed = true
        while changed {
            changed = false
            for (key, obj) in c.objects {
                let owners = obj[path: "metadata", "ownerReferences"]?.array ?? []
                if !owners.isEmpty, !owners.contains(where: { $0["uid"]?.string.map(uids.contains) ?? false }) {
                    c.objects[key] = nil
                    if let uid = obj.uid { c.born[uid] = nil }
                    changed = true
                }
            }
            if changed { break }
        }
    }

    func establishCRDs(_ c: inout ClusterState) {
        for crd in c.list(.crd, namespace: nil) {
            let established = now >= c.bornAt(crd) + latency[.crdEstablished]
            let names = crd[path: "spec", "names"] ?? .object([:])
            var updated = crd
            updated["status"] = [
                "acceptedNames": names,
                "conditions": [
                    [
                        "type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found",
                        "lastTransitionTime": .string(rfc3339(c.bornAt(crd))),
                    ],
                    [
                        "type": "Established", "status": established ? "True" : "False",
                        "reason": established ? "InitialNamesAccepted" : "Installing",
                        "message": established
                            ? "the initial names have been accepted"
                            : "the initial names have been accepted but the CRD is not established yet",
                        "lastTransitionTime": .string(rfc3339(c.bornAt(crd) + (established ? latency[.crdEstablished] : 0))),
                    ],
                ],
                "storedVersions": .array(
                    (crd[path: "spec", "versions"]?.array ?? []).filter { $0["storage"]?.bool == true }.compactMap { $0["name"] }),
            ]
            c.store(updated, type: .crd)
        }
    }

    /// The `lb-hostname` setting: a cloud load balancer (EKS's) reports only a hostname
    /// (`status.loadBalancer.ingress[0].hostname`, no ip) [SRC kubernetes staging/src/k8s.io/api/core/v1/types.go
    /// v1.33.0 LoadBalancerIngress; cloud-provider-aws pkg/providers/v1/aws_loadbalancer.go].
    func cloudHostnames(_ c: inout ClusterState) {
        for s in c.list(.service, namespace: nil) where s[path: "spec", "type"]?.string == "LoadBalancer" {
            guard s[path: "status", "loadBalancer", "ingress"]?.array?.first == nil else { continue }
            let hex = SHA1.digest(Array((s.uid ?? "").utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
            let n = SHA1.digest(Array((s.uid ?? "").utf8)).suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) } % 1_000_000_000
            var updated = s
            updated[path: "status", "loadBalancer"] = ["ingress": [["hostname": .string("a\(hex)-\(n).eu-west-1.elb.amazonaws.com")]]]
            c.store(updated, type: .service)
        }
    }

    /// The `cloud-lb` setting: a cloud's service controller gives each LoadBalancer Service an
    /// external address (GKE-like: `ingress[0].ip`) [SRC kubernetes
    /// staging/src/k8s.io/cloud-provider/controllers/service/controller.go v1.33.0: wantsLoadBalancer
    /// (type LoadBalancer and no spec.loadBalancerClass), ensureLoadBalancer, patchStatus].
    /// Addresses come from TEST-NET-3, 203.0.113.0/24 (RFC 5737), unique in the world; a
    /// `spec.loadBalancerIP` is honoured as a reserved static address when no other Service has it.
    func cloudIPs(_ c: inout ClusterState, state: WorldState) {
        let (lo, hi) = Simulation.cloudRange
        var used: Set<UInt32> = []
        for other in state.clusters.values where other.name != c.name {
            for s in other.list(.service, namespace: nil) {
                for i in s[path: "status", "loadBalancer", "ingress"]?.array ?? [] {
                    if let ip = i["ip"]?.string.flatMap(IPv4.parse) { used.insert(ip) }
                }
            }
        }
        let services = c.list(.service, namespace: nil).filter {
            $0[path: "spec", "type"]?.string == "LoadBalancer" && $0[path: "spec", "loadBalancerClass"] == nil
        }
        var pending: [JSON] = []
        for s in services {
            let want = s[path: "spec", "loadBalancerIP"]?.string ?? ""
            if let cur = s[path: "status", "loadBalancer", "ingress"]?.array?.first?["ip"]?.string, let ip = IPv4.parse(cur),
                !used.contains(ip), want.isEmpty || want == cur
            {
                used.insert(ip)
            } else {
                pending.append(s)
            }
        }
        for s in pending {
            var ip: UInt32?
            if let want = s[path: "spec", "loadBalancerIP"]?.string, !want.isEmpty {
                if let w = IPv4.parse(want), !used.contains(w) { ip = w }
            } else {
                ip = (lo + 1..<hi).first { !used.contains($0) }
            }
            var updated = s
            if let ip {
                used.insert(ip)
                updated[path: "status", "loadBalancer"] = ["ingress": [["ip": .string(IPv4.format(ip))]]]
            } else {
                updated[path: "status", "loadBalancer"] = .object([:])
            }
            if updated != s { c.store(updated, type: .service) }
        }
    }

    /// TEST-NET-3 (RFC 5737): the world's cloud load balancer addresses.
    static let cloudRange: (UInt32, UInt32) = IPv4.range("203.0.113.0/24")!

    func assignClusterIPs(_ c: inout ClusterState) {
        for svc in c.list(.service, namespace: nil) where svc[path: "spec", "clusterIP"] == nil {
            var s = svc
            c.nextIP += 1
            let ip = "10.96.\(c.nextIP / 250).\(c.nextIP % 250 + 2)"
            s[path: "spec", "clusterIP"] = .string(ip)
            s[path: "spec", "clusterIPs"] = [.string(ip)]
            if s[path: "spec", "type"] == nil { s[path: "spec", "type"] = "ClusterIP" }
            if s[path: "spec", "type"]?.string == "LoadBalancer" {
                var ports = s[path: "spec", "ports"]?.array ?? []
                for i in ports.indices where ports[i]["nodePort"] == nil { ports[i]["nodePort"] = .int(30000 + (c.nextIP * 7 + i) % 2768) }
                s[path: "spec", "ports"] = .array(ports)
                if s[path: "status", "loadBalancer"] == nil { s[path: "status", "loadBalancer"] = .object([:]) }
            }
            c.store(s, type: .service)
        }
    }
}
