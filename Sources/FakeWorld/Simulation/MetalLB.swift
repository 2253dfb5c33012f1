import Foundation
import YAML

/// MetalLB's controller: LoadBalancer Services get `status.loadBalancer.ingress[0].ip` from a pool.
/// ≤ v0.12: pools from ConfigMap `config` (`address-pools`); ≥ v0.13: IPAddressPool objects, and a
/// ConfigMap is ignored. No pools, or spec.loadBalancerIP outside them: the Service stays pending.
struct MetalLB {
    let sim: Simulation
    static let namespace = "metallb-system"

    struct Pool { var name: String; var ranges: [(UInt32, UInt32)]; var autoAssign: Bool }

    static func installed(_ c: ClusterState) -> Bool {
        c.get(.deployment, namespace: namespace, name: "controller") != nil
    }

    static func usesCRDs(_ c: ClusterState) -> Bool {
        c.get(.crd, namespace: nil, name: "ipaddresspools.metallb.io") != nil
    }

    static func controllerReady(_ c: ClusterState) -> Bool {
        c.list(.pod, namespace: namespace).contains { $0.labels["component"] == "controller" && $0.conditionTrue("Ready") }
    }

    /// A LoadBalancer address answers (layer 2: a speaker answers ARP for it) only once a speaker
    /// pod of the DaemonSet is Ready [SRC metallb speaker/layer2_controller.go v0.13.10; labels
    /// app=metallb, component=speaker in manifests/metallb.yaml v0.9.3 and
    /// config/manifests/metallb-native.yaml v0.13.10]. Cloud LBs (the lb-hostname and cloud-lb settings) answer.
    static func announces(_ c: ClusterState, state: WorldState) -> Bool {
        if state.lbHostname(c.name) || state.cloudLB(c.name) { return true }
        return c.list(.pod, namespace: namespace).contains { $0.labels["component"] == "speaker" && $0.conditionTrue("Ready") }
    }

    static func pools(_ c: ClusterState) -> [Pool] {
        if usesCRDs(c) {
            guard let t = c.types.first(where: { $0.kind == "IPAddressPool" && $0.group == "metallb.io" }) else { return [] }
            return c.list(t, namespace: namespace).map { p in
                Pool(
                    name: p.name ?? "", ranges: (p[path: "spec", "addresses"]?.array ?? []).compactMap { $0.string.flatMap(IPv4.range) },
                    autoAssign: p[path: "spec", "autoAssign"]?.bool ?? true)
            }
        }
        guard let cm = c.get(.configMap, namespace: namespace, name: "config"),
            let text = cm[path: "data", "config"]?.string,
            let node = try? YAMLParser.parse(text)
        else { return [] }
        let config = JSON(node: node)
        return (config["address-pools"]?.array ?? []).map { p in
            Pool(
                name: p["name"]?.string ?? "", ranges: (p["addresses"]?.array ?? []).compactMap { $0.string.flatMap(IPv4.range) },
                autoAssign: p["auto-assign"]?.bool ?? true)
        }
    }

    func reconcile(_ c: inout ClusterState) {
        guard MetalLB.installed(c), MetalLB.controllerReady(c) else { return }
        let pools = MetalLB.pools(c)
        guard !pools.isEmpty else { return }  // controller clears its state and leaves Services pending
        var used: Set<UInt32> = []
        let services = c.list(.service, namespace: nil).filter { $0[path: "spec", "type"]?.string == "LoadBalancer" }
        func inPool(_ ip: UInt32) -> Pool? { pools.first { $0.ranges.contains { $0.0 <= ip && ip <= $0.1 } } }
        // Keep valid existing assignments first.
        var pending: [JSON] = []
        for s in services {
            if let cur = s[path: "status", "loadBalancer", "ingress"]?.array?.first?["ip"]?.string, let ip = IPv4.parse(cur),
                inPool(ip) != nil, !used.contains(ip),
                (s[path: "spec", "loadBalancerIP"]?.string).map({ $0.isEmpty || $0 == cur }) ?? true
            {
                used.insert(ip)
            } else {
                pending.append(s)
            }
        }
        for s in pending {
            var ip: UInt32?
            if let want = s[path: "spec", "loadBalancerIP"]?.string, !want.isEmpty {
                if let w = IPv4.parse(want), inPool(w) != nil, !used.contains(w) { ip = w }
            } else {
                search: for pool in pools where pool.autoAssign {
                    for r in pool.ranges {
                        var a = r.0
                        while a <= r.1 {
                            if !used.contains(a) { ip = a; break search }
                            if a == UInt32.max { break }
                            a += 1
                        }
                    }
                }
            }
            var updated = s
            if let ip {
                used.insert(ip)
                updated[path: "status", "loadBalancer"] = ["ingress": [["ip": .string(IPv4.format(ip))]]]
            } else {
                updated[path: "status", "loadBalancer"] = .object([:])
            }
            c.store(updated, type: .service)
        }
    }
}

/// The validating webhooks of the cluster (MetalLB ≥ v0.13's is the one the world models).
struct Admission {
    let world: World

    /// nil when admitted; else the error text after `error when creating "SRC": `.
    func validate(_ obj: JSON, type: ResourceType, cluster c: ClusterState) -> String? {
        guard type.group == "metallb.io",
            let hooks = c.get(
                ResourceType.builtins.first { $0.kind == "ValidatingWebhookConfiguration" }!, namespace: nil,
                name: "metallb-webhook-configuration")
        else { return nil }
        let lower = type.kind.lowercased()
        guard let hook = (hooks["webhooks"]?.array ?? []).first(where: { $0["name"]?.string == "\(lower)validationwebhook.metallb.io" })
        else { return nil }
        if !world.settings.webhookNeverReady(c.name) && MetalLB.controllerReady(c) { return nil }
        let path = hook[path: "clientConfig", "service", "path"]?.string ?? "/validate-metallb-io-v1beta1-\(lower)"
        let svcIP =
            c.get(.service, namespace: MetalLB.namespace, name: "webhook-service")?[path: "spec", "clusterIP"]?.string ?? "10.96.0.10"
        // The exact text was not captured in the reference (§6 says so); this is the API server's
        // usual wording for a webhook whose endpoint refuses connections.
        return
            "Internal error occurred: failed calling webhook \"\(lower)validationwebhook.metallb.io\": failed to call webhook: Post \"https://webhook-service.metallb-system.svc:443\(path)?timeout=10s\": dial tcp \(svcIP):443: connect: connection refused"
    }
}

/// IPv4 helpers for pools.
enum IPv4 {
    static func parse(_ s: String) -> UInt32? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard let b = UInt32(p), b < 256 else { return nil }
            v = v << 8 | b
        }
        return v
    }

    static func format(_ v: UInt32) -> String { "\(v >> 24).\(v >> 16 & 255).\(v >> 8 & 255).\(v & 255)" }

    /// `a.b.c.d/n` or `a.b.c.d-e.f.g.h` → inclusive range; IPv6 entries are ignored (nil).
    static func range(_ s: String) -> (UInt32, UInt32)? {
        let t = s.trimmingCharacters(in: .whitespaces)
        if let slash = t.firstIndex(of: "/") {
            guard let base = parse(String(t[..<slash])), let bits = Int(t[t.index(after: slash)...]), bits >= 0, bits <= 32 else {
                return nil
            }
            let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - UInt32(bits))
            return (base & mask, (base & mask) | ~mask)
        }
        let ends = t.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        if ends.count == 2, let a = parse(ends[0]), let b = parse(ends[1]), a <= b { return (a, b) }
        if let a = parse(t) { return (a, a) }
        return nil
    }
}
