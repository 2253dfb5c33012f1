import Foundation

/// A docker network as `docker network inspect` shows it.
package struct DockerNetwork: Sendable, Equatable {
    /// One container endpoint on the network.
    package struct Attachment: Sendable, Equatable {
        /// Full 64-hex container id (the key of `Containers`).
        package var containerID: String
        package var name: String
        /// IPv4 address without its prefix length ("172.19.0.2"); nil when docker shows none.
        package var ipv4Address: String?
        package var ipv4PrefixLength: Int?
        package var ipv6Address: String?
        /// The endpoint's id (`EndpointID`): docker makes a new endpoint each time the container
        /// starts (a stop releases it), so a changed id means the container restarted.
        package var endpointID: String?

        package init(
            containerID: String, name: String, ipv4Address: String?, ipv4PrefixLength: Int? = nil, ipv6Address: String? = nil,
            endpointID: String? = nil
        ) {
            self.endpointID = endpointID
            self.containerID = containerID
            self.name = name
            self.ipv4Address = ipv4Address
            self.ipv4PrefixLength = ipv4PrefixLength
            self.ipv6Address = ipv6Address
        }
    }

    package var name: String
    package var id: String
    package var driver: String
    /// The IPv4 IPAM entry's subnet, chosen by address family, never by index.
    package var ipv4Subnet: String?
    package var ipv4Gateway: String?
    package var ipv6Subnet: String?
    /// Absent on older daemons (the IPv6 IPAM entry has no `Gateway` key there).
    package var ipv6Gateway: String?
    package var enableIPv6: Bool
    package var options: [String: String]
    package var labels: [String: String]
    /// Attached containers, sorted by name.
    package var containers: [Attachment]

    package init(
        name: String, id: String, driver: String = "bridge", ipv4Subnet: String?, ipv4Gateway: String?,
        ipv6Subnet: String? = nil, ipv6Gateway: String? = nil, enableIPv6: Bool = false,
        options: [String: String] = [:], labels: [String: String] = [:], containers: [Attachment] = []
    ) {
        self.name = name
        self.id = id
        self.driver = driver
        self.ipv4Subnet = ipv4Subnet
        self.ipv4Gateway = ipv4Gateway
        self.ipv6Subnet = ipv6Subnet
        self.ipv6Gateway = ipv6Gateway
        self.enableIPv6 = enableIPv6
        self.options = options
        self.labels = labels
        self.containers = containers
    }

    /// The attachment of the container with this name or id (a 12-hex short id matches too).
    package func attachment(for nameOrID: String) -> Attachment? {
        containers.first {
            $0.name == nameOrID || $0.containerID == nameOrID || (nameOrID.count >= 12 && $0.containerID.hasPrefix(nameOrID))
        }
    }
}

/// The state docker reports for a container (`State` of `docker ps`).
package enum ContainerState: Sendable, Hashable, CustomStringConvertible {
    case created, running, paused, restarting, removing, exited, dead
    case other(String)

    package init(_ text: String) {
        switch text.lowercased() {
        case "created": self = .created
        case "running": self = .running
        case "paused": self = .paused
        case "restarting": self = .restarting
        case "removing": self = .removing
        case "exited": self = .exited
        case "dead": self = .dead
        default: self = .other(text)
        }
    }

    package var description: String {
        switch self {
        case .created: "created"
        case .running: "running"
        case .paused: "paused"
        case .restarting: "restarting"
        case .removing: "removing"
        case .exited: "exited"
        case .dead: "dead"
        case .other(let s): s
        }
    }
}

/// A container as `docker ps -a --no-trunc --format '{{json .}}'` lists it, joined with its
/// address on the observed network (from `docker network inspect`).
package struct DockerContainer: Sendable, Equatable {
    /// The id as listed (64 hex with `--no-trunc`, 12 without).
    package var id: String
    /// The first name (without a leading `/`).
    package var name: String
    /// All names (docker joins several with `,`).
    package var names: [String]
    package var image: String
    package var state: ContainerState
    /// Human text such as `Up 2 seconds` or `Exited (0) 3 minutes ago`.
    package var status: String
    package var labels: [String: String]
    /// Names of the networks the container is attached to.
    package var networks: [String]
    /// IPv4 address on the observed network (no prefix length); nil when not attached or stopped.
    package var ipv4Address: String?

    package init(
        id: String, name: String, names: [String]? = nil, image: String, state: ContainerState, status: String = "",
        labels: [String: String] = [:], networks: [String] = [], ipv4Address: String? = nil
    ) {
        self.id = id
        self.name = name
        self.names = names ?? [name]
        self.image = image
        self.state = state
        self.status = status
        self.labels = labels
        self.networks = networks
        self.ipv4Address = ipv4Address
    }

    package var isRunning: Bool { state == .running }
}
