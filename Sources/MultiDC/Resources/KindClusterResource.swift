import YAML

/// A kind cluster: created with its nodes on the topology's network, started when its nodes
/// are stopped, replaced when its nodes do not match the spec, deleted by destroy. With provider
/// `existing` it is a kubeconfig context that must answer. Its rule decides what the rules after
/// it can plan inside the cluster (`PlanBuilder.inside`).
enum KindClusterResource: ClusterRule, ClusterDestroyRule {
    static func planApply(_ cluster: Topology.Cluster, _ plan: inout PlanBuilder) {
        let topology = plan.topology
        let name = cluster.name
        let observed = plan.world.cluster(named: name)
        let resource = "kind cluster \(name)"
        let holdsVault = observed?.objects.vaults.isEmpty == false
        let loss = holdsVault ? "cluster \(name) holds a Vault node whose data is lost" : nil
        if topology.provider == .kind {
            let image = topology.nodeImage(of: cluster)
            let passthrough = topology.kindConfig(of: cluster)
            let create = { (deleteFirst: Bool) in
                Create(
                    name: name, image: image, workers: cluster.workers, passthrough: passthrough, network: topology.network.name,
                    deleteFirst: deleteFirst)
            }
            if plan.networkReplaced {
                // The network's own step removes the cluster first.
                plan.inside[name] = .new
                plan.add(
                    PlanAction(
                        id: .cluster(name), change: .replace, step: create(false), resource: resource,
                        reason: "network \(topology.network.name) is replaced", needs: [.network], dataLoss: loss))
                return
            }
            guard let kind = plan.world.kindCluster(named: name) else {
                plan.inside[name] = .new
                plan.add(
                    PlanAction(
                        id: .cluster(name), change: .create, step: create(false), resource: resource,
                        reason: "no node containers labelled \(Kind.clusterLabel)=\(name)", needs: [.network]))
                return
            }
            let wantedNodes = 1 + cluster.workers
            let why: String?
            var fields: [FieldChange] = []
            if kind.controlPlanes.isEmpty {
                why = "its control-plane container is gone (nodes left: \(kind.nodes.map(\.name).joined(separator: ", ")))"
            } else if kind.nodes.count != wantedNodes {
                why = "it has \(kind.nodes.count) nodes, the spec wants \(wantedNodes) (1 control plane + \(cluster.workers) workers)"
            } else if let image, let node = kind.nodes.first(where: { KMSResource.imageDiffers($0.container.image, image) }) {
                why = "its nodes run \(node.container.image), the spec says \(image)"
            } else if let changes = kindConfigChanges(passthrough, record: observed?.objects.ownership) {
                why = "its kind config differs from the spec's kindConfig (kind reads it only when it creates a cluster)"
                fields = changes
            } else {
                why = nil
            }
            if let why {
                plan.inside[name] = .new
                plan.add(
                    PlanAction(
                        id: .cluster(name), change: .replace, step: create(true), resource: resource, reason: why, needs: [.network],
                        dataLoss: loss, fields: fields))
                return
            }
            let stopped = kind.nodes.filter { !$0.container.isRunning }
            if !stopped.isEmpty {
                // Paused nodes are unpaused: `docker start` refuses them (docs/tools.md#docker-lifecycle).
                let paused = stopped.filter { $0.container.state == .paused }.map(\.name)
                let start = stopped.filter { $0.container.state != .paused }.map(\.name)
                plan.add(
                    PlanAction(
                        id: .cluster(name), change: .update, step: Start(cluster: name, nodes: start, paused: paused), resource: resource,
                        reason: "node containers \(stopped.map(\.name).joined(separator: ", ")) are "
                            + (paused.isEmpty
                                ? "stopped; start them" : start.isEmpty ? "paused; unpause them" : "stopped or paused; start them"),
                        observed: stopped.map { "\($0.name) \($0.container.state)" }.joined(separator: ", ")))
                // What lives inside is checked once the API server answers again (apply re-plans).
                plan.notes.append("cluster \(name) is stopped: its objects are checked again after it starts")
                plan.deferredClusters.append(name)
                return
            }
            plan.add(
                PlanAction(
                    id: .cluster(name), change: .inSync, step: create(false), resource: resource,
                    reason: "\(kind.nodes.count) node(s) running"))
        }
        guard let observed else {
            plan.problems.append(PlanProblem(cluster: name, "was not observed"))
            return
        }
        switch observed.reachability {
        case .reachable:
            if let error = observed.helmError { plan.problems.append(PlanProblem(cluster: name, "helm list failed: \(error)")) }
        case .apiServerUnreachable(let message), .failed(let message):
            plan.problems.append(PlanProblem(cluster: name, "the API server of context \(observed.context) is unreachable: \(message)"))
            return
        case .contextMissing(let message):
            if topology.provider == .existing {
                plan.problems.append(PlanProblem(cluster: name, "kubeconfig context \(observed.context) does not exist: \(message)"))
                return
            }
            // A kind cluster whose context is gone (an interrupted create, kind's kubeconfig lock
            // race, an edited kubeconfig): export it again, then plan its insides next round.
            plan.replaceAction(
                PlanAction(
                    id: .cluster(name), change: .update,
                    step: ExportKubeconfig(
                        cluster: name,
                        recreate: Create(
                            name: name, image: topology.nodeImage(of: cluster), workers: cluster.workers,
                            passthrough: topology.kindConfig(of: cluster), network: topology.network.name, deleteFirst: true)),
                    resource: resource,
                    reason:
                        "its kubeconfig context \(observed.context) is missing; export it again (re-create the cluster if its create never finished)",
                    observed: "no context \(observed.context)"))
            plan.notes.append("cluster \(name) has no kubeconfig context: its objects are checked again once it is exported")
            plan.deferredClusters.append(name)
            return
        }
        if let owner = observed.objects.ownership, !owner.isOwned(byTopology: topology.name) {
            plan.problems.append(
                PlanProblem(
                    cluster: name,
                    "belongs to topology \(owner.labels[Ownership.topologyKey] ?? "?") (ConfigMap \(Ownership.configMapNamespace)/\(Ownership.configMapName)); choose another cluster name"
                ))
            return
        }
        plan.inside[name] = .observed(observed.objects, observed.helmReleases)
    }

    /// What destroy may remove in a cluster, or nil when nothing (with a note or problem saying why).
    static func destroyScope(_ cluster: Topology.Cluster, _ plan: inout PlanBuilder) -> DestroyScope? {
        let topology = plan.topology
        let name = cluster.name
        let observed = plan.world.cluster(named: name)
        let reachable = observed?.reachability.isReachable ?? false
        let owned = observed?.objects.ownership?.isOwned(byTopology: topology.name) ?? false
        if topology.provider == .kind {
            guard plan.world.kindCluster(named: name) != nil else { return nil }
            if reachable && !owned {
                plan.notes.append("kind cluster \(name) is left alone: it carries no ownership record of topology \(topology.name)")
                return nil
            }
            if !reachable {
                // A stopped cluster cannot show its ownership record; its node containers are
                // kind's, named after the cluster the spec lists, so it is removed all the same.
                plan.notes.append("kind cluster \(name) is not reachable; it is deleted by name as the spec lists it")
            }
            return .wholeCluster
        }
        guard let observed, reachable else {
            plan.problems.append(
                PlanProblem(
                    cluster: name,
                    "context \(observed?.context ?? topology.context(of: cluster)) is unreachable; nothing can be removed there"))
            return nil
        }
        guard owned else {
            plan.notes.append("cluster \(name) carries no ownership record of topology \(topology.name); nothing removed there")
            return nil
        }
        return .ownedObjects(observed)
    }

    static func planDestroy(_ cluster: Topology.Cluster, _ scope: DestroyScope, _ plan: inout PlanBuilder) {
        guard case .wholeCluster = scope, let kind = plan.world.kindCluster(named: cluster.name) else { return }
        let name = cluster.name
        let vaults = plan.world.cluster(named: name)?.objects.vaults.keys.sorted() ?? []
        plan.add(
            PlanAction(
                id: .cluster(name), change: .delete, step: Delete(name: name), resource: "kind cluster \(name)",
                reason: "owned by topology \(plan.topology.name)", observed: "\(kind.nodes.count) node(s)",
                dataLoss: vaults.isEmpty ? nil : "the Vault node(s) \(vaults.joined(separator: ", ")) in cluster \(name)"))
    }

    /// `kind create cluster` with a config naming the nodes, then a wait for the API server.
    struct Create: Step {
        var name: String
        var image: String?
        var workers: Int
        /// The spec's kind config fields for this cluster (docs/tools.md#kind-config).
        var passthrough: Topology.KindConfig = Topology.KindConfig()
        var network: String
        /// A replacement: `kind delete cluster` first.
        var deleteFirst: Bool

        func run(_ context: StepContext) async throws {
            if deleteFirst { try await Delete(name: name).run(context) }
            let file = try SecretFile(contents: Kind.clusterConfig(workers: workers, passthrough: passthrough), suffix: ".yaml")
            defer { file.remove() }
            let command = Kind.createCluster(name: name, image: image, configPath: file.path, network: network)
            let result: CommandResult
            do {
                result = try await context.run(command)
            } catch {
                // `kind create cluster` was cut short (Ctrl-C, SIGTERM, --timeout) or never ran. An
                // interrupted kind cleans nothing up: it leaves node containers (some only "created")
                // and no kubeconfig context, a half cluster that a rerun can neither adopt nor create
                // again ("node(s) already exist"). Remove it as kind itself does after a failed create.
                // Detached, so the cancellation that stopped kind does not stop the cleanup.
                let runner = context.runner
                _ = await Task.detached { [name] in try? await runner.run(Kind.deleteCluster(name: name)) }.value
                throw error
            }
            if !result.isSuccess, result.stderr.contains("failed to lock config file") {
                // kind's kubeconfig lock race (O_EXCL `<kubeconfig>.lock`, four tries in ~150 ms;
                // docs/tools.md#kind-kubeconfig-lock): the nodes run, only the context is missing.
                context.progress("kind could not lock the kubeconfig; exporting the context of \(name) again")
                try await exportKubeconfig(name, context)
                try await waitForAPIServer(name, context)
                return
            }
            guard result.isSuccess else {
                var failure = ToolFailure(command, result)
                if let line = result.stderr.split(separator: "\n").first(where: { $0.hasPrefix("ERROR:") }) {
                    failure.message = String(line)
                }
                failure.isTransient = false
                throw failure
            }
            try await waitForAPIServer(name, context)
        }
    }

    /// `docker start` of a cluster's stopped nodes and `docker unpause` of its paused ones, then a
    /// wait for its API server.
    struct Start: Step {
        var cluster: String
        var nodes: [String]
        var paused: [String] = []

        func run(_ context: StepContext) async throws {
            if !nodes.isEmpty { try await context.check(Docker.start(nodes)) }
            if !paused.isEmpty { try await context.check(Docker.unpause(paused)) }
            try await waitForAPIServer(cluster, context)
        }
    }

    /// `kind export kubeconfig --name N`: writes the cluster's context again, then waits for
    /// its API server.
    struct ExportKubeconfig: Step {
        var cluster: String
        /// What runs when there is nothing to export: an interrupted `kind create` left node
        /// containers but never ran kubeadm (kind reads the kubeconfig from the control plane's
        /// `/etc/kubernetes/admin.conf`: docs/tools.md#kind-kubeconfig), so the cluster is made again.
        var recreate: Create

        func run(_ context: StepContext) async throws {
            do {
                try await exportKubeconfig(cluster, context)
            } catch let failure as ToolFailure where failure.message.contains("failed to get cluster internal kubeconfig") {
                context.progress("cluster \(cluster) was never finished (an interrupted create); creating it again")
                try await recreate.run(context)
                return
            }
            try await waitForAPIServer(cluster, context)
        }
    }

    /// `kind delete cluster`, retried while another kind holds the kubeconfig lock: kind deletes
    /// the nodes first and fails only on the kubeconfig update (docs/tools.md#kind-kubeconfig-lock);
    /// a second delete finds no nodes and removes the context.
    struct Delete: Step {
        var name: String
        func run(_ context: StepContext) async throws {
            try await whileKubeconfigLocked(Kind.deleteCluster(name: name), "kind to delete cluster \(name)", context)
        }
    }

    /// `kind export kubeconfig`, retried while another kind holds the kubeconfig lock.
    static func exportKubeconfig(_ cluster: String, _ context: StepContext) async throws {
        try await whileKubeconfigLocked(
            Kind.exportKubeconfig(name: cluster), "kind to export the kubeconfig context of \(cluster)", context)
    }

    /// Runs a kind command again while it fails only on kind's kubeconfig lock (bounded by the
    /// readiness timeout); any other failure is final.
    static func whileKubeconfigLocked(_ command: Command, _ description: String, _ context: StepContext) async throws {
        try await context.waitUntil(description, interval: .milliseconds(250)) {
            let result = try await context.run(command)
            if result.isSuccess { return .ready }
            if result.stderr.contains("failed to lock config file") { return .notYet(result.lastErrorLine) }
            throw ToolFailure(command, result)
        }
    }

    static func waitForAPIServer(_ cluster: String, _ context: StepContext) async throws {
        let probe = context.kubectl(cluster).apiServerProbe()
        try await context.waitUntil("the API server of cluster \(cluster) to answer") {
            let result = try await context.run(probe)
            return result.isSuccess ? .ready : .notYet(result.lastErrorLine)
        }
    }
}

extension KindClusterResource {
    /// The `multidc/kind-config` annotation text for a cluster's kind config: compact JSON of the
    /// passed-through fields, nil when nothing is passed through (no annotation).
    static func recordedText(_ config: Topology.KindConfig) -> String? {
        config.isEmpty ? nil : config.node.jsonString()
    }

    /// How the kind config the cluster was created with (recorded on its ownership record) differs
    /// from the spec's, field by field under `kindConfig.`; nil when they agree or the record is
    /// unknown (not read: the cluster is stopped or has no context).
    ///
    /// No annotation means nothing was passed through: clusters made before multidc passed
    /// kind fields through, and those made without any, were created with the plain config.
    static func kindConfigChanges(_ wanted: Topology.KindConfig, record: KubeObject?) -> [FieldChange]? {
        guard let record else { return nil }
        let text = OwnershipResource.annotations(record)[OwnershipResource.kindConfigKey]
        guard text != recordedText(wanted) else { return nil }
        let recorded = text.flatMap { try? YAMLParser.parse($0, file: OwnershipResource.kindConfigKey) } ?? .mapping([])
        let changes = fieldChanges(wanted: wanted.node, recorded: recorded, path: "kindConfig")
        // Equal meaning written differently (an older multidc's JSON) is no change.
        return changes.isEmpty ? nil : changes
    }

    /// Field changes from `recorded` to `wanted`: changed and added fields, then removed ones.
    static func fieldChanges(wanted: Node, recorded: Node?, path: String) -> [FieldChange] {
        if let pairs = wanted.mapping, let recordedPairs = recorded?.mapping {
            var out: [FieldChange] = []
            for pair in pairs {
                let key = pair.key.scalar ?? ""
                out += fieldChanges(wanted: pair.value, recorded: recorded?[key], path: FieldDiff.join(path, key))
            }
            for pair in recordedPairs where wanted[pair.key.scalar ?? ""] == nil {
                out.append(FieldChange(path: FieldDiff.join(path, pair.key.scalar ?? ""), before: display(pair.value), after: nil))
            }
            return out
        }
        if let recorded, recorded == wanted { return [] }
        return [FieldChange(path: path, before: recorded.map(display), after: display(wanted))]
    }

    /// One line: multi-line patches as a quoted string with escapes.
    static func display(_ node: Node) -> String {
        if let text = node.scalar, !text.contains("\n") { return text.isEmpty ? "\"\"" : text }
        return YAMLEmitter.emitFlowString(node)
    }
}
