/// How kind creates its docker network (kind pkg/cluster/internal/providers/docker/network.go):
/// a bridge with IP masquerading, the default bridge's MTU, and an IPv6 ULA /64 derived from
/// the network's name, so `multidc` creates the network exactly as `kind` would have.
package enum KindNetwork {
    /// `fc00:` + bytes 2..7 of SHA1(name ‖ int32_le(attempt)), then `::/64` (docs/tools.md#kind-network).
    package static func ulaSubnet(name: String, attempt: Int32 = 0) -> String {
        var bytes = Array(name.utf8)
        withUnsafeBytes(of: attempt.littleEndian) { bytes.append(contentsOf: $0) }
        let h = SHA1.digest(bytes)
        let address = [0xfc, 0x00] + Array(h[2..<8]) + [UInt8](repeating: 0, count: 8)
        let value = address.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
        return IPAddress(family: .v6, value: value).description + "/64"
    }
}

/// SHA-1 (FIPS 180-4), only for kind's ULA derivation above.
enum SHA1 {
    static func digest(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
        var m = message
        let bitLength = UInt64(message.count) * 8
        m.append(0x80)
        while m.count % 64 != 56 { m.append(0) }
        for i in (0..<8).reversed() { m.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(i) * 8))) }
        var w = [UInt32](repeating: 0, count: 80)
        for chunk in stride(from: 0, to: m.count, by: 64) {
            for i in 0..<16 {
                let j = chunk + i * 4
                w[i] = UInt32(m[j]) << 24 | UInt32(m[j + 1]) << 16 | UInt32(m[j + 2]) << 8 | UInt32(m[j + 3])
            }
            for i in 16..<80 {
                let x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
                w[i] = (x << 1) | (x >> 31)
            }
            var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
            for i in 0..<80 {
                let f: UInt32, k: UInt32
                switch i {
                case 0..<20: f = (b & c) | (~b & d); k = 0x5A827999
                case 20..<40: f = b ^ c ^ d; k = 0x6ED9EBA1
                case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC
                default: f = b ^ c ^ d; k = 0xCA62C1D6
                }
                let t = ((a << 5) | (a >> 27)) &+ f &+ e &+ k &+ w[i]
                (e, d, c, b, a) = (d, c, (b << 30) | (b >> 2), a, t)
            }
            h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d; h[4] &+= e
        }
        return h.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - $0 * 8)) } }
    }
}
