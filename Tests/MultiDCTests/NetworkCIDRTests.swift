import MultiDC
import Testing

@Suite struct NetworkCIDRTests {
    @Test(arguments: [
        ("172.18.0.0/16", "172.18.0.0", "172.18.255.255"),
        ("10.0.0.128/25", "10.0.0.128", "10.0.0.255"),
        ("0.0.0.0/0", "0.0.0.0", "255.255.255.255"),
        ("192.168.1.7/32", "192.168.1.7", "192.168.1.7"),
        ("fc00:f853:ccd:e793::/64", "fc00:f853:ccd:e793::", "fc00:f853:ccd:e793:ffff:ffff:ffff:ffff"),
        ("::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ("2001:db8::/127", "2001:db8::", "2001:db8::1"),
    ])
    func parsesAndFormats(_ text: String, _ first: String, _ last: String) throws {
        let cidr = try CIDR.parse(text)
        #expect(cidr.description == text)
        #expect(cidr.first.description == first)
        #expect(cidr.last.description == last)
        #expect(cidr.rangeText == "\(first)-\(last)")
    }

    @Test(arguments: [
        ("172.18.0.0", "'172.18.0.0' is not a CIDR; write an address and a prefix length, like 172.18.0.0/16"),
        ("172.18.0.0/33", "'172.18.0.0/33' is not a CIDR: the prefix length must be a number from 0 to 32"),
        ("172.18.1.0/16", "'172.18.1.0/16' has host bits set; did you mean 172.18.0.0/16?"),
        ("256.0.0.0/8", "'256.0.0.0/8' is not a CIDR: '256.0.0.0' is not an IPv4 or IPv6 address"),
        ("01.2.3.0/24", "'01.2.3.0/24' is not a CIDR: '01.2.3.0' is not an IPv4 or IPv6 address"),
        ("fc00::1::/64", "'fc00::1::/64' is not a CIDR: 'fc00::1::' is not an IPv4 or IPv6 address"),
        ("fc00::/129", "'fc00::/129' is not a CIDR: the prefix length must be a number from 0 to 128"),
        ("fc00::1/64", "'fc00::1/64' has host bits set; did you mean fc00::/64?"),
        ("1.2.3.4/-1", "'1.2.3.4/-1' is not a CIDR: the prefix length must be a number from 0 to 32"),
    ])
    func refusesWithMessage(_ text: String, _ message: String) {
        #expect(throws: CIDR.ParseError(description: message)) { try CIDR.parse(text) }
    }

    @Test(arguments: [
        ("::", "::"), ("::1", "::1"), ("1::", "1::"), ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"), ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"), ("::ffff:172.18.0.1", "::ffff:ac12:1"), ("FC00::AB", "fc00::ab"),
    ])
    func formatsIPv6LikeRFC5952(_ text: String, _ formatted: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.description == formatted)
        #expect(IPAddress(formatted) == address)
    }

    @Test func containsAndOverlaps() throws {
        let net = try CIDR.parse("172.18.0.0/16")
        #expect(net.contains(try CIDR.parse("172.18.1.128/25")))
        #expect(!net.contains(try CIDR.parse("172.19.0.0/25")))
        #expect(!net.contains(try CIDR.parse("172.0.0.0/8")))
        #expect(net.contains(IPAddress("172.18.255.255")!))
        #expect(!net.contains(IPAddress("fc00::1")!))
        #expect(net.overlaps(try CIDR.parse("172.0.0.0/8")))
        #expect(try CIDR.parse("172.18.1.128/25").overlaps(try CIDR.parse("172.18.1.192/26")))
        #expect(!(try CIDR.parse("172.18.1.0/25").overlaps(try CIDR.parse("172.18.1.128/25"))))
    }

    @Test func nthBlock() throws {
        let net = try CIDR.parse("172.18.0.0/16")
        #expect(net.block(prefix: 24, index: 0)?.description == "172.18.0.0/24")
        #expect(net.block(prefix: 24, index: 255)?.description == "172.18.255.0/24")
        #expect(net.block(prefix: 24, index: 256) == nil)
        #expect(net.block(prefix: 8, index: 0) == nil)
        #expect(net.blockCount(prefix: 25) == 512)
        let v6 = try CIDR.parse("fc00:f853:ccd:e793::/64")
        #expect(v6.block(prefix: 80, index: 3)?.description == "fc00:f853:ccd:e793:3::/80")
    }
}
