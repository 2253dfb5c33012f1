/// An IPv4 or IPv6 network in CIDR notation (`172.18.0.0/16`, `fc00:f853:ccd:e793::/64`).
///
/// The address is always the network's first address: text with host bits set
/// (`172.18.1.5/24`) is refused by the parser, which names the network meant.
package struct CIDR: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The network address (host bits zero).
    package let address: IPAddress
    /// Prefix length, 0...32 for IPv4 and 0...128 for IPv6.
    package let prefix: Int

    /// Why a text is not a CIDR, as a sentence for the user.
    package struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        package let description: String

        package init(description: String) { self.description = description }
    }

    /// A network from its first address and prefix; host bits of `address` are cleared.
    package init(address: IPAddress, prefix: Int) {
        precondition(prefix >= 0 && prefix <= address.family.bitWidth, "prefix out of range")
        self.prefix = prefix
        self.address = IPAddress(family: address.family, value: address.value & CIDR.mask(prefix, address.family))
    }

    /// Parses `address/prefix`, refusing host bits.
    package static func parse(_ text: String) throws(ParseError) -> CIDR {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw ParseError(description: "'\(text)' is not a CIDR; write an address and a prefix length, like 172.18.0.0/16")
        }
        guard let address = IPAddress(parts[0]) else {
            throw ParseError(description: "'\(text)' is not a CIDR: '\(parts[0])' is not an IPv4 or IPv6 address")
        }
        let width = address.family.bitWidth
        guard parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), !parts[1].isEmpty, parts[1].count <= 3,
            let prefix = Int(parts[1]), prefix <= width
        else {
            throw ParseError(description: "'\(text)' is not a CIDR: the prefix length must be a number from 0 to \(width)")
        }
        let cidr = CIDR(address: address, prefix: prefix)
        guard cidr.address == address else {
            throw ParseError(description: "'\(text)' has host bits set; did you mean \(cidr)?")
        }
        return cidr
    }

    /// A CIDR from text, or nil.
    package init?(_ text: String) {
        guard let cidr = try? CIDR.parse(text) else { return nil }
        self = cidr
    }

    package var family: IPAddress.Family { address.family }

    /// The first address (the network address).
    package var first: IPAddress { address }

    /// The last address (the IPv4 broadcast address).
    package var last: IPAddress {
        let full: UInt128 = family == .v4 ? 0xFFFF_FFFF : .max
        return IPAddress(family: family, value: address.value | (~CIDR.mask(prefix, family) & full))
    }

    /// Number of addresses minus one (so a /0 IPv6 network still fits in 128 bits).
    package var lastOffset: UInt128 { last.value - first.value }

    package func contains(_ ip: IPAddress) -> Bool {
        ip.family == family && ip.value >= first.value && ip.value <= last.value
    }

    /// True when `other` lies entirely inside this network.
    package func contains(_ other: CIDR) -> Bool {
        other.family == family && other.prefix >= prefix && contains(other.address)
    }

    package func overlaps(_ other: CIDR) -> Bool {
        other.family == family && (contains(other.address) || other.contains(address))
    }

    /// How many sub-networks of `subPrefix` this network holds (nil when it does not fit
    /// in an Int or the prefix is shorter than this one's).
    package func blockCount(prefix subPrefix: Int) -> Int? {
        guard subPrefix >= prefix, subPrefix <= family.bitWidth else { return nil }
        let bits = subPrefix - prefix
        return bits >= Int.bitWidth - 1 ? Int.max : 1 << bits
    }

    /// The `index`-th sub-network of size `subPrefix` (0-based), or nil when out of range.
    package func block(prefix subPrefix: Int, index: Int) -> CIDR? {
        guard index >= 0, let count = blockCount(prefix: subPrefix), index < count else { return nil }
        let step = UInt128(1) << UInt128(family.bitWidth - subPrefix)
        let start = address.value + UInt128(index) * step
        return CIDR(address: IPAddress(family: family, value: start), prefix: subPrefix)
    }

    /// `first-last`, the range form MetalLB accepts.
    package var rangeText: String { "\(first)-\(last)" }

    package var description: String { "\(address)/\(prefix)" }

    package static func < (a: CIDR, b: CIDR) -> Bool {
        (a.address, a.prefix) < (b.address, b.prefix)
    }

    static func mask(_ prefix: Int, _ family: IPAddress.Family) -> UInt128 {
        let width = family.bitWidth
        if prefix == 0 { return 0 }
        let ones = UInt128.max << UInt128(128 - prefix)  // prefix ones at the top of 128 bits
        return width == 128 ? ones : (ones >> 96) & 0xFFFF_FFFF
    }
}
