import YAML

/// The objects multidc manages in one cluster, typed enough for planning, with the raw `Node`
/// kept wherever a later field-by-field comparison or a copy needs the live object.
package struct ClusterObjects: Sendable, Equatable {
    /// Namespace names, sorted.
    package var namespaces: [String]
    package var metalLB: MetalLBState
    /// CustomResourceDefinitions by name (e.g. `vaults.vault.banzaicloud.com`).
    package var customResourceDefinitions: [String: CustomResourceDefinitionState]
    /// The operator's Deployment (named after the release, or labelled with it as instance).
    package var operatorDeployment: DeploymentState?
    /// The Secrets to share, found in the vault namespace, by name (full live object kept).
    package var sharedSecrets: [String: KubeObject]
    /// Vault CRs (`vaults.vault.banzaicloud.com`) in the vault namespace, by name.
    package var vaults: [String: KubeObject]
    /// Vault pods in the vault namespace, sorted by name.
    package var vaultPods: [PodState]
    /// Vault Services in the vault namespace, sorted by name.
    package var vaultServices: [ServiceState]
    /// The `multidc-ownership` ConfigMap in `default`, if present.
    package var ownership: KubeObject?

    package init(
        namespaces: [String] = [], metalLB: MetalLBState = MetalLBState(),
        customResourceDefinitions: [String: CustomResourceDefinitionState] = [:],
        operatorDeployment: DeploymentState? = nil, sharedSecrets: [String: KubeObject] = [:], vaults: [String: KubeObject] = [:],
        vaultPods: [PodState] = [], vaultServices: [ServiceState] = [], ownership: KubeObject? = nil
    ) {
        self.namespaces = namespaces
        self.metalLB = metalLB
        self.customResourceDefinitions = customResourceDefinitions
        self.operatorDeployment = operatorDeployment
        self.sharedSecrets = sharedSecrets
        self.vaults = vaults
        self.vaultPods = vaultPods
        self.vaultServices = vaultServices
        self.ownership = ownership
    }

    /// The CRD multidc waits for before creating Vault CRs.
    package static let vaultCRDName = "vaults.vault.banzaicloud.com"

    package var vaultCRDEstablished: Bool { customResourceDefinitions[Self.vaultCRDName]?.established ?? false }
}

/// Any live Kubernetes object: its identity plus the whole object as a `Node`.
package struct KubeObject: Sendable, Equatable {
    package var apiVersion: String
    package var kind: String
    package var name: String
    package var namespace: String?
    package var labels: [String: String]
    /// The object as kubectl printed it (server-populated fields included).
    package var node: YAML.Node

    package init(node: YAML.Node) {
        self.node = node
        apiVersion = node["apiVersion"]?.string ?? ""
        kind = node["kind"]?.string ?? ""
        name = node[path: "metadata", "name"]?.string ?? ""
        namespace = node[path: "metadata", "namespace"]?.string
        labels = KubeObject.stringMap(node[path: "metadata", "labels"])
    }

    /// Whether the object carries this topology's ownership labels.
    package func isOwned(byTopology topology: String) -> Bool {
        labels[Ownership.managedByKey] == Ownership.managedByValue && labels[Ownership.topologyKey] == topology
    }

    static func stringMap(_ node: YAML.Node?) -> [String: String] {
        var map: [String: String] = [:]
        for pair in node?.mapping ?? [] {
            if let key = pair.key.scalar, let value = pair.value.scalar { map[key] = value }
        }
        return map
    }
}

/// A CRD and whether its `Established` condition is True.
package struct CustomResourceDefinitionState: Sendable, Equatable {
    package var name: String
    package var established: Bool

    package init(name: String, established: Bool) {
        self.name = name
        self.established = established
    }
}

/// A Deployment's readiness.
package struct DeploymentState: Sendable, Equatable {
    package var name: String
    package var namespace: String
    package var labels: [String: String]
    /// Container images of the pod template, in order.
    package var images: [String]
    package var replicas: Int
    package var readyReplicas: Int
    /// The `Available` condition is True.
    package var available: Bool

    package init(
        name: String, namespace: String, labels: [String: String] = [:], images: [String] = [], replicas: Int = 1, readyReplicas: Int = 0,
        available: Bool = false
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.images = images
        self.replicas = replicas
        self.readyReplicas = readyReplicas
        self.available = available
    }
}

/// A pod's phase and Ready condition.
package struct PodState: Sendable, Equatable {
    package var name: String
    package var namespace: String
    package var labels: [String: String]
    /// `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`.
    package var phase: String
    package var ready: Bool
    /// The Vault CR the pod belongs to (label `vault_cr`), if any.
    package var vaultCR: String?

    package init(name: String, namespace: String, labels: [String: String] = [:], phase: String, ready: Bool, vaultCR: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.phase = phase
        self.ready = ready
        self.vaultCR = vaultCR
    }
}

/// A Service's type and load-balancer address.
package struct ServiceState: Sendable, Equatable {
    package var name: String
    package var namespace: String
    package var labels: [String: String]
    /// `ClusterIP`, `NodePort`, `LoadBalancer`, …
    package var type: String
    /// `spec.loadBalancerIP` (the address asked for), if set.
    package var requestedLoadBalancerIP: String?
    /// `status.loadBalancer.ingress[]`: each entry's `ip`, or its `hostname` where the cloud
    /// reports a name and no address (EKS; docs/tools.md#k8s-lb-hostname).
    package var ingressIPs: [String]

    package init(
        name: String, namespace: String, labels: [String: String] = [:], type: String, requestedLoadBalancerIP: String? = nil,
        ingressIPs: [String] = []
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.type = type
        self.requestedLoadBalancerIP = requestedLoadBalancerIP
        self.ingressIPs = ingressIPs
    }

    /// The assigned load-balancer IP; nil while pending.
    package var loadBalancerIP: String? { ingressIPs.first }
    /// A LoadBalancer Service still waiting for its address (`<pending>`).
    package var isPending: Bool { type == "LoadBalancer" && ingressIPs.isEmpty }
}
