import YAML

/// MetalLB in one cluster: installed or not, its version, readiness and address pools (the
/// legacy ConfigMap before v0.13, IPAddressPool/L2Advertisement objects from v0.13).
package struct MetalLBState: Sendable, Equatable {
    /// One pool of the legacy ConfigMap `config` (`data.config` → `address-pools`).
    package struct LegacyPool: Sendable, Equatable {
        package var name: String
        package var `protocol`: String
        package var addresses: [String]

        package init(name: String, protocol: String, addresses: [String]) {
            self.name = name
            self.protocol = `protocol`
            self.addresses = addresses
        }
    }

    /// The legacy ConfigMap `config` in `metallb-system`.
    package struct LegacyConfig: Sendable, Equatable {
        package var object: KubeObject
        package var pools: [LegacyPool]
        /// Set when `data.config` is not readable YAML of the documented shape.
        package var parseError: String?

        package init(object: KubeObject, pools: [LegacyPool], parseError: String? = nil) {
            self.object = object
            self.pools = pools
            self.parseError = parseError
        }
    }

    /// An `IPAddressPool` (metallb.io/v1beta1).
    package struct AddressPool: Sendable, Equatable {
        package var object: KubeObject
        package var addresses: [String]

        package init(object: KubeObject, addresses: [String]) {
            self.object = object
            self.addresses = addresses
        }

        package var name: String { object.name }
    }

    package static let namespace = "metallb-system"

    /// The controller Deployment exists in `metallb-system`.
    package var installed: Bool
    /// From the controller image tag (`quay.io/metallb/controller:v0.13.7` → `v0.13.7`).
    package var version: String?
    package var controller: DeploymentState?
    /// The `memberlist` Secret in `metallb-system` (needed by speakers before v0.13).
    package var memberlistSecretPresent: Bool
    package var legacyConfig: LegacyConfig?
    package var addressPools: [AddressPool]
    package var l2Advertisements: [KubeObject]

    package init(
        installed: Bool = false, version: String? = nil, controller: DeploymentState? = nil, memberlistSecretPresent: Bool = false,
        legacyConfig: LegacyConfig? = nil, addressPools: [AddressPool] = [], l2Advertisements: [KubeObject] = []
    ) {
        self.installed = installed
        self.version = version
        self.controller = controller
        self.memberlistSecretPresent = memberlistSecretPresent
        self.legacyConfig = legacyConfig
        self.addressPools = addressPools
        self.l2Advertisements = l2Advertisements
    }

    /// The controller Deployment is available.
    package var controllerReady: Bool { controller?.available ?? false }

    /// The tag of an image reference (`registry:5000/a/b:v1@sha256:…` → `v1`); nil without a tag.
    package static func imageTag(_ image: String) -> String? {
        let withoutDigest = image.split(separator: "@", maxSplits: 1).first.map(String.init) ?? image
        let lastComponent = withoutDigest.split(separator: "/").last.map(String.init) ?? withoutDigest
        guard let colon = lastComponent.lastIndex(of: ":") else { return nil }
        let tag = String(lastComponent[lastComponent.index(after: colon)...])
        return tag.isEmpty ? nil : tag
    }

    /// Pools of the legacy `data.config` text.
    package static func parseLegacyConfig(_ text: String) -> (pools: [LegacyPool], error: String?) {
        let root: YAML.Node?
        do {
            root = try YAMLParser.parse(text, file: "metallb-system/config")
        } catch {
            return ([], error.summary)
        }
        guard let root else { return ([], nil) }
        guard root.mapping != nil else { return ([], "data.config is not a mapping") }
        var pools: [LegacyPool] = []
        for pool in root["address-pools"]?.sequence ?? [] {
            pools.append(
                LegacyPool(
                    name: pool["name"]?.string ?? "", protocol: pool["protocol"]?.string ?? "",
                    addresses: (pool["addresses"]?.sequence ?? []).compactMap(\.scalar)))
        }
        return (pools, nil)
    }
}
