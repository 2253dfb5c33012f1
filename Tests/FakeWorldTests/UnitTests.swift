import Foundation
import Testing
@testable import FakeWorld

@Suite struct ULATests {
    @Test(arguments: [("kind", Int32(0), "fc00:f853:ccd:e793::/64"), ("kind2", 0, "fc00:444c:147a:44ab::/64"),
                      ("kin", 0, "fc00:fcd9:c2be:8e23::/64"), ("foo", 1, "fc00:8edf:7f02:ec8f::/64"), ("foo", 2, "fc00:9968:306b:2c65::/64")])
    func vectors(name: String, attempt: Int32, expected: String) {
        #expect(KindNetwork.ulaSubnet(name: name, attempt: attempt) == expected)
    }
}
