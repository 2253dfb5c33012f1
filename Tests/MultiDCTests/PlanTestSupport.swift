import Foundation
import Testing
import YAML

@testable import MultiDC

/// Specs and observed worlds for planner and action tests: no engine, no files written except
/// the examples read from the repository.
enum PlanFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// examples/vault-raft: its templates (vault-cr.yaml, vault-follower.yaml) serve inline specs.
    static let vaultRaftDirectory = root.appendingPathComponent("examples/vault-raft").path

    /// A spec from text, anchored in examples/vault-raft so its templates resolve.
    static func load(_ text: String, directory: String = vaultRaftDirectory) throws -> LoadedTopology {
        try TopologyLoader.load(text: text, file: directory + "/inline-spec.yaml")
    }

    static func example(_ name: String) throws -> LoadedTopology {
        try TopologyLoader.load(path: root.appendingPathComponent("examples/\(name)/spec.yaml").path)
    }

    /// The classic set-up as inline text, with knobs for the variants the tables need.
    static func spec(
        name: String = "vault-raft", network: String = "kind", subnet: String? = nil, metallb: String = "v0.9.3",
        rootToken: String = "{ generate: true }", operatorVersion: String? = nil,
        clusters: [String] = ["primary", "secondary", "tertiary"],
        workers: [String: Int] = [:]
    ) -> String {
        var text = """
            apiVersion: multidc/v1alpha1
            kind: Topology
            metadata:
              name: \(name)
            spec:
              provider: kind
              nodeImage: kindest/node:v1.19.1
              network:
                name: \(network)

            """
        if let subnet { text += "    subnet: \(subnet)\n" }
        text += """
              loadBalancer:
                metallb:
                  version: \(metallb)
              kms:
                name: central-vault
                image: vault:1.6.2
                rootToken: \(rootToken)
              operator:
                release: vault-operator
                chart: banzaicloud-stable/vault-operator
                repo:
                  name: banzaicloud-stable
                  url: https://kubernetes-charts.banzaicloud.com
                namespace: default

            """
        if let operatorVersion { text += "    version: \(operatorVersion)\n" }
        text += """
              vault:
                template: vault-cr.yaml
                namespace: default
                leader: \(clusters[0])
                shareSecrets: [vault-primary-tls]
              clusters:

            """
        for (i, cluster) in clusters.enumerated() {
            text += "    - name: \(cluster)\n"
            if i > 0 { text += "      vault: { template: vault-follower.yaml }\n" }
            if let w = workers[cluster] { text += "      workers: \(w)\n" }
        }
        return text
    }
}

/// Builds observed worlds for a loaded topology: `converged()` is what a finished apply leaves
/// behind (as the observer would report it); tests then break one fact at a time.
struct WorldBuilder {
    let loaded: LoadedTopology
    /// The subnet docker gave the network (the pinned one when the spec pins it).
    var subnet: CIDR
    /// The KMS's root token (what the live Vault CRs carry and the fingerprint label hashes).
    var token = "live-kms-root-token-4711"
    /// Labels of the docker network (kind's own network has none).
    var networkLabels: [String: String] = [:]

    init(_ loaded: LoadedTopology, subnet: String? = nil) {
        self.loaded = loaded
        self.subnet = loaded.topology.network.subnet ?? CIDR(subnet ?? "172.18.0.0/16")!
    }

    var topology: Topology { loaded.topology }
    var labels: [String: String] { Ownership.labels(topology: topology.name) }

    // MARK: docker

    /// Node containers of every cluster, control planes first, with addresses from .2 on.
    func nodeContainers() -> [DockerContainer] {
        var out: [DockerContainer] = []
        var host: UInt32 = 2
        for cluster in topology.clusters {
            let roles = ["control-plane"] + Array(repeating: "worker", count: cluster.workers)
            for (i, role) in roles.enumerated() {
                let suffix = role == "control-plane" ? "control-plane" : (i == 1 ? "worker" : "worker\(i)")
                let name = "\(cluster.name)-\(suffix)"
                out.append(
                    DockerContainer(
                        id: String(format: "%012x", host) + String(repeating: "0", count: 52), name: name,
                        image: topology.nodeImage(of: cluster) ?? "kindest/node:v1.27.3", state: .running, status: "Up 5 minutes",
                        labels: [Kind.clusterLabel: cluster.name, Kind.roleLabel: role], networks: [topology.network.name],
                        ipv4Address: address(host)))
                host += 1
            }
        }
        return out
    }

    func address(_ host: UInt32) -> String {
        IPAddress(family: .v4, value: subnet.address.value + UInt128(host)).description
    }

    var kmsAddress: String { address(100) }

    func kmsContainer(state: ContainerState = .running) -> DockerContainer? {
        guard case .container(let name, let image, _) = topology.kms else { return nil }
        var labels = self.labels
        labels[KMSResource.tokenFingerprintLabel] = SHA256.hex(token)
        return DockerContainer(
            id: "kms0000000000" + String(repeating: "0", count: 51), name: name, image: image, state: state,
            status: state == .running ? "Up 5 minutes" : "Exited (0) 1 minute ago", labels: labels, networks: [topology.network.name],
            ipv4Address: state == .running ? kmsAddress : nil)
    }

    /// The network endpoint id docker gave a running container (a restart makes another).
    static func endpointID(_ name: String) -> String { "ep-\(name)" }

    /// The annotations a finished apply leaves on a cluster's ownership record: the operator
    /// values' digest and revision, and the KMS endpoint its Vault's keys went into.
    var ownershipAnnotations: [Node.Pair] {
        var pairs = [
            Node.Pair(
                key: .string(OwnershipResource.valuesDigestKey), value: .string(OperatorResource.valuesDigest(topology.vaultOperator))),
            Node.Pair(key: .string(OwnershipResource.operatorRevisionKey), value: .string("1")),
        ]
        if topology.provider == .kind, let kms = topology.kmsContainerName {
            pairs.append(Node.Pair(key: .string(OwnershipResource.kmsEndpointKey), value: .string(Self.endpointID(kms))))
        }
        return pairs
    }

    func network(containers: [DockerContainer]) -> DockerNetwork {
        DockerNetwork(
            name: topology.network.name, id: "net0", ipv4Subnet: subnet.description, ipv4Gateway: address(1),
            ipv6Subnet: KindNetwork.ulaSubnet(name: topology.network.name), enableIPv6: true,
            options: ["com.docker.network.bridge.enable_ip_masquerade": "true"], labels: networkLabels,
            containers: containers.filter { $0.isRunning && $0.ipv4Address != nil }.map {
                DockerNetwork.Attachment(
                    containerID: $0.id, name: $0.name, ipv4Address: $0.ipv4Address, ipv4PrefixLength: subnet.prefix,
                    endpointID: Self.endpointID($0.name))
            }.sorted { $0.name < $1.name })
    }

    // MARK: clusters

    var pools: [String: ClusterPool] {
        guard case .success(let list)? = PoolSlicer.pools(for: topology, knownSubnet: topology.provider == .kind ? subnet : nil) else {
            return [:]
        }
        return Dictionary(uniqueKeysWithValues: list.map { ($0.cluster, $0) })
    }

    static func object(_ json: String) -> KubeObject {
        KubeObject(node: try! Node(json: Data(json.utf8)))
    }

    func ownedObject(_ node: Node) -> KubeObject {
        KubeObject(node: Ownership.labelled(node, topology: topology.name))
    }

    func metalLB(for cluster: Topology.Cluster) -> MetalLBState {
        guard case .metallb(let m) = topology.loadBalancer, let pool = pools[cluster.name] else { return MetalLBState() }
        let controller = DeploymentState(
            name: "controller", namespace: MetalLBState.namespace, images: ["quay.io/metallb/controller:\(m.version)"],
            replicas: 1, readyReplicas: 1, available: true)
        switch m.mode {
        case .configMap:
            let config = "address-pools:\n- name: default\n  protocol: layer2\n  addresses:\n  - \(pool.rangeText)\n"
            let object = ownedObject(
                .mapping([
                    "apiVersion": .string("v1"), "kind": .string("ConfigMap"),
                    "metadata": .mapping(["name": .string("config"), "namespace": .string(MetalLBState.namespace)]),
                    "data": .mapping(["config": .string(config)]),
                ]))
            return MetalLBState(
                installed: true, version: m.version, controller: controller, memberlistSecretPresent: true,
                legacyConfig: .init(object: object, pools: MetalLBState.parseLegacyConfig(config).pools))
        case .customResources:
            let pool = ownedObject(
                .mapping([
                    "apiVersion": .string("metallb.io/v1beta1"), "kind": .string("IPAddressPool"),
                    "metadata": .mapping(["name": .string(PoolResource.addressPoolName), "namespace": .string(MetalLBState.namespace)]),
                    "spec": .mapping(["addresses": .sequence([.string(pool.rangeText)])]),
                ]))
            let l2 = ownedObject(
                .mapping([
                    "apiVersion": .string("metallb.io/v1beta1"), "kind": .string("L2Advertisement"),
                    "metadata": .mapping(["name": .string(PoolResource.l2AdvertisementName), "namespace": .string(MetalLBState.namespace)]),
                    "spec": .mapping(["ipAddressPools": .sequence([.string(PoolResource.addressPoolName)])]),
                ]))
            return MetalLBState(
                installed: true, version: m.version, controller: controller,
                addressPools: [.init(object: pool, addresses: [self.pools[cluster.name]!.rangeText])], l2Advertisements: [l2])
        }
    }

    /// The leader's TLS secret as the operator made it (server fields included).
    func leaderSecret(_ name: String) -> KubeObject {
        Self.object(
            """
            {"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/tls",
             "metadata":{"name":"\(name)","namespace":"\(topology.vault.namespace)","resourceVersion":"812","uid":"0b1c-leader",
                         "creationTimestamp":"2026-11-27T04:20:00Z","labels":{"vault_cr":"vault-\(topology.leader.name)"}},
             "data":{"ca.crt":"Y2EtY2VydA==","tls.crt":"dGxzLWNlcnQ=","tls.key":"dGxzLWtleQ=="}}
            """)
    }

    /// The follower's copy (what `copySecret` applies), as read back.
    func copiedSecret(_ name: String) -> KubeObject {
        var node = leaderSecret(name).manifestForCopy(namespace: topology.vault.namespace)
        node = Ownership.labelled(node, topology: topology.name)
        node["metadata"]?["resourceVersion"] = .string("90")
        node["metadata"]?["uid"] = .string("77aa-copy")
        return KubeObject(node: node)
    }

    /// The cluster's Vault CRs rendered for apply (real token and address), read back as kubectl
    /// prints them: through JSON, with server-populated fields added.
    func liveVaults(for cluster: Topology.Cluster, leaderLoadBalancerIP: String? = nil) throws -> [String: KubeObject] {
        var assumptions: [String: String] = [:]
        if let leaderLoadBalancerIP { assumptions["leader.loadBalancerIP"] = leaderLoadBalancerIP }
        let subnet: CIDR? = topology.provider == .kind ? subnet : nil
        let values = TemplateValues.for(
            topology: topology, cluster: cluster, subnet: subnet, kmsAddress: topology.kmsContainerName == nil ? nil : kmsAddress,
            kmsToken: Secret(token), assumptions: assumptions)
        var out: [String: KubeObject] = [:]
        for document in VaultResource.vaults(try VaultResource.manifests(loaded, cluster: cluster, values: values, mode: .apply)) {
            var node = try Node(json: Data(document.jsonString().utf8))
            node["metadata"]?["uid"] = .string("5e1f-\(cluster.name)")
            node["metadata"]?["resourceVersion"] = .string("1234")
            node["metadata"]?["generation"] = .scalar("1")
            node["metadata"]?["creationTimestamp"] = .string("2026-11-27T04:21:00Z")
            node["status"] = .mapping(["nodes": .sequence([.string(VaultResource.name(document)! + "-0")])])
            let object = KubeObject(node: node)
            out[object.name] = object
        }
        return out
    }

    func objects(for cluster: Topology.Cluster, manifestDigest: String? = nil, leaderLoadBalancerIP: String? = nil) throws -> ClusterObjects
    {
        let op = topology.vaultOperator
        var ownershipData: [Node.Pair] = [Node.Pair(key: .string("topology"), value: .string(topology.name))]
        // A converged world recorded the digest of the manifests it applied (the loader's, unless a test gives another).
        if let digest = manifestDigest ?? loaded.manifestDigest, !digest.isEmpty {
            ownershipData.append(Node.Pair(key: .string("manifests-sha256"), value: .string(digest)))
        }
        var annotations = ownershipAnnotations
        // The kind config the cluster was created with (none passed through: no annotation).
        if topology.provider == .kind, let text = KindClusterResource.recordedText(topology.kindConfig(of: cluster)) {
            annotations.append(Node.Pair(key: .string(OwnershipResource.kindConfigKey), value: .string(text)))
        }
        // The images loaded into the cluster's nodes (spec.images).
        let images = ImagesResource.images(of: cluster, loaded)
        if !images.isEmpty {
            annotations.append(Node.Pair(key: .string(ImagesResource.recordKey), value: .string(ImagesResource.recordValue(images))))
        }
        let ownership = ownedObject(
            .mapping([
                "apiVersion": .string("v1"), "kind": .string("ConfigMap"),
                "metadata": .mapping([
                    "name": .string(Ownership.configMapName), "namespace": .string(Ownership.configMapNamespace),
                    "annotations": .mapping(annotations),
                ]),
                "data": .mapping(ownershipData),
            ]))
        var secrets: [String: KubeObject] = [:]
        for name in topology.vault.shareSecrets {
            secrets[name] = cluster.name == topology.leader.name ? leaderSecret(name) : copiedSecret(name)
        }
        let vaults = try liveVaults(for: cluster, leaderLoadBalancerIP: leaderLoadBalancerIP)
        let ns = topology.vault.namespace
        let lbIP = pools[cluster.name]?.loadBalancerIP.description ?? leaderLoadBalancerIP
        return ClusterObjects(
            namespaces: ["default", "kube-system", MetalLBState.namespace].sorted(),
            metalLB: metalLB(for: cluster),
            customResourceDefinitions: [ClusterObjects.vaultCRDName: .init(name: ClusterObjects.vaultCRDName, established: true)],
            operatorDeployment: DeploymentState(
                name: op.release, namespace: op.namespace, images: ["ghcr.io/banzaicloud/vault-operator:1.12.0"],
                replicas: 1, readyReplicas: 1, available: true),
            sharedSecrets: secrets,
            vaults: vaults,
            vaultPods: vaults.keys.sorted().map { PodState(name: "\($0)-0", namespace: ns, phase: "Running", ready: true, vaultCR: $0) },
            vaultServices: vaults.keys.sorted().map {
                ServiceState(
                    name: $0, namespace: ns, type: "LoadBalancer", requestedLoadBalancerIP: lbIP, ingressIPs: lbIP.map { [$0] } ?? [])
            },
            ownership: ownership)
    }

    func helmReleases() -> [HelmRelease] {
        let op = topology.vaultOperator
        return [
            HelmRelease(
                name: op.release, namespace: op.namespace, revision: 1, status: .deployed,
                chart: "vault-operator-\(op.version ?? "1.12.0")", appVersion: op.version ?? "1.12.0",
                updated: "2026-11-27 04:20:00.1 +0000 UTC")
        ]
    }

    // MARK: worlds

    /// What a finished apply leaves behind.
    func converged(manifestDigest: String? = nil, leaderLoadBalancerIP: String? = nil) throws -> World {
        var clusters: [ClusterObservation] = []
        for cluster in topology.clusters {
            clusters.append(
                ClusterObservation(
                    name: cluster.name, context: topology.context(of: cluster), reachability: .reachable,
                    objects: try objects(for: cluster, manifestDigest: manifestDigest, leaderLoadBalancerIP: leaderLoadBalancerIP),
                    helmReleases: helmReleases()))
        }
        guard topology.provider == .kind else {
            let kms: World.KMS = topology.kmsContainerName == nil ? .notConfigured : .absent
            return World(topologyName: topology.name, engine: .notObserved, kms: kms, clusters: clusters)
        }
        var containers = nodeContainers()
        if let kms = kmsContainer() { containers.append(kms) }
        containers.sort { $0.name < $1.name }
        return World(
            topologyName: topology.name, engine: .reachable, network: .present(network(containers: containers)), containers: containers,
            kindClusters: Kind.clusters(from: containers), kms: kmsContainer().map { .present($0) } ?? .notConfigured, clusters: clusters)
    }

    /// Nothing there yet: the engine answers, no network, no containers, no contexts.
    func empty() -> World {
        World(
            topologyName: topology.name, engine: .reachable, network: .absent, containers: [], kindClusters: [],
            kms: topology.kmsContainerName == nil ? .notConfigured : .absent,
            clusters: topology.clusters.map {
                ClusterObservation(
                    name: $0.name, context: topology.context(of: $0),
                    reachability: .contextMissing("error: context \"\(topology.context(of: $0))\" does not exist"))
            })
    }
}

extension World {
    /// The world without cluster `name`'s kind nodes (as after `kind delete cluster` or `docker rm -f`).
    func removingCluster(_ name: String) -> World {
        var world = self
        world.containers.removeAll { $0.labels[Kind.clusterLabel] == name }
        world.kindClusters.removeAll { $0.name == name }
        if var network = world.network.value {
            network.containers.removeAll { $0.name.hasPrefix("\(name)-") }
            world.network = .present(network)
        }
        if let i = world.clusters.firstIndex(where: { $0.name == name }) {
            world.clusters[i] = ClusterObservation(
                name: name, context: world.clusters[i].context,
                reachability: .contextMissing("error: context \"\(world.clusters[i].context)\" does not exist"))
        }
        return world
    }

    /// Edits the objects of one cluster.
    func editing(_ cluster: String, _ edit: (inout ClusterObservation) -> Void) -> World {
        var world = self
        if let i = world.clusters.firstIndex(where: { $0.name == cluster }) { edit(&world.clusters[i]) }
        return world
    }

    /// The world without its KMS container.
    func removingKMS() -> World {
        var world = self
        guard let kms = world.kms.container else { return world }
        world.kms = .absent
        world.containers.removeAll { $0.name == kms.name }
        if var network = world.network.value {
            network.containers.removeAll { $0.name == kms.name }
            world.network = .present(network)
        }
        return world
    }

    /// Every cluster without Vault CRs, pods and services (the operator runs, no CR applied yet).
    func withoutVaults() -> World {
        var world = self
        for i in world.clusters.indices {
            world.clusters[i].objects.vaults = [:]
            world.clusters[i].objects.vaultPods = []
            world.clusters[i].objects.vaultServices = []
        }
        return world
    }
}

/// A compact view of a plan for exact assertions.
struct PlanRow: Equatable, CustomStringConvertible {
    var id: String
    var change: Change
    var dependsOn: [String]

    init(_ id: String, _ change: Change, _ dependsOn: [String] = []) {
        self.id = id
        self.change = change
        self.dependsOn = dependsOn
    }

    var description: String { "\(change.symbol) \(id) <- \(dependsOn)" }
}

extension Plan {
    /// The changing actions as rows (in plan order).
    /// The changes, without the readiness waits (`PlanTableTests.readinessWaitsFollowEachChangingVaultCR` covers those).
    var changeRows: [PlanRow] {
        changes.filter { $0.change != .wait }.map { PlanRow($0.id.description, $0.change, $0.dependsOn.map(\.description)) }
    }
    /// Every action as rows.
    var rows: [PlanRow] {
        actions.filter { $0.change != .wait }.map { PlanRow($0.id.description, $0.change, $0.dependsOn.map(\.description)) }
    }
}
