import Foundation

/// argv builders and output parsers for the `docker` CLI (docs/tools.md#docker-client-versions and the docker sections after it).
///
/// Parsers are pure functions over a `CommandResult`, tested on the reference's real outputs of
/// both the 20.10 and the 28 client.
package enum Docker {
    package static let executable = "docker"

    // MARK: argv

    /// `docker network inspect NAME`: a JSON array on stdout.
    package static func networkInspect(_ name: String) -> Command {
        Command(executable, ["network", "inspect", name])
    }

    /// `docker ps -a --no-trunc [--filter F]… --format '{{json .}}'`: JSON Lines, one per container,
    /// running or not. Several `label=` filters are ANDed by docker, so the observer lists
    /// unfiltered and selects in memory.
    package static func listContainers(filters: [String] = []) -> Command {
        var args = ["ps", "-a", "--no-trunc"]
        for filter in filters { args += ["--filter", filter] }
        args += ["--format", "{{json .}}"]
        return Command(executable, args)
    }

    /// `docker version --format {{.Server.Version}}`: the client runs and the engine answers.
    package static func version() -> Command { Command(executable, ["version", "--format", "{{.Server.Version}}"]) }

    // MARK: failures

    /// The reason the engine cannot be used, when `result` shows one: the daemon is down or its
    /// socket is not accessible. nil for any other outcome.
    package static func engineUnreachableMessage(_ result: CommandResult) -> String? {
        guard !result.isSuccess else { return nil }
        let text = result.stderr
        let markers = [
            "Cannot connect to the Docker daemon",
            "permission denied while trying to connect to the Docker daemon",
            "error during connect",
            "Is the docker daemon running?",
        ]
        guard markers.contains(where: text.contains) else { return nil }
        return result.lastErrorLine
    }

    /// Whether a failed result says the object does not exist, for the 20.10 texts
    /// (`Error: No such network: X`, `Error: No such object: X`) and the 28 texts
    /// (`Error response from daemon: network X not found`, `… No such container: X`).
    package static func isNotFound(_ result: CommandResult) -> Bool {
        let text = result.stderr
        return ["No such network", "No such container", "No such object", "No such image"].contains(where: text.contains)
            || text.split(whereSeparator: \.isNewline).contains { $0.hasSuffix(" not found") }
    }

    // MARK: network inspect

    /// The network from `docker network inspect NAME`; nil when it does not exist.
    /// Throws for any other failure (with the tool's last stderr line) or unreadable output.
    package static func parseNetworkInspect(_ result: CommandResult) throws(ToolOutputError) -> DockerNetwork? {
        if !result.isSuccess {
            if isNotFound(result) { return nil }
            throw ToolOutputError(
                tool: "docker network inspect", message: result.lastErrorLine.isEmpty ? "\(result.status)" : result.lastErrorLine)
        }
        let objects: [[String: Any]]
        do {
            guard let array = try JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [[String: Any]] else {
                throw ToolOutputError(tool: "docker network inspect", message: "expected a JSON array of objects")
            }
            objects = array
        } catch let error as ToolOutputError {
            throw error
        } catch {
            throw ToolOutputError(tool: "docker network inspect", message: "invalid JSON: \(error.localizedDescription)")
        }
        guard let object = objects.first else { return nil }
        return parseNetwork(object)
    }

    static func parseNetwork(_ object: [String: Any]) -> DockerNetwork {
        var ipv4Subnet: String?, ipv4Gateway: String?, ipv6Subnet: String?, ipv6Gateway: String?
        let ipam = object["IPAM"] as? [String: Any]
        for entry in ipam?["Config"] as? [[String: Any]] ?? [] {
            guard let subnet = entry["Subnet"] as? String else { continue }
            let gateway = (entry["Gateway"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            if subnet.contains(":") {
                if ipv6Subnet == nil { ipv6Subnet = subnet; ipv6Gateway = gateway }
            } else if subnet.contains("."), ipv4Subnet == nil {
                ipv4Subnet = subnet
                ipv4Gateway = gateway
            }
        }
        var attachments: [DockerNetwork.Attachment] = []
        for (id, value) in object["Containers"] as? [String: Any] ?? [:] {
            let endpoint = value as? [String: Any] ?? [:]
            let (ipv4, prefix) = splitCIDR(endpoint["IPv4Address"] as? String)
            let (ipv6, _) = splitCIDR(endpoint["IPv6Address"] as? String)
            attachments.append(
                .init(
                    containerID: id, name: endpoint["Name"] as? String ?? "", ipv4Address: ipv4, ipv4PrefixLength: prefix,
                    ipv6Address: ipv6,
                    endpointID: (endpoint["EndpointID"] as? String).flatMap { $0.isEmpty ? nil : $0 }))
        }
        attachments.sort { ($0.name, $0.containerID) < ($1.name, $1.containerID) }
        return DockerNetwork(
            name: object["Name"] as? String ?? "",
            id: object["Id"] as? String ?? "",
            driver: object["Driver"] as? String ?? "",
            ipv4Subnet: ipv4Subnet, ipv4Gateway: ipv4Gateway, ipv6Subnet: ipv6Subnet, ipv6Gateway: ipv6Gateway,
            enableIPv6: object["EnableIPv6"] as? Bool ?? false,
            options: stringMap(object["Options"]),
            labels: stringMap(object["Labels"]),
            containers: attachments
        )
    }

    /// "172.19.0.2/16" → ("172.19.0.2", 16); "" or nil → (nil, nil).
    static func splitCIDR(_ text: String?) -> (String?, Int?) {
        guard let text, !text.isEmpty else { return (nil, nil) }
        let parts = text.split(separator: "/", maxSplits: 1)
        return (String(parts[0]), parts.count > 1 ? Int(parts[1]) : nil)
    }

    static func stringMap(_ value: Any?) -> [String: String] {
        guard let dict = value as? [String: Any] else { return [:] }
        return dict.compactMapValues { $0 as? String }
    }

    // MARK: ps

    private struct PSRow: Decodable {
        var ID: String
        var Names: String
        var Image: String
        var State: String
        var Status: String?
        var Labels: String?
        var Networks: String?
    }

    /// Containers from `docker ps -a --format '{{json .}}'` (JSON Lines; empty stdout = none).
    /// Throws for a failed call or an unreadable line.
    package static func parseContainerList(_ result: CommandResult) throws(ToolOutputError) -> [DockerContainer] {
        guard result.isSuccess else {
            throw ToolOutputError(tool: "docker ps", message: result.lastErrorLine.isEmpty ? "\(result.status)" : result.lastErrorLine)
        }
        var containers: [DockerContainer] = []
        for (index, line) in Data(result.standardOutput).jsonLines.enumerated() {
            let row: PSRow
            do {
                row = try JSONDecoder().decode(PSRow.self, from: line)
            } catch {
                throw ToolOutputError(tool: "docker ps", message: "line \(index + 1): \(error)")
            }
            let names = row.Names.split(separator: ",").map { String($0.hasPrefix("/") ? $0.dropFirst() : $0) }
            containers.append(
                DockerContainer(
                    id: row.ID, name: names.first ?? "", names: names, image: row.Image, state: ContainerState(row.State),
                    status: row.Status ?? "", labels: parseLabels(row.Labels ?? ""),
                    networks: (row.Networks ?? "").split(separator: ",").map(String.init)
                ))
        }
        return containers.sorted { $0.name < $1.name }
    }

    /// Splits docker's one-string `Labels` (`k=v,k2=v2`; random order on 20.10 clients) into a map.
    ///
    /// Split on `,`, then each piece on its FIRST `=`. A piece with no `=` cannot start a label,
    /// so it is taken as the rest of the previous value (a value that contained `,`). What stays
    /// ambiguous is a value containing `,k=…`; the labels multidc reads (kind cluster and role,
    /// managed-by, topology) are DNS names and never contain `,` or `=`.
    package static func parseLabels(_ text: String) -> [String: String] {
        var labels: [String: String] = [:]
        var lastKey: String?
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            if let eq = piece.firstIndex(of: "=") {
                let key = String(piece[..<eq])
                labels[key] = String(piece[piece.index(after: eq)...])
                lastKey = key
            } else if let key = lastKey {
                labels[key, default: ""] += "," + piece
            } else if !piece.isEmpty {
                labels[String(piece)] = ""
                lastKey = String(piece)
            }
        }
        return labels
    }
}
