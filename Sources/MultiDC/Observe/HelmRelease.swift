/// One release as `helm list -o json` shows it.
public struct HelmRelease: Sendable, Equatable {
    /// A release status (open set: helm may add more).
    public struct Status: Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public static let deployed = Status("deployed")
        public static let failed = Status("failed")
        public static let pendingInstall = Status("pending-install")
        public static let pendingUpgrade = Status("pending-upgrade")
        public static let pendingRollback = Status("pending-rollback")
        public static let superseded = Status("superseded")
        public static let uninstalling = Status("uninstalling")
        public static let uninstalled = Status("uninstalled")
        public static let unknown = Status("unknown")
        /// An operation is in flight (helm refuses another one).
        public var isPending: Bool { rawValue.hasPrefix("pending-") }
        public var description: String { rawValue }
    }

    public var name: String
    public var namespace: String
    /// helm prints the revision as a STRING ("1"); nil when it is not a number.
    public var revision: Int?
    public var status: Status
    /// `<chart name>-<chart version>`, e.g. `vault-operator-1.12.0`.
    public var chart: String
    public var appVersion: String
    /// Go `time.String()` text, or `-`.
    public var updated: String

    public init(
        name: String, namespace: String, revision: Int?, status: Status, chart: String, appVersion: String = "", updated: String = ""
    ) {
        self.name = name
        self.namespace = namespace
        self.revision = revision
        self.status = status
        self.chart = chart
        self.appVersion = appVersion
        self.updated = updated
    }

    /// The chart version: what follows the first `-` that starts `N.N` (`vault-operator-1.12.0` →
    /// `1.12.0`, `abc-hello-0.1.0+rc-1.2.0-19` → `0.1.0+rc-1.2.0-19`).
    public var chartVersion: String? {
        let chars = Array(chart)
        for i in chars.indices where chars[i] == "-" {
            var j = i + 1
            if j < chars.count, chars[j] == "v" { j += 1 }
            var digits = 0
            while j < chars.count, chars[j].isNumber { j += 1; digits += 1 }
            if digits > 0, j + 1 < chars.count, chars[j] == ".", chars[j + 1].isNumber { return String(chars[(i + 1)...]) }
        }
        return nil
    }
}
