import YAML

/// The planner: a pure function from a topology and the observed world to a plan.
public enum Planner {
    /// What `apply` would do.
    public static func plan(_ input: PlanInput) -> Plan {
        var planner = ApplyPlanner(input: input)
        planner.run()
        return planner.result()
    }
}

/// Builds an apply plan, stage by stage: network → KMS → per cluster (kind cluster, ownership,
/// MetalLB, pool, operator, manifests, shared secrets, Vault).
struct ApplyPlanner {
    let input: PlanInput
    var topology: Topology { input.topology }
    var world: World { input.world }

    var actions: [PlanAction] = []
    var problems: [PlanProblem] = []
    var notes: [String] = []
    var deferredClusters: [String] = []

    /// The subnet the pools are cut from: pinned, else observed, else unknown until the network exists.
    var subnet: CIDR?
    var pools: [String: ClusterPool] = [:]
    /// Whether the network (and so everything on it) is being replaced.
    var networkReplaced = false
    /// Whether the KMS container is being created or replaced (its address and keys are new).
    var kmsIsNew = false
    /// SHA-256 of the token the Vault CRs must carry (nil: known after apply).
    var tokenFingerprint: String?

    init(input: PlanInput) {
        self.input = input
    }

    mutating func run() {
        if topology.provider == .kind || isKMSContainer {
            if case .unreachable(let message) = world.engine {
                problems.append(PlanProblem("the Docker engine is unreachable: \(message)"))
                return
            }
            // Fix (plan tests): without the container list, kind clusters and the KMS are unknown,
            // not absent; planning on would list `+` creates of clusters that may well exist.
            if let message = world.containerListProblem {
                problems.append(PlanProblem("cannot list docker containers: \(message)"))
                return
            }
        }
        if topology.provider == .kind { planNetwork() }
        resolvePools()
        planKMS()
        // Fix (plan tests): the leader's cluster is planned first. Followers' secret copies and
        // Vault CRs depend on `vault/<leader>`, and `pending` only sees actions already added, so
        // with a leader listed after some followers (examples/five-dc) those edges were lost.
        // Listing the leader first also keeps the action order consistent with every edge.
        let leaderFirst = topology.clusters.filter { $0.name == leaderName } + topology.clusters.filter { $0.name != leaderName }
        for cluster in leaderFirst { planCluster(cluster) }
        planHelmRepository()
    }

    func result() -> Plan {
        Plan(
            topology: topology.name, purpose: .apply, actions: actions, problems: problems, notes: notes, deferredClusters: deferredClusters
        )
    }

    var isKMSContainer: Bool {
        if case .container = topology.kms { return true }
        return false
    }

    /// Ids of actions that change something, for dependency edges (in-sync actions need no waiting).
    func pending(_ ids: String...) -> [String] {
        ids.filter { id in actions.contains { $0.id == id && $0.change != .inSync } }
    }

    mutating func add(_ action: PlanAction) { actions.append(action) }

    // MARK: Network

    mutating func planNetwork() {
        let name = topology.network.name
        let step = Step.createNetwork(name: name, subnet: topology.network.subnet)
        switch world.network {
        case .absent, .notObserved:
            let how = topology.network.subnet.map { "with subnet \($0)" } ?? "with a subnet docker picks, the way kind creates it"
            add(
                PlanAction(
                    id: "network", change: .create, step: step, resource: "docker network \(name)",
                    reason: "no docker network named \(name); create it \(how)"))
        case .unknown(let message):
            problems.append(PlanProblem("cannot inspect docker network \(name): \(message)"))
        case .present(let network):
            let observed = network.ipv4Subnet.flatMap { CIDR($0) }
            if let pinned = topology.network.subnet, let observed, observed != pinned {
                let users = network.containers.map(\.name).sorted()
                // Only this topology's containers may go with the network: anything else on it
                // (another kind cluster, a container started by hand) is not ours to remove.
                let ours = Set(
                    topology.clusters.flatMap { c in world.kindCluster(named: c.name)?.nodes.map(\.name) ?? [] }
                        + [topology.kmsContainerName].compactMap { $0 })
                let foreign = users.filter { !ours.contains($0) }
                if !foreign.isEmpty {
                    problems.append(
                        PlanProblem(
                            "docker network \(name) has subnet \(observed) but the spec pins \(pinned), and it cannot be replaced while containers that are not this topology's use it: \(foreign.joined(separator: ", ")); remove them, or pin the observed subnet, or use another network name"
                        ))
                    return
                }
                networkReplaced = true
                add(
                    PlanAction(
                        id: "network", change: .replace, step: step, resource: "docker network \(name)",
                        reason: "its subnet is \(observed) but the spec pins \(pinned)", observed: observed.description,
                        dataLoss: "replacing network \(name) removes every container on it"
                            + (users.isEmpty ? "" : " (\(users.joined(separator: ", ")))") + " and every Vault node in those clusters"))
            } else if observed == nil, topology.network.subnet == nil {
                problems.append(PlanProblem("docker network \(name) has no IPv4 subnet; pin spec.network.subnet or use another network"))
            } else {
                add(
                    PlanAction(
                        id: "network", change: .inSync, step: step, resource: "docker network \(name)",
                        reason: "exists with subnet \(observed?.description ?? "?")"))
            }
        }
    }

    mutating func resolvePools() {
        guard case .metallb = topology.loadBalancer else { return }
        if topology.provider == .kind {
            if let pinned = topology.network.subnet {
                subnet = pinned
            } else if let observed = world.network.value?.ipv4Subnet.flatMap({ CIDR($0) }) {
                subnet = observed
                notes.append("pools are cut from \(observed), the subnet docker gave network \(topology.network.name)")
            }
        }
        switch PoolSlicer.pools(for: topology, knownSubnet: subnet) {
        case .success(let list)?:
            for pool in list { pools[pool.cluster] = pool }
        case .failure(let list)?:
            for problem in list { problems.append(PlanProblem(problem.message)) }
            return
        case nil:
            notes.append(
                "the pools are known after apply: network \(topology.network.name) does not exist yet and the spec does not pin its subnet")
            return
        }
        // Addresses of containers already on the network must stay outside every pool.
        guard !networkReplaced, let network = world.network.value else { return }
        for attachment in network.containers {
            guard let text = attachment.ipv4Address, let ip = IPAddress(text) else { continue }
            for cluster in topology.clusters {
                if let pool = pools[cluster.name], pool.cidr.contains(ip) {
                    problems.append(
                        PlanProblem(
                            cluster: cluster.name,
                            "container \(attachment.name) holds \(ip), inside the pool \(pool.cidr) of cluster \(cluster.name); move the pool (clusters[].pool) or remove the container"
                        ))
                }
            }
        }
    }

    // MARK: KMS

    /// Clusters where a Vault CR exists (their unseal keys live in the KMS).
    var clustersWithVault: [String] {
        world.clusters.filter { !$0.objects.vaults.isEmpty }.map(\.name)
    }

    mutating func planKMS() {
        let expectedToken: String?
        switch topology.kms.rootToken {
        case .fromEnv(let variable):
            if let value = input.environment[variable], !value.isEmpty {
                expectedToken = SHA256.hex(value)
            } else {
                problems.append(
                    PlanProblem(
                        "environment variable \(variable) is not set; spec.kms.rootToken.fromEnv takes the KMS root token from it (export it, or use rootToken: { generate: true })"
                    ))
                expectedToken = nil
            }
        case .generate:
            expectedToken = nil
        }
        guard case .container(let name, let image, _) = topology.kms else {
            tokenFingerprint = expectedToken
            return
        }
        let network = topology.network.name
        let lossText: () -> String? = { [clustersWithVault] in
            guard !clustersWithVault.isEmpty else { return nil }
            return
                "the unseal keys of the Vault clusters in \(clustersWithVault.joined(separator: ", ")) live in KMS container \(name); a new KMS has none, so those Vault clusters are re-initialised and their data is lost"
        }
        switch world.kms {
        case .absent, .notConfigured:
            kmsIsNew = true
            tokenFingerprint = expectedToken
            add(
                PlanAction(
                    id: "kms", change: .create, step: .runKMS(name: name, image: image, network: network, replaceExisting: false),
                    resource: "KMS container \(name)", reason: "no container named \(name); run \(image) in dev mode on network \(network)",
                    dependsOn: pending("network"), dataLoss: lossText()))
        case .unknown(let message):
            problems.append(PlanProblem("cannot inspect KMS container \(name): \(message)"))
        case .present(let container):
            let fingerprint = container.labels[VaultManifests.tokenFingerprintLabel]
            var replaceReason: String?
            var observed: String?
            if container.labels[Ownership.topologyKey] != topology.name {
                problems.append(
                    PlanProblem(
                        "container \(name) exists but does not belong to topology \(topology.name) (label \(Ownership.topologyKey)=\(container.labels[Ownership.topologyKey] ?? "absent")); rename spec.kms.name or remove the container"
                    ))
                return
            }
            if networkReplaced {
                replaceReason = "network \(network) is replaced"
            } else if Self.imageDiffers(container.image, image) {
                replaceReason = "it runs image \(container.image), the spec says \(image)"
                observed = container.image
            } else if let expectedToken, fingerprint != expectedToken {
                replaceReason = "its root token differs from the one in $\(tokenVariable ?? "")"
                observed = "another token"
            } else if !container.networks.contains(network) {
                replaceReason = "it is not on network \(network)"
                observed = container.networks.joined(separator: ",")
            }
            if let replaceReason {
                kmsIsNew = true
                tokenFingerprint = expectedToken
                add(
                    PlanAction(
                        id: "kms", change: .replace, step: .runKMS(name: name, image: image, network: network, replaceExisting: true),
                        resource: "KMS container \(name)", reason: replaceReason, observed: observed,
                        dependsOn: pending("network"), dataLoss: lossText()))
                return
            }
            tokenFingerprint = expectedToken ?? fingerprint
            if container.isRunning {
                add(
                    PlanAction(
                        id: "kms", change: .inSync, step: .startContainers(names: [name]), resource: "KMS container \(name)",
                        reason: "running \(container.image)"))
            } else {
                add(
                    PlanAction(
                        id: "kms", change: .update, step: .startContainers(names: [name]), resource: "KMS container \(name)",
                        reason: "the container is \(container.state); start it (its unseal keys are kept)",
                        observed: container.state.description))
            }
        }
    }

    /// Whether a container runs another image than the spec names. `docker ps` shows the image
    /// ID instead of the name once the tag has moved to a newer image (a re-pull or re-import):
    /// that container still runs what the name meant when it was created, so it is not drift —
    /// replacing it would lose data for nothing.
    static func imageDiffers(_ observed: String, _ wanted: String) -> Bool {
        if observed == wanted { return false }
        let hex = observed.hasPrefix("sha256:") ? String(observed.dropFirst(7)) : observed
        let isImageID = hex.count >= 12 && hex.allSatisfy { $0.isHexDigit && !$0.isUppercase }
        return !isImageID
    }

    var tokenVariable: String? {
        if case .fromEnv(let variable) = topology.kms.rootToken { return variable }
        return nil
    }

    // MARK: Clusters

    mutating func planCluster(_ cluster: Topology.Cluster) {
        let name = cluster.name
        let observed = world.cluster(named: name)
        var created = false  // everything inside is new

        if topology.provider == .kind {
            let kind = world.kindCluster(named: name)
            let step = Step.createCluster(
                name: name, image: topology.nodeImage(of: cluster), workers: cluster.workers, network: topology.network.name)
            if networkReplaced {
                created = true
                add(
                    PlanAction(
                        id: "cluster/\(name)", change: .replace, step: step, cluster: name, resource: "kind cluster \(name)",
                        reason: "network \(topology.network.name) is replaced", dependsOn: pending("network"),
                        dataLoss: observed?.objects.vaults.isEmpty == false ? "cluster \(name) holds a Vault node whose data is lost" : nil)
                )
            } else if let kind {
                let wantedNodes = 1 + cluster.workers
                let image = topology.nodeImage(of: cluster)
                let stopped = kind.nodes.filter { !$0.container.isRunning }
                if kind.controlPlanes.isEmpty || kind.nodes.count != wantedNodes
                    || (image != nil && kind.nodes.contains { Self.imageDiffers($0.container.image, image!) })
                {
                    created = true
                    let why: String
                    if kind.controlPlanes.isEmpty {
                        why = "its control-plane container is gone (nodes left: \(kind.nodes.map(\.name).joined(separator: ", ")))"
                    } else if kind.nodes.count != wantedNodes {
                        why =
                            "it has \(kind.nodes.count) nodes, the spec wants \(wantedNodes) (1 control plane + \(cluster.workers) workers)"
                    } else {
                        why = "its nodes run \(kind.nodes[0].container.image), the spec says \(image ?? "")"
                    }
                    add(
                        PlanAction(
                            id: "cluster/\(name)", change: .replace, step: step, cluster: name, resource: "kind cluster \(name)",
                            reason: why, dependsOn: pending("network"),
                            dataLoss: observed?.objects.vaults.isEmpty == false
                                ? "cluster \(name) holds a Vault node whose data is lost" : nil))
                } else if !stopped.isEmpty {
                    add(
                        PlanAction(
                            id: "cluster/\(name)", change: .update, step: .startContainers(names: stopped.map(\.name)), cluster: name,
                            resource: "kind cluster \(name)",
                            reason: "node containers \(stopped.map(\.name).joined(separator: ", ")) are stopped; start them",
                            observed: stopped.map { "\($0.name) \($0.container.state)" }.joined(separator: ", ")))
                    // What lives inside is checked once the API server answers again (apply re-plans).
                    notes.append("cluster \(name) is stopped: its objects are checked again after it starts")
                    deferredClusters.append(name)
                    return
                } else {
                    add(
                        PlanAction(
                            id: "cluster/\(name)", change: .inSync, step: step, cluster: name, resource: "kind cluster \(name)",
                            reason: "\(kind.nodes.count) node(s) running"))
                }
            } else {
                created = true
                add(
                    PlanAction(
                        id: "cluster/\(name)", change: .create, step: step, cluster: name, resource: "kind cluster \(name)",
                        reason: "no node containers labelled \(Kind.clusterLabel)=\(name)", dependsOn: pending("network")))
            }
        }

        var objects = ClusterObjects()
        var helm: [HelmRelease] = []
        if !created {
            guard let observed else {
                problems.append(PlanProblem(cluster: name, "was not observed"))
                return
            }
            switch observed.reachability {
            case .reachable:
                objects = observed.objects
                helm = observed.helmReleases
                if let error = observed.helmError {
                    problems.append(PlanProblem(cluster: name, "helm list failed: \(error)"))
                }
            case .apiServerUnreachable(let message), .failed(let message):
                problems.append(PlanProblem(cluster: name, "the API server of context \(observed.context) is unreachable: \(message)"))
                return
            case .contextMissing(let message):
                if topology.provider == .existing {
                    problems.append(PlanProblem(cluster: name, "kubeconfig context \(observed.context) does not exist: \(message)"))
                    return
                }
                // A kind cluster whose context was removed: export it again.
                problems.append(
                    PlanProblem(
                        cluster: name, "kubeconfig context \(observed.context) is missing; run `kind export kubeconfig --name \(name)`"))
                return
            }
        }
        if !created, let owner = objects.ownership, !owner.isOwned(byTopology: topology.name) {
            problems.append(
                PlanProblem(
                    cluster: name,
                    "belongs to topology \(owner.labels[Ownership.topologyKey] ?? "?") (ConfigMap \(Ownership.configMapNamespace)/\(Ownership.configMapName)); choose another cluster name"
                ))
            return
        }
        planInside(cluster, objects: objects, helm: helm, created: created)
    }

    // MARK: Inside a cluster

    mutating func planInside(_ cluster: Topology.Cluster, objects: ClusterObjects, helm: [HelmRelease], created: Bool) {
        let name = cluster.name
        let base = pending("cluster/\(name)")
        let inNew = "cluster \(name) is new"

        // Ownership record.
        let ownership = objects.ownership
        let ownershipData = ownership?.node["data"]
        let digestWanted = input.manifestDigest
        let digestLive = ownershipData?["manifests-sha256"]?.string
        add(
            PlanAction(
                id: "ownership/\(name)", change: ownership == nil ? .create : .inSync, step: .recordOwnership(cluster: name), cluster: name,
                resource: "ConfigMap \(Ownership.configMapNamespace)/\(Ownership.configMapName)",
                reason: ownership == nil
                    ? (created ? inNew : "the cluster carries no ownership record of topology \(topology.name)")
                    : "records topology \(topology.name)",
                dependsOn: base))

        // MetalLB and the pool.
        if case .metallb(let metallb) = topology.loadBalancer {
            let lb = objects.metalLB
            let manifests = metallb.manifests.map(\.resolved)
            let installStep = Step.installMetalLB(cluster: name, version: metallb.version, manifests: manifests)
            if !lb.installed || created {
                add(
                    PlanAction(
                        id: "metallb/\(name)", change: .create, step: installStep, cluster: name, resource: "MetalLB \(metallb.version)",
                        reason: created ? inNew : "namespace metallb-system has no MetalLB controller", dependsOn: base))
            } else if let version = lb.version, version != metallb.version {
                add(
                    PlanAction(
                        id: "metallb/\(name)", change: .update, step: installStep, cluster: name, resource: "MetalLB \(metallb.version)",
                        reason: "the controller runs \(version)", observed: version, dependsOn: base))
            } else if metallb.mode == .configMap && !lb.memberlistSecretPresent {
                add(
                    PlanAction(
                        id: "metallb/\(name)", change: .update, step: installStep, cluster: name, resource: "MetalLB \(metallb.version)",
                        reason: "secret metallb-system/memberlist is missing", observed: "no memberlist secret", dependsOn: base))
            } else {
                add(
                    PlanAction(
                        id: "metallb/\(name)", change: .inSync, step: installStep, cluster: name, resource: "MetalLB \(metallb.version)",
                        reason: lb.controllerReady ? "controller ready" : "installed; controller not ready yet"))
            }
            planPool(cluster, mode: metallb.mode, lb: created ? MetalLBState() : lb)
        }

        // The operator.
        let op = topology.vaultOperator
        let release = created ? nil : helm.first { $0.name == op.release && $0.namespace == op.namespace }
        let opStep = Step.installOperator(cluster: name)
        let opResource = "helm release \(op.namespace)/\(op.release)"
        if let release {
            if release.status.isPending {
                add(
                    PlanAction(
                        id: "operator/\(name)", change: .replace, step: opStep, cluster: name, resource: opResource,
                        reason: "the release is \(release.status) (an interrupted helm run); uninstall and install it again",
                        observed: release.status.rawValue, dependsOn: base))
            } else if release.status != .deployed {
                add(
                    PlanAction(
                        id: "operator/\(name)", change: .update, step: opStep, cluster: name, resource: opResource,
                        reason: "the release is \(release.status)", observed: release.status.rawValue, dependsOn: base))
            } else if let version = op.version, let live = release.chartVersion, live != version {
                add(
                    PlanAction(
                        id: "operator/\(name)", change: .update, step: opStep, cluster: name, resource: opResource,
                        reason: "chart version \(live) is deployed, the spec says \(version)", observed: live, dependsOn: base))
            } else {
                add(
                    PlanAction(
                        id: "operator/\(name)", change: .inSync, step: opStep, cluster: name, resource: opResource,
                        reason: "\(release.chart) deployed (revision \(release.revision.map(String.init) ?? "?"))"))
            }
        } else {
            add(
                PlanAction(
                    id: "operator/\(name)", change: .create, step: opStep, cluster: name, resource: opResource,
                    reason: created ? inNew : "no helm release \(op.release) in namespace \(op.namespace)", dependsOn: base))
        }

        // Extra manifests.
        if !topology.manifests.isEmpty {
            let step = Step.applyManifests(cluster: name, files: topology.manifests)
            let files = topology.manifests.map(\.display).joined(separator: ", ")
            if created || ownership == nil || digestLive != digestWanted {
                add(
                    PlanAction(
                        id: "manifests/\(name)", change: digestLive == nil ? .create : .update, step: step, cluster: name,
                        resource: "manifests \(files)",
                        reason: created
                            ? inNew : (digestLive == nil ? "never applied by multidc" : "the files changed since they were applied"),
                        observed: digestLive.map { "sha256 \($0.prefix(12))" }, dependsOn: base + pending("ownership/\(name)")))
            } else {
                add(
                    PlanAction(
                        id: "manifests/\(name)", change: .inSync, step: step, cluster: name, resource: "manifests \(files)",
                        reason: "applied, unchanged (sha256 \(digestWanted?.prefix(12) ?? ""))"))
            }
        }

        planSharedSecrets(cluster, objects: objects, created: created)
        planVault(cluster, objects: objects, created: created)
    }

    mutating func planPool(_ cluster: Topology.Cluster, mode: Topology.MetalLB.Mode, lb: MetalLBState) {
        let name = cluster.name
        let step = Step.configurePool(cluster: name, mode: mode)
        let deps = pending("metallb/\(name)")
        guard let pool = pools[name] else {
            add(
                PlanAction(
                    id: "pool/\(name)", change: .create, step: step, cluster: name, resource: "MetalLB pool",
                    reason: "the pool is cut from network \(topology.network.name)'s subnet, known after apply",
                    dependsOn: deps + pending("network")))
            // Nothing to compare yet; the next round of apply compares the live pool.
            return
        }
        let wanted = pool.rangeText
        switch mode {
        case .configMap:
            let resource = "ConfigMap metallb-system/config (\(wanted))"
            guard let config = lb.legacyConfig else {
                add(
                    PlanAction(
                        id: "pool/\(name)", change: .create, step: step, cluster: name, resource: resource,
                        reason: "no address pool configured", dependsOn: deps))
                return
            }
            let live = config.pools.flatMap(\.addresses)
            if config.pools.count == 1, pool.isWritten(as: live), config.pools[0].protocol == "layer2" {
                add(
                    PlanAction(
                        id: "pool/\(name)", change: .inSync, step: step, cluster: name, resource: resource,
                        reason: "pool \(wanted) configured"))
            } else {
                add(
                    PlanAction(
                        id: "pool/\(name)", change: .update, step: step, cluster: name, resource: resource,
                        reason: "the address pools differ from the slice of cluster \(name)", observed: live.joined(separator: ","),
                        dependsOn: deps,
                        fields: [FieldChange(path: "data.config address-pools", before: live.joined(separator: ","), after: wanted)]))
            }
        case .customResources:
            let resource = "IPAddressPool metallb-system/\(PoolNames.addressPool) (\(wanted))"
            let live = lb.addressPools.first { $0.name == PoolNames.addressPool }
            let hasAdvertisement = lb.l2Advertisements.contains { $0.name == PoolNames.l2Advertisement }
            if let live {
                let liveCIDRs = live.addresses
                let matches = pool.isWritten(as: liveCIDRs)
                if matches && hasAdvertisement {
                    add(
                        PlanAction(
                            id: "pool/\(name)", change: .inSync, step: step, cluster: name, resource: resource,
                            reason: "pool \(wanted) configured and advertised"))
                } else {
                    add(
                        PlanAction(
                            id: "pool/\(name)", change: .update, step: step, cluster: name, resource: resource,
                            reason: matches
                                ? "L2Advertisement \(PoolNames.l2Advertisement) is missing"
                                : "the pool's addresses differ from the slice of cluster \(name)",
                            observed: liveCIDRs.joined(separator: ","), dependsOn: deps,
                            fields: matches
                                ? [] : [FieldChange(path: "spec.addresses", before: liveCIDRs.joined(separator: ","), after: wanted)]))
                }
            } else {
                add(
                    PlanAction(
                        id: "pool/\(name)", change: .create, step: step, cluster: name, resource: resource,
                        reason: "no IPAddressPool \(PoolNames.addressPool)", dependsOn: deps))
            }
        }
    }

    var leaderName: String { topology.leader.name }

    /// Whether the leader's Vault CR is created or re-created by this plan (planned before followers).
    var leaderVaultRenewed: Bool {
        guard let action = actions.first(where: { $0.id == "vault/\(leaderName)" }) else { return false }
        return action.change == .create || action.change == .replace
    }

    mutating func planSharedSecrets(_ cluster: Topology.Cluster, objects: ClusterObjects, created: Bool) {
        guard cluster.name != leaderName else { return }
        let leaderObjects = world.cluster(named: leaderName)?.objects
        for secret in topology.vault.shareSecrets {
            let id = "secret/\(secret)/\(cluster.name)"
            let step = Step.copySecret(name: secret, from: leaderName, to: cluster.name)
            let resource = "Secret \(topology.vault.namespace)/\(secret) from \(leaderName)"
            let deps = pending("cluster/\(cluster.name)", "vault/\(leaderName)", "ownership/\(cluster.name)")
            let source = leaderObjects?.sharedSecrets[secret]
            let live = created ? nil : objects.sharedSecrets[secret]
            // Fix (plan tests): a leader Vault that is created or re-created (new cluster, new KMS)
            // gets a new secret from its operator, so an existing copy is stale: copy it again
            // after the leader's Vault and before this cluster's CR. Before, the old copy counted
            // as in sync (or as a `+` create while it existed).
            if leaderVaultRenewed, live != nil {
                add(
                    PlanAction(
                        id: id, change: .update, step: step, cluster: cluster.name, resource: resource,
                        reason: "the leader's Vault is re-created; its new secret is copied again", observed: "the old leader's copy",
                        dependsOn: deps))
                continue
            }
            guard let source else {
                if live != nil {
                    // The leader could not be read (stopped): the copy stays; the next plan compares it.
                    add(
                        PlanAction(
                            id: id, change: .inSync, step: step, cluster: cluster.name, resource: resource,
                            reason: "present; the leader's secret could not be read to compare"))
                    continue
                }
                add(
                    PlanAction(
                        id: id, change: .create, step: step, cluster: cluster.name, resource: resource,
                        reason: "copied once the leader's operator has created it", dependsOn: deps))
                continue
            }
            guard let live else {
                add(
                    PlanAction(
                        id: id, change: .create, step: step, cluster: cluster.name, resource: resource,
                        reason: created ? "cluster \(cluster.name) is new" : "missing in cluster \(cluster.name)", dependsOn: deps))
                continue
            }
            if live.node["data"] == source.node["data"] && live.node["type"] == source.node["type"] {
                add(
                    PlanAction(
                        id: id, change: .inSync, step: step, cluster: cluster.name, resource: resource,
                        reason: "same data as in \(leaderName)"))
            } else {
                add(
                    PlanAction(
                        id: id, change: .update, step: step, cluster: cluster.name, resource: resource,
                        reason: "its data differs from the leader's", observed: "different data", dependsOn: deps))
            }
        }
    }

    mutating func planVault(_ cluster: Topology.Cluster, objects: ClusterObjects, created: Bool) {
        let name = cluster.name
        var deps = pending("operator/\(name)", "kms", "pool/\(name)", "manifests/\(name)", "ownership/\(name)", "metallb/\(name)")
        if name != leaderName {
            deps += pending("vault/\(leaderName)")
            deps += topology.vault.shareSecrets.flatMap { pending("secret/\($0)/\(name)") }
        }
        // Fix (plan tests): without a pool for the leader (loadBalancer none, provider existing) the
        // leader's LoadBalancer address comes from the cloud; once its Vault Service has one, the
        // followers' raftLeaderAddress is known and must be compared, not shown as
        // `(known after apply)` on every diff of a converged world.
        var assumptions: [String: String] = [:]
        if let leaderIP = observedLeaderAddress { assumptions["leader.loadBalancerIP"] = leaderIP }
        let values = TemplateValues.for(
            topology: topology, cluster: cluster, subnet: subnet,
            kmsAddress: kmsIsNew || networkReplaced ? nil : kmsAddress, kmsToken: nil, assumptions: assumptions)
        let rendered: [Node]
        do {
            rendered = try VaultManifests.render(input.loaded, cluster: cluster, values: values, mode: .display)
        } catch {
            for d in error.items { problems.append(PlanProblem(cluster: name, d.summary)) }
            return
        }
        let vaults = VaultManifests.vaults(rendered)
        let names = vaults.compactMap(VaultManifests.name)
        let resource = "Vault CR " + (names.isEmpty ? "(none)" : names.joined(separator: ", "))
        if created {
            add(
                PlanAction(
                    id: "vault/\(name)", change: .create, step: .applyVault(cluster: name, recreate: false), cluster: name,
                    resource: resource, reason: "cluster \(name) is new", dependsOn: deps))
            return
        }
        var fields: [FieldChange] = []
        var missing: [String] = []
        for vault in vaults {
            guard let vaultName = VaultManifests.name(vault) else { continue }
            guard let live = objects.vaults[vaultName] else {
                missing.append(vaultName)
                continue
            }
            fields += FieldDiff.changes(
                rendered: vault, live: live.node,
                sensitiveMatches: { [tokenFingerprint] text in
                    guard let text, let tokenFingerprint else { return false }
                    return SHA256.hex(text) == tokenFingerprint
                }
            ).map { FieldChange(path: "\(vaultName): \($0.path)", before: $0.before, after: $0.after) }
        }
        let liveVaults = objects.vaults.keys.sorted()
        if kmsIsNew && !liveVaults.isEmpty {
            add(
                PlanAction(
                    id: "vault/\(name)", change: .replace, step: .applyVault(cluster: name, recreate: true), cluster: name,
                    resource: resource,
                    reason: "the KMS is new: the Vault cluster must be re-initialised with keys in the new KMS",
                    observed: "Vault \(liveVaults.joined(separator: ", ")) initialised against the old KMS", dependsOn: deps,
                    dataLoss: "the data of Vault \(liveVaults.joined(separator: ", ")) in cluster \(name)", fields: fields))
        } else if !missing.isEmpty {
            add(
                PlanAction(
                    id: "vault/\(name)", change: .create, step: .applyVault(cluster: name, recreate: false), cluster: name,
                    resource: resource,
                    reason: "no Vault CR \(missing.joined(separator: ", ")) in namespace \(topology.vault.namespace)", dependsOn: deps))
        } else if !fields.isEmpty {
            add(
                PlanAction(
                    id: "vault/\(name)", change: .update, step: .applyVault(cluster: name, recreate: false), cluster: name,
                    resource: resource,
                    reason: "\(fields.count) field(s) differ from the rendered template", dependsOn: deps, fields: fields))
        } else {
            let pods = objects.vaultPods.filter { p in names.contains { p.name.hasPrefix($0) } }
            let ready = pods.filter(\.ready).map(\.name)
            add(
                PlanAction(
                    id: "vault/\(name)", change: .inSync, step: .applyVault(cluster: name, recreate: false), cluster: name,
                    resource: resource,
                    reason: ready.isEmpty ? "in sync; no Vault pod Ready yet" : "in sync; pod \(ready.joined(separator: ", ")) Ready"))
        }
    }

    /// Without MetalLB pools (`loadBalancer: none`) the leader's address is whatever the cloud
    /// gave its Vault Service: known from observation once the leader runs, else after apply.
    /// (Merged with the plan tests' fix: not when the leader's Vault is re-created — a new
    /// Service gets a new address — and the Service named after a Vault CR first.)
    var observedLeaderAddress: String? {
        guard pools[leaderName] == nil, !kmsIsNew, !networkReplaced,
            let leader = world.cluster(named: leaderName), leader.reachability.isReachable
        else { return nil }
        let services = leader.objects.vaultServices.filter { $0.type == "LoadBalancer" && $0.loadBalancerIP != nil }
        return (services.first { leader.objects.vaults[$0.name] != nil } ?? services.first)?.loadBalancerIP
    }

    /// The KMS's address on the network, when it runs and is kept.
    var kmsAddress: String? {
        guard case .container(let name, _, _) = topology.kms, let container = world.kms.container else { return nil }
        return world.network.value?.attachment(for: name)?.ipv4Address ?? container.ipv4Address
    }

    // MARK: Helm repository

    mutating func planHelmRepository() {
        guard let repo = topology.vaultOperator.repo else { return }
        let installs = actions.filter { $0.id.hasPrefix("operator/") && $0.change != .inSync }
        guard !installs.isEmpty else { return }
        add(
            PlanAction(
                id: "helm-repo", change: .create, step: .addHelmRepository(name: repo.name, url: repo.url),
                resource: "helm repository \(repo.name)", reason: "the operator chart comes from \(repo.url)"))
        for i in actions.indices where actions[i].id.hasPrefix("operator/") && actions[i].change != .inSync {
            actions[i].dependsOn.append("helm-repo")
        }
        // Keep global actions first.
        if let index = actions.firstIndex(where: { $0.id == "helm-repo" }) {
            let repoAction = actions.remove(at: index)
            let insertAt = actions.firstIndex { $0.cluster != nil } ?? actions.endIndex
            actions.insert(repoAction, at: insertAt)
        }
    }
}

/// Names of the MetalLB objects multidc writes in CRD mode.
public enum PoolNames {
    public static let addressPool = "multidc-pool"
    public static let l2Advertisement = "multidc-l2"
}
