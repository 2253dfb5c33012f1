import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A free TCP port on 127.0.0.1, found as kind finds one for the API server (listen on port 0,
/// read the port back, close) [SRC kind pkg/cluster/internal/providers/common/getport.go].
func freeLocalPort() -> Int? { freePort(on: "127.0.0.1") }

/// A free TCP port on `address` (IPv4 or IPv6), found the same way: kind's `GetFreePort(listenAddr)`
/// for an extraPortMapping without a hostPort [SRC kind pkg/cluster/internal/providers/common/getport.go v0.32.0].
func freePort(on address: String) -> Int? {
    var v4 = in_addr()
    if inet_pton(AF_INET, address, &v4) == 1 {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr = v4
        return boundPort(AF_INET, addr) { Int(UInt16(bigEndian: $0.sin_port)) }
    }
    var v6 = in6_addr()
    guard inet_pton(AF_INET6, address, &v6) == 1 else { return nil }
    var addr = sockaddr_in6()
    addr.sin6_family = sa_family_t(AF_INET6)
    addr.sin6_addr = v6
    return boundPort(AF_INET6, addr) { Int(UInt16(bigEndian: $0.sin6_port)) }
}

/// Binds a TCP socket of `family` to `address` (port 0) and reads back the port the kernel chose.
private func boundPort<Address>(_ family: Int32, _ address: Address, port: (Address) -> Int) -> Int? {
    #if canImport(Glibc)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
    #else
        let fd = socket(family, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var addr = address
    let size = socklen_t(MemoryLayout<Address>.size)
    let bound = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) }
    }
    guard bound == 0 else { return nil }
    var out = address
    var len = size
    let got = withUnsafeMutablePointer(to: &out) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    return got == 0 ? port(out) : nil
}
