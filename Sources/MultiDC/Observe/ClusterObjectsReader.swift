import YAML

extension ClusterObjects {
    /// The kubectl resource names the observer reads in its one `get` per cluster. The last
    /// entries are served only once their CRDs exist (see `optionalKinds`).
    static func kinds(metalLBCustomResources: Bool) -> [String] {
        [
            "namespaces", "customresourcedefinitions", "deployments", "configmaps", "secrets", "services", "pods",
            "vaults.vault.banzaicloud.com",
        ]
            + (metalLBCustomResources ? ["ipaddresspools.metallb.io", "l2advertisements.metallb.io"] : [])
    }

    /// Kinds backed by CRDs: when kubectl says the server does not have one, it is dropped and
    /// the read repeated (its objects are then simply absent).
    static let optionalKinds: Set<String> = ["vaults.vault.banzaicloud.com", "ipaddresspools.metallb.io", "l2advertisements.metallb.io"]

    /// Sorts the items of one multi-kind `kubectl get -A -o json` into the typed view.
    ///
    /// - Parameters:
    ///   - items: the List's items, any kinds, any namespaces.
    ///   - vaultNamespace: where Vault CRs, pods, Services and shared Secrets live.
    ///   - sharedSecretNames: the Secrets to keep whole.
    ///   - operatorRelease/operatorNamespace: finds the operator's Deployment.
    package init(
        items: [YAML.Node], vaultNamespace: String, sharedSecretNames: [String], operatorRelease: String, operatorNamespace: String
    ) {
        self.init()
        var namespaces: [String] = []
        var deployments: [DeploymentState] = []
        var pods: [PodState] = []
        var services: [ServiceState] = []
        var l2: [KubeObject] = []
        var pools: [MetalLBState.AddressPool] = []
        let shared = Set(sharedSecretNames)
        for item in items {
            let object = KubeObject(node: item)
            let group = object.apiVersion.split(separator: "/").dropLast().first.map(String.init) ?? ""
            switch (group, object.kind) {
            case ("", "Namespace"):
                namespaces.append(object.name)
            case ("apiextensions.k8s.io", "CustomResourceDefinition"):
                customResourceDefinitions[object.name] = CustomResourceDefinitionState(
                    name: object.name, established: Self.conditionTrue(item, "Established"))
            case ("apps", "Deployment"):
                deployments.append(Self.deployment(item, object))
            case ("", "ConfigMap"):
                if object.namespace == MetalLBState.namespace, object.name == "config" {
                    let text = item[path: "data", "config"]?.string ?? ""
                    let parsed = MetalLBState.parseLegacyConfig(text)
                    metalLB.legacyConfig = .init(object: object, pools: parsed.pools, parseError: parsed.error)
                } else if object.namespace == Ownership.configMapNamespace, object.name == Ownership.configMapName {
                    ownership = object
                }
            case ("", "Secret"):
                if object.namespace == MetalLBState.namespace, object.name == "memberlist" {
                    metalLB.memberlistSecretPresent = true
                } else if object.namespace == vaultNamespace, shared.contains(object.name) {
                    sharedSecrets[object.name] = object
                }
            case ("", "Service"):
                if object.namespace == vaultNamespace, Self.isVaultWorkload(object) {
                    services.append(
                        ServiceState(
                            name: object.name, namespace: vaultNamespace, labels: object.labels,
                            type: item[path: "spec", "type"]?.string ?? "ClusterIP",
                            requestedLoadBalancerIP: item[path: "spec", "loadBalancerIP"]?.string.flatMap { $0.isEmpty ? nil : $0 },
                            ingressIPs: (item[path: "status", "loadBalancer", "ingress"]?.sequence ?? []).compactMap {
                                ($0["ip"]?.string).flatMap { $0.isEmpty ? nil : $0 } ?? $0["hostname"]?.string
                            }))
                }
            case ("", "Pod"):
                if object.namespace == vaultNamespace, Self.isVaultWorkload(object) {
                    pods.append(
                        PodState(
                            name: object.name, namespace: vaultNamespace, labels: object.labels,
                            phase: item[path: "status", "phase"]?.string ?? "Unknown", ready: Self.conditionTrue(item, "Ready"),
                            vaultCR: object.labels["vault_cr"]))
                }
            case ("vault.banzaicloud.com", "Vault"):
                if object.namespace == vaultNamespace { vaults[object.name] = object }
            case ("metallb.io", "IPAddressPool"):
                pools.append(.init(object: object, addresses: (item[path: "spec", "addresses"]?.sequence ?? []).compactMap(\.scalar)))
            case ("metallb.io", "L2Advertisement"):
                l2.append(object)
            default:
                break
            }
        }
        self.namespaces = namespaces.sorted()
        vaultServices = services.sorted { $0.name < $1.name }
        vaultPods = pods.sorted { $0.name < $1.name }
        operatorDeployment = deployments.first {
            $0.namespace == operatorNamespace && ($0.name == operatorRelease || $0.labels["app.kubernetes.io/instance"] == operatorRelease)
        }
        if let controller = deployments.first(where: { $0.namespace == MetalLBState.namespace && Self.isMetalLBController($0) }) {
            metalLB.installed = true
            metalLB.controller = controller
            metalLB.version =
                controller.images.first { $0.contains("controller") }.flatMap(MetalLBState.imageTag)
                ?? controller.images.first.flatMap(MetalLBState.imageTag)
        }
        metalLB.addressPools = pools.sorted { $0.name < $1.name }
        metalLB.l2Advertisements = l2.sorted { $0.name < $1.name }
    }

    /// The operator labels Vault's pods and Services `app.kubernetes.io/name=vault` and
    /// `vault_cr=<CR name>`.
    static func isVaultWorkload(_ object: KubeObject) -> Bool {
        object.labels["vault_cr"] != nil || object.labels["app.kubernetes.io/name"] == "vault"
    }

    /// MetalLB's manifests name it `controller` (labels app=metallb, component=controller); its
    /// Helm chart `<release>-controller` (app.kubernetes.io/component=controller).
    static func isMetalLBController(_ deployment: DeploymentState) -> Bool {
        deployment.name == "controller" || deployment.name.hasSuffix("-controller")
            || deployment.labels["component"] == "controller" || deployment.labels["app.kubernetes.io/component"] == "controller"
    }

    static func conditionTrue(_ item: YAML.Node, _ type: String) -> Bool {
        (item[path: "status", "conditions"]?.sequence ?? []).contains { $0["type"]?.string == type && $0["status"]?.string == "True" }
    }

    static func deployment(_ item: YAML.Node, _ object: KubeObject) -> DeploymentState {
        let images = (item[path: "spec", "template", "spec", "containers"]?.sequence ?? []).compactMap { $0["image"]?.string }
        return DeploymentState(
            name: object.name, namespace: object.namespace ?? "", labels: object.labels, images: images,
            replicas: item[path: "spec", "replicas"]?.int ?? 1, readyReplicas: item[path: "status", "readyReplicas"]?.int ?? 0,
            available: conditionTrue(item, "Available"))
    }
}
