import YAML

/// Turns the node tree of a spec into a `Topology`, reporting every problem it meets.
struct TopologyDecoder {
    var reader: SpecReader
    let paths: PathResolver
    /// The `extraPortMappings` read, with their marks, by the path of their node section
    /// (`spec.kindConfig.controlPlane`): for the host-port check over every node.
    var portSources: [String: [(Topology.PortMapping, Mark)]] = [:]

    static let rootKeys = ["apiVersion", "kind", "metadata", "spec"]
    static let specKeys = [
        "provider", "nodeImage", "kindConfig", "network", "loadBalancer", "kms", "operator", "manifests", "vault", "clusters",
        "health", "images",
    ]
    static let clusterKeys = ["name", "nodeImage", "workers", "kindConfig", "pool", "context", "vault"]

    /// Decodes a whole document; nil when anything is wrong (see `reader.diagnostics`).
    mutating func decode(_ root: Node?) -> Topology? {
        guard let root, !root.isNull else {
            reader.error(
                "the spec is empty; it starts with 'apiVersion: \(Topology.apiVersion)' and 'kind: \(Topology.kind)'",
                at: Mark(line: 1, column: 1))
            return nil
        }
        guard let top = reader.fields(root, path: "", allowed: Self.rootKeys) else { return nil }
        if let apiVersion = reader.string(top, "apiVersion", required: true), apiVersion != Topology.apiVersion {
            reader.error(
                "unsupported apiVersion '\(apiVersion)'; this multidc reads \(Topology.apiVersion)", at: top.value("apiVersion")!.mark)
        }
        if let kind = reader.string(top, "kind", required: true), kind != Topology.kind {
            reader.error("unsupported kind '\(kind)'; expected \(Topology.kind)", at: top.value("kind")!.mark)
        }
        var name: String?
        if let metadataNode = top.value("metadata") {
            if let metadata = reader.fields(metadataNode, path: "metadata", allowed: ["name"]),
                let n = reader.string(metadata, "name", required: true)
            {
                if let problem = NameRules.labelProblem(n, what: "topology name") {
                    reader.error(problem, at: metadata.value("name")!.mark)
                } else {
                    name = n
                }
            }
        } else {
            reader.missing("metadata", in: top)
        }
        guard let specNode = top.value("spec") else {
            reader.missing("spec", in: top)
            return nil
        }
        guard let spec = reader.fields(specNode, path: "spec", allowed: Self.specKeys) else { return nil }
        let topology = decodeSpec(spec, name: name ?? "")
        return reader.diagnostics.isEmpty ? topology : nil
    }

    private mutating func decodeSpec(_ spec: SpecReader.Fields, name: String) -> Topology? {
        var provider = Topology.Provider.kind
        if let text = reader.string(spec, "provider") {
            if let p = Topology.Provider(rawValue: text) {
                provider = p
            } else {
                let hint =
                    EditDistance.suggestion(for: text, among: ["kind", "existing"]).map { "; did you mean '\($0)'?" }
                    ?? "; use kind or existing"
                reader.error("unknown provider '\(text)'\(hint)", at: spec.value("provider")!.mark)
            }
        }
        let kindOnly = provider == .kind
        if !kindOnly {
            for key in ["nodeImage", "kindConfig", "network"] where spec.has(key) {
                reader.error(
                    "'\(key)' is for provider kind; provider existing uses clusters that already run",
                    at: spec.keyNode(key)!.mark)
            }
        }
        let nodeImage = reader.string(spec, "nodeImage")
        var kindConfig = Topology.KindConfig()
        if kindOnly, let node = spec.value("kindConfig") { kindConfig = decodeKindConfig(node, path: "spec.kindConfig") }
        let network = decodeNetwork(spec)
        let loadBalancer = decodeLoadBalancer(spec, provider: provider)
        let kms = decodeKMS(spec, provider: provider)
        let vaultOperator = decodeOperator(spec)
        let manifests = reader.strings(spec, "manifests").compactMap { paths.reference($0.0, at: $0.1, reader: &reader) }
        let clusters = decodeClusters(spec, provider: provider)
        if let clusters {
            checkFirstBlock(network.slices, clusterCount: clusters.count)
            if kindOnly { checkHostPorts(clusters, clusterPaths: clusters.indices.map { "spec.clusters[\($0)]" }) }
        }
        let vault = decodeVault(spec, clusters: clusters ?? [])
        let health = decodeHealth(spec, clusterCount: clusters?.count ?? 0)
        let images = decodeImages(spec, provider: provider)

        guard let clusters, let loadBalancer, let kms, let vaultOperator, let vault, let health else { return nil }
        return Topology(
            name: name, provider: provider, nodeImage: nodeImage, kindConfig: kindConfig, network: network,
            loadBalancer: loadBalancer, kms: kms,
            vaultOperator: vaultOperator, manifests: manifests, vault: vault, clusters: clusters, health: health,
            images: images)
    }

    private mutating func decodeNetwork(_ spec: SpecReader.Fields) -> Topology.Network {
        var network = Topology.Network()
        guard let node = spec.value("network"),
            let f = reader.fields(node, path: "spec.network", allowed: ["name", "subnet", "slices"])
        else { return network }
        if let name = reader.string(f, "name") {
            if NameRules.isDockerName(name) {
                network.name = name
            } else {
                reader.error(
                    "invalid network name '\(name)': use letters, digits, '_', '.' and '-', starting with a letter or digit",
                    at: f.value("name")!.mark)
            }
        }
        if let text = reader.string(f, "subnet") {
            do {
                network.subnet = try CIDR.parse(text)
            } catch {
                reader.error("invalid subnet: \(error)", at: f.value("subnet")!.mark)
            }
        }
        if let slicesNode = f.value("slices"),
            let s = reader.fields(slicesNode, path: "spec.network.slices", allowed: ["blockPrefix", "firstBlock", "poolPrefix"])
        {
            network.slices.blockPrefix = reader.int(s, "blockPrefix", range: 1...128) ?? network.slices.blockPrefix
            network.slices.firstBlock = reader.int(s, "firstBlock", range: 0...Int.max) ?? network.slices.firstBlock
            network.slices.poolPrefix = reader.int(s, "poolPrefix", range: 1...128) ?? network.slices.poolPrefix
            if network.slices.poolPrefix < network.slices.blockPrefix, let node = s.value("poolPrefix") ?? s.value("blockPrefix") {
                reader.error(
                    "poolPrefix /\(network.slices.poolPrefix) is shorter than blockPrefix /\(network.slices.blockPrefix); a pool must fit inside its block",
                    at: node.mark)
            }
        }
        return network
    }

    /// Cluster `i` takes block `firstBlock + i`, and no subnet holds more than 2^blockPrefix
    /// blocks of size /blockPrefix: a firstBlock past that can never be sliced (nor overflow later).
    private mutating func checkFirstBlock(_ slices: Topology.Slices, clusterCount: Int) {
        guard let mark = reader.positions["spec.network.slices.firstBlock"], clusterCount > 0 else { return }
        let (last, overflow) = slices.firstBlock.addingReportingOverflow(clusterCount - 1)
        let limit = slices.blockPrefix < Int.bitWidth - 1 ? 1 << slices.blockPrefix : Int.max
        guard overflow || last >= limit else { return }
        let most = slices.blockPrefix < Int.bitWidth - 1 ? "\(limit)" : "2^\(slices.blockPrefix)"
        reader.error(
            "firstBlock \(slices.firstBlock) is out of range: \(clusterCount) cluster\(clusterCount == 1 ? "" : "s") would need blocks up to \(overflow ? "past \(Int.max)" : "\(last)"), but no subnet holds more than \(most) blocks of size /\(slices.blockPrefix)",
            at: mark)
    }

    private mutating func decodeLoadBalancer(_ spec: SpecReader.Fields, provider: Topology.Provider) -> Topology.LoadBalancer? {
        guard let node = spec.value("loadBalancer") else {
            return provider == .kind ? .metallb(Topology.MetalLB(version: Topology.MetalLB.defaultVersion)) : Topology.LoadBalancer.none
        }
        if let text = node.scalar {
            if text == "none" { return Topology.LoadBalancer.none }
            reader.error("expected 'none' or a mapping with 'metallb', found '\(text)'", at: node.mark)
            return nil
        }
        guard let f = reader.fields(node, path: "spec.loadBalancer", allowed: ["metallb"]) else { return nil }
        guard let metallbNode = f.value("metallb") else {
            reader.missing("metallb", in: f)
            return nil
        }
        guard let m = reader.fields(metallbNode, path: "spec.loadBalancer.metallb", allowed: ["version", "manifests"]) else {
            return nil
        }
        let manifests = reader.strings(m, "manifests").compactMap { paths.reference($0.0, at: $0.1, reader: &reader) }
        guard let version = reader.text(m, "version", required: true) else { return nil }
        guard Topology.MetalLB.isVersion(version) else {
            reader.error("invalid MetalLB version '\(version)'; write a release tag like v0.13.10", at: m.value("version")!.mark)
            return nil
        }
        return .metallb(Topology.MetalLB(version: version, manifests: manifests))
    }

    private mutating func decodeKMS(_ spec: SpecReader.Fields, provider: Topology.Provider) -> Topology.KMS? {
        guard let node = spec.value("kms") else {
            reader.missing("kms", in: spec)
            return nil
        }
        guard let f = reader.fields(node, path: "spec.kms", allowed: ["name", "image", "rootToken", "url"]) else { return nil }
        if f.has("url") {
            // An unreadable url (or a placeholder still to fill in) is reported by `string`; the
            // KMS is still external.
            let url = reader.string(f, "url")
            for key in ["name", "image"] where f.has(key) {
                reader.error(
                    "'\(key)' is for a KMS container multidc runs; an external KMS (url) takes only 'url' and 'rootToken'",
                    at: f.keyNode(key)!.mark)
            }
            if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                reader.error("invalid KMS url '\(url)'; write it like https://vault.example.com:8200", at: f.value("url")!.mark)
            }
            guard f.has("rootToken") else {
                reader.missing("rootToken", in: f, note: "; an external KMS needs rootToken.fromEnv")
                return nil
            }
            guard let token = decodeRootToken(f, external: true), let url else { return nil }
            return .external(url: url, rootToken: token)
        }
        if provider == .existing {
            reader.error("provider existing needs an external KMS: set kms.url (and rootToken.fromEnv)", at: node.mark)
            return nil
        }
        var name = "central-vault"
        if let n = reader.string(f, "name") {
            if NameRules.isDockerName(n) {
                name = n
            } else {
                reader.error(
                    "invalid container name '\(n)': use letters, digits, '_', '.' and '-', starting with a letter or digit",
                    at: f.value("name")!.mark)
            }
        }
        let image = reader.string(f, "image", required: true)
        let token = f.has("rootToken") ? decodeRootToken(f, external: false) : .generate
        guard let image, let token else { return nil }
        return .container(name: name, image: image, rootToken: token)
    }

    private mutating func decodeRootToken(_ kms: SpecReader.Fields, external: Bool) -> Topology.RootToken? {
        guard let node = kms.value("rootToken"),
            let f = reader.fields(node, path: "spec.kms.rootToken", allowed: ["fromEnv", "generate"])
        else { return nil }
        switch (f.has("fromEnv"), f.has("generate")) {
        case (true, true):
            reader.error("rootToken takes either 'fromEnv' or 'generate', not both", at: node.mark)
            return nil
        case (false, false):
            reader.missing("fromEnv' or 'generate", in: f)
            return nil
        case (true, false):
            guard let env = reader.string(f, "fromEnv") else { return nil }
            guard NameRules.isEnvName(env) else {
                reader.error("invalid environment variable name '\(env)'", at: f.value("fromEnv")!.mark)
                return nil
            }
            return .fromEnv(env)
        case (false, true):
            guard let generate = reader.bool(f, "generate") else { return nil }
            if external {
                reader.error(
                    "an external KMS needs rootToken.fromEnv; multidc cannot generate the token of a Vault it does not run",
                    at: f.value("generate")!.mark)
                return nil
            }
            guard generate else {
                reader.error("generate must be true; use fromEnv to bring your own token", at: f.value("generate")!.mark)
                return nil
            }
            return .generate
        }
    }

    private mutating func decodeOperator(_ spec: SpecReader.Fields) -> Topology.VaultOperator? {
        guard let node = spec.value("operator") else {
            reader.missing("operator", in: spec)
            return nil
        }
        guard
            let f = reader.fields(
                node, path: "spec.operator",
                allowed: ["release", "chart", "repo", "version", "namespace", "values"])
        else { return nil }
        var op = Topology.VaultOperator(chart: "")
        if let release = reader.string(f, "release") {
            if let problem = NameRules.labelProblem(release, what: "Helm release name", maxLength: 53) {
                reader.error(problem, at: f.value("release")!.mark)
            }
            op.release = release
        }
        let chart = reader.string(f, "chart", required: true)
        if let repoNode = f.value("repo"), let r = reader.fields(repoNode, path: "spec.operator.repo", allowed: ["name", "url"]) {
            let name = reader.string(r, "name", required: true)
            let url = reader.string(r, "url", required: true)
            if let name, let url { op.repo = Topology.HelmRepo(name: name, url: url) }
        }
        op.version = reader.text(f, "version")
        if let namespace = reader.string(f, "namespace") {
            if let problem = NameRules.labelProblem(namespace, what: "namespace") {
                reader.error(problem, at: f.value("namespace")!.mark)
            }
            op.namespace = namespace
        }
        if let values = f.value("values") {
            if values.mapping == nil { reader.typeError("a mapping", values) } else { op.values = values }
        }
        guard let chart else { return nil }
        op.chart = chart
        return op
    }

    private mutating func decodeClusters(_ spec: SpecReader.Fields, provider: Topology.Provider) -> [Topology.Cluster]? {
        guard let node = spec.value("clusters") else {
            reader.missing("clusters", in: spec)
            return nil
        }
        guard let items = reader.sequence(spec, "clusters") else { return nil }
        guard !items.isEmpty else {
            reader.error("spec.clusters must list at least one cluster", at: node.mark)
            return nil
        }
        var clusters: [Topology.Cluster] = []
        var firstSeen: [String: Mark] = [:]
        var ok = true
        for (i, item) in items.enumerated() {
            let path = "spec.clusters[\(i)]"
            guard let f = reader.fields(item, path: path, allowed: Self.clusterKeys) else { ok = false; continue }
            guard let name = reader.string(f, "name", required: true) else { ok = false; continue }
            let nameMark = f.value("name")!.mark
            if let problem = NameRules.clusterNameProblem(name) {
                reader.error(problem, at: nameMark)
            } else if let first = firstSeen[name] {
                reader.error(
                    "duplicate cluster '\(name)'; it was first defined at line \(first.line), column \(first.column)", at: nameMark)
            } else {
                firstSeen[name] = nameMark
            }
            var cluster = Topology.Cluster(name: name)
            if provider == .existing {
                for key in ["nodeImage", "workers", "kindConfig"] where f.has(key) {
                    reader.error(
                        "'\(key)' is for provider kind; provider existing uses clusters that already run", at: f.keyNode(key)!.mark)
                }
            }
            cluster.nodeImage = reader.string(f, "nodeImage")
            cluster.workers = reader.int(f, "workers", range: 0...100) ?? 0
            if provider == .kind, let node = f.value("kindConfig") {
                cluster.kindConfig = decodeKindConfig(node, path: "\(path).kindConfig")
            }
            if let text = reader.string(f, "pool") {
                do {
                    cluster.pool = try CIDR.parse(text)
                } catch {
                    reader.error("invalid pool: \(error)", at: f.value("pool")!.mark)
                }
            }
            cluster.context = reader.string(f, "context")
            if let context = cluster.context, let problem = NameRules.contextProblem(context) {
                reader.error(problem, at: f.value("context")!.mark)
            }
            switch provider {
            case .kind where f.has("context"):
                reader.error(
                    "'context' is for provider existing; the context of kind cluster '\(name)' is always kind-\(name)",
                    at: f.keyNode("context")!.mark)
            case .existing where !f.has("context"):
                reader.missing("context", in: f, note: "; provider existing names each cluster's kubeconfig context")
            default:
                break
            }
            if let vaultNode = f.value("vault"), let v = reader.fields(vaultNode, path: "\(path).vault", allowed: ["template"]) {
                if let t = reader.string(v, "template") {
                    cluster.vaultTemplate = paths.template(t, at: v.value("template")!, reader: &reader)
                }
            }
            clusters.append(cluster)
        }
        return ok ? clusters : nil
    }

    private mutating func decodeVault(_ spec: SpecReader.Fields, clusters: [Topology.Cluster]) -> Topology.Vault? {
        var vault = Topology.Vault(leader: clusters.first?.name ?? "")
        if let node = spec.value("vault"),
            let f = reader.fields(node, path: "spec.vault", allowed: ["template", "namespace", "leader", "shareSecrets"])
        {
            if let t = reader.string(f, "template") {
                vault.template = paths.template(t, at: f.value("template")!, reader: &reader)
            }
            if let namespace = reader.string(f, "namespace") {
                if let problem = NameRules.labelProblem(namespace, what: "namespace") {
                    reader.error(problem, at: f.value("namespace")!.mark)
                }
                vault.namespace = namespace
            }
            if let leader = reader.string(f, "leader") {
                let names = clusters.map(\.name)
                if !clusters.isEmpty, !names.contains(leader) {
                    let hint =
                        EditDistance.suggestion(for: leader, among: names).map { "; did you mean '\($0)'?" }
                        ?? "; the clusters are \(names.joined(separator: ", "))"
                    reader.error("unknown leader '\(leader)'\(hint)", at: f.value("leader")!.mark)
                }
                vault.leader = leader
            }
            for (secret, node) in reader.strings(f, "shareSecrets") {
                if !NameRules.isDNSSubdomain(secret) {
                    reader.error(
                        "invalid secret name '\(secret)': use a DNS-1123 subdomain (\(NameRules.labelRule), dot-separated)", at: node.mark)
                }
                vault.shareSecrets.append(secret)
            }
        }
        for (i, cluster) in clusters.enumerated() where cluster.vaultTemplate == nil && vault.template == nil {
            reader.error(
                "cluster '\(cluster.name)' has no Vault template; set spec.vault.template or its vault.template",
                at: reader.positions["spec.clusters[\(i)]"] ?? spec.node.mark)
        }
        return vault
    }

    private mutating func decodeHealth(_ spec: SpecReader.Fields, clusterCount: Int) -> Topology.Health? {
        var raft = Topology.Raft(voters: max(1, clusterCount))
        guard let node = spec.value("health"), let f = reader.fields(node, path: "spec.health", allowed: ["raft"]) else {
            return Topology.Health(raft: raft)
        }
        if let raftNode = f.value("raft"), let r = reader.fields(raftNode, path: "spec.health.raft", allowed: ["voters", "timeout"]) {
            raft.voters = reader.int(r, "voters", range: 1...Int.max) ?? raft.voters
            if let votersNode = r.value("voters"), raft.voters != clusterCount, clusterCount > 0 {
                // Every cluster's Vault node is a voter: the health check compares the Raft
                // configuration with the spec's clusters, so another count can never pass.
                reader.error(
                    "health.raft.voters is \(raft.voters) but the spec lists \(clusterCount) cluster\(clusterCount == 1 ? "" : "s"); every cluster's Vault node is a Raft voter (set it to \(clusterCount), or drop it: it defaults to the number of clusters)",
                    at: votersNode.mark)
            }
            if let timeoutNode = r.value("timeout") {
                if let text = timeoutNode.scalar {
                    do throws(DurationText.ParseError) {
                        guard timeoutNode.string != nil else { throw .notADuration }
                        raft.timeout = try DurationText.parseChecked(text)
                    } catch .notADuration {
                        reader.error("invalid duration '\(text)'; write it like 10m, 90s or 1h30m", at: timeoutNode.mark)
                    } catch {
                        reader.error("timeout '\(text)' \(error)", at: timeoutNode.mark)
                    }
                } else {
                    reader.typeError("a duration like 10m", timeoutNode)
                }
            }
        }
        return Topology.Health(raft: raft)
    }
}

extension Topology.MetalLB {
    /// The MetalLB release used when the spec does not name one (provider kind).
    package static let defaultVersion = "v0.13.10"

    /// True for a release tag `vMAJOR.MINOR.PATCH`.
    package static func isVersion(_ text: String) -> Bool {
        guard text.hasPrefix("v") else { return false }
        let parts = text.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }
}
