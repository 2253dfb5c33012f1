import YAML

/// Reads the world through a `CommandRunner`, every read concurrent, with a small fixed number
/// of processes: 2 docker calls (`network inspect`, `ps -a`), then per cluster one `kubectl get`
/// of every managed kind and one `helm list` — 2 + 2 per cluster — and, once a Vault pod runs,
/// one `vault operator raft list-peers` inside it: 3 + 2 per cluster for a converged world. A
/// kind whose CRD is not installed yet costs one more kubectl call for that cluster.
///
/// `observe` never throws: failures become facts in the `World` with their message.
package struct Observer: Sendable {
    package let runner: any CommandRunner
    /// Timeout of each read; a read that runs past it becomes a fact like any other failure.
    package var callTimeout: Duration

    package init(runner: any CommandRunner, callTimeout: Duration = .seconds(120)) {
        self.runner = runner
        self.callTimeout = callTimeout
    }

    package func observe(_ target: ObservationTarget) async -> World {
        async let docker = observeDocker(target)
        // The peers are read in the first source cluster (the leader's) as soon as its own read
        // shows a Ready Vault pod, overlapping the other clusters' reads.
        let first = target.raftSourceOrder.first
        let (all, early) = await withTaskGroup(of: (Int, ClusterObservation, RaftMembership?).self) { group in
            for (index, cluster) in (target.clusters + target.formerClusters).enumerated() {
                group.addTask {
                    let observation = await observeCluster(cluster, target: target)
                    guard index < target.clusters.count, cluster.name == first,
                        case .success(let access) = RaftAccess.find(in: [observation], order: [cluster.name], target: target)
                    else { return (index, observation, nil) }
                    return (index, observation, await RaftMembership.read(access, runner: runner, timeout: callTimeout))
                }
            }
            var results: [(Int, ClusterObservation, RaftMembership?)] = []
            for await result in group { results.append(result) }
            return (results.sorted { $0.0 < $1.0 }.map(\.1), results.compactMap(\.2).first)
        }
        let clusters = Array(all.prefix(target.clusters.count))
        var world = await docker
        world.clusters = clusters
        world.formerClusters = Array(all.dropFirst(target.clusters.count))
        if let early {
            world.raft = early
        } else if !target.raftSourceOrder.isEmpty {
            switch RaftAccess.find(in: clusters, order: target.raftSourceOrder, target: target) {
            case .success(let access): world.raft = await RaftMembership.read(access, runner: runner, timeout: callTimeout)
            case .failure(let why): world.raft = .notObserved(why.description)
            }
        }
        return world
    }

    // MARK: docker

    private enum Read: Sendable {
        case result(CommandResult)
        case failure(CommandRunnerError)
        case error(String)
    }

    private func read(_ command: Command) async -> Read {
        var command = command
        if command.timeout == nil { command.timeout = callTimeout }
        do {
            return .result(try await runner.run(command))
        } catch let error as CommandRunnerError {
            return .failure(error)
        } catch {
            return .error("\(error)")
        }
    }

    func observeDocker(_ target: ObservationTarget) async -> World {
        var world = World(topologyName: target.topologyName, kms: target.kmsContainerName == nil ? .notConfigured : .absent)
        guard target.needsDocker else { return world }
        let networkName = target.provider == .kind ? target.networkName : nil
        async let networkRead: Read? = { () async -> Read? in
            guard let networkName else { return nil }
            return await read(Docker.networkInspect(networkName))
        }()
        async let psRead = read(Docker.listContainers())
        let (networkResult, psResult) = await (networkRead, psRead)

        // Engine: missing CLI or unreachable daemon, from either read.
        var engineProblem: String?
        for r in [psResult] + (networkResult.map { [$0] } ?? []) {
            switch r {
            case .failure(let error) where error.code == .executableNotFound:
                engineProblem = engineProblem ?? "the docker CLI was not found on PATH"
            case .failure(let error):
                engineProblem = engineProblem ?? "docker did not answer: \(error.message)"
            case .error(let message):
                engineProblem = engineProblem ?? "docker did not answer: \(message)"
            case .result(let result):
                if let message = Docker.engineUnreachableMessage(result) { engineProblem = engineProblem ?? message }
            }
        }
        if let engineProblem {
            world.engine = .unreachable(engineProblem)
            world.network = networkName == nil ? .notObserved : .unknown("Docker engine unreachable: \(engineProblem)")
            if target.kmsContainerName != nil { world.kms = .unknown("Docker engine unreachable: \(engineProblem)") }
            return world
        }
        world.engine = .reachable

        if case .result(let result)? = networkResult {
            do throws(ToolOutputError) {
                world.network = try Docker.parseNetworkInspect(result).map(World.Network.present) ?? .absent
            } catch {
                world.network = .unknown(error.description)
            }
        }
        guard case .result(let ps) = psResult else { return world }  // failures were engine problems above
        var containers: [DockerContainer]
        do throws(ToolOutputError) {
            containers = try Docker.parseContainerList(ps)
        } catch {
            world.containerListProblem = error.description
            if target.kmsContainerName != nil { world.kms = .unknown(error.description) }
            return world
        }
        if let network = world.network.value {
            for i in containers.indices {
                let attachment =
                    network.containers.first { $0.containerID.hasPrefix(containers[i].id) || containers[i].id.hasPrefix($0.containerID) }
                    ?? network.attachment(for: containers[i].name)
                containers[i].ipv4Address = attachment?.ipv4Address
            }
        }
        world.containers = containers
        world.kindClusters = target.provider == .kind ? Kind.clusters(from: containers) : []
        if let kmsName = target.kmsContainerName {
            world.kms = containers.first { $0.names.contains(kmsName) }.map(World.KMS.present) ?? .absent
        }
        return world
    }

    // MARK: clusters

    func observeCluster(_ cluster: ObservationTarget.Cluster, target: ObservationTarget) async -> ClusterObservation {
        let kubectl = Kubectl(context: cluster.context, kubeconfig: cluster.kubeconfig)
        let helm = Helm(kubeContext: cluster.context, kubeconfig: cluster.kubeconfig)
        async let helmRead = read(helm.list())
        var kinds = ClusterObjects.kinds(metalLBCustomResources: target.metalLBCustomResources)
        var observation = ClusterObservation(name: cluster.name, context: cluster.context, reachability: .reachable)

        readLoop: while true {
            switch await read(kubectl.get(kinds)) {
            case .failure(let error):
                observation.reachability = .failed(
                    error.code == .executableNotFound ? "the kubectl CLI was not found on PATH" : error.message)
            case .error(let message):
                observation.reachability = .failed(message)
            case .result(let result) where result.isSuccess:
                do throws(ToolOutputError) {
                    observation.objects = ClusterObjects(
                        items: try Kubectl.parseObjects(result), vaultNamespace: target.vaultNamespace,
                        sharedSecretNames: target.sharedSecretNames, operatorRelease: target.operatorRelease,
                        operatorNamespace: target.operatorNamespace)
                } catch {
                    observation.reachability = .failed(error.description)
                }
            case .result(let result):
                switch Kubectl.failure(of: result) {
                case .unreachable(let message): observation.reachability = .apiServerUnreachable(message)
                case .contextMissing(let message): observation.reachability = .contextMissing(message)
                case .unknownResourceType(let type):
                    let dropped = kinds.filter { ClusterObjects.optionalKinds.contains($0) && ($0 == type || $0.hasPrefix(type + ".")) }
                    if !dropped.isEmpty {
                        kinds.removeAll { dropped.contains($0) }
                        continue readLoop
                    }
                    observation.reachability = .failed(result.lastErrorLine)
                case .notFound(let message), .other(let message):
                    observation.reachability = .failed(message)
                }
            }
            break
        }

        switch await helmRead {
        case .result(let result):
            do throws(ToolOutputError) {
                observation.helmReleases = try Helm.parseList(result)
            } catch {
                observation.helmError = Helm.unreachableMessage(result) ?? error.message
            }
        case .failure(let error):
            observation.helmError = error.code == .executableNotFound ? "the helm CLI was not found on PATH" : error.message
        case .error(let message):
            observation.helmError = message
        }
        return observation
    }
}
