/// The docker network every node and the KMS live on: created the way kind creates it, replaced
/// (with everything on it) only when the spec pins another subnet, removed by destroy only when
/// this topology created it and nothing else uses it.
enum NetworkResource: GlobalRule, GlobalDestroyRule {
    static func planApply(_ plan: inout PlanBuilder) {
        guard plan.topology.provider == .kind else { return }
        let topology = plan.topology
        let name = topology.network.name
        switch plan.world.network {
        case .absent, .notObserved:
            let how = topology.network.subnet.map { "with subnet \($0)" } ?? "with a subnet docker picks, the way kind creates it"
            plan.add(
                PlanAction(
                    id: .network, change: .create, step: Create(name: name, subnet: topology.network.subnet, removing: nil),
                    resource: "docker network \(name)", reason: "no docker network named \(name); create it \(how)"))
        case .unknown(let message):
            plan.problems.append(PlanProblem("cannot inspect docker network \(name): \(message)"))
        case .present(let network):
            let observed = network.ipv4Subnet.flatMap { CIDR($0) }
            if let pinned = topology.network.subnet, let observed, observed != pinned {
                let users = network.containers.map(\.name).sorted()
                // Only this topology's containers may go with the network: anything else on it
                // (another kind cluster, a container started by hand) is not ours to remove.
                let clusters = topology.clusters.map(\.name).filter { plan.world.kindCluster(named: $0) != nil }
                let ours = Set(
                    clusters.flatMap { plan.world.kindCluster(named: $0)?.nodes.map(\.name) ?? [] }
                        + [topology.kmsContainerName].compactMap { $0 })
                let foreign = users.filter { !ours.contains($0) }
                guard foreign.isEmpty else {
                    plan.problems.append(
                        PlanProblem(
                            "docker network \(name) has subnet \(observed) but the spec pins \(pinned), and it cannot be replaced while containers that are not this topology's use it: \(foreign.joined(separator: ", ")); remove them, or pin the observed subnet, or use another network name"
                        ))
                    return
                }
                plan.networkReplaced = true
                let kms = topology.kmsContainerName.flatMap { plan.world.container(named: $0) != nil ? $0 : nil }
                plan.add(
                    PlanAction(
                        id: .network, change: .replace,
                        step: Create(
                            name: name, subnet: pinned, removing: Removal(clusters: clusters, containers: kms.map { [$0] } ?? [])),
                        resource: "docker network \(name)", reason: "its subnet is \(observed) but the spec pins \(pinned)",
                        observed: observed.description,
                        dataLoss: "replacing network \(name) removes every container on it"
                            + (users.isEmpty ? "" : " (\(users.joined(separator: ", ")))") + " and every Vault node in those clusters"))
            } else if observed == nil, topology.network.subnet == nil {
                plan.problems.append(
                    PlanProblem("docker network \(name) has no IPv4 subnet; pin spec.network.subnet or use another network"))
            } else {
                plan.add(
                    PlanAction(
                        id: .network, change: .inSync, step: Create(name: name, subnet: topology.network.subnet, removing: nil),
                        resource: "docker network \(name)", reason: "exists with subnet \(observed?.description ?? "?")"))
            }
        }
    }

    static func planDestroy(_ plan: inout PlanBuilder) {
        let topology = plan.topology
        guard topology.provider == .kind, let network = plan.world.network.value else { return }
        let removed = Set(
            plan.actions.flatMap { action -> [String] in
                switch action.id {
                case .cluster(let name): plan.world.kindCluster(named: name)?.nodes.map(\.name) ?? []
                case .kms: [topology.kmsContainerName].compactMap { $0 }
                default: []
                }
            })
        let ownedNetwork = network.labels[Ownership.topologyKey] == topology.name
        let remaining = network.containers.map(\.name).filter { !removed.contains($0) }.sorted()
        if ownedNetwork && remaining.isEmpty {
            plan.add(
                PlanAction(
                    id: .network, change: .delete, step: Remove(name: network.name), resource: "docker network \(network.name)",
                    reason: "created by topology \(topology.name) and left empty", needs: plan.actions.map(\.id)))
        } else if ownedNetwork {
            plan.notes.append("docker network \(network.name) is kept: \(remaining.joined(separator: ", ")) still use(s) it")
        } else {
            plan.notes.append("docker network \(network.name) is kept: multidc did not create it")
        }
    }

    /// What goes before a network is replaced: the topology's kind clusters and its KMS
    /// container (decided at plan time; other containers on it make the plan refuse).
    struct Removal: Sendable, Hashable {
        var clusters: [String]
        var containers: [String]
    }

    /// Creates the network the way kind does: bridge, masquerade, the default bridge's MTU, an
    /// IPv6 ULA derived from the name, IPv4-only where the engine has no IPv6.
    struct Create: Step {
        var name: String
        var subnet: CIDR?
        /// Set for a replacement: what is removed first.
        var removing: Removal?

        func run(_ context: StepContext) async throws {
            if let removing {
                for cluster in removing.clusters { try await KindClusterResource.Delete(name: cluster).run(context) }
                if !removing.containers.isEmpty { try await context.check(Docker.removeForce(removing.containers)) }
                try await context.check(Docker.networkRemove(name))
            }
            let mtu = Docker.parseMTU(try await context.run(Docker.bridgeMTU()))
            let labels = Ownership.labels(topology: context.topology.name)
            let v4 = subnet?.description
            let dualStack = Docker.networkCreate(name, subnet: v4, ipv6Subnet: KindNetwork.ulaSubnet(name: name), mtu: mtu, labels: labels)
            var command = dualStack
            var result = try await context.run(command)
            if !result.isSuccess, Self.ipv6Unavailable(result.stderr) {
                context.progress("IPv6 is unavailable on this engine; creating network \(name) IPv4-only, as kind does")
                command = Docker.networkCreate(name, subnet: v4, mtu: mtu, labels: labels)
                result = try await context.run(command)
            }
            let inspected: CommandResult
            if result.isSuccess || Docker.isNetworkAlreadyExists(result) {
                inspected = try await context.run(Docker.networkInspect(name))
            } else if Docker.isPoolOverlap(result) {
                // Another apply created the same network at the same moment: its create won and
                // ours lost with "Pool overlaps" (docs/tools.md#docker-network-create). A network
                // that now exists under this name with the wanted subnet is success, as kind does.
                inspected = try await context.run(Docker.networkInspect(name))
                let existing = try? Docker.parseNetworkInspect(inspected)
                guard let existing, subnet == nil || existing.ipv4Subnet.flatMap({ CIDR($0) }) == subnet else {
                    throw ToolFailure(command, result)
                }
            } else {
                throw ToolFailure(command, result)
            }
            if let network = try? Docker.parseNetworkInspect(inspected), let observed = network.ipv4Subnet.flatMap({ CIDR($0) }) {
                context.state.subnet = subnet ?? observed
            }
        }

        /// kind's own markers for an engine without IPv6 (kind `pkg/cluster/internal/providers/docker/network.go`).
        static func ipv6Unavailable(_ stderr: String) -> Bool {
            stderr.contains("Cannot read IPv6 setup for bridge") || stderr.contains("(iptables failed: ip6tables")
        }
    }

    /// `docker network rm`.
    struct Remove: Step {
        var name: String
        func run(_ context: StepContext) async throws { try await context.check(Docker.networkRemove(name)) }
    }
}
