import Foundation

/// An IPv4 or IPv6 address, held as a 128-bit number with its family.
///
/// IPv4 addresses use the low 32 bits. Text forms: dotted quad for IPv4, RFC 5952
/// (lower-case, longest zero run compressed to `::`) for IPv6.
package struct IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    package enum Family: Sendable, Hashable {
        case v4, v6

        /// Number of bits in an address of this family.
        package var bitWidth: Int { self == .v4 ? 32 : 128 }
    }

    package let family: Family
    package let value: UInt128

    package init(family: Family, value: UInt128) {
        self.family = family
        self.value = family == .v4 ? value & 0xFFFF_FFFF : value
    }

    /// Parses `a.b.c.d` or an IPv6 text (with `::` and an optional embedded IPv4 tail).
    package init?(_ text: some StringProtocol) {
        let text = String(text)
        if text.contains(":") {
            guard let value = IPAddress.parseV6(text) else { return nil }
            self.init(family: .v6, value: value)
        } else {
            guard let value = IPAddress.parseV4(text) else { return nil }
            self.init(family: .v4, value: UInt128(value))
        }
    }

    package static func < (a: IPAddress, b: IPAddress) -> Bool {
        (a.family == .v4 ? 0 : 1, a.value) < (b.family == .v4 ? 0 : 1, b.value)
    }

    /// The address `offset` further on (wrapping inside the family's width).
    package func advanced(by offset: UInt128) -> IPAddress {
        IPAddress(family: family, value: value &+ offset)
    }

    /// For IPv4, the last octet; nil for IPv6.
    package var lastOctet: UInt8? {
        family == .v4 ? UInt8(truncatingIfNeeded: value) : nil
    }

    package var description: String {
        switch family {
        case .v4:
            let v = UInt32(truncatingIfNeeded: value)
            return "\(v >> 24).\((v >> 16) & 0xFF).\((v >> 8) & 0xFF).\(v & 0xFF)"
        case .v6:
            return IPAddress.formatV6(value)
        }
    }

    // MARK: Parsing

    static func parseV4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                let octet = UInt32(part), octet <= 255,
                part == "0" || !part.hasPrefix("0")
            else { return nil }
            result = result << 8 | octet
        }
        return result
    }

    static func parseV6(_ text: String) -> UInt128? {
        var text = Substring(text)
        var tail: [UInt16] = []
        // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard let v4 = parseV4(String(text[text.index(after: lastColon)...])) else { return nil }
            tail = [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
            text = text[...lastColon]
            if text.hasSuffix("::") == false { text = text.dropLast() }
        }
        var halves: [String] = [String(text)]
        if let gap = text.range(of: "::") {
            halves = [String(text[..<gap.lowerBound]), String(text[gap.upperBound...])]
            guard !halves[1].contains("::") else { return nil }
        }
        func groups(_ s: String) -> [UInt16]? {
            if s.isEmpty { return [] }
            var out: [UInt16] = []
            for g in s.split(separator: ":", omittingEmptySubsequences: false) {
                guard !g.isEmpty, g.count <= 4, let v = UInt16(g, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        guard var head = groups(halves[0]) else { return nil }
        var all: [UInt16]
        if halves.count == 2 {
            guard var rest = groups(halves[1]) else { return nil }
            rest += tail
            let missing = 8 - head.count - rest.count
            guard missing >= 1 else { return nil }
            all = head + Array(repeating: 0, count: missing) + rest
        } else {
            head += tail
            all = head
        }
        guard all.count == 8 else { return nil }
        return all.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
    }

    static func formatV6(_ value: UInt128) -> String {
        let groups = (0..<8).map { UInt16(truncatingIfNeeded: value >> (UInt128(7 - $0) * 16)) }
        // The longest run of two or more zero groups (first one on ties) becomes "::".
        var best = (start: -1, length: 0)
        var i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i > best.length { best = (i, j - i) }
                i = j
            } else {
                i += 1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard best.length >= 2 else { return hex.joined(separator: ":") }
        let head = hex[..<best.start].joined(separator: ":")
        let tail = hex[(best.start + best.length)...].joined(separator: ":")
        return head + "::" + tail
    }
}
