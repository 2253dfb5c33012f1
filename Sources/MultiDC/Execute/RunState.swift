import Synchronization

/// Facts learned while an apply runs and needed by later actions: the subnet of a network
/// created in this run, the new KMS's address and token. Values "known after apply" in the
/// plan are resolved from here, never guessed.
final class RunState: Sendable {
    private struct Values {
        var subnet: CIDR?
        var kmsAddress: String?
        var kmsToken: Secret?
    }

    private let values: Mutex<Values>

    init(subnet: CIDR?, kmsAddress: String?, kmsToken: Secret?) {
        values = Mutex(Values(subnet: subnet, kmsAddress: kmsAddress, kmsToken: kmsToken))
    }

    var subnet: CIDR? {
        get { values.withLock { $0.subnet } }
        set { values.withLock { $0.subnet = newValue } }
    }

    var kmsAddress: String? {
        get { values.withLock { $0.kmsAddress } }
        set { values.withLock { $0.kmsAddress = newValue } }
    }

    var kmsToken: Secret? {
        get { values.withLock { $0.kmsToken } }
        set { values.withLock { $0.kmsToken = newValue } }
    }
}
