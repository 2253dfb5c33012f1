import Foundation

/// A docker network as `docker network inspect` shows it.
public struct DockerNetwork: Sendable, Equatable {
    /// One container endpoint on the network.
    public struct Attachment: Sendable, Equatable {
        /// Full 64-hex container id (the key of `Containers`).
        public var containerID: String
        public var name: String
        /// IPv4 address without its prefix length ("172.19.0.2"); nil when docker shows none.
        public var ipv4Address: String?
        public var ipv4PrefixLength: Int?
        public var ipv6Address: String?
        /// The endpoint's id (`EndpointID`): docker makes a new endpoint each time the container
        /// starts (a stop releases it), so a changed id means the container restarted.
        public var endpointID: String?

        public init(
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

    public var name: String
    public var id: String
    public var driver: String
    /// The IPv4 IPAM entry's subnet, chosen by address family, never by index.
    public var ipv4Subnet: String?
    public var ipv4Gateway: String?
    public var ipv6Subnet: String?
    /// Absent on older daemons (the IPv6 IPAM entry has no `Gateway` key there).
    public var ipv6Gateway: String?
    public var enableIPv6: Bool
    public var options: [String: String]
    public var labels: [String: String]
    /// Attached containers, sorted by name.
    public var containers: [Attachment]

    public init(
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
    public func attachment(for nameOrID: String) -> Attachment? {
        containers.first {
            $0.name == nameOrID || $0.containerID == nameOrID || (nameOrID.count >= 12 && $0.containerID.hasPrefix(nameOrID))
        }
    }
}

/// The state docker reports for a container (`State` of `docker ps`).
public enum ContainerState: Sendable, Hashable, CustomStringConvertible {
    case created, running, paused, restarting, removing, exited, dead
    case other(String)

    public init(_ text: String) {
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

    public var description: String {
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
public struct DockerContainer: Sendable, Equatable {
    /// The id as listed (64 hex with `--no-trunc`, 12 without).
    public var id: String
    /// The first name (without a leading `/`).
    public var name: String
    /// All names (docker joins several with `,`).
    public var names: [String]
    public var image: String
    public var state: ContainerState
    /// Human text such as `Up 2 seconds` or `Exited (0) 3 minutes ago`.
    public var status: String
    public var labels: [String: String]
    /// Names of the networks the container is attached to.
    public var networks: [String]
    /// IPv4 address on the observed network (no prefix length); nil when not attached or stopped.
    public var ipv4Address: String?

    public init(
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

    public var isRunning: Bool { state == .running }
}
