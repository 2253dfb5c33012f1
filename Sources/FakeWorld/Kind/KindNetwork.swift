import Foundation

/// The docker network kind puts its nodes on, ensured the way kind does it
/// (kind pkg/cluster/internal/providers/docker/network.go).
enum KindNetwork {
    static let fixedName = "kind"

    /// kind's ULA /64 for a network name: `fc00:` + bytes 2..7 of SHA1(name ‖ int32_le(attempt)).
    static func ulaSubnet(name: String, attempt: Int32 = 0) -> String {
        var bytes = Array(name.utf8)
        let a = UInt32(bitPattern: attempt)
        bytes += [UInt8(a & 0xff), UInt8((a >> 8) & 0xff), UInt8((a >> 16) & 0xff), UInt8((a >> 24) & 0xff)]
        let h = SHA1.digest(bytes)
        let groups = [UInt16(0xfc00), UInt16(h[2]) << 8 | UInt16(h[3]), UInt16(h[4]) << 8 | UInt16(h[5]), UInt16(h[6]) << 8 | UInt16(h[7])]
        return groups.map { String($0, radix: 16) }.joined(separator: ":") + "::/64"
    }

    enum Failure: Error { case command(args: [String], result: Docker.Result) }

    /// Creates the network when missing (bridge, masquerade, the default bridge's MTU, IPv6 ULA;
    /// retries without IPv6 when the daemon cannot do it, and with the next salt on pool overlap).
    static func ensure(_ name: String, docker: Docker) throws(Failure) {
        let ls = docker.run(["network", "ls", "--filter=name=^\(name)$", "--format={{.ID}}"])
        if !ls.ok { throw .command(args: ["network", "ls", "--filter=name=^\(name)$", "--format={{.ID}}"], result: ls) }
        if !ls.trimmed.isEmpty { return }
        let mtuResult = docker.run(["network", "inspect", "bridge", "-f", "{{ index .Options \"com.docker.network.driver.mtu\" }}"])
        let mtu = Int(mtuResult.trimmed) ?? 0
        var ipv6 = true
        var attempt: Int32 = 0
        while true {
            var args = ["network", "create", "-d=bridge", "-o", "com.docker.network.bridge.enable_ip_masquerade=true"]
            if mtu > 0 { args += ["-o", "com.docker.network.driver.mtu=\(mtu)"] }
            if ipv6 { args += ["--ipv6", "--subnet", ulaSubnet(name: name, attempt: attempt)] }
            args.append(name)
            let r = docker.run(args)
            if r.ok { return }
            let out = r.stderr
            if out.hasPrefix("Error response from daemon: network with name") && out.contains("already exists") { return }
            if ipv6 && (out.contains("Cannot read IPv6 setup for bridge") || out.contains("(iptables failed: ip6tables")) {
                ipv6 = false
                continue
            }
            if ipv6 && (out.contains("Pool overlaps with other one on this address space") || out.contains("networks have overlapping"))
                && attempt < 4
            {
                attempt += 1
                continue
            }
            throw .command(args: args, result: r)
        }
    }
}
